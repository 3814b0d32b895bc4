// The QR flow from mount to a terminal event, in Chromium, against the
// reference backend and the Hopae simulator: what a user and a page see.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { eventsOf, openDemo, readQr, sharedEnv, sleep, until, waitForEvent } from "./helpers.mjs";

const env = sharedEnv();

/** API requests the simulator saw for one verification. */
const requestsFor = (id) => env.sim.requests.filter((r) => r.path.includes(id)).length;

async function simState(id) {
  return (await fetch(`${env.demo.url}/__sim/verifications/${id}`)).json();
}

/** Asserts exactly one terminal event, of `type`, and that nothing more happens. */
async function assertSettled(page, type, id) {
  const polls = requestsFor(id);
  await sleep(1000); // more than three poll intervals of the tests' 300 ms
  for (const t of ["hopae-completed", "hopae-failed", "hopae-expired", "hopae-cancelled"]) {
    assert.equal((await eventsOf(page, t)).length, t === type ? 1 : 0, `${t} count`);
  }
  assert.equal(requestsFor(id), polls, "no request after the terminal event");
  assert.equal(await page.evaluate(() => deepQuery(".hopae-verify-qr").hidden), true, "the used QR is hidden");
}

describe("QR flow", () => {
  test("the canvas decodes to the simulator's qrData, and approving it completes once", async () => {
    const { page, context, problems } = await openDemo(env, { pollInterval: 300 });
    const started = await waitForEvent(page, "hopae-initiated");
    assert.equal(started.providerId, "bankidse");
    assert.equal(started.flowType, "qr");
    const qr = await readQr(page);
    assert.ok(qr, "a QR code is painted");
    assert.equal(qr.text, (await simState(started.verificationId)).qrData);
    assert.match(qr.text, /^bankid\.[0-9a-f-]{36}\.0\.[0-9a-f]{64}$/);
    assert.equal(qr.greys, 0, "every pixel is pure black or white");

    await env.control(`/verifications/${started.verificationId}/complete`);
    const done = await waitForEvent(page, "hopae-completed");
    assert.equal(done.verificationId, started.verificationId);
    assert.equal(done.providerId, "bankidse");
    assert.equal(done.verifiedAttributes.name, "Anders Eriksson");
    assert.match(done.verifiedAt, /^\d{4}-\d\d-\d\dT/);
    await assertSettled(page, "hopae-completed", started.verificationId);
    assert.equal(await page.textContent(".hopae-verify-status"), "You are verified.");
    assert.deepEqual(problems, []);
    assert.equal(await page.evaluate(() => window.cspViolations), undefined, "no CSP violation under the strict policy");
    await context.close();
  });

  test("declining on the simulated phone ends in one hopae-failed with the reason", async () => {
    const { page, context } = await openDemo(env, { pollInterval: 300 });
    const started = await waitForEvent(page, "hopae-initiated");
    const phone = await context.newPage();
    await phone.goto(await page.getAttribute("#phone-link", "href").then((href) => new URL(href, env.demo.url).href));
    await phone.click("text=Decline");
    await phone.waitForSelector("text=Declined.");
    const failed = await waitForEvent(page, "hopae-failed");
    assert.equal(failed.code, "USER_DECLINED");
    assert.equal(failed.verificationId, started.verificationId);
    assert.match(failed.message, /declined/);
    assert.equal(failed.retryable, true);
    await assertSettled(page, "hopae-failed", started.verificationId);
    await context.close();
  });

  test("a session past its expiresAt ends in one hopae-expired", async () => {
    await env.control("/config", { ttlMs: 1500 });
    try {
      const { page, context } = await openDemo(env, { pollInterval: 300 });
      const started = await waitForEvent(page, "hopae-initiated");
      const expired = await waitForEvent(page, "hopae-expired");
      assert.equal(expired.verificationId, started.verificationId);
      await assertSettled(page, "hopae-expired", started.verificationId);
      assert.equal(await page.textContent(".hopae-verify-status"), "The verification expired.");
      await context.close();
    } finally {
      await env.control("/config", { ttlMs: 300_000 });
    }
  });

  test("the timeout option ends a session the server still keeps open, and cancels it there", async () => {
    const { page, context } = await openDemo(env, { pollInterval: 300, timeout: 1500 });
    const started = await waitForEvent(page, "hopae-initiated");
    await waitForEvent(page, "hopae-expired");
    // No Hopae session is left open: the widget sent the DELETE.
    for (let i = 0; i < 100 && (await simState(started.verificationId)).status !== "cancelled"; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal((await simState(started.verificationId)).status, "cancelled");
    await assertSettled(page, "hopae-expired", started.verificationId);
    await context.close();
  });

  for (const scale of [1, 2, 3]) {
    test(`the QR is sharp and decodes at devicePixelRatio ${scale}`, async () => {
      const { page, context } = await openDemo(env, { pollInterval: 300 }, { deviceScaleFactor: scale });
      const started = await waitForEvent(page, "hopae-initiated");
      const qr = await readQr(page);
      assert.equal(qr.text, (await simState(started.verificationId)).qrData);
      assert.equal(qr.greys, 0, "no anti-aliased edge");
      // Layout rounds CSS sizes to 1/64 px; the canvas is then snapped to device pixels.
      assert.ok(Math.abs(qr.cssWidth * scale - qr.width) < scale / 64 + 1e-6, `one backing pixel per device pixel (${qr.cssWidth} * ${scale} vs ${qr.width})`);
      assert.ok(Math.abs(qr.cssWidth - 200) <= 200 / 8, `about the default 200 CSS px, got ${qr.cssWidth}`);
      await context.close();
    });
  }
});

describe("bad answers end in hopae-failed, never an uncaught error", () => {
  // HTTP 500 is transient (retried, see lifecycle.test.mjs): with maxRetries 0 it fails at once.
  const cases = [
    // The reference backend turns Hopae's non-JSON body into a 502 problem (never HTML from the site's origin).
    { name: "a status body that is not JSON", fault: { op: "status", kind: "not-json" }, code: /UPSTREAM_BAD_RESPONSE|upstream_bad_response|bad_gateway/i, httpStatus: 502, query: { maxRetries: 0 } },
    { name: "HTTP 500 from the status call", fault: { op: "status", kind: "http", status: 500 }, code: "SYSTEM_INTERNAL_ERROR", httpStatus: 500, query: { maxRetries: 0 } },
    { name: "a status body of the wrong shape", fault: { op: "status", kind: "wrong-shape" }, code: "invalid_response", message: /status/ },
    { name: "a create body of the wrong shape", fault: { op: "create", kind: "wrong-shape" }, code: "invalid_response", message: /verificationId/ },
    { name: "HTTP 500 from the create call", fault: { op: "create", kind: "http", status: 500 }, code: "SYSTEM_INTERNAL_ERROR", httpStatus: 500, query: { maxRetries: 0 } },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      // Until the test removes it: a single-use fault could be taken by another
      // request reaching the simulator first (the page's widget fails at its first).
      await env.control("/faults", { ...c.fault, times: 1000 });
      try {
        const { page, context, problems } = await openDemo(env, { pollInterval: 300, ...c.query });
        const failed = await waitForEvent(page, "hopae-failed");
        if (c.code instanceof RegExp) assert.match(failed.code, c.code);
        else assert.equal(failed.code, c.code);
        if (c.message) assert.match(failed.message, c.message);
        if (c.httpStatus) assert.equal(failed.httpStatus, c.httpStatus);
        assert.ok(failed.message.length > 10);
        const told = failed.retryable ? /Could not reach the verification service/ : /Verification is not available right now/;
        assert.match(await page.textContent(".hopae-verify-status"), told, "the person is told, in their words");
        await sleep(700);
        assert.equal((await eventsOf(page, "hopae-failed")).length, 1);
        assert.deepEqual(problems.filter((p) => p.startsWith("pageerror")), []);
        await context.close();
      } finally {
        await fetch(`${env.demo.url}/__sim/faults`, { method: "DELETE" });
      }
    });
  }
});

describe("mount and destroy", () => {
  test("destroy() stops all requests, removes the widget, and is idempotent", async () => {
    const { page, context, problems } = await openDemo(env, { pollInterval: 300 });
    const started = await waitForEvent(page, "hopae-initiated");
    await until(() => requestsFor(started.verificationId) >= 2, 5_000, "polling");
    await page.evaluate(() => { window.demoHandle.destroy(); window.demoHandle.destroy(); });
    assert.equal(await page.evaluate(() => document.getElementById("widget").shadowRoot.querySelectorAll(".hopae-verify").length), 0);
    const before = requestsFor(started.verificationId);
    await sleep(1200);
    assert.equal(requestsFor(started.verificationId), before, "no request after destroy");
    await env.control(`/verifications/${started.verificationId}/complete`);
    await sleep(700);
    assert.equal((await eventsOf(page, "hopae-completed")).length, 0, "no event after destroy");
    assert.deepEqual(problems.filter((p) => p.startsWith("pageerror")), []);
    await context.close();
  });

  test("mounting again on the same element replaces the first widget", async () => {
    const { page, context } = await openDemo(env, { pollInterval: 300 });
    const first = await waitForEvent(page, "hopae-initiated");
    await page.evaluate(async () => {
      const { mount } = await import("/dist/index.js");
      window.second = await mount(document.getElementById("widget"), { endpoint: "/api/verifications", providerId: "frejaid", pollInterval: 300 });
    });
    await page.waitForFunction(() => window.demoEvents.filter((e) => e.type === "hopae-initiated").length === 2);
    assert.equal(await page.evaluate(() => document.getElementById("widget").shadowRoot.querySelectorAll(".hopae-verify").length), 1);
    const before = requestsFor(first.verificationId);
    await sleep(900);
    assert.equal(requestsFor(first.verificationId), before, "the first widget stopped polling");
    await context.close();
  });

  test("wrong options reject mount() with a message that says what to fix", async () => {
    const { page, context } = await openDemo(env, { pollInterval: 300 });
    await waitForEvent(page, "hopae-initiated");
    const messages = await page.evaluate(async () => {
      const { mount } = await import("/dist/index.js");
      const el = document.createElement("div");
      const attempt = (...args) => mount(...args).then(() => "resolved", (e) => `${e.constructor.name}: ${e.message}`);
      return [
        await attempt(el, { providerId: "bankidse" }),
        await attempt(el, { endpoint: "/api/verifications" }),
        await attempt(el, { endpoint: "/api/verifications", providerId: "bankidse", pollInterval: "often" }),
        await attempt("#widget", { endpoint: "/api/verifications", providerId: "bankidse" }),
        await attempt(el),
      ];
    });
    assert.match(messages[0], /^Error: .*`endpoint` option is required/);
    assert.match(messages[1], /`providerId` option is required/);
    assert.match(messages[2], /pollInterval/);
    assert.match(messages[3], /DOM element/);
    assert.match(messages[4], /options object/);
    await context.close();
  });
});
