// Cookie hygiene in a real browser: 250 verifications started from one
// Chromium page (as a user restarting, or a page with many widgets, would)
// leave the site's own cookies intact and the Cookie header small, because
// the backend keeps at most `maxBindings` binding cookies and clears a
// binding when its verification ends.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { startDemo } from "../server/demo.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
let demo;
let browser;
before(async () => {
  demo = await startDemo({ port: 0 });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
});
after(async () => {
  await browser?.close();
  await demo?.close();
});

test("250 verifications in one browser: the site's cookies survive and the Cookie header stays under 4 KB", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${demo.url}/`);
  const result = await page.evaluate(async () => {
    for (let i = 0; i < 20; i++) document.cookie = `session${i}=${"s".repeat(20)}; Path=/; Max-Age=86400`;
    const ids = [];
    for (let i = 0; i < 250; i++) {
      const res = await fetch("/api/verifications", { method: "POST", headers: { "Content-Type": "application/json", "Idempotency-Key": crypto.randomUUID() }, body: JSON.stringify({ providerId: "bankidse" }) });
      if (res.status !== 201) return { error: `create ${i}: ${res.status} ${await res.text()}` };
      ids.push((await res.json()).verificationId);
      // Every tenth one is cancelled by its widget, as a destroyed widget would.
      if (i % 10 === 0) await fetch(`/api/verifications/${ids.at(-1)}`, { method: "DELETE" });
    }
    const last = await fetch(`/api/verifications/${ids.at(-1)}`);
    return { ids, lastStatus: last.status, siteCookies: document.cookie.split("; ").filter((c) => c.startsWith("session")).length };
  });
  assert.equal(result.error, undefined, result.error);
  assert.equal(result.siteCookies, 20, "the site's own cookies are all still there");
  assert.equal(result.lastStatus, 200, "the newest verification still answers its browser");
  const sent = await context.cookies(`${demo.url}/api/verifications/${result.ids.at(-1)}`);
  const bindings = sent.filter((c) => c.name.startsWith("hopae_"));
  const header = sent.map((c) => `${c.name}=${c.value}`).join("; ");
  assert.ok(bindings.length <= 16, `${bindings.length} binding cookies`);
  assert.ok(header.length < 4096, `Cookie header ${header.length} bytes`);
  // A verification that ends clears its binding.
  const before = bindings.length;
  await fetch(`${demo.url}/__sim/verifications/${result.ids.at(-1)}/complete`, { method: "POST" });
  // Polled as the widget would, until the backend's shared read (at most one a second) sees it.
  const done = await page.evaluate(async (id) => {
    for (let i = 0; i < 60; i++) {
      const body = await fetch(`/api/verifications/${id}`).then((r) => r.json());
      if (body.status !== "initiated") return body;
      await new Promise((r) => setTimeout(r, 100));
    }
    return { status: "still initiated" };
  }, result.ids.at(-1));
  assert.equal(done.status, "completed");
  const afterEnd = (await context.cookies(`${demo.url}/api/verifications/x`)).filter((c) => c.name.startsWith("hopae_"));
  assert.equal(afterEnd.length, before - 1);
  await context.close();
});
