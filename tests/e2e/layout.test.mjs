// No layout shift, no blank box (issue 13): with the wasm and the create each
// held 1.5 s, nothing on the page moves from navigation to the QR (CLS 0, the
// ES entry and the drop-in as the README's blocks load them; measured by
// bench/cls.mjs), and the host has one box before the wasm, with
// the spinner and with the QR. A mount() host marked hopae-verify-host has the
// card's box before mount(), --hopae-qr-size and a themed font included; the
// card keeps that box in every state (starting, QR, code, form, completed,
// expired, cancelled, failed) and so does the load-failure view.
import { after, afterEach, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startDemo } from "../../server/demo.js";
import { measureCls } from "../../bench/cls.mjs";
import { extractBlocks } from "../docs-blocks.mjs";
import { installDeepQuery, openDemo, setup, waitForEvent } from "./helpers.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const round = (r) => ({ x: Math.round(r.x), y: Math.round(r.y), width: Math.round(r.width), height: Math.round(r.height) });
/** The card's box at the default font, padding and QR size: 22em + 40 + 2 by 200 + 40 + 66 + 10.4em. */
const CARD = { width: 372, height: 462 };

describe("layout: no shift, no blank box", () => {
  let env;
  let site;
  before(async () => {
    env = await setup();
    site = await startDemo({ port: 0, wwwRoot: join(root, "bench/site"), simulator: { qrMode: "bankid" } });
  });
  afterEach(() => env.closePages());
  after(async () => {
    await site?.close();
    await env?.close();
  });

  // The README's two ways (its blocks, served from /dist/), with what measures them.
  const readme = extractBlocks(readFileSync(join(root, "README.md"), "utf8")).filter((b) => b.lang === "html" && b.code.includes('blocking="render"'));
  const MEASURE = '<script src="/probe.js"></script><script src="/cls-observer.js"></script>';
  const BELOW = '<p id="below">Text below the widget</p>';
  const PAGES = {
    es: (block) => `<!doctype html><html lang="en">${block.replace("<head>", `<head><meta charset="utf-8"><link rel="icon" href="data:,">${MEASURE}`).replace("</body>", `${BELOW}</body>`)}</html>`,
    dropin: (block) =>
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">${MEASURE}${block}</head>` +
      `<body><h1>Verify</h1><div id="verify" data-hopae-verify data-endpoint="/api/verifications" data-provider="bankidse"></div>${BELOW}</body></html>`,
  };
  test("the README shows both ways: a module script and the drop-in, in <head> with blocking=render", () => {
    assert.equal(readme.length, 2);
    assert.match(readme[0].code, /<script type="module" blocking="render">[\s\S]*class="hopae-verify-host"/);
    assert.match(readme[1].code, /hopae-verify\.js" defer blocking="render"/);
  });

  for (const variant of ["es", "dropin"]) {
    test(`${variant === "es" ? "ES entry" : "drop-in"} as the README has it: CLS 0 from navigation to the QR, one host box before the wasm, with the spinner, with the QR`, async () => {
      const block = readme[variant === "es" ? 0 : 1].code.replaceAll("/hopae/", "/dist/");
      const r = await measureCls(env.browser, site.url, variant, PAGES[variant](block));
      assert.equal(r.boxes.loading.wasmHeld, true, "measured before the wasm arrived");
      assert.ok(r.boxes.spinner, "the spinner showed while the create was held");
      const { wasmHeld, ...loading } = r.boxes.loading;
      assert.deepEqual({ width: Math.round(loading.width), height: Math.round(loading.height) }, CARD, "the host has the card's size before the wasm");
      assert.deepEqual(r.boxes.spinner, loading, "same box with the spinner");
      assert.deepEqual(r.boxes.qr, loading, "same box with the QR");
      assert.deepEqual(r.shifts, [], `layout shifts (CLS ${r.cls})`);
      assert.equal(r.cls, 0);
    });
  }

  test("on a phone (touch, 390 px: the app link before the QR), the drop-in as the README has it: CLS 0, one host box", async () => {
    const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 3 };
    const r = await measureCls(env.browser, site.url, "dropin", PAGES.dropin(readme[1].code.replaceAll("/hopae/", "/dist/")), phone);
    const { wasmHeld, ...loading } = r.boxes.loading;
    assert.equal(wasmHeld, true);
    assert.deepEqual([r.boxes.spinner, r.boxes.qr], [loading, loading]);
    assert.deepEqual(r.shifts, [], `layout shifts (CLS ${r.cls})`);
  });

  test("a mount() host with class hopae-verify-host has the card's box before mount(), with --hopae-qr-size and a themed font, and keeps it", async () => {
    const context = await env.browser.newContext({ viewport: { width: 1000, height: 1200 } });
    env.contexts.add(context);
    const page = await context.newPage();
    await page.route(`${site.url}/host-class.html`, (route) =>
      route.fulfill({
        contentType: "text/html",
        body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script src="/probe.js"></script><script src="/cls-observer.js"></script>
<script type="module" blocking="render">import { mount } from "/dist/index.js"; window.mount = mount;</script>
</head><body><h1>Verify</h1>
<div id="a" class="hopae-verify-host"></div>
<div id="b" class="hopae-verify-host" style="--hopae-qr-size: 300px; --hopae-font: 18px/1.5 serif; --hopae-padding: 24px"></div>
<p id="below">Below</p></body></html>`,
      }),
    );
    await page.goto(`${site.url}/host-class.html`);
    const boxes = () => page.evaluate(() => ["a", "b", "below"].map((id) => document.getElementById(id).getBoundingClientRect().toJSON()));
    const before = await boxes();
    // 300 + 48 + 66 + 10.4 × 18 (187.2) high; max(22 × 18, 300) + 48 + 2 wide.
    assert.deepEqual([round(before[0]), round(before[1])].map(({ width, height }) => ({ width, height })), [CARD, { width: 446, height: 601 }]);
    await page.evaluate(() => Promise.all(["a", "b"].map((id) => window.mount(document.getElementById(id), { endpoint: "/api/verifications", providerId: "bankidse" }))));
    await page.waitForFunction(() => ["a", "b"].every((id) => document.getElementById(id).shadowRoot?.querySelector(".hopae-verify-countdown:not([hidden])")), null, { polling: "raf" });
    const mounted = await boxes();
    const cards = await page.evaluate(() => ["a", "b"].map((id) => document.getElementById(id).shadowRoot.querySelector(".hopae-verify").getBoundingClientRect().toJSON()));
    assert.deepEqual(mounted.map(round), before.map(round), "the hosts and the text below did not move");
    assert.deepEqual(cards.map(round), before.slice(0, 2).map(round), "the card fills the box the host had");
    const shifts = await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => r((window.clsObserver.takeRecords().forEach(window.clsRecord), window.shifts)))))));
    assert.deepEqual(shifts, []);
  });

  test("the load-failure view has the card's box", async () => {
    const context = await env.browser.newContext({ viewport: { width: 800, height: 900 } });
    env.contexts.add(context);
    const page = await context.newPage();
    let release;
    const held = new Promise((r) => (release = r));
    await page.route("**/*.wasm", async (route) => {
      await held;
      await route.fulfill({ status: 404, body: "Not found" });
    });
    await page.goto(`${site.url}/cls-dropin.html`);
    const loading = await page.evaluate(() => document.getElementById("verify").getBoundingClientRect().toJSON());
    release();
    const failed = await page.waitForFunction(() => document.getElementById("verify").shadowRoot?.querySelector(".hopae-verify-load-failed")?.getBoundingClientRect().toJSON(), null, { polling: "raf" });
    const host = await page.evaluate(() => document.getElementById("verify").getBoundingClientRect().toJSON());
    assert.deepEqual(round(await failed.jsonValue()), round(loading));
    assert.deepEqual(round(host), round(loading));
  });

  test("the card keeps one box in every state: starting, QR, code, forms, completed, expired, cancelled, failed (German)", async () => {
    const card = (page) => page.evaluate(() => window.deepQuery(".hopae-verify").getBoundingClientRect().toJSON()).then(({ width, height }) => ({ width: Math.round(width), height: Math.round(height) }));
    const seen = {};
    // Starting (the create held until the spinner has been measured), then the QR.
    for (const [end, query] of [["complete", {}], ["expire", {}], ["cancel", {}], ["failed", { locale: "de" }]]) {
      let page;
      if (end === "complete") {
        const context = await env.browser.newContext();
        env.contexts.add(context);
        page = await context.newPage();
        await installDeepQuery(page);
        let release;
        const held = new Promise((r) => (release = r));
        await page.route("**/api/verifications", async (route) => {
          if (route.request().method() === "POST") await held;
          await route.continue();
        });
        await page.goto(`${env.demo.url}/?pollInterval=300`);
        await page.waitForFunction(() => window.deepQuery(".hopae-verify-spinner")?.hidden === false, null, { polling: "raf" });
        seen.starting = await card(page);
        release();
      } else {
        ({ page } = await openDemo(env, { pollInterval: 300, ...query }));
      }
      const started = await waitForEvent(page, "hopae-initiated");
      await page.waitForFunction(() => window.deepQuery(".hopae-verify-countdown")?.hidden === false, null, { polling: "raf" });
      seen[`qr ${query.locale ?? "en"}`] = await card(page);
      if (end === "cancel") await page.evaluate(() => window.deepQuery(".hopae-verify-cancel").click());
      else if (end === "failed") await env.control(`/verifications/${started.verificationId}/status`, { status: "failed" });
      else await env.control(`/verifications/${started.verificationId}/${end}`);
      await waitForEvent(page, { complete: "hopae-completed", expire: "hopae-expired", cancel: "hopae-cancelled", failed: "hopae-failed" }[end]);
      seen[end] = await card(page);
    }
    const { page: code } = await openDemo(env, { provider: "smartid", registrationId: "PNOEE-30303039914", pollInterval: 300 });
    await code.waitForFunction(() => window.deepQuery(".hopae-verify-code")?.hidden === false, null, { polling: "raf" });
    seen.code = await card(code);
    for (const provider of ["smartid", "skmobileid"]) {
      const { page } = await openDemo(env, { provider, pollInterval: 300 });
      await page.waitForFunction(() => window.deepQuery(".hopae-verify-form")?.hidden === false, null, { polling: "raf" });
      seen[`form ${provider}`] = await card(page);
    }
    for (const [state, box] of Object.entries(seen)) assert.deepEqual(box, CARD, state);
    assert.deepEqual(Object.keys(seen).length, 10);
  });
});
