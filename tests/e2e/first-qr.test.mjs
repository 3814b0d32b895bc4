// Everything until the QR is the small first-QR module (issue 13): the page
// loads index.js (or the drop-in script), the first-QR glue and
// hopae_first_bg.wasm, the early create answers, and the QR is on screen
// before the widget's own module (hopae_connect_widget_bg.wasm, its glue,
// events.js) is even requested. These tests hold the widget's module back and
// read what the page shows and requested: the code decodes to the create's
// qrData, the files before it are exactly what tests/size.test.mjs weighs,
// and the widget then takes over the same verification. When there is no
// first code to paint (its module missing, an error answer, a slow backend)
// the widget's module loads and does it all, as before.
import { after, afterEach, before, describe, test } from "node:test";
import assert from "node:assert/strict";

import { entries } from "../../scripts/size.mjs";
import { freshPage, readQr, setup, until } from "./helpers.mjs";

const OPEN = new Set(["initiated", "pending", "awaiting_user_action", "authenticating", "processing"]);
const WIDGET = ["hopae_connect_widget_bg.wasm", "hopae_connect_widget.js", "events.js"];

let env;
before(async () => {
  env = await setup();
});
afterEach(async () => {
  await env.closePages();
});
after(async () => {
  await env.close();
});

const summary = async () => (await fetch(`${env.demo.url}/__sim/summary`)).json();
const openCount = (s) => Object.entries(s.byStatus).filter(([status]) => OPEN.has(status)).reduce((n, [, c]) => n + c, 0);

const PAGES = {
  es: `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script type="module">import { mount } from "/dist/index.js";
const el = document.getElementById("verify");
for (const t of ["initiated", "failed"]) el.addEventListener("hopae-" + t, (e) => (window.events ??= []).push(t));
const options = { endpoint: "/api/verifications", providerId: "bankidse", size: location.hash === "#big" ? 512 : undefined };
// #strict: mounted twice in one task, as React StrictMode does.
if (location.hash === "#strict") mount(el, options);
window.handle = mount(el, options);</script>
</head><body><div id="verify"></div></body></html>`,
  dropin: `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script src="/dist/hopae-verify.js" defer></script>
<script>document.addEventListener("hopae-initiated", () => (window.events ??= []).push("initiated"));</script>
</head><body><div data-hopae-verify data-endpoint="/api/verifications" data-provider="bankidse"></div></body></html>`,
};

/** The first QR, painted into the skeleton before the widget's module. */
const FIRST = ".hopae-verify-skeleton > canvas";
const firstShown = (page) => page.evaluate((s) => Boolean(window.deepQuery(s)?.width), FIRST);

/**
 * Opens one of PAGES with the widget's files held back until `release()`
 * (`hold: false`: not held), and `routes` added. Records, in order, every file of /dist/ the page
 * requests, whether the first QR was on screen when each widget file was
 * requested, and the create's answers.
 */
async function open(name, { hold = true, routes = {}, hash = "", clock = false } = {}) {
  await fetch(`${env.demo.url}/__sim/reset`, { method: "POST" });
  const { page } = await freshPage(env);
  // When the first QR pixels were drawn (window.qrAt, as bench/site/probe.js).
  await page.addInitScript({ path: new URL("../../bench/site/probe.js", import.meta.url).pathname });
  // Per animation frame from the first QR on: is a QR on screen (the first one or the card's)?
  await page.addInitScript(() => {
    const frames = (window.qrFrames = []);
    const tick = () => {
      const first = window.deepQuery(".hopae-verify-skeleton > canvas");
      const card = window.deepQuery(".hopae-verify-qr");
      const shown = Boolean(first?.width || (card && !card.hidden && card.width));
      if (shown || frames.length) frames.push(shown);
      if (frames.length < 600) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  // (A clock the test can stop; it runs as the real one until then.)
  if (clock) await page.clock.install();
  if (clock === "paused") await page.clock.pauseAt(new Date(Date.now() + 1000));
  const problems = [];
  page.on("pageerror", (e) => problems.push(e.message));
  const warnings = [];
  page.on("console", (m) => m.type() === "warning" && warnings.push(m.text()));
  const files = [];
  const answers = [];
  page.on("request", (r) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith("/dist/")) files.push(path.slice("/dist/".length));
  });
  page.on("response", async (r) => {
    if (r.request().method() === "POST" && new URL(r.url()).pathname === "/api/verifications") answers.push(await r.json().catch(() => null));
  });
  const widget = { requested: [], firstShownThen: [] };
  let release;
  const released = new Promise((resolve) => (release = resolve));
  await page.route(/\/dist\/(hopae_connect_widget_bg\.wasm|hopae_connect_widget\.js|events\.js)$/, async (route) => {
    widget.requested.push(new URL(route.request().url()).pathname.slice("/dist/".length));
    widget.firstShownThen.push(await firstShown(page).catch(() => false));
    if (hold) await released;
    await route.continue().catch(() => {});
  });
  // (`routes` may be a function of `widget` and `page`: the handlers may run before open() returns.)
  for (const [pattern, handler] of Object.entries(typeof routes === "function" ? routes(widget, page) : routes)) await page.route(pattern, handler);
  await page.route(`${env.demo.url}/first-${name}.html`, (route) => route.fulfill({ contentType: "text/html", body: PAGES[name] }));
  await page.goto(`${env.demo.url}/first-${name}.html${hash}`);
  return { page, files, answers, widget, release, problems, warnings };
}

/** The widget's files whose requests started before the first QR pixels were drawn (resource timing, in the page). */
const widgetBeforeQr = (page) =>
  page.evaluate((files) => performance.getEntriesByType("resource").filter((e) => files.some((f) => e.name.endsWith(`/${f}`)) && !(e.startTime > window.qrAt)).map((e) => e.name), WIDGET);

/** The text of the QR on `selector`'s canvas, once one decodes. */
const decoded = (page, selector) => until(() => readQr(page, selector).then((qr) => qr?.text), 10_000, `a QR on ${selector} that decodes`);

describe("the first QR is on screen before the widget's module is requested", () => {
  for (const name of ["es", "dropin"]) {
    test(`${name}: the code decodes to the create's qrData; only the files size.test.mjs weighs came before it; the widget takes over`, { timeout: 30_000 }, async () => {
      const { page, files, answers, widget, release, problems } = await open(name);
      const text = await decoded(page, FIRST);
      await until(() => answers.length === 1, 5_000, "the create's answer, read");
      assert.equal(text, answers[0].flowDetails.qrData, "the first QR is the create's qrData");
      // What the page requested until the QR, and nothing of the widget's module yet.
      await until(() => widget.requested.length > 0, 5_000, "the widget's module, requested after the first QR");
      const before = files.slice(0, files.indexOf(widget.requested[0]));
      const weighed = entries()[name === "es" ? "esEntry" : "dropIn"];
      assert.deepEqual([...new Set(before)].sort(), [...weighed].sort(), "the files before the widget's module are the ones weighed");
      assert.ok(widget.firstShownThen.every(Boolean), `the first QR was on screen before ${widget.requested}`);
      assert.deepEqual(await widgetBeforeQr(page), [], "none of the widget's files was requested before the first QR");
      assert.deepEqual(await page.evaluate(() => window.events ?? []), [], "no hopae-initiated before the widget");
      // The widget takes over the same verification: its card, its QR, one verification.
      release();
      await page.waitForFunction(() => window.events?.includes("initiated"));
      assert.match(await decoded(page, ".hopae-verify-qr"), /^bankid\./);
      assert.equal(await page.evaluate((s) => window.deepQuery(s), FIRST), null, "the skeleton is gone");
      // No frame without a QR at the handover: the widget paints its own in the task that removes the first.
      const frames = await page.evaluate(() => window.qrFrames);
      assert.ok(frames.length > 0 && frames.every(Boolean), `frames without a QR after the first one: ${frames.filter((f) => !f).length} of ${frames.length}`);
      const s = await summary();
      assert.equal(s.sessions, 1, "one verification");
      assert.equal(openCount(s), 1);
      assert.deepEqual(problems, []);
    });
  }

  test("the first-QR module does not load: nothing is painted early, the widget's module is requested at once, not after the create", { timeout: 30_000 }, async () => {
    let requestedWhilePending;
    const { page, widget, problems, warnings } = await open("es", {
      hold: false,
      // (The page's timers stopped: mount()'s 1 s fallback cannot be what requests the module.)
      clock: "paused",
      routes: (widget) => ({
        "**/hopae_first_bg.wasm": (route) => route.fulfill({ status: 404, body: "gone" }),
        "**/api/verifications": async (route) => {
          if (route.request().method() !== "POST") return route.continue();
          // Held until the widget's module is requested (at most 5 s).
          await until(() => widget.requested.length > 0, 5_000, "the widget's module").catch(() => {});
          requestedWhilePending = widget.requested.length > 0;
          return route.continue();
        },
      }),
    });
    assert.match(await decoded(page, ".hopae-verify-qr"), /^bankid\./);
    assert.equal(requestedWhilePending, true, "the widget's module was requested while the create was pending");
    assert.deepEqual(widget.firstShownThen, [false, false, false]);
    // One warning that says what to fix.
    const said = warnings.filter((w) => w.includes("first-QR module"));
    assert.equal(said.length, 1, warnings.join("\n"));
    assert.match(said[0], /hopae_first_bg\.wasm.*HTTP 404.*firstWasmUrl/s);
    assert.equal((await summary()).sessions, 1);
    assert.deepEqual(problems, []);
  });

  test("mounted twice in one task (React StrictMode): the superseded mount loads nothing; the first QR still comes first; one verification", { timeout: 30_000 }, async () => {
    const { page, widget, release, problems } = await open("es", { hash: "#strict" });
    await decoded(page, FIRST);
    await until(() => widget.requested.length > 0, 5_000, "the widget's module");
    assert.ok(widget.firstShownThen.every(Boolean), `the first QR was on screen before ${widget.requested}`);
    assert.deepEqual(await widgetBeforeQr(page), [], "none of the widget's files was requested before the first QR");
    release();
    await page.waitForFunction(() => window.events?.includes("initiated"));
    assert.equal((await summary()).sessions, 1);
    assert.deepEqual(problems, []);
  });

  test("the create answers an error: nothing is painted early; the widget retries with the same key and paints the QR", { timeout: 30_000 }, async () => {
    let failedOnce = false;
    const keys = [];
    const { page, widget, problems } = await open("es", {
      hold: false,
      routes: {
        "**/api/verifications": (route) => {
          if (route.request().method() !== "POST") return route.continue();
          keys.push(route.request().headers()["idempotency-key"]);
          if (failedOnce) return route.continue();
          failedOnce = true;
          return route.fulfill({ status: 503, contentType: "application/problem+json", body: JSON.stringify({ title: "unavailable", status: 503 }) });
        },
      },
    });
    assert.match(await decoded(page, ".hopae-verify-qr"), /^bankid\./);
    assert.ok(widget.firstShownThen.every((shown) => !shown));
    assert.equal(keys.length, 2);
    assert.equal(keys[0], keys[1], "the retry has the first create's key");
    assert.equal((await summary()).sessions, 1);
    assert.deepEqual(problems, []);
  });

  test("a backend slower than a second: the widget's module loads while the create is pending", { timeout: 30_000 }, async () => {
    let answered = false;
    let requestedWhilePending;
    const { page, release } = await open("es", {
      routes: (widget) => ({
        "**/api/verifications": async (route) => {
          if (route.request().method() !== "POST") return route.continue();
          // Held until the widget's module is requested (at most 5 s).
          await until(() => widget.requested.length > 0, 5_000, "the widget's module").catch(() => {});
          requestedWhilePending = widget.requested.length > 0 && !answered;
          answered = true;
          return route.continue();
        },
      }),
    });
    release();
    assert.match(await decoded(page, ".hopae-verify-qr"), /^bankid\./);
    assert.equal(requestedWhilePending, true, "the widget's module was requested while the create was pending");
    assert.equal((await summary()).sessions, 1);
  });

  test("the widget's module does not load after the first QR: the code goes, hopae-failed says wasm_load_failed, the verification is cancelled", { timeout: 30_000 }, async () => {
    const { page, widget } = await open("es", {
      hold: false,
      routes: (widget, page) => ({
        "**/hopae_connect_widget_bg.wasm": async (route) => {
          widget.shownAt404 = await firstShown(page);
          return route.fulfill({ status: 404, body: "gone" });
        },
      }),
    });
    await page.waitForFunction(() => window.events?.includes("failed"));
    assert.equal(widget.shownAt404, true, "the first QR was on screen when the module failed");
    assert.equal(await page.evaluate((s) => window.deepQuery(s), FIRST), null, "no code left on screen");
    let s;
    await until(async () => openCount((s = await summary())) === 0, 10_000, "none open").catch(() => {});
    assert.deepEqual([s.sessions, openCount(s), s.byStatus.cancelled], [1, 0, 1]);
  });

  test("a second widget, the module ready: its card comes at once, without waiting for its create or painting early", { timeout: 30_000 }, async () => {
    const { page } = await open("es", { hold: false, clock: true });
    await page.waitForFunction(() => window.events?.includes("initiated"));
    // The page's time stands still from here: the card must not come from mount()'s 1 s fallback.
    await page.clock.pauseAt(new Date(Date.now() + 1000));
    let releaseCreate;
    const held = new Promise((resolve) => (releaseCreate = resolve));
    await page.route("**/api/verifications", async (route) => {
      if (route.request().method() !== "POST") return route.continue();
      await held;
      return route.continue();
    });
    await page.evaluate(async () => {
      const { mount } = await import("/dist/index.js");
      const el = document.body.appendChild(document.createElement("div"));
      el.id = "second";
      window.second = mount(el, { endpoint: "/api/verifications", providerId: "bankidse" });
    });
    // Its card (title, spinner) while its create is still held.
    await page.waitForFunction(() => document.getElementById("second").shadowRoot?.querySelector(".hopae-verify-title")?.textContent, null, { timeout: 10_000 });
    assert.equal(await page.evaluate(() => document.getElementById("second").shadowRoot.querySelector(".hopae-verify-skeleton")), null);
    releaseCreate();
    await page.waitForFunction(() => !document.getElementById("second").shadowRoot.querySelector(".hopae-verify-qr").hidden);
    assert.equal((await summary()).sessions, 2);
    assert.equal(await page.evaluate(() => window.second.then((h) => typeof h.destroy)), "function");
  });

  test("imported early, mounted later: the widget's module is fetched while the page is idle, after the first-QR module", { timeout: 30_000 }, async () => {
    await fetch(`${env.demo.url}/__sim/reset`, { method: "POST" });
    const { page } = await freshPage(env);
    await page.route(`${env.demo.url}/later.html`, (route) =>
      route.fulfill({ contentType: "text/html", body: `<!doctype html><html lang="en"><head><link rel="icon" href="data:,"><script type="module">import { mount } from "/dist/index.js"; window.mount = mount;</script></head><body><div id="verify"></div></body></html>` }),
    );
    await page.goto(`${env.demo.url}/later.html`);
    const wasm = () => page.evaluate(() => performance.getEntriesByType("resource").filter((e) => e.name.endsWith(".wasm")).map((e) => e.name.split("/").pop()));
    await until(async () => (await wasm()).length === 2, 10_000, "both modules, without a mount");
    assert.deepEqual(await wasm(), ["hopae_first_bg.wasm", "hopae_connect_widget_bg.wasm"]);
    assert.equal((await summary()).sessions, 0, "nothing created without a mount");
    await page.evaluate(() => window.mount(document.getElementById("verify"), { endpoint: "/api/verifications", providerId: "bankidse" }));
    assert.match(await decoded(page, ".hopae-verify-qr"), /^bankid\./);
    assert.deepEqual(await wasm(), ["hopae_first_bg.wasm", "hopae_connect_widget_bg.wasm"], "not fetched again");
  });

  test("a version-40 code (2,900 bytes of qrData) is painted by the first-QR module, within its 64 KiB stack", { timeout: 30_000 }, async () => {
    const long = `https://app.example/scan?d=${"x".repeat(2900 - 27)}`;
    const { page, problems } = await open("es", {
      hash: "#big",
      routes: {
        "**/api/verifications": async (route) => {
          if (route.request().method() !== "POST") return route.continue();
          const response = await route.fetch();
          const json = await response.json();
          json.flowDetails.qrData = long;
          return route.fulfill({ response, json });
        },
      },
    });
    assert.equal(long.length, 2900);
    assert.equal(await decoded(page, FIRST), long);
    const { width } = await readQr(page, FIRST);
    assert.equal(width % 185, 0, `177 modules + the quiet zone: ${width} px`);
    assert.deepEqual(problems, []);
  });

  test("removed while the first QR is shown (drop-in): the verification is cancelled, none left open", { timeout: 30_000 }, async () => {
    const { page, release } = await open("dropin");
    await decoded(page, FIRST);
    await page.evaluate(() => document.querySelector("[data-hopae-verify]").remove());
    release();
    let s;
    await until(async () => openCount((s = await summary())) === 0, 10_000, "none open").catch(() => {});
    assert.deepEqual([s.sessions, openCount(s), s.byStatus.cancelled], [1, 0, 1]);
  });
});

test("the weighed files are the first-QR module and what imports it, never the widget's module", () => {
  const { esEntry, dropIn, afterQr } = entries();
  for (const file of WIDGET) {
    assert.ok(!esEntry.includes(file) && !dropIn.includes(file), `${file} is weighed before the QR`);
    assert.ok(afterQr.includes(file), `${file} is not in afterQr`);
  }
  assert.ok(esEntry.includes("hopae_first_bg.wasm") && dropIn.includes("hopae_first_bg.wasm"));
});
