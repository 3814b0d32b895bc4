// The simulator as a test tool (issue 14 item 5): createSimulator() with its
// control methods, the phone page in standalone mode, the time-based animated
// BankID code, Idempotency-Key, and the `hopae-simulator` bin.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { fileURLToPath } from "node:url";
import { createSimulator } from "../server/simulator.js";
import { parseCli } from "../server/simulator-cli.js";

const AUTH = { Authorization: `Basic ${Buffer.from("demo-client:demo-secret").toString("base64")}` };
const post = (url, body, headers = {}) => fetch(url, { method: "POST", headers: { ...AUTH, "Content-Type": "application/json", ...headers }, body: JSON.stringify(body) });

describe("createSimulator()", () => {
  let sim;
  before(async () => {
    sim = await createSimulator().listen();
  });
  after(() => sim.close());

  test("listen() gives url and apiBase; complete/fail/expire/cancel/setStatus move sessions", async () => {
    assert.match(sim.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(sim.apiBase, `${sim.url}/connect/v1`);
    assert.equal(sim.guideApiBase, `${sim.url}/api/v1`);
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await (await post(`${sim.apiBase}/verifications`, { providerId: "bankidse" })).json()).verificationId);
    sim.complete(ids[0]);
    sim.fail(ids[1], "USER_CANCELLED", "The user cancelled in the app");
    sim.expire(ids[2]);
    sim.cancel(ids[3]);
    sim.setStatus(ids[4], "authenticating");
    const status = async (id) => (await (await fetch(`${sim.apiBase}/verifications/${id}`, { headers: AUTH })).json());
    assert.deepEqual(await Promise.all(ids.map(async (id) => (await status(id)).status)), ["completed", "failed", "expired", "cancelled", "authenticating"]);
    assert.deepEqual((await status(ids[1])).error.code, "USER_CANCELLED");
    assert.throws(() => sim.complete(ids[0]), /already completed/);
    assert.throws(() => sim.complete("nope"), /no such verification/);
    assert.equal(sim.get(ids[0]).status, "completed");
  });

  test("the phone page approves a verification (standalone: qrMode phone points the QR at it)", async () => {
    sim.configure({ qrMode: "phone" });
    try {
      const created = await (await post(`${sim.apiBase}/verifications`, { providerId: "frejaid" })).json();
      assert.equal(created.flowDetails.qrData, `${sim.url}/__sim/phone/${created.verificationId}`);
      const page = await fetch(created.flowDetails.qrData);
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.match(html, /Approve as Anders Eriksson/);
      assert.equal(sim.get(created.verificationId).status, "awaiting_user_action", "opening the page is the scan");
      const approved = await fetch(`${created.flowDetails.qrData}/approve`, { method: "POST" });
      assert.match(await approved.text(), /Approved\./);
      assert.equal(sim.get(created.verificationId).status, "completed");
    } finally {
      sim.configure({ qrMode: "bankid" });
    }
  });

  test("the animated code is BankID's: bankid.<token>.<seconds since start>.<HMAC(secret, seconds)>", async () => {
    let t = 1_000_000;
    const clocked = await createSimulator({ now: () => t, animatedQr: true }).listen();
    try {
      const created = await (await post(`${clocked.apiBase}/verifications`, { providerId: "bankidse" })).json();
      const read = async () => (await (await fetch(`${clocked.apiBase}/verifications/${created.verificationId}`, { headers: AUTH })).json()).flowDetails.qrData;
      const s = clocked.sessions.get(created.verificationId);
      const expect = (n) => `bankid.${s.qrStartToken}.${n}.${createHmac("sha256", s.qrStartSecret).update(String(n)).digest("hex")}`;
      assert.equal(created.flowDetails.qrData, expect(0));
      t += 999;
      assert.equal(await read(), expect(0), "the same code within the second, however often polled");
      assert.equal(await read(), expect(0));
      t += 1;
      assert.equal(await read(), expect(1), "a new code each second");
      t += 7000;
      assert.equal(await read(), expect(8), "seconds since start, not polls");
      t += 3000;
      assert.equal(clocked.get(created.verificationId).qrData, expect(8), "the control view shows the code last served, not the current one");
      assert.equal(await read(), expect(11));
      assert.equal(clocked.get(created.verificationId).qrData, expect(11));
    } finally {
      await clocked.close();
    }
  });
});

describe("Idempotency-Key on create", () => {
  let sim;
  before(async () => {
    sim = await createSimulator().listen();
  });
  after(() => sim.close());
  const url = () => `${sim.apiBase}/verifications`;

  test("the same key and body: the same verification, marked as replayed", async () => {
    const first = await post(url(), { providerId: "bankidse" }, { "Idempotency-Key": "k1" });
    const again = await post(url(), { providerId: "bankidse" }, { "Idempotency-Key": "k1" });
    assert.equal(first.status, 201);
    assert.equal(again.status, 201);
    assert.equal(first.headers.get("idempotency-replayed"), null);
    assert.equal(again.headers.get("idempotency-replayed"), "true");
    assert.equal((await again.json()).verificationId, (await first.json()).verificationId);
    assert.equal(sim.sessions.size, 1);
  });

  test("the same key with another body: 409 IDEMPOTENCY_KEY_CONFLICT", async () => {
    await post(url(), { providerId: "bankidse" }, { "Idempotency-Key": "k2" });
    const res = await post(url(), { providerId: "frejaid" }, { "Idempotency-Key": "k2" });
    assert.equal(res.status, 409);
    assert.equal((await res.json()).title, "IDEMPOTENCY_KEY_CONFLICT");
  });

  test("while the first is in progress: 409 IDEMPOTENCY_REQUEST_IN_PROGRESS; a 4xx is remembered too", async () => {
    sim.addFault({ op: "create", kind: "delay", delayMs: 300, times: 1 });
    const slow = post(url(), { providerId: "bankidse" }, { "Idempotency-Key": "k3" });
    // Wait until the first request is in (the key is recorded before the delay).
    for (const deadline = Date.now() + 3000; !sim.requests.some((r) => r.method === "POST") && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 10));
    const during = await post(url(), { providerId: "bankidse" }, { "Idempotency-Key": "k3" });
    assert.equal(during.status, 409);
    assert.equal((await during.json()).title, "IDEMPOTENCY_REQUEST_IN_PROGRESS");
    assert.equal((await slow).status, 201);
    const refused = await post(url(), { providerId: "smartid" }, { "Idempotency-Key": "k4" });
    const replayed = await post(url(), { providerId: "smartid" }, { "Idempotency-Key": "k4" });
    assert.equal(refused.status, 400);
    assert.equal(replayed.status, 400);
    assert.equal(replayed.headers.get("idempotency-replayed"), "true");
  });

  test("an over-long key is refused", async () => {
    const res = await post(url(), { providerId: "bankidse" }, { "Idempotency-Key": "k".repeat(256) });
    assert.equal(res.status, 400);
  });
});

describe("the hopae-simulator bin", () => {
  test("options parse; bad ones are refused", () => {
    const cli = parseCli(["--port", "0", "--client-id", "shop", "--client-secret", "s", "--qr", "bankid", "--webhook-url", "http://127.0.0.1:1/h", "--no-require-user-data"], {});
    assert.equal(cli.port, 0);
    assert.deepEqual(cli.options, { clientId: "shop", clientSecret: "s", qrMode: "bankid", webhookUrl: "http://127.0.0.1:1/h", requireUserData: false });
    assert.equal(parseCli([], {}).options.qrMode, "phone", "standalone, the QR opens the phone page");
    assert.throws(() => parseCli(["--port", "x"], {}), /--port/);
    assert.throws(() => parseCli(["--colour"], {}), /colour/);
  });

  test("prints its API root and control URLs, serves, and stops on SIGTERM", async () => {
    const bin = fileURLToPath(new URL("../server/simulator-cli.js", import.meta.url));
    const child = spawn(process.execPath, [bin, "--port", "0", "--client-id", "shop", "--client-secret", "s3"], { stdio: ["ignore", "pipe", "pipe"] });
    try {
      let out = "";
      const apiBase = await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no API root printed: ${out}`)), 10_000);
        child.stdout.on("data", (c) => {
          out += c;
          const m = /API root \(current\):\s+(\S+)/.exec(out);
          if (m && out.includes("Stop with")) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        });
        child.once("exit", (code) => reject(new Error(`exited ${code}: ${out}`)));
      });
      assert.match(out, /\/__sim\/verifications\/\{id\}\/complete/);
      const root = apiBase.replace(/\/connect\/v1$/, "");
      const auth = { Authorization: `Basic ${Buffer.from("shop:s3").toString("base64")}` };
      const created = await (await fetch(`${apiBase}/verifications`, { method: "POST", headers: auth, body: JSON.stringify({ providerId: "bankidse" }) })).json();
      assert.equal(created.flowDetails.qrData, `${root}/__sim/phone/${created.verificationId}`);
      await fetch(`${root}/__sim/verifications/${created.verificationId}/complete`, { method: "POST" });
      assert.equal((await (await fetch(`${apiBase}/verifications/${created.verificationId}`, { headers: auth })).json()).status, "completed");
    } finally {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      assert.equal(await exited, 0);
    }
  });
});

describe("sim.fetch, the web-standard handler", () => {
  test("answers a Request without any server, and says which paths are its own", async () => {
    const sim = createSimulator();
    const auth = { Authorization: `Basic ${btoa("demo-client:demo-secret")}` };
    const created = await sim.fetch(new Request("http://sim.test/connect/v1/verifications", { method: "POST", headers: auth, body: JSON.stringify({ providerId: "mitid" }) }));
    assert.equal(created.status, 201);
    const { verificationId } = await created.json();
    sim.complete(verificationId);
    const status = await sim.fetch(new Request(`http://sim.test/api/v1/verifications/${verificationId}`, { headers: auth }));
    assert.equal((await status.json()).verifiedAttributes.family_name, "Eriksson");
    assert.equal(sim.fetch.handles("/connect/v1/providers"), true);
    assert.equal(sim.fetch.handles("/api/verifications"), false, "the backend's path is not the simulator's");
    assert.equal((await sim.fetch(new Request("http://sim.test/elsewhere"))).status, 404);
  });

  test("an injected connection reset is a body that errors", async () => {
    const sim = createSimulator();
    sim.addFault({ op: "providers", kind: "reset", times: 1 });
    const res = await sim.fetch(new Request("http://sim.test/connect/v1/providers", { headers: { Authorization: `Basic ${btoa("demo-client:demo-secret")}` } }));
    await assert.rejects(res.text(), /reset/);
  });
});
