// The digital-credentials flow (`flowType: "dc"`, the simulator's `us-id-pass`)
// in Chromium, with a stubbed `navigator.credentials.get`: what a user and a
// page see when the browser presents a credential, has no Digital Credentials
// API, or the person dismisses the browser's prompt.
import { after, afterEach, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { installDeepQuery, readQr, setup, until, waitForEvent } from "./helpers.mjs";

const env = {};
before(async () => {
  Object.assign(env, await setup({}, {
    backend: {
      // Native mode is set server-side, as a site would (its own origin as
      // expected_origins); a page opened with ?dcNative=0 gets the
      // cross-device form.
      createFields: (request, { providerId }) => {
        if (providerId !== "us-id-pass" || (request.headers.get("referer") ?? "").includes("dcNative=0")) return {};
        return { options: { mode: "native", platform: "android", expected_origins: [env.demo.url] } };
      },
    },
  }));
});
afterEach(async () => {
  await env.closePages?.();
});
after(async () => {
  await env.close?.();
});

/**
 * Opens the demo on `us-id-pass` with the Digital Credentials API stubbed
 * before any script runs: `answer` is "credential" (resolves with one),
 * "reject" (the person dismissed the prompt: NotAllowedError) or "absent"
 * (no API). Records page errors as `problems`.
 */
async function openWith(answer, query = {}) {
  const context = await env.browser.newContext();
  env.contexts.add(context);
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  await installDeepQuery(page);
  await page.addInitScript((answer) => {
    window.dcCalls = [];
    if (answer === "absent") {
      delete window.DigitalCredential;
      return;
    }
    window.DigitalCredential ??= class DigitalCredential {};
    navigator.credentials.get = async (options) => {
      window.dcCalls.push(JSON.parse(JSON.stringify(options)));
      if (answer === "reject") throw new DOMException("The user dismissed the prompt.", "NotAllowedError");
      return { protocol: options.digital.requests[0].protocol, data: { vp_token: { id_pass: ["stub-presentation"] } } };
    };
  }, answer);
  const search = new URLSearchParams({ provider: "us-id-pass", pollInterval: "300", ...query });
  await page.goto(`${env.demo.url}/?${search}`);
  return { page, problems };
}

describe("digital credentials (dc)", () => {
  test("a credential from the browser is posted and the verification completes", async () => {
    const { page, problems } = await openWith("credential");
    const started = await waitForEvent(page, "hopae-initiated");
    assert.equal(started.providerId, "us-id-pass");
    assert.equal(started.flowType, "dc");
    const done = await waitForEvent(page, "hopae-completed");
    assert.equal(done.verificationId, started.verificationId);
    assert.match(await page.evaluate(() => deepQuery(".hopae-verify-status").textContent), /verified/);
    const calls = await page.evaluate(() => window.dcCalls);
    assert.equal(calls.length, 1, "the browser was asked once");
    const [request] = calls[0].digital.requests;
    assert.equal(request.protocol, "openid4vp-v1-unsigned");
    assert.deepEqual(request.data.expected_origins, [env.demo.url], "the site's origin, set server-side");
    assert.deepEqual(problems, []);
  });

  test("without the Digital Credentials API the widget fails with a clear unsupported_flow", async () => {
    const { page, problems } = await openWith("absent");
    const failed = await waitForEvent(page, "hopae-failed");
    assert.equal(failed.code, "unsupported_flow");
    assert.equal(failed.message, "This browser cannot present digital credentials; verify another way.");
    assert.equal(failed.hopaeCode, null);
    assert.equal(await page.evaluate(() => deepQuery(".hopae-verify-retry").hidden), false, "Try again is offered");
    assert.deepEqual(problems, []);
  });

  test("without native mode the cross-device link is shown as a QR code and completes", async () => {
    const { page, problems } = await openWith("absent", { dcNative: "0" });
    const started = await waitForEvent(page, "hopae-initiated");
    assert.equal(started.flowType, "dc");
    let qr;
    await until(async () => (qr = await readQr(page)), 10_000, "a QR code is painted");
    assert.equal(qr.text, `${env.demo.url}/__sim/phone/${started.verificationId}`);
    await env.control(`/verifications/${started.verificationId}/complete`);
    await waitForEvent(page, "hopae-completed");
    assert.deepEqual(problems, []);
  });

  test("a dismissed credential prompt fails with dc_declined, not a hang", async () => {
    const { page, problems } = await openWith("reject");
    const failed = await waitForEvent(page, "hopae-failed");
    assert.equal(failed.code, "dc_declined");
    assert.equal(failed.message, "No digital credential was shared.");
    assert.equal(failed.retryable, true);
    assert.equal(await page.evaluate(() => window.dcCalls.length), 1);
    const state = await (await fetch(`${env.demo.url}/__sim/verifications/${failed.verificationId}`)).json();
    assert.notEqual(state.status, "completed", "no credential reached the simulator");
    assert.equal(await page.evaluate(() => deepQuery(".hopae-verify-retry").hidden), false, "Try again is offered");
    assert.deepEqual(problems, []);
  });
});
