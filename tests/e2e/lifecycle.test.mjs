// The whole session lifecycle in Chromium against the simulator's switches:
// every flow, every terminal status, every fault class, rotating QR codes,
// page visibility, cancel / try again, destroy mid-request, double mounts.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { eventsOf, openDemo, readQr, sharedEnv, sleep, until, waitForEvent } from "./helpers.mjs";

const env = sharedEnv();

/** The API requests the simulator saw for one verification, optionally of one method. */
const requestsFor = (id, method) => env.sim.requests.filter((r) => r.path.includes(id) && (!method || r.method === method));
const simState = async (id) => (await fetch(`${env.demo.url}/__sim/verifications/${id}`)).json();
const terminalEvents = async (page) => {
  const counts = {};
  for (const t of ["hopae-completed", "hopae-failed", "hopae-expired", "hopae-cancelled"]) counts[t] = (await eventsOf(page, t)).length;
  return counts;
};

/** Opens the demo, waits for hopae-initiated, and puts a fault on that session. */
async function startWithFault(fault, query = {}) {
  const opened = await openDemo(env, { pollInterval: 300, ...query });
  const started = await waitForEvent(opened.page, "hopae-initiated");
  if (fault) await env.control("/faults", { op: "status", verificationId: started.verificationId, ...fault });
  return { ...opened, id: started.verificationId, started };
}

/** Completes `id`; the page then has one hopae-completed and, before it, `cancelled` cancellations. */
async function completeAndExpectOnce(page, id, cancelled = 0) {
  await env.control(`/verifications/${id}/complete`);
  await waitForEvent(page, "hopae-completed");
  await sleep(700);
  assert.deepEqual(await terminalEvents(page), { "hopae-completed": 1, "hopae-failed": 0, "hopae-expired": 0, "hopae-cancelled": cancelled });
}

describe("flows", () => {
  test("push: no QR, the provider's message and code, then completed", async () => {
    const { page, id, started } = await startWithFault(null, { provider: "smartid", registrationId: "PNOEE-30303039914" });
    assert.equal(started.flowType, "push");
    const code = (await simState(id)).flowDetails.verificationCode;
    assert.match(code, /^\d{4}$/);
    assert.match(await page.textContent(".hopae-verify-status"), /Smart-ID/);
    // The code to compare: on its own, large and monospaced, read out with its label.
    const shown = await page.evaluate(() => {
      const c = deepQuery(".hopae-verify-code");
      const value = c.querySelector(".hopae-verify-code-value");
      const style = getComputedStyle(value);
      return { part: c.getAttribute("part"), text: c.textContent, value: value.textContent, mono: /mono/i.test(style.fontFamily), big: parseFloat(style.fontSize) >= 24 };
    });
    assert.deepEqual(shown, { part: "code", text: `Code:${code}`, value: code, mono: true, big: true });
    assert.equal(await page.evaluate(() => deepQuery(".hopae-verify-qr").hidden), true);
    await completeAndExpectOnce(page, id);
  });

  test("Smart-ID without userData: an accessible form first, inline validation, Enter submits, then the push", async () => {
    const { page } = await openDemo(env, { provider: "smartid", pollInterval: 300, locale: "sv" });
    const creates = [];
    page.on("request", (r) => r.method() === "POST" && r.url().endsWith("/api/verifications") && creates.push(r.postDataJSON()));
    const input = page.locator(".hopae-verify-input");
    await input.waitFor();
    const form = await page.evaluate(() => {
      const input = deepQuery(".hopae-verify-input");
      const hint = deepQuery(".hopae-verify-hint");
      return {
        label: input.closest("label").textContent,
        hint: hint.textContent,
        describedBy: input.getAttribute("aria-describedby") === hint.id,
        status: deepQuery(".hopae-verify-status").textContent,
      };
    });
    assert.deepEqual(form, {
      label: "Personlig identifieringskod",
      hint: "Exempel: PNOEE-30303039914",
      describedBy: true,
      status: "Smart-ID behöver några uppgifter för att starta.",
    });
    await input.fill("30303039914");
    await input.press("Enter");
    await page.waitForFunction(() => deepQuery(".hopae-verify-input")?.getAttribute("aria-invalid") === "true");
    assert.match(await page.textContent(".hopae-verify-hint"), /^Kontrollera formatet/);
    assert.equal(await page.evaluate(() => deepQuery(".hopae-verify-input") === deepQuery(".hopae-verify").getRootNode().activeElement), true, "focus on the field to fix");
    assert.equal(creates.length, 0, "nothing is created before the data is valid");
    await input.fill("pnoee-30303039914");
    await input.press("Enter");
    const started = await waitForEvent(page, "hopae-initiated");
    assert.equal(started.flowType, "push");
    assert.deepEqual(creates.map((c) => c.userData), [{ registrationId: "PNOEE-30303039914" }]);
    assert.equal(await page.evaluate(() => deepQuery(".hopae-verify-form").hidden), true);
    await completeAndExpectOnce(page, started.verificationId);
  });

  test("Smart-ID with the userData option: no form, the data goes in the create body", async () => {
    const { page } = await openDemo(env, { provider: "smartid", pollInterval: 300, registrationId: "PNOLT-30303039914" });
    const creates = [];
    page.on("request", (r) => r.method() === "POST" && r.url().endsWith("/api/verifications") && creates.push(r.postDataJSON()));
    await waitForEvent(page, "hopae-initiated");
    assert.equal(await page.evaluate(() => deepQuery(".hopae-verify-form").hidden), true);
    // The demo's first create may precede the listener; its body is the same.
    assert.ok(creates.every((c) => c.userData?.registrationId === "PNOLT-30303039914"));
  });

  test("redirect, same tab: hopae-redirect, the provider's page, and back to a resumed session", async () => {
    const { page } = await openDemo(env, { provider: "mitid", pollInterval: 300 });
    const navigated = page.waitForURL(/\/__sim\/phone\/\w+\?redirect=1$/);
    await navigated;
    const id = new URL(page.url()).pathname.split("/").pop();
    assert.equal(requestsFor(id, "POST").length, 0);
    await page.click("text=Approve");
    await page.waitForURL((url) => url.searchParams.get("verificationId") === id);
    const done = await waitForEvent(page, "hopae-completed");
    assert.equal(done.verificationId, id);
    assert.equal(done.providerId, "mitid");
    assert.equal(done.verifiedAttributes.family_name, "Eriksson");
    assert.ok(requestsFor(id, "GET").length >= 1, "the page came back and polled the same verification");
  });

  test("redirect, prevented: the page keeps control and the widget keeps polling", async () => {
    const { page } = await openDemo(env, { provider: "mitid", pollInterval: 300, preventRedirect: 1 });
    const redirect = await waitForEvent(page, "hopae-redirect");
    assert.match(redirect.authorizationUrl, /^http:\/\/127\.0\.0\.1:\d+\/__sim\/phone\/\w+\?redirect=1$/);
    await sleep(800);
    assert.equal(new URL(page.url()).pathname, "/", "no navigation");
    assert.ok(requestsFor(redirect.verificationId, "GET").length >= 2, "still polling");
    await completeAndExpectOnce(page, redirect.verificationId);
  });

  test("redirect, event-only: only the event", async () => {
    const { page } = await openDemo(env, { provider: "mitid", pollInterval: 300, redirect: "event-only" });
    const redirect = await waitForEvent(page, "hopae-redirect");
    await sleep(500);
    assert.equal(new URL(page.url()).pathname, "/");
    assert.match(await page.textContent(".hopae-verify-status"), /window that opened/);
    await completeAndExpectOnce(page, redirect.verificationId);
  });

  test("same-device start: BankID's autostart link, after the QR on a desktop, first on a phone", async () => {
    for (const mobile of [false, true]) {
      const { page } = await openDemo(env, { pollInterval: 300 }, mobile ? { isMobile: true, hasTouch: true, viewport: { width: 390, height: 800 } } : {});
      const started = await waitForEvent(page, "hopae-initiated");
      const token = (await simState(started.verificationId)).flowDetails.autoStartToken;
      assert.match(token, /^[0-9a-f-]{36}$/);
      const link = await page.evaluate(() => {
        const a = deepQuery(".hopae-verify-app-link");
        const qr = deepQuery(".hopae-verify-qr");
        return { href: a.getAttribute("href"), hidden: a.hidden, beforeQr: Boolean(a.compareDocumentPosition(qr) & Node.DOCUMENT_POSITION_FOLLOWING), primary: a.classList.contains("hopae-verify-app-link-primary"), text: a.textContent };
      });
      assert.equal(link.href, `https://app.bankid.com/?autostarttoken=${token}&redirect=null`);
      assert.equal(link.hidden, false);
      assert.equal(link.beforeQr, mobile, mobile ? "on a phone the link comes first" : "on a desktop the QR comes first");
      assert.equal(link.primary, mobile);
      assert.equal(link.text, "Open BankID on this device");
      await env.control(`/verifications/${started.verificationId}/complete`);
      await waitForEvent(page, "hopae-completed");
      assert.equal(await page.evaluate(() => deepQuery(".hopae-verify-app-link").hidden), true, "gone once it ended");
      await page.context().close();
    }
  });

  test("a rotating qrData is repainted, and the canvas always shows the latest code", async () => {
    const { page, id } = await startWithFault(null, { pollInterval: 700 });
    const first = (await readQr(page)).text;
    await env.control(`/verifications/${id}/config`, { animatedQr: true });
    let matched = 0;
    const seen = new Set([first]);
    for (let i = 0; i < 12 && matched < 2; i++) {
      await sleep(450);
      const [qr, state] = [await readQr(page), await simState(id)];
      if (qr.text === state.qrData && !seen.has(qr.text)) {
        matched++;
        seen.add(qr.text);
      }
    }
    assert.equal(matched, 2, "two successive new codes were painted and decoded");
    assert.ok([...seen].every((t) => /^bankid\.[0-9a-f-]{36}\.\d+\.[0-9a-f]{64}$/.test(t)));
  });
});

describe("statuses", () => {
  test("every non-terminal status, known or not, is reported once and polling goes on", async () => {
    const { page, id } = await startWithFault(null);
    for (const status of ["awaiting_user_action", "authenticating", "processing", "on_hold"]) {
      await env.control(`/verifications/${id}/status`, { status });
      await page.waitForFunction((s) => window.demoEvents.some((e) => e.type === "hopae-status" && e.detail.status === s), status);
    }
    const statuses = (await eventsOf(page, "hopae-status")).map((d) => d.status);
    assert.deepEqual(statuses, ["awaiting_user_action", "authenticating", "processing", "on_hold"]);
    assert.match(await page.textContent(".hopae-verify-status"), /Continue in the BankID app/);
    await completeAndExpectOnce(page, id);
  });

  test("cancelled by the server: one hopae-cancelled, no DELETE from the widget", async () => {
    const { page, id } = await startWithFault(null);
    await env.control(`/verifications/${id}/cancel`);
    const cancelled = await waitForEvent(page, "hopae-cancelled");
    assert.equal(cancelled.verificationId, id);
    await sleep(700);
    assert.deepEqual(await terminalEvents(page), { "hopae-completed": 0, "hopae-failed": 0, "hopae-expired": 0, "hopae-cancelled": 1 });
    assert.equal(requestsFor(id, "DELETE").length, 0);
  });

  test("expired by the server", async () => {
    const { page, id } = await startWithFault(null);
    await env.control(`/verifications/${id}/expire`);
    await waitForEvent(page, "hopae-expired");
    assert.equal(await page.isVisible(".hopae-verify-retry"), true, "Try again is offered");
  });
});

describe("faults", () => {
  for (const [name, fault] of [
    ["HTTP 500", { kind: "http", status: 500, times: 2 }],
    ["HTTP 502", { kind: "http", status: 502, times: 1 }],
    ["HTTP 503", { kind: "http", status: 503, times: 1 }],
    ["a connection reset", { kind: "reset", times: 2 }],
  ]) {
    test(`${name} is retried and the session completes`, async () => {
      const { page, id, problems } = await startWithFault(fault);
      await page.waitForFunction(() => /Trying again/.test(deepQuery(".hopae-verify-status").textContent));
      await page.waitForFunction(() => /scan the QR/.test(deepQuery(".hopae-verify-status").textContent), null, { timeout: 10_000 });
      assert.ok(requestsFor(id, "GET").length >= fault.times + 1);
      await completeAndExpectOnce(page, id);
      assert.deepEqual(problems.filter((p) => p.startsWith("pageerror")), []);
    });
  }

  test("429 is retried no sooner than Retry-After", async () => {
    const { page, id } = await startWithFault({ kind: "rate-limit", retryAfter: 2, times: 1 });
    await page.waitForFunction(() => /Trying again/.test(deepQuery(".hopae-verify-status").textContent));
    const limitedAt = requestsFor(id, "GET").at(-1).at;
    await page.waitForFunction(() => /scan the QR/.test(deepQuery(".hopae-verify-status").textContent), null, { timeout: 10_000 });
    const next = requestsFor(id, "GET").find((r) => r.at > limitedAt);
    assert.ok(next.at - limitedAt >= 2000, `retried after ${next.at - limitedAt} ms`);
    await completeAndExpectOnce(page, id);
  });

  test("a request slower than requestTimeout is abandoned and retried", async () => {
    const { page, id } = await startWithFault({ kind: "delay", delayMs: 3000, times: 1 }, { requestTimeout: 1000 });
    await page.waitForFunction(() => /Trying again/.test(deepQuery(".hopae-verify-status").textContent), null, { timeout: 5000 });
    const slowAt = requestsFor(id, "GET").at(-1).at;
    await page.waitForFunction(() => /scan the QR/.test(deepQuery(".hopae-verify-status").textContent), null, { timeout: 10_000 });
    assert.ok(requestsFor(id, "GET").find((r) => r.at > slowAt).at - slowAt < 3000, "retried before the slow answer came");
    await completeAndExpectOnce(page, id);
  });

  test("after maxRetries consecutive faults: one hopae-failed, and no more requests", async () => {
    const { page, id } = await startWithFault({ kind: "http", status: 503 }, { maxRetries: 2 });
    const before = requestsFor(id, "GET").length;
    const failed = await waitForEvent(page, "hopae-failed", 15_000);
    assert.equal(failed.code, "PROVIDER_UNAVAILABLE");
    assert.equal(failed.httpStatus, 503);
    assert.equal(failed.retryable, true);
    await sleep(1500);
    assert.equal(requestsFor(id, "GET").length - before, 3, "the first try and two retries");
    assert.deepEqual(await terminalEvents(page), { "hopae-completed": 0, "hopae-failed": 1, "hopae-expired": 0, "hopae-cancelled": 0 });
  });

  test("a permanent fault (404 session not found) fails at once", async () => {
    const { page, id } = await startWithFault({ kind: "http", status: 404 });
    const before = requestsFor(id, "GET").length;
    const failed = await waitForEvent(page, "hopae-failed");
    assert.equal(failed.code, "SESSION_NOT_FOUND");
    assert.equal(failed.retryable, false);
    await sleep(1000);
    assert.equal(requestsFor(id, "GET").length - before, 1);
  });

  test("an unavailable provider falls back to the next one and says so", async () => {
    await env.control("/faults", { op: "create", kind: "provider-unavailable", times: 1 });
    const { page } = await openDemo(env, { pollInterval: 300, fallbackProviders: "frejaid" });
    const started = await waitForEvent(page, "hopae-initiated");
    assert.equal(started.providerId, "frejaid");
    const [fallback] = await eventsOf(page, "hopae-status");
    assert.deepEqual(fallback, { verificationId: null, providerId: "frejaid", status: "fallback", fallbackFrom: "bankidse" });
    assert.equal((await readQr(page)).text, (await simState(started.verificationId)).qrData);
  });
});

describe("visibility", () => {
  test("a hidden page stops polling at 300 ms, and polls at once when shown again", async () => {
    const { page, id } = await startWithFault(null);
    const setHidden = (hidden) =>
      page.evaluate((h) => {
        Object.defineProperty(document, "hidden", { configurable: true, get: () => h });
        Object.defineProperty(document, "visibilityState", { configurable: true, get: () => (h ? "hidden" : "visible") });
        document.dispatchEvent(new Event("visibilitychange"));
      }, hidden);
    await sleep(700);
    await setHidden(true);
    const hiddenAt = Date.now();
    const atHide = requestsFor(id, "GET").length;
    await sleep(2000);
    assert.ok(requestsFor(id, "GET").length - atHide <= 1, "at most the request already in flight");
    // Taken before showing: the poll may reach the simulator before evaluate() returns.
    const shownAt = Date.now();
    await setHidden(false);
    const after = await until(() => { const a = requestsFor(id, "GET").filter((r) => r.at >= shownAt); return a.length && a; }, 2_000, "a poll");
    assert.ok(after.length >= 1 && after[0].at - shownAt < 250, "polled at once");
    assert.ok(hiddenAt < shownAt);
    await completeAndExpectOnce(page, id);
  });
});

describe("cancel, try again, destroy, double mount", () => {
  test("Cancel and Try again buttons", async () => {
    const { page, id } = await startWithFault(null);
    await page.click(".hopae-verify-cancel");
    const cancelled = await waitForEvent(page, "hopae-cancelled");
    assert.equal(cancelled.verificationId, id);
    await until(() => requestsFor(id, "DELETE").length === 1, 5_000, "the DELETE");
    assert.equal((await simState(id)).status, "cancelled", "the backend was asked to cancel");
    assert.equal(await page.isVisible(".hopae-verify-cancel"), false);
    // The Cancel button went away: the keyboard focus moved to Try again, not to <body>.
    const focused = () => page.evaluate(() => deepQuery(".hopae-verify").getRootNode().activeElement?.className ?? document.activeElement.tagName);
    assert.equal(await focused(), "hopae-verify-retry");
    await page.click(".hopae-verify-retry");
    await page.waitForFunction(() => window.demoEvents.filter((e) => e.type === "hopae-initiated").length === 2);
    assert.equal(await focused(), "hopae-verify", "and back to the card after Try again");
    const second = (await eventsOf(page, "hopae-initiated"))[1];
    assert.notEqual(second.verificationId, id);
    assert.equal((await readQr(page)).text, (await simState(second.verificationId)).qrData);
    assert.equal(await page.isVisible(".hopae-verify-retry"), false);
    await completeAndExpectOnce(page, second.verificationId, 1);
  });

  test("handle.cancel() and handle.restart()", async () => {
    const { page, id } = await startWithFault(null);
    await page.evaluate(() => window.demoHandle.restart());
    await page.waitForFunction(() => window.demoEvents.filter((e) => e.type === "hopae-initiated").length === 2);
    assert.equal((await eventsOf(page, "hopae-cancelled"))[0].verificationId, id, "restart cancels the running session");
    const second = (await eventsOf(page, "hopae-initiated"))[1].verificationId;
    await page.evaluate(() => { window.demoHandle.cancel(); window.demoHandle.cancel(); });
    await until(async () => (await simState(second)).status === "cancelled", 5_000, "the DELETE");
    await sleep(300); // no second hopae-cancelled follows
    assert.equal((await eventsOf(page, "hopae-cancelled")).length, 2);
  });

  test("destroy() mid-request: the request is aborted and nothing follows", async () => {
    const { page, id, problems } = await startWithFault({ kind: "delay", delayMs: 1500, times: 1 });
    const deadline = Date.now() + 3000;
    while (!env.sim.requests.some((r) => r.path.includes(id) && r.method === "GET") && Date.now() < deadline) await sleep(20);
    await sleep(100); // the delayed request is now in flight
    await page.evaluate(() => window.demoHandle.destroy());
    const destroyedAt = Date.now();
    assert.equal(await page.evaluate(() => document.getElementById("widget").shadowRoot.querySelectorAll(".hopae-verify").length), 0);
    await until(() => requestsFor(id, "DELETE").length === 1, 3_000, "the DELETE");
    await sleep(1200); // four poll intervals: none follows
    assert.deepEqual(requestsFor(id, "GET").filter((r) => r.at > destroyedAt), [], "no poll after destroy");
    assert.equal(requestsFor(id, "DELETE").length, 1, "one best-effort cancel");
    assert.deepEqual(await terminalEvents(page), { "hopae-completed": 0, "hopae-failed": 0, "hopae-expired": 0, "hopae-cancelled": 1 });
    assert.deepEqual(problems.filter((p) => p.startsWith("pageerror")), []);
  });

  test("React StrictMode: mount, unmount, mount creates one verification", async () => {
    const { page } = await openDemo(env, { pollInterval: 300 });
    await waitForEvent(page, "hopae-initiated");
    const creates = () => env.sim.requests.filter((r) => r.method === "POST").length;
    const before = creates();
    const result = await page.evaluate(async () => {
      const { mount } = await import("/dist/index.js");
      const el = document.createElement("div");
      document.body.append(el);
      const options = { endpoint: "/api/verifications", providerId: "bankidse", pollInterval: 300 };
      // What StrictMode does with a useEffect that mounts and cleans up.
      const first = mount(el, options);
      first.then((h) => h.destroy());
      const second = await mount(el, options);
      window.strictHandle = second;
      return { superseded: (await first).superseded === true, widgets: el.shadowRoot.querySelectorAll(".hopae-verify").length };
    });
    await page.waitForFunction(() => window.strictHandle.verificationId);
    assert.deepEqual(result, { superseded: true, widgets: 1 });
    assert.equal(creates() - before, 1, "one verification created");
    assert.equal((await eventsOf(page, "hopae-cancelled")).length, 0);
  });

  test("mount, destroy, mount after the first resolved: the first is cancelled, the second runs", async () => {
    const { page } = await openDemo(env, { pollInterval: 300 });
    const first = await waitForEvent(page, "hopae-initiated");
    await page.evaluate(async () => {
      const { mount } = await import("/dist/index.js");
      const el = document.getElementById("widget");
      window.demoHandle.destroy();
      window.demoHandle = await mount(el, { endpoint: "/api/verifications", providerId: "bankidse", pollInterval: 300 });
    });
    await page.waitForFunction(() => window.demoEvents.filter((e) => e.type === "hopae-initiated").length === 2);
    assert.equal((await eventsOf(page, "hopae-cancelled"))[0].verificationId, first.verificationId);
    assert.equal(await page.evaluate(() => document.getElementById("widget").shadowRoot.querySelectorAll(".hopae-verify").length), 1);
  });
});
