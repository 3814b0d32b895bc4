// createWebhookHandler: signed deliveries as Hopae sends them
// (X-Hopae-Signature: t=<unix s>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>,
// docs.hopae.com/guides/webhook-signing, as archived in api-evangelist/hopae-inc
// asyncapi/hopae-inc-hconnect-webhooks.yml), valid, tampered, stale, replayed
// and duplicate, in both documented event naming schemes.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { createWebhookHandler } from "../server/index.js";
import { quietLogger } from "./backend-fake.mjs";

const SECRET = "whsec_test_5f1e";
const sign = (body, t = Math.floor(Date.now() / 1000), secret = SECRET) => `t=${t},v1=${createHmac("sha256", secret).update(`${t}.${body}`).digest("hex")}`;
const deliver = (handler, body, signature = sign(body)) =>
  handler(new Request("https://shop.example/webhooks/hopae", { method: "POST", headers: { "Content-Type": "application/json", "X-Hopae-Signature": signature }, body }));

const asyncApiEvent = (id = "evt_1") =>
  JSON.stringify({ event: "verification.completed", eventId: id, timestamp: new Date().toISOString(), apiVersion: "v1", clientId: "FK5b0KSM", data: { verificationId: "ver_1", status: "completed", providerId: "bankidse" } });

describe("webhooks", () => {
  test("a valid delivery reaches onEvent once, normalised; the answer is 2xx", async () => {
    const events = [];
    const handler = createWebhookHandler({ secret: SECRET, onEvent: (e) => void events.push(e) });
    const res = await deliver(handler, asyncApiEvent());
    assert.equal(res.status, 200);
    assert.equal(events.length, 1);
    assert.equal(events[0].type, "verification.completed");
    assert.equal(events[0].verificationId, "ver_1");
    assert.equal(events[0].status, "completed");
    assert.equal(events[0].id, "evt_1");
  });

  test("the older status-based naming is accepted and normalised to the same type", async () => {
    const events = [];
    const handler = createWebhookHandler({ secret: SECRET, onEvent: (e) => void events.push(e) });
    for (const [body, type] of [
      [{ type: "VERIFICATION_COMPLETED", id: "e-a", verificationId: "v2", status: "completed" }, "verification.completed"],
      [{ id: "e-b", verificationId: "v3", status: "failed" }, "verification.failed"],
      [{ eventType: "verification.session.timed_out", id: "e-c", data: { verificationId: "v4", status: "expired" } }, "verification.session.timed_out"],
    ]) {
      assert.equal((await deliver(handler, JSON.stringify(body))).status, 200);
      assert.equal(events.at(-1).type, type);
    }
    assert.deepEqual(events.map((e) => e.verificationId), ["v2", "v3", "v4"]);
  });

  test("tampered body, wrong secret, malformed or missing signature: 400 and onEvent never runs", async () => {
    const events = [];
    const handler = createWebhookHandler({ secret: SECRET, onEvent: (e) => void events.push(e) });
    const body = asyncApiEvent("evt_t");
    const signature = sign(body);
    const cases = [
      [body.replace("completed", "failed"), signature],
      [body, sign(body, undefined, "other-secret")],
      [body, signature.replace(/v1=(.)/, (m, c) => `v1=${c === "0" ? "1" : "0"}`)],
      [body, "t=abc,v1=00"],
      [body, ""],
    ];
    for (const [b, s] of cases) {
      const res = await deliver(handler, b, s);
      assert.equal(res.status, 400, s);
      assert.match((await res.json()).title, /SIGNATURE/);
    }
    assert.equal(events.length, 0);
  });

  test("a timestamp more than 300 s away is refused (stale or replayed later)", async () => {
    const events = [];
    const handler = createWebhookHandler({ secret: SECRET, onEvent: (e) => void events.push(e) });
    const body = asyncApiEvent("evt_s");
    const now = Math.floor(Date.now() / 1000);
    assert.equal((await deliver(handler, body, sign(body, now - 301))).status, 400);
    assert.equal((await deliver(handler, body, sign(body, now + 301))).status, 400);
    assert.equal(events.length, 0);
    assert.equal((await deliver(handler, body, sign(body, now - 290))).status, 200, "inside the window");
  });

  test("a replayed or duplicate delivery (same event id) is answered 2xx and handled once", async () => {
    const events = [];
    const handler = createWebhookHandler({ secret: SECRET, onEvent: (e) => void events.push(e) });
    const body = asyncApiEvent("evt_dup");
    const signature = sign(body);
    assert.equal((await deliver(handler, body, signature)).status, 200);
    const replay = await deliver(handler, body, signature);
    assert.equal(replay.status, 200);
    assert.equal((await replay.json()).duplicate, true);
    // Hopae's retry of the same event carries a new signature time.
    assert.equal((await deliver(handler, body, sign(body, Math.floor(Date.now() / 1000) + 5))).status, 200);
    assert.equal(events.length, 1);
  });

  test("onEvent failing answers 500 (so Hopae retries) and the event is handled on the retry; details stay in the log", async () => {
    let fail = true;
    const events = [];
    const logger = quietLogger();
    const handler = createWebhookHandler({
      secret: SECRET,
      logger,
      onEvent: (e) => {
        if (fail) throw new Error("db password=hunter2 refused");
        events.push(e);
      },
    });
    const body = asyncApiEvent("evt_retry");
    const first = await deliver(handler, body);
    assert.equal(first.status, 500);
    assert.doesNotMatch(await first.text(), /hunter2/);
    assert.ok(logger.lines.some((l) => l.includes("hunter2")));
    fail = false;
    assert.equal((await deliver(handler, body)).status, 200);
    assert.equal(events.length, 1);
  });

  test("only POST; refuses to start without a secret", async () => {
    const handler = createWebhookHandler({ secret: SECRET, onEvent() {} });
    assert.equal((await handler(new Request("https://shop.example/webhooks/hopae"))).status, 405);
    assert.throws(() => createWebhookHandler({ onEvent() {} }), /secret/);
  });
});
