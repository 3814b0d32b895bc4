// Hostile input and secrets: whatever an upstream string carries shows as
// text and never runs; script URLs are refused; oversized and malformed data
// fail cleanly; the client secret never reaches the browser.
import { afterEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { openDemo, sharedEnv, sleep, waitForEvent } from "./helpers.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const env = sharedEnv();
afterEach(async () => {
  await env.control("/config", { hostile: null });
});

/** What ran or was inserted: script side effects, and img/script elements in the widget. */
const damage = (page) =>
  page.evaluate(() => ({
    pwned: window.pwned ?? 0,
    elements: deepQuery(".hopae-verify")?.querySelectorAll("img, script, iframe, object").length ?? 0,
    cspViolations: window.cspViolations ?? [],
  }));

describe("hostile strings", () => {
  test("markup in provider messages, codes and names shows as text", async () => {
    await env.control("/config", { hostile: "markup" });
    const { page, problems } = await openDemo(env, { provider: "smartid", pollInterval: 300, requireUserData: "false" });
    const started = await waitForEvent(page, "hopae-initiated");
    assert.match(started.providerId, /^<img src=x/);
    await sleep(400);
    const text = await page.evaluate(() => ({ title: deepQuery(".hopae-verify-title").textContent, status: deepQuery(".hopae-verify-status").textContent, code: deepQuery(".hopae-verify-code-value").textContent }));
    assert.match(text.status, /<img src=x onerror=/);
    assert.match(text.code, /^<img src=x/);
    assert.match(text.title + text.status, /<script>/);
    assert.deepEqual(await damage(page), { pwned: 0, elements: 0, cspViolations: [] });
    await env.control(`/verifications/${started.verificationId}/fail`);
    const failed = await waitForEvent(page, "hopae-failed");
    assert.match(failed.message, /<img src=x/, "the page gets the detail as data");
    assert.deepEqual(await damage(page), { pwned: 0, elements: 0, cspViolations: [] });
    assert.deepEqual(problems.filter((p) => p.startsWith("pageerror")), []);
  });

  test("a javascript: authorizationUrl is refused with hopae-failed; script deeplinks are not offered", async () => {
    await env.control("/config", { hostile: "javascript-url" });
    const { page } = await openDemo(env, { provider: "mitid", pollInterval: 300 });
    const failed = await waitForEvent(page, "hopae-failed");
    // The reference backend already drops a link that is not https or the provider's app scheme
    // (then the redirect flow has no URL: invalid_response); the widget refuses one that gets through.
    assert.match(failed.code, /^(unsafe_url|invalid_response)$/);
    assert.equal((await page.evaluate(() => window.demoEvents.filter((e) => e.type === "hopae-redirect").length)), 0);
    assert.equal(new URL(page.url()).pathname, "/", "no navigation");
    const qr = await openDemo(env, { provider: "bankidse", pollInterval: 300 });
    await waitForEvent(qr.page, "hopae-initiated");
    const link = await qr.page.evaluate(() => ({ hidden: deepQuery(".hopae-verify-app-link").hidden, href: deepQuery(".hopae-verify-app-link").getAttribute("href") }));
    assert.deepEqual(link, { hidden: true, href: null });
    assert.deepEqual(await damage(page), { pwned: 0, elements: 0, cspViolations: [] });
  });

  test("a qrData of 3,000 bytes fails cleanly", async () => {
    await env.control("/config", { hostile: "long-qr" });
    const { page, problems } = await openDemo(env, { pollInterval: 300 });
    const failed = await waitForEvent(page, "hopae-failed");
    assert.equal(failed.code, "qr_data_too_long");
    assert.match(failed.message, /too long/);
    assert.deepEqual(problems.filter((p) => p.startsWith("pageerror")), []);
  });

  test("invalid UTF-16 (lone surrogates) shows as replacement characters", async () => {
    await env.control("/config", { hostile: "bad-utf16" });
    const { page, problems } = await openDemo(env, { provider: "smartid", pollInterval: 300, requireUserData: "false" });
    await waitForEvent(page, "hopae-initiated");
    await sleep(300);
    const status = await page.evaluate(() => deepQuery(".hopae-verify-status").textContent + " | " + deepQuery(".hopae-verify-code-value").textContent);
    assert.equal(status, "Confirm \ufffd in the app \ufffd | 12\ufffd34");
    assert.deepEqual(problems.filter((p) => p.startsWith("pageerror")), []);
  });
});

describe("no secret in the browser", () => {
  test("nothing in dist/ and no request the page sends carries the secret or an Authorization header", async () => {
    const secret = env.sim.config.clientSecret;
    const basic = Buffer.from(`${env.sim.config.clientId}:${secret}`).toString("base64");
    for (const file of readdirSync(join(root, "dist"))) {
      const path = join(root, "dist", file);
      if (!statSync(path).isFile()) continue;
      const bytes = readFileSync(path);
      for (const needle of [secret, basic]) assert.equal(bytes.includes(needle), false, `${file} contains ${needle}`);
    }
    const { page, context } = await openDemo(env, { pollInterval: 300 });
    const sent = [];
    context.on("request", (r) => sent.push({ url: r.url(), headers: r.headers(), body: r.postData() ?? "" }));
    await waitForEvent(page, "hopae-initiated");
    await page.evaluate(() => window.demoHandle.restart());
    await page.waitForFunction(() => window.demoEvents.filter((e) => e.type === "hopae-initiated").length === 2);
    await sleep(700);
    await page.evaluate(() => window.demoHandle.cancel());
    await sleep(300);
    assert.ok(sent.some((r) => r.url.includes("/api/verifications")), "the widget's requests were seen");
    for (const r of sent) {
      assert.equal(r.headers.authorization, undefined, `${r.url} has an Authorization header`);
      for (const needle of [secret, basic]) assert.equal((r.url + JSON.stringify(r.headers) + r.body).includes(needle), false, r.url);
    }
  });
});
