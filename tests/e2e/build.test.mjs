// What the build ships, seen from a page: the allocator gives memory back
// (1,000 mount/destroy cycles leave the wasm memory where 10 left it).
import { test } from "node:test";
import assert from "node:assert/strict";
import { sharedEnv } from "./helpers.mjs";

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
