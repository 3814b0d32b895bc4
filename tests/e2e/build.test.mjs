// What the build ships, seen from a page: the stylesheet minified at build
// time (build.rs) still gives the browser every rule of src/web/style.css, and
// the allocator gives memory back (after 1,000 mount/destroy cycles have
// settled, 1,000 more leave the wasm memory where it was).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { sharedEnv } from "./helpers.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const SOURCE_CSS = readFileSync(join(root, "src/web/style.css"), "utf8");

const env = sharedEnv();

/** A blank page on the demo's origin (so /dist/ and /api/ are same-origin). */
async function blankPage() {
  const context = await env.browser.newContext();
  env.contexts.add(context);
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  await page.route(`${env.demo.url}/blank`, (route) => route.fulfill({ contentType: "text/html", body: "<!doctype html><html lang=en><title>blank</title><body></body></html>" }));
  await page.goto(`${env.demo.url}/blank`);
  return { page, problems };
}

test("the wasm carries the stylesheet minified, and the browser reads the same rules as from the source", async () => {
  const wasm = readFileSync(join(root, "dist/hopae_connect_widget_bg.wasm")).toString("latin1");
  const comment = SOURCE_CSS.match(/\/\*\s*([^\n]{10,40})/)[1];
  assert.ok(!wasm.includes(comment), `the source's comment "${comment}" is in the wasm`);
  assert.ok(wasm.includes(":host{display:"), "no minified :host rule in the wasm");

  const { page, problems } = await blankPage();
  const { sheets, source } = await page.evaluate(async (css) => {
    const { mount } = await import("/dist/index.js");
    const el = document.createElement("div");
    document.body.append(el);
    await mount(el, { endpoint: "/api/verifications", providerId: "bankidse" });
    // Values that hold var() keep their tokens as written: whitespace around
    // commas (insignificant there) is the one difference allowed.
    const rules = (sheet) => [...sheet.cssRules].map((r) => r.cssText.replace(/\s*,\s*/g, ","));
    const fromSource = new CSSStyleSheet();
    fromSource.replaceSync(css);
    return { sheets: el.shadowRoot.adoptedStyleSheets.map(rules), source: rules(fromSource) };
  }, SOURCE_CSS);
  assert.ok(source.length > 10);
  // The widget's sheet is one of those adopted (a skeleton sheet may be another).
  const shipped = sheets.find((rules) => isDeepStrictEqual(rules, source)) ?? sheets.find((rules) => rules.some((r) => r.startsWith(".hopae-verify {")));
  assert.deepEqual(shipped, source);
  assert.deepEqual(problems, []);
});

test("mount/destroy cycles leave the wasm memory bounded: a second 1,000 reuse what the first 1,000 took", { timeout: 120_000 }, async () => {
  const { page, problems } = await blankPage();
  await page.evaluate(async () => {
    // Requests in flight (a destroyed widget's create may still answer, and then be cancelled).
    window.inflight = 0;
    const fetch = window.fetch;
    window.fetch = function (...args) {
      window.inflight++;
      return fetch.apply(this, args).finally(() => window.inflight--);
    };
    const { mount } = await import("/dist/index.js");
    const { default: init } = await import("/dist/hopae_connect_widget.js");
    const el = document.createElement("div");
    document.body.append(el);
    const options = { endpoint: "/api/verifications", providerId: "bankidse" };
    window.cycles = async (n) => {
      for (let i = 0; i < n; i++) (await mount(el, options)).destroy();
    };
    await window.cycles(1); // loads the module
    window.memory = (await init()).memory; // already loaded: returns the instance's exports
  });
  const settled = async () => {
    // Until every request has answered, twice in a row 200 ms apart (a cancel follows a create's answer).
    await page.waitForFunction(() => window.inflight === 0, null, { timeout: 60_000, polling: 50 });
    await page.waitForFunction(() => { const idle = window.inflight === 0 && window.wasIdle; window.wasIdle = window.inflight === 0; return idle; }, null, { timeout: 60_000, polling: 200 });
    return page.evaluate(() => window.memory.buffer.byteLength);
  };
  await page.evaluate(() => window.cycles(1000));
  const first = await settled();
  await page.evaluate(() => window.cycles(1000));
  const second = await settled();
  assert.ok(first > 0);
  assert.equal(second, first, `wasm memory grew from ${first} to ${second} bytes over the second 1,000 cycles`);
  assert.deepEqual(problems, []);
});
