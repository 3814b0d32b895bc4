// Every way a site embeds the widget, and how it looks and reads: the custom
// element, the script-tag drop-in, React, languages and the messages option,
// theming, dark mode, the countdown, reduced motion, accessibility (axe-core).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { eventsOf, openDemo, readQr, sharedEnv, sleep, until, waitForEvent } from "./helpers.mjs";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const env = sharedEnv();

const simState = async (id) => (await fetch(`${env.demo.url}/__sim/verifications/${id}`)).json();
const requestsFor = (id, method) => env.sim.requests.filter((r) => r.path.includes(id) && (!method || r.method === method));
const initiatedCount = (page, n) => page.waitForFunction((count) => window.demoEvents.filter((e) => e.type === "hopae-initiated").length === count, n);

async function expectWorkingQr(page) {
  const started = await waitForEvent(page, "hopae-initiated");
  const qr = await readQr(page);
  assert.equal(qr.text, (await simState(started.verificationId)).qrData);
  return started;
}

describe("<hopae-verify> custom element", () => {
  test("attributes are options; events bubble out of its shadow root", async () => {
    const { page, problems } = await openDemo(env, { "poll-interval": 300 }, {}, "/element.html");
    const started = await expectWorkingQr(page);
    const shape = await page.evaluate(() => {
      const el = document.getElementById("verify");
      return { tag: el.localName, defined: customElements.get("hopae-verify") !== undefined, shadow: Boolean(el.shadowRoot), id: el.verificationId };
    });
    assert.deepEqual(shape, { tag: "hopae-verify", defined: true, shadow: true, id: started.verificationId });
    await env.control(`/verifications/${started.verificationId}/complete`);
    const done = await waitForEvent(page, "hopae-completed");
    assert.equal(done.verificationId, started.verificationId);
    assert.deepEqual(problems, []);
    assert.equal(await page.evaluate(() => window.cspViolations), undefined);
  });

  test("changing provider restarts; removing destroys; re-inserting mounts again", async () => {
    const { page } = await openDemo(env, { "poll-interval": 300 }, {}, "/element.html");
    const first = await expectWorkingQr(page);
    await page.evaluate(() => document.getElementById("verify").setAttribute("provider", "frejaid"));
    await initiatedCount(page, 2);
    const second = (await eventsOf(page, "hopae-initiated"))[1];
    assert.equal(second.providerId, "frejaid");
    assert.equal((await eventsOf(page, "hopae-cancelled"))[0].verificationId, first.verificationId, "the first was cancelled");

    await page.evaluate(() => {
      window.parked = document.getElementById("verify");
      window.parked.remove();
    });
    await until(async () => (await simState(second.verificationId)).status === "cancelled", 5_000, "removing it cancels the verification");
    const removedAt = Date.now();
    await sleep(900);
    assert.deepEqual(requestsFor(second.verificationId, "GET").filter((r) => r.at > removedAt), [], "no poll after removal");

    await page.evaluate(() => document.querySelector("main").append(window.parked));
    await initiatedCount(page, 3);
    assert.equal((await readQr(page)).text, (await simState((await eventsOf(page, "hopae-initiated"))[2].verificationId)).qrData);
  });

  test("moving the element keeps its verification", async () => {
    const { page } = await openDemo(env, { "poll-interval": 300 }, {}, "/element.html");
    const started = await expectWorkingQr(page);
    await page.evaluate(() => {
      const el = document.getElementById("verify");
      document.querySelector("h2").before(el);
    });
    await sleep(800);
    assert.equal((await eventsOf(page, "hopae-initiated")).length, 1);
    assert.equal((await eventsOf(page, "hopae-cancelled")).length, 0);
    assert.ok(requestsFor(started.verificationId, "GET").length >= 2);
  });

  test("a missing attribute is reported as hopae-failed, not an uncaught error", async () => {
    const { page, problems } = await openDemo(env, {}, {}, "/element.html");
    await waitForEvent(page, "hopae-initiated");
    const failed = await page.evaluate(() => new Promise((resolve) => {
      const el = document.createElement("hopae-verify");
      el.setAttribute("provider", "bankidse");
      el.addEventListener("hopae-failed", (e) => resolve(e.detail));
      document.body.append(el);
    }));
    assert.equal(failed.code, "invalid_options");
    assert.match(failed.message, /`endpoint` option is required/);
    assert.deepEqual(problems.filter((p) => p.startsWith("pageerror")), []);
  });
});

describe("script-tag drop-in", () => {
  test("a classic script mounts [data-hopae-verify], also ones added later, and unmounts removed ones", async () => {
    const { page, problems } = await openDemo(env, {}, {}, "/static.html");
    const script = await page.evaluate(() => {
      const s = document.querySelector('script[src$="hopae-verify.js"]');
      return { type: s.type, modules: document.querySelectorAll('script[type="module"]').length };
    });
    assert.deepEqual(script, { type: "", modules: 0 }, "no type=module anywhere on the page");
    const first = await expectWorkingQr(page);
    assert.equal(await page.evaluate(() => customElements.get("hopae-verify") !== undefined), true, "it defines the element too");

    await page.evaluate(() => {
      const later = document.createElement("section");
      later.innerHTML = '<div id="later" data-hopae-verify data-endpoint="/api/verifications" data-provider="frejaid" data-poll-interval="300"></div>';
      document.querySelector("main").append(later);
    });
    await initiatedCount(page, 2);
    const second = (await eventsOf(page, "hopae-initiated"))[1];
    assert.equal(second.providerId, "frejaid");

    await page.evaluate(() => document.getElementById("later").closest("section").remove());
    await sleep(500);
    assert.equal((await simState(second.verificationId)).status, "cancelled");
    assert.equal((await simState(first.verificationId)).status, "initiated", "the other one runs on");
    assert.deepEqual(problems, []);
    assert.equal(await page.evaluate(() => window.cspViolations), undefined);
  });

  test("it finds its .wasm files next to itself, wherever it is served from: the first-QR module, then the widget's", async () => {
    const { page } = await openDemo(env, {}, {}, "/static.html");
    await waitForEvent(page, "hopae-initiated");
    const wasm = await page.evaluate(() => performance.getEntriesByType("resource").map((e) => e.name).filter((n) => n.endsWith(".wasm")));
    assert.deepEqual(wasm, [`${env.demo.url}/dist/hopae_first_bg.wasm`, `${env.demo.url}/dist/hopae_connect_widget_bg.wasm`]);
  });
});

describe("React", () => {
  test("a component around <hopae-verify>, in StrictMode: one verification, then the app reacts", async () => {
    const creates = () => env.sim.requests.filter((r) => r.method === "POST").length;
    const before = creates();
    const { page, problems } = await openDemo(env, { "poll-interval": 300 }, {}, "/react.html");
    const started = await expectWorkingQr(page);
    await sleep(500);
    assert.equal(creates() - before, 1, "StrictMode did not create a second verification");
    await env.control(`/verifications/${started.verificationId}/complete`);
    await page.waitForSelector("text=Welcome, Anders!");
    assert.deepEqual(problems, []);
  });
});

describe("languages and texts", () => {
  test("the locale option picks the language of every text", async () => {
    const { page } = await openDemo(env, { locale: "sv", pollInterval: 300 });
    await waitForEvent(page, "hopae-initiated");
    const texts = await page.evaluate(() => ({
      lang: deepQuery(".hopae-verify").lang,
      title: deepQuery(".hopae-verify-title").textContent,
      status: deepQuery(".hopae-verify-status").textContent,
      label: deepQuery(".hopae-verify-qr").getAttribute("aria-label"),
      cancel: deepQuery(".hopae-verify-cancel").textContent,
      countdown: deepQuery(".hopae-verify-countdown").textContent,
    }));
    assert.deepEqual({ ...texts, countdown: texts.countdown.replace(/\d+ min/, "m min") }, {
      lang: "sv",
      title: "Legitimera dig med BankID",
      status: "Öppna BankID-appen och skanna QR-koden.",
      label: "QR-kod att skanna med BankID-appen",
      cancel: "Avbryt",
      countdown: "Går ut om m min",
    });
  });

  test("without the option: the page's lang, else the browser's language", async () => {
    const { page } = await openDemo(env, { pollInterval: 300 }, { locale: "da-DK" });
    await waitForEvent(page, "hopae-initiated");
    const mountWith = (lang) => page.evaluate(async (l) => {
      if (l) document.documentElement.lang = l;
      else document.documentElement.removeAttribute("lang");
      const { mount } = await import("/dist/index.js");
      const el = document.createElement("div");
      document.body.append(el);
      await mount(el, { endpoint: "/api/verifications", providerId: "mitid", redirect: "event-only" });
      return el.shadowRoot.querySelector(".hopae-verify-title").textContent;
    }, lang);
    assert.equal(await mountWith("fi"), "Tunnistaudu: MitID");
    assert.equal(await mountWith("de-AT"), "Mit MitID ausweisen");
    assert.equal(await mountWith("nn"), "Identifiser deg med MitID");
    assert.equal(await mountWith(null), "Identificér dig med MitID", "navigator.language da-DK");
  });

  test("the messages option overrides single texts", async () => {
    const { page } = await openDemo(env);
    await waitForEvent(page, "hopae-initiated");
    const status = await page.evaluate(async () => {
      const { mount } = await import("/dist/index.js");
      const el = document.createElement("div");
      document.body.append(el);
      await mount(el, { endpoint: "/api/verifications", providerId: "bankidse", messages: { scanQr: "Grab your phone and scan this {provider} code!" } });
      await new Promise((r) => setTimeout(r, 500));
      return el.shadowRoot.querySelector(".hopae-verify-status").textContent;
    });
    assert.equal(status, "Grab your phone and scan this BankID code!");
  });
});

describe("look and feel", () => {
  test("theming with custom properties and ::part()", async () => {
    const { page } = await openDemo(env, { pollInterval: 300 }, { bypassCSP: true });
    await waitForEvent(page, "hopae-initiated");
    await page.addStyleTag({ content: `#widget { --hopae-accent: rgb(200, 0, 0); --hopae-radius: 3px; --hopae-qr-size: 300px; --hopae-font: 18px/1.5 serif; } #widget::part(title) { text-transform: uppercase; }` });
    await page.evaluate(() => window.demoHandle.restart());
    await page.waitForFunction(() => window.demoEvents.filter((e) => e.type === "hopae-initiated").length === 2);
    await page.evaluate(() => window.demoHandle.cancel());
    const styles = await page.evaluate(() => {
      const css = (sel) => getComputedStyle(deepQuery(sel));
      return {
        retry: css(".hopae-verify-retry").backgroundColor,
        radius: css(".hopae-verify").borderRadius,
        title: css(".hopae-verify-title").textTransform,
        font: css(".hopae-verify").fontFamily,
      };
    });
    assert.deepEqual(styles, { retry: "rgb(200, 0, 0)", radius: "3px", title: "uppercase", font: "serif" });
    await page.evaluate(() => window.demoHandle.restart());
    await page.waitForFunction(() => window.demoEvents.filter((e) => e.type === "hopae-initiated").length === 3);
    const qr = await readQr(page);
    // Whole device pixels per module: within half a module per module of 300 px.
    assert.ok(Math.abs(qr.cssWidth - 300) <= 30, `--hopae-qr-size: about 300 px, got ${qr.cssWidth}`);
    assert.ok(qr.text);
  });

  test("dark mode: the card shows the page's own background unless themed, and the QR stays black on white", async () => {
    const { page } = await openDemo(env, { pollInterval: 300 }, { colorScheme: "dark" });
    const started = await waitForEvent(page, "hopae-initiated");
    const background = await page.evaluate(() => getComputedStyle(deepQuery(".hopae-verify")).backgroundColor);
    assert.equal(background, "rgba(0, 0, 0, 0)", "transparent: the page's background shows");
    const themed = await page.evaluate(() => {
      const host = deepQuery(".hopae-verify").getRootNode().host;
      host.style.setProperty("--hopae-background", "rgb(1, 2, 3)");
      return getComputedStyle(deepQuery(".hopae-verify")).backgroundColor;
    });
    assert.equal(themed, "rgb(1, 2, 3)");
    const qr = await readQr(page);
    assert.equal(qr.text, (await simState(started.verificationId)).qrData);
    assert.equal(qr.greys, 0);
  });

  test("the countdown shows whole minutes, then seconds in the last minute, and is not a live region", async () => {
    const { page } = await openDemo(env, { pollInterval: 300 });
    await waitForEvent(page, "hopae-initiated");
    const read = () => page.evaluate(() => deepQuery(".hopae-verify-countdown").textContent);
    assert.match(await read(), /^Expires in [45] min$/);
    // A 62 s session: "2 min" until one minute is left, then once a second.
    const short = await openDemo(env, { pollInterval: 300, timeout: 62000 });
    await waitForEvent(short.page, "hopae-initiated");
    const counts = await short.page.evaluateHandle(() => {
      const counts = { n: 0 };
      new MutationObserver(() => counts.n++).observe(deepQuery(".hopae-verify-countdown"), { childList: true, characterData: true, subtree: true });
      return counts;
    });
    assert.equal(await short.page.evaluate(() => deepQuery(".hopae-verify-countdown").textContent), "Expires in 2 min");
    await short.page.waitForFunction(() => /^Expires in 0:5\d$/.test(deepQuery(".hopae-verify-countdown").textContent), null, { timeout: 10_000 });
    const n = await counts.evaluate((c) => c.n);
    // "1:00" and "0:59" (maybe one more on a slow machine), never per frame.
    assert.ok(n >= 2 && n <= 4, `updated ${n} times`);
    const live = await page.evaluate(() => {
      const c = deepQuery(".hopae-verify-countdown");
      return { live: c.getAttribute("aria-live"), insideStatus: Boolean(c.closest("[role=status]")) };
    });
    assert.deepEqual(live, { live: "off", insideStatus: false });
  });

  test("prefers-reduced-motion stops the spinner", async () => {
    for (const reducedMotion of ["no-preference", "reduce"]) {
      await env.control("/faults", { op: "create", kind: "delay", delayMs: 1500, times: 1 });
      const { page } = await openDemo(env, {}, { reducedMotion });
      await page.waitForFunction(() => deepQuery(".hopae-verify-spinner") && !deepQuery(".hopae-verify-spinner").hidden);
      const animation = await page.evaluate(() => getComputedStyle(deepQuery(".hopae-verify-spinner")).animationName);
      assert.equal(animation, reducedMotion === "reduce" ? "none" : "hopae-verify-spin");
      await page.context().close();
    }
  });
});

describe("accessibility", () => {
  async function axe(page) {
    await page.addScriptTag({ content: AXE });
    return page.evaluate(async () => {
      const result = await window.axe.run(document, { resultTypes: ["violations"] });
      return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
    });
  }

  for (const colorScheme of ["light", "dark"]) {
    test(`axe-core finds no violations while scanning, failed and completed (${colorScheme})`, async () => {
      const { page } = await openDemo(env, { pollInterval: 300 }, { bypassCSP: true, colorScheme });
      await waitForEvent(page, "hopae-initiated");
      assert.deepEqual(await axe(page), [], "while the QR shows");
      await page.evaluate(() => window.demoHandle.cancel());
      assert.deepEqual(await axe(page), [], "with Try again");
      await page.click(".hopae-verify-retry");
      await page.waitForFunction(() => window.demoEvents.filter((e) => e.type === "hopae-initiated").length === 2);
      const second = (await eventsOf(page, "hopae-initiated"))[1];
      await env.control(`/verifications/${second.verificationId}/complete`);
      await waitForEvent(page, "hopae-completed");
      assert.deepEqual(await axe(page), [], "completed");
    });
  }

  test("keyboard: every control is reachable with a visible focus ring; the QR is a labelled image", async () => {
    const { page } = await openDemo(env, { pollInterval: 300 });
    await waitForEvent(page, "hopae-initiated");
    const roles = await page.evaluate(() => ({
      qr: [deepQuery(".hopae-verify-qr").getAttribute("role"), deepQuery(".hopae-verify-qr").getAttribute("aria-label")],
      status: [deepQuery(".hopae-verify-status").getAttribute("role"), deepQuery(".hopae-verify-status").getAttribute("aria-live")],
    }));
    assert.deepEqual(roles, { qr: ["img", "QR code to scan with the BankID app"], status: ["status", "polite"] });
    // Tab from the page's own controls into the widget.
    await page.focus("#restart");
    const reached = [];
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press("Tab");
      reached.push(await page.evaluate(() => {
        let el = document.activeElement;
        while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
        const style = getComputedStyle(el);
        return { cls: el.className, outline: style.outlineStyle, width: style.outlineWidth };
      }));
    }
    const link = reached.findIndex((r) => r.cls.includes("hopae-verify-app-link"));
    const cancel = reached.findIndex((r) => r.cls.includes("hopae-verify-cancel"));
    assert.ok(link >= 0 && cancel > link, JSON.stringify(reached));
    for (const r of [reached[link], reached[cancel]]) assert.deepEqual([r.outline, r.width], ["solid", "3px"]);
    for (let i = reached.length - 1; i > cancel; i--) await page.keyboard.press("Shift+Tab");
    await page.keyboard.press("Enter");
    await waitForEvent(page, "hopae-cancelled");
    assert.equal(await page.evaluate(() => deepQuery(".hopae-verify-retry").hidden), false);
  });
});
