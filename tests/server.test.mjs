// The reference backend and the simulator over HTTP, without a browser:
// credentials stay server-side, input is validated, answers pass through.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { startDemo } from "../server/demo.js";
import { createVerificationHandler } from "../server/index.js";

let demo;
before(async () => { demo = await startDemo({ port: 0, simulator: { qrMode: "bankid" } }); });
after(async () => { await demo?.close(); });

const api = (path, init = {}) => fetch(`${demo.url}${path}`, { ...init, headers: { "Content-Type": "application/json", ...init.headers } });

describe("simulator", () => {
  test("refuses calls without the right Basic credentials", async () => {
    const none = await api("/api/v1/verifications", { method: "POST", body: '{"providerId":"bankidse"}' });
    assert.equal(none.status, 401);
    const body = await none.json();
    assert.equal(body.code, 100001);
    const wrong = await api("/api/v1/verifications/x", { headers: { Authorization: `Basic ${btoa("demo-client:nope")}` } });
    assert.equal(wrong.status, 401);
  });

  test("answers the guide's shapes and errors", async () => {
    const auth = { Authorization: `Basic ${btoa("demo-client:demo-secret")}` };
    const created = await api("/api/v1/verifications", { method: "POST", headers: auth, body: '{"providerId":"bankidse"}' });
    assert.equal(created.status, 201);
    const c = await created.json();
    assert.equal(c.status, "initiated");
    assert.equal(c.flowType, "qr");
    assert.match(c.flowDetails.qrData, /^bankid\./);
    assert.ok(Date.parse(c.expiresAt) > Date.now());
    const disabled = await api("/api/v1/verifications", { method: "POST", headers: auth, body: '{"providerId":"idin"}' });
    assert.equal((await disabled.json()).code, 400002);
    const missing = await api("/api/v1/verifications/nope", { headers: auth });
    assert.equal(missing.status, 404);
    assert.equal((await missing.json()).code, 300001);
    const cancel = await api(`/api/v1/verifications/${c.verificationId}`, { method: "DELETE", headers: auth });
    assert.equal(cancel.status, 204);
    const again = await api(`/api/v1/verifications/${c.verificationId}`, { method: "DELETE", headers: auth });
    assert.equal((await again.json()).code, 300003);
  });
});

describe("reference backend", () => {
  test("creates and reads a verification without the browser sending credentials", async () => {
    const created = await api("/api/verifications", { method: "POST", body: '{"providerId":"bankidse","clientSecret":"x"}' });
    assert.equal(created.status, 201);
    const { verificationId } = await created.json();
    const status = await api(`/api/verifications/${verificationId}`);
    assert.equal(status.status, 200);
    assert.equal((await status.json()).status, "initiated");
    const stored = demo.simulator.sessions.get(verificationId).request;
    assert.deepEqual(stored, { providerId: "bankidse" }, "only allow-listed fields are forwarded");
  });

  test("validates what it forwards", async () => {
    for (const body of ["not json", "[]", '{"providerId":"../../admin"}', "{}"]) {
      const res = await api("/api/verifications", { method: "POST", body });
      assert.equal(res.status, 400, body);
      assert.match((await res.json()).title, /^VALIDATION_/);
    }
    const badId = await api("/api/verifications/..%2F..%2Fproviders");
    assert.equal(badId.status, 404);
    const nested = await api("/api/verifications/a/b");
    assert.equal(nested.status, 404);
    const wrongMethod = await api("/api/verifications/abc", { method: "PUT" });
    assert.equal(wrongMethod.status, 405);
  });

  test("passes Hopae's errors through and reports an unreachable Hopae as 502", async () => {
    const gone = await api("/api/verifications/abcdef");
    assert.equal(gone.status, 404);
    assert.equal((await gone.json()).code, 300001);

    const handler = createVerificationHandler({ clientId: "a", clientSecret: "b", apiBase: "http://127.0.0.1:9/v1" });
    const res = await new Promise((resolve) => {
      const out = { status: 0, headers: {}, body: "" };
      handler(
        Object.assign(Readable.from([Buffer.from('{"providerId":"bankidse"}')]), { method: "POST", url: "/", headers: {} }),
        { writeHead(s, h) { out.status = s; out.headers = h; return this; }, end(b) { out.body = b; resolve(out); }, headersSent: false },
      );
    });
    assert.equal(res.status, 502);
    assert.equal(JSON.parse(res.body).title, "UPSTREAM_UNREACHABLE");
  });

  test("refuses to start without credentials", () => {
    assert.throws(() => createVerificationHandler({}), /clientId and clientSecret/);
  });
});
