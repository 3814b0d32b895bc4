// Signed webhook delivery by the simulator (issue 11 item 6): the payload in
// the AsyncAPI shape (tests/contract/hopae-webhook-event.schema.json, cited
// there), `X-Hopae-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "t.body")>`,
// both documented event naming schemes, retries on failure with the delays
// injected (1/5/30 s by default), a per-attempt timeout, and the fault
// switches bad-signature, replay and stale.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHmac, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { createSimulator } from "../server/simulator.js";

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const eventSchema = ajv.compile(JSON.parse(readFileSync(new URL("./contract/hopae-webhook-event.schema.json", import.meta.url))));
const AUTH = { Authorization: `Basic ${Buffer.from("demo-client:demo-secret").toString("base64")}` };

/** A receiver on loopback: records deliveries; `answer` decides each status (or null: never answer). */
function receiver() {
  const deliveries = [];
  const waiters = [];
  let answer = () => 204;
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const delivery = { headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      deliveries.push(delivery);
      for (const w of waiters.splice(0)) w();
      const status = answer(delivery, deliveries.length);
      if (status !== null) res.writeHead(status).end();
    });
  });
  return {
    deliveries,
    set answer(fn) {
      answer = fn;
    },
    /** Waits (bounded) until `n` deliveries arrived. */
    async waitFor(n, ms = 5000) {
      const deadline = Date.now() + ms;
      while (deliveries.length < n) {
        if (Date.now() > deadline) throw new Error(`only ${deliveries.length} of ${n} deliveries in ${ms} ms`);
        await new Promise((r) => { waiters.push(r); setTimeout(r, 50); });
      }
      return deliveries;
    },
    async start() {
      await new Promise((r) => server.listen(0, "127.0.0.1", r));
      this.url = `http://127.0.0.1:${server.address().port}/hooks`;
      return this;
    },
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }),
  };
}

/** Verifies a delivery as a site would; returns the reason it is refused, or null. */
function verify(delivery, secret, nowSeconds = Math.floor(Date.now() / 1000)) {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(delivery.headers["x-hopae-signature"] ?? "");
  if (!m) return "no signature";
  const expected = createHmac("sha256", secret).update(`${m[1]}.${delivery.body}`).digest();
  if (!timingSafeEqual(expected, Buffer.from(m[2], "hex"))) return "bad signature";
  if (Math.abs(nowSeconds - Number(m[1])) > 300) return "stale";
  return null;
}

let hooks;
let sim;
before(async () => {
  hooks = await receiver().start();
  sim = await createSimulator({ webhookUrl: hooks.url, webhookRetryDelaysMs: [10, 20, 30], webhookTimeoutMs: 300 }).listen();
});
after(async () => {
  await sim.close();
  await hooks.close();
});

const create = async (body = { providerId: "bankidse" }) => (await (await fetch(`${sim.apiBase}/verifications`, { method: "POST", headers: AUTH, body: JSON.stringify(body) })).json()).verificationId;
// Deliveries of an earlier test (retries included) settle before the log is
// cleared, so none of them lands in the next test's count.
const reset = async () => {
  await sim.webhooksSettled();
  hooks.deliveries.length = 0;
  hooks.answer = () => 204;
  sim.configure({ webhookFault: null, webhookEvents: "asyncapi" });
};

describe("signed webhooks", () => {
  test("each status change is delivered, signed, in the AsyncAPI shape", async () => {
    await reset();
    const id = await create();
    sim.complete(id);
    const [created, completed] = await hooks.waitFor(2);
    for (const d of [created, completed]) {
      assert.equal(verify(d, "whsec_simulator"), null);
      const event = JSON.parse(d.body);
      assert.ok(eventSchema(event), ajv.errorsText(eventSchema.errors));
      assert.equal(event.data.verificationId, id);
      assert.equal(d.headers["content-type"], "application/json");
    }
    assert.deepEqual([created, completed].map((d) => JSON.parse(d.body).event), ["verification.created", "verification.completed"]);
    assert.notEqual(JSON.parse(created.body).eventId, JSON.parse(completed.body).eventId);
  });

  test("the other naming scheme: verification.<status>", async () => {
    await reset();
    sim.configure({ webhookEvents: "status" });
    const id = await create();
    sim.cancel(id);
    const events = (await hooks.waitFor(2)).map((d) => JSON.parse(d.body));
    for (const e of events) assert.ok(eventSchema(e), ajv.errorsText(eventSchema.errors));
    assert.deepEqual(events.map((e) => e.event), ["verification.initiated", "verification.cancelled"]);
  });

  test("a failure is retried after each delay (4 deliveries), then given up", async () => {
    await reset();
    hooks.answer = () => 500;
    const id = await create();
    const all = await hooks.waitFor(4);
    assert.equal(new Set(all.map((d) => JSON.parse(d.body).eventId)).size, 1, "the same event each time");
    await sim.webhooksSettled();
    assert.equal(hooks.deliveries.length, 4, "no fifth attempt");
    assert.deepEqual(sim.webhooks.filter((w) => w.verificationId === id).map((w) => [w.attempt, w.status]), [[1, 500], [2, 500], [3, 500], [4, 500]]);
  });

  test("a delivery that answers 2xx on the second attempt stops there", async () => {
    await reset();
    hooks.answer = (d, n) => (n === 1 ? 503 : 200);
    await create();
    await sim.webhooksSettled();
    assert.equal(hooks.deliveries.length, 2);
  });

  test("an attempt that does not answer times out and is retried", async () => {
    await reset();
    hooks.answer = (d, n) => (n === 1 ? null : 204);
    const id = await create();
    await hooks.waitFor(2);
    const first = sim.webhooks.find((w) => w.verificationId === id && w.attempt === 1);
    assert.match(first.error, /abort|timeout/i);
  });

  test("fault bad-signature: the signature does not verify with the secret", async () => {
    await reset();
    sim.configure({ webhookFault: "bad-signature" });
    await create();
    const [d] = await hooks.waitFor(1);
    assert.equal(verify(d, "whsec_simulator"), "bad signature");
  });

  test("fault stale: correctly signed, but 10 minutes old", async () => {
    await reset();
    sim.configure({ webhookFault: "stale" });
    await create();
    const [d] = await hooks.waitFor(1);
    assert.equal(verify(d, "whsec_simulator"), "stale");
  });

  test("fault replay: the same signed delivery twice", async () => {
    await reset();
    sim.configure({ webhookFault: "replay" });
    await create();
    const [a, b] = await hooks.waitFor(2);
    assert.equal(a.body, b.body);
    assert.equal(a.headers["x-hopae-signature"], b.headers["x-hopae-signature"]);
    assert.equal(verify(b, "whsec_simulator"), null, "valid, so only dedup by eventId catches it");
  });

  test("a create's own webhookUrl wins; expiry is reported without anyone polling", async () => {
    await reset();
    const other = await receiver().start();
    try {
      sim.configure({ ttlMs: 100 });
      const id = await create({ providerId: "bankidse", webhookUrl: other.url });
      const events = (await other.waitFor(2)).map((d) => JSON.parse(d.body));
      assert.deepEqual(events.map((e) => [e.event, e.data.verificationId]), [["verification.created", id], ["verification.session.timed_out", id]]);
      assert.equal(hooks.deliveries.length, 0);
    } finally {
      sim.configure({ ttlMs: 1_800_000 });
      await other.close();
    }
  });
});
