// What the build ships, seen from a page: the stylesheet minified at build
// time (build.rs) still gives the browser every rule of src/web/style.css, and
// the allocator gives memory back (1,000 mount/destroy cycles leave the wasm
// memory where 10 left it).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
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
  const { shipped, source } = await page.evaluate(async (css) => {
    const { mount } = await import("/dist/index.js");
    const el = document.createElement("div");
    document.body.append(el);
    await mount(el, { endpoint: "/api/verifications", providerId: "bankidse" });
    // Values that hold var() keep their tokens as written: whitespace around
    // commas (insignificant there) is the one difference allowed.
    const rules = (sheet) => [...sheet.cssRules].map((r) => r.cssText.replace(/\s*,\s*/g, ","));
    const fromSource = new CSSStyleSheet();
    fromSource.replaceSync(css);
    return { shipped: el.shadowRoot.adoptedStyleSheets.flatMap(rules), source: rules(fromSource) };
  }, SOURCE_CSS);
  assert.ok(source.length > 10);
  assert.deepEqual(shipped, source);
  assert.deepEqual(problems, []);
});

test("1,000 mount/destroy cycles do not grow the wasm memory", { timeout: 120_000 }, async () => {
  const { page, problems } = await blankPage();
  const { at10, at1000 } = await page.evaluate(async () => {
    const { mount } = await import("/dist/index.js");
    const { default: init } = await import("/dist/hopae_connect_widget.js");
    const el = document.createElement("div");
    document.body.append(el);
    const options = { endpoint: "/api/verifications", providerId: "bankidse" };
    const cycles = async (n) => {
      for (let i = 0; i < n; i++) (await mount(el, options)).destroy();
    };
    await cycles(10);
    const memory = (await init()).memory; // already loaded: returns the instance's exports
    const at10 = memory.buffer.byteLength;
    await cycles(990);
    return { at10, at1000: memory.buffer.byteLength };
  });
  assert.ok(at10 > 0);
  assert.equal(at1000, at10, `wasm memory grew from ${at10} to ${at1000} bytes over 990 cycles`);
  assert.deepEqual(problems, []);
});
