// The simulator never crashes and never grows without bound (issue 10 item 6):
// malformed request targets get an answer and it still serves afterwards;
// /__sim/config is validated; the request log is bounded; ended sessions are
// forgotten.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import { createSimulator } from "../server/simulator.js";

const AUTH = { Authorization: `Basic ${Buffer.from("demo-client:demo-secret").toString("base64")}` };

/** Sends raw bytes and resolves to the status line of the answer ("" when the socket closed without one). */
function raw(url, text) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(text));
    let data = "";
    socket.setTimeout(5000, () => socket.destroy(new Error("no answer in 5 s")));
    socket.on("data", (chunk) => {
      data += chunk;
      if (data.includes("\r\n")) {
        socket.destroy();
        resolve(data.slice(0, data.indexOf("\r\n")));
      }
    });
    socket.on("close", () => resolve(data.split("\r\n")[0]));
    socket.on("error", reject);
  });
}

describe("malformed request targets", () => {
  let sim;
  before(async () => {
    sim = await createSimulator().listen();
  });
  after(() => sim.close());

  const still = async () => {
    const res = await fetch(`${sim.apiBase}/providers`, { headers: AUTH });
    assert.equal(res.status, 200, "it still serves");
  };

  for (const [what, request, status] of [
    ["a path of two slashes", "GET // HTTP/1.1\r\nHost: x\r\n\r\n", 404],
    ["a backslash path", "GET /\\ HTTP/1.1\r\nHost: x\r\n\r\n", 404],
    ["slashes before an API path", `GET //connect/v1/providers HTTP/1.1\r\nHost: x\r\n\r\n`, 401],
    ["TRACE", "TRACE / HTTP/1.1\r\nHost: x\r\n\r\n", 405],
    ["CONNECT", "CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: x\r\n\r\n", 405],
    ["an absolute-form target", "GET http://elsewhere.example/__sim/config HTTP/1.1\r\nHost: x\r\n\r\n", 200],
    ["a bad Host header", "GET /__sim/config HTTP/1.1\r\nHost: a b/c\r\n\r\n", 400],
    ["an over-long target", `GET /${"a".repeat(9000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 414],
    ["an asterisk target", "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", 400],
  ]) {
    test(`${what}: ${status}, and it goes on serving`, async () => {
      const line = await raw(sim.url, request);
      assert.match(line, new RegExp(`^HTTP/1\\.1 ${status} `), `${what} answered ${line}`);
      await still();
    });
  }

  test("an unknown control route or method is 404/405, an unknown API route 404", async () => {
    assert.equal((await fetch(`${sim.url}/__sim/nothing`)).status, 404);
    assert.equal((await fetch(`${sim.url}/__sim/config`, { method: "PUT" })).status, 405);
    assert.equal((await fetch(`${sim.apiBase}/nothing`, { headers: AUTH })).status, 404);
  });
});

describe("settings", () => {
  let sim;
  before(async () => {
    sim = await createSimulator().listen();
  });
  after(() => sim.close());
  const post = (body) => fetch(`${sim.url}/__sim/config`, { method: "POST", headers: { "Content-Type": "application/json" }, body });

  test("an invalid setting is a 400 naming it, and changes nothing", async () => {
    for (const [body, field] of [[{ ttlMs: "abc" }, "ttlMs"], [{ ttlMs: -1 }, "ttlMs"], [{ qrMode: "video" }, "qrMode"], [{ webhookUrl: "ftp://x" }, "webhookUrl"], [{ pollIntervalMs: 5, qrMode: "phone" }, "pollIntervalMs"], [{ clientSecret: "x" }, "clientSecret"], [{ colour: "red" }, "colour"]]) {
      const res = await post(JSON.stringify(body));
      assert.equal(res.status, 400);
      assert.match(res.headers.get("content-type"), /problem\+json/);
      const problem = await res.json();
      assert.equal(problem.field, field);
      assert.match(problem.detail, new RegExp(field));
    }
    assert.equal((await post("{nope")).status, 400);
    assert.equal(sim.config.ttlMs, 1_800_000);
    assert.equal(sim.config.qrMode, "bankid", "the valid half of a refused patch was not applied");
    const created = await fetch(`${sim.apiBase}/verifications`, { method: "POST", headers: AUTH, body: JSON.stringify({ providerId: "bankidse" }) });
    assert.equal(created.status, 201, "create still works");
  });

  test("createSimulator() refuses invalid options by name", () => {
    assert.throws(() => createSimulator({ ttlMs: "abc" }), /ttlMs/);
    assert.throws(() => createSimulator({ nonsense: 1 }), /nonsense/);
  });
});

describe("bounded memory", () => {
  test("the request log keeps the latest requestLogLimit entries; requestCount counts all", async () => {
    const sim = await createSimulator({ requestLogLimit: 50 }).listen();
    try {
      for (let i = 0; i < 120; i++) await fetch(`${sim.apiBase}/providers`, { headers: AUTH });
      assert.equal(sim.requests.length, 50);
      assert.equal(sim.requestCount, 120);
      const listed = await (await fetch(`${sim.url}/__sim/requests`)).json();
      assert.equal(listed.requests.length, 50);
      assert.equal(listed.total, 120);
    } finally {
      await sim.close();
    }
  });

  test("ended sessions are forgotten forgetEndedAfterMs after they ended; open ones are kept", async () => {
    let t = Date.parse("2026-01-01T00:00:00Z");
    const sim = await createSimulator({ now: () => t }).listen();
    try {
      const create = async () => (await (await fetch(`${sim.apiBase}/verifications`, { method: "POST", headers: AUTH, body: JSON.stringify({ providerId: "bankidse" }) })).json()).verificationId;
      const [done, open] = [await create(), await create()];
      sim.complete(done);
      t += 599_000;
      sim.prune();
      assert.ok(sim.sessions.has(done), "kept for 10 minutes");
      t += 2000;
      sim.prune();
      assert.ok(!sim.sessions.has(done), "forgotten after 10 minutes");
      assert.ok(sim.sessions.has(open));
      t = Date.parse("2026-01-01T00:30:00Z") + 599_000;
      sim.prune();
      assert.ok(sim.sessions.has(open), "expired (at 00:30) 599 s ago: kept");
      t += 1000;
      sim.prune();
      assert.equal(sim.sessions.size, 0, "expired 10 minutes ago: forgotten");
      // Pruning also runs by itself on a create, at most once a second.
      for (let i = 0; i < 64; i++) sim.complete(await create());
      t += 600_000;
      await create();
      assert.equal(sim.sessions.size, 1, "the 64 ended ones were forgotten by the next create");
    } finally {
      await sim.close();
    }
  });
});
