// Several instances, one Redis: a real redis-server (Debian's package;
// .ci/run installs it) on a free loopback port with no persistence, started
// and stopped here. Two handler instances sharing it enforce one rate limit,
// one idempotency record and one onCompleted per verification, and two
// webhook endpoints handle an event once.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Redis from "ioredis";
import { createRedisStore, createWebhookHandler } from "../server/index.js";
import { fakeHopae, backend, Jar } from "./backend-fake.mjs";

const hasRedis = spawnSync("redis-server", ["--version"]).status === 0;
const skip = hasRedis ? false : "redis-server is not installed (apt-get install redis-server; .ci/run does it)";

async function freePort() {
  const server = createServer();
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

let redisProcess;
let dir;
let port;
const clients = [];
const connect = () => {
  const client = new Redis({ host: "127.0.0.1", port, lazyConnect: false, maxRetriesPerRequest: 2 });
  clients.push(client);
  return client;
};

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), "hopae-redis-"));
  port = await freePort();
  redisProcess = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], { stdio: ["ignore", "pipe", "pipe"] });
  // Ready when it says so (no fixed sleep).
  await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 10_000);
    redisProcess.stdout.on("data", (d) => {
      out += d;
      if (/Ready to accept connections/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
    redisProcess.on("exit", (code) => reject(new Error(`redis-server exited with ${code}: ${out}`)));
  });
});

after(async () => {
  for (const c of clients) c.disconnect();
  if (redisProcess) {
    const exited = new Promise((r) => redisProcess.once("exit", r));
    redisProcess.kill();
    await exited;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("Redis store shared by two instances", { skip }, () => {
  test("one rate limit across instances", async () => {
    const hopae = fakeHopae();
    const prefix = `t1:${Date.now()}:`;
    const [a, b] = [backend(hopae, { store: createRedisStore(connect(), { prefix }), rateLimit: { max: 4, windowMs: 60_000 } }), backend(hopae, { store: createRedisStore(connect(), { prefix }), rateLimit: { max: 4, windowMs: 60_000 } })];
    const jar = new Jar();
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await jar.create(i % 2 ? b : a)).status);
    assert.deepEqual(statuses, [201, 201, 201, 201, 429, 429]);
    const limited = await jar.create(a);
    assert.ok(Number(limited.headers.get("retry-after")) > 0 && Number(limited.headers.get("retry-after")) <= 60);
  });

  test("one idempotency record across instances: a retry landing on the other instance gets the same verification", async () => {
    const hopae = fakeHopae({ createDelayMs: 100 });
    const prefix = `t2:${Date.now()}:`;
    const [a, b] = [backend(hopae, { store: createRedisStore(connect(), { prefix }) }), backend(hopae, { store: createRedisStore(connect(), { prefix }) })];
    const jar = new Jar();
    const headers = { "Idempotency-Key": "0b6f1c8e-4a43-4c39-9d0e-8f3c1f0e6a21" };
    const first = jar.create(a, undefined, { headers });
    await new Promise((r) => setTimeout(r, 20));
    assert.equal((await jar.create(b, undefined, { headers })).status, 409, "in progress on the other instance");
    const original = await first;
    const replay = await jar.create(b, undefined, { headers });
    assert.equal(replay.headers.get("idempotency-replayed"), "true");
    assert.equal(replay.json.verificationId, original.json.verificationId);
    assert.equal(hopae.calls.filter((c) => c.method === "POST").length, 1);
    // And the binding made by one instance is honoured by the other (shared cookie secret).
    assert.equal((await jar.status(b, original.json.verificationId)).status, 200);
  });

  test("onCompleted once across instances", async () => {
    const hopae = fakeHopae();
    const prefix = `t3:${Date.now()}:`;
    const seen = [];
    const make = () => backend(hopae, { store: createRedisStore(connect(), { prefix }), onCompleted: (c) => void seen.push(c.verificationId) });
    const [a, b] = [make(), make()];
    const jar = new Jar();
    const { json } = await jar.create(a);
    hopae.sessions.get(json.verificationId).status = "completed";
    const cookie = jar.header();
    await Promise.all([a, b, a, b].map((h) => h(new Request(`https://shop.example/api/verifications/${json.verificationId}`, { headers: { Cookie: cookie } }))));
    assert.deepEqual(seen, [json.verificationId]);
  });

  test("a webhook event delivered to two instances is handled once", async () => {
    const prefix = `t4:${Date.now()}:`;
    const events = [];
    const make = () => createWebhookHandler({ secret: "s", store: createRedisStore(connect(), { prefix }), onEvent: (e) => void events.push(e.id) });
    const body = JSON.stringify({ event: "verification.completed", eventId: "evt_r", data: { verificationId: "v", status: "completed" } });
    const t = Math.floor(Date.now() / 1000);
    const signature = `t=${t},v1=${createHmac("sha256", "s").update(`${t}.${body}`).digest("hex")}`;
    const send = (h) => h(new Request("https://shop.example/hooks", { method: "POST", headers: { "X-Hopae-Signature": signature }, body }));
    const answers = await Promise.all([send(make()), send(make())]);
    assert.deepEqual(answers.map((r) => r.status), [200, 200]);
    assert.deepEqual(events, ["evt_r"]);
  });

  test("entries expire in Redis (no key without a TTL)", async () => {
    const client = connect();
    const store = createRedisStore(client, { prefix: "t5:" });
    await store.incr("c", 60_000);
    await store.setIfAbsent("k", "v", 60_000);
    for (const key of await client.keys("t5:*")) {
      const ttl = await client.pttl(key);
      assert.ok(ttl > 0 && ttl <= 60_000, `${key}: ${ttl}`);
    }
    assert.throws(() => createRedisStore({}), /ioredis client/);
  });
});
