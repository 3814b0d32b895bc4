// Issue 11's backend items: user data (forwarded, checked per provider,
// or supplied by the site), the other documented create fields, the two
// meanings of `provider_id`, what a dc flow needs, and cross-origin use.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { fakeHopae, backend, Jar } from "./backend-fake.mjs";
import { startDemo } from "../server/demo.js";

const lastCreate = (hopae) => hopae.calls.filter((c) => c.method === "POST").at(-1)?.body;

describe("user data", () => {
  test("Smart-ID's registrationId is forwarded; missing or malformed is a 400 naming the field", async () => {
    const hopae = fakeHopae();
    const handler = backend(hopae);
    const jar = new Jar();
    const missing = await jar.create(handler, { providerId: "smartid" });
    assert.equal(missing.status, 400);
    assert.equal(missing.json.field, "userData.registrationId");
    assert.match(missing.json.detail, /PNOEE-30303039914/, "the detail shows the expected form");
    for (const bad of ["30303039914", "PNOee-1", "PNOEE-1; DROP", { x: 1 }]) {
      const res = await jar.create(handler, { providerId: "smartid", userData: { registrationId: bad } });
      assert.equal(res.status, 400, JSON.stringify(bad));
      assert.equal(res.json.field, "userData.registrationId");
    }
    assert.equal(hopae.calls.length, 0, "none of it reached Hopae");
    const ok = await jar.create(handler, { providerId: "smartid", userData: { registrationId: "PNOEE-30303039914" } });
    assert.equal(ok.status, 201);
    assert.deepEqual(lastCreate(hopae).userData, { registrationId: "PNOEE-30303039914" });
  });

  test("SK Mobile-ID needs a phone number and a personal code", async () => {
    const hopae = fakeHopae();
    const handler = backend(hopae);
    const jar = new Jar();
    assert.equal((await jar.create(handler, { providerId: "skmobileid", userData: { phoneNumber: "+37200000766" } })).json.field, "userData.nationalIdentityNumber");
    assert.equal((await jar.create(handler, { providerId: "skmobileid", userData: { phoneNumber: "5550100", nationalIdentityNumber: "60001019906" } })).json.field, "userData.phoneNumber");
    assert.equal((await jar.create(handler, { providerId: "skmobileid", userData: { phoneNumber: "+37200000766", nationalIdentityNumber: "60001019906" } })).status, 201);
  });

  test("any provider: userData is an object of short strings", async () => {
    const handler = backend(fakeHopae());
    const jar = new Jar();
    assert.equal((await jar.create(handler, { providerId: "bankidse", userData: "198507124567" })).json.field, "userData");
    assert.equal((await jar.create(handler, { providerId: "bankidse", userData: { personalNumber: "x".repeat(200) } })).json.field, "userData.personalNumber");
    assert.equal((await jar.create(handler, { providerId: "bankidse", userData: { personalNumber: "198507124567" } })).status, 201);
  });

  test("the site can supply userData server-side (from its own user record); it wins over the browser's", async () => {
    const hopae = fakeHopae();
    const handler = backend(hopae, { userData: async (request, { providerId }) => (providerId === "smartid" ? { registrationId: "PNOLV-329999-99901" } : undefined) });
    const jar = new Jar();
    const res = await jar.create(handler, { providerId: "smartid", userData: { registrationId: "PNOEE-30303039914" } });
    assert.equal(res.status, 201);
    assert.deepEqual(lastCreate(hopae).userData, { registrationId: "PNOLV-329999-99901" });
  });
});

describe("other documented create fields", () => {
  test("purpose, matchData, returnContext.state and metadata are checked and forwarded; the site can set them", async () => {
    const hopae = fakeHopae();
    const handler = backend(hopae, { purpose: "login" });
    const jar = new Jar();
    const fields = { referenceId: "ORDER-1", matchData: { fullName: "Test User", dateOfBirth: "1990-01-01" }, returnContext: { state: "s-123" }, metadata: { cart: 42 }, requestedLoa: 3, loaStrategy: "min" };
    assert.equal((await jar.create(handler, { providerId: "bankidse", ...fields, privateMode: true, clientSecret: "x" })).status, 201);
    assert.deepEqual(lastCreate(hopae), { providerId: "bankidse", purpose: "login", ...fields }, "documented fields only, purpose defaulted by the option");
    assert.equal((await jar.create(handler, { providerId: "bankidse", purpose: "account_opening" })).status, 201);
    assert.equal(lastCreate(hopae).purpose, "account_opening", "the page may name its purpose");

    const strict = backend(hopae, { createFields: () => ({ purpose: "age_check", metadata: { tenant: "t1" }, referenceId: "SERVER-REF" }) });
    await jar.create(strict, { providerId: "bankidse", referenceId: "from-browser", metadata: { tenant: "evil" } });
    assert.deepEqual(lastCreate(hopae), { providerId: "bankidse", referenceId: "SERVER-REF", purpose: "age_check", metadata: { tenant: "t1" } }, "server-set fields win");
  });
});

describe("provider_id means two things: providerId and personalNumber", () => {
  test("guide generation: verifiedAttributes.provider_id is the user's personal number", async () => {
    const hopae = fakeHopae();
    const seen = [];
    const handler = backend(hopae, { exposeAttributes: ["sub", "name", "providerId", "personalNumber"], onCompleted: (c) => void seen.push(c) });
    const jar = new Jar();
    const { json } = await jar.create(handler);
    Object.assign(hopae.sessions.get(json.verificationId), { status: "completed", verifiedAttributes: { sub: "s1", name: "Anders Eriksson", eid: "bankidse", provider_id: "198507124567" } });
    const done = await jar.status(handler, json.verificationId);
    assert.deepEqual(done.json.verifiedAttributes, { sub: "s1", name: "Anders Eriksson", providerId: "bankidse", personalNumber: "198507124567" });
    assert.equal(seen[0].attributes.subjectId, "198507124567");
    assert.equal(seen[0].claims.provider_id, "198507124567", "onCompleted keeps the raw claims");
  });

  test("current generation: /userinfo's provider_id is the provider; the personal number is under provenance credentials", async () => {
    const userinfo = {
      sub: "s2",
      user: { name: "Anders Eriksson" },
      provider_id: "bankidse",
      amr: { methods: ["bankidse"] },
      provenance: { presentation: { credentials: [{ format: "bankid", claims: { personal_number: "198507124567" } }] } },
      verification_model: "disclosure",
    };
    const hopae = fakeHopae({ userinfo });
    const seen = [];
    const handler = backend(hopae, { exposeAttributes: ["sub", "name", "providerId", "personalNumber"], onCompleted: (c) => void seen.push(c) });
    const jar = new Jar();
    const { json } = await jar.create(handler);
    hopae.sessions.get(json.verificationId).status = "completed";
    const done = await jar.status(handler, json.verificationId);
    assert.deepEqual(done.json.verifiedAttributes, { sub: "s2", name: "Anders Eriksson", providerId: "bankidse", personalNumber: "198507124567" });
    assert.deepEqual(seen[0].claims, userinfo);
    assert.equal(seen[0].providerId, "bankidse");
  });
});

describe("digital credentials and actions", () => {
  test("a dc flow's request, options and expected origins reach the browser; an action keeps type, url and message", async () => {
    const request = { protocol: "openid4vp", data: { nonce: "n", dcql_query: { credentials: [{ id: "pid", format: "dc+sd-jwt" }] } } };
    const hopae = fakeHopae({ status: { flowType: "dc", flowDetails: { request, options: { mode: "native", platform: "android", secret: "x" }, expected_origins: ["https://shop.example"], sessionData: { internal: 1 } }, action: { type: "redirect", url: "https://liveness.example/x", message: "Complete the liveness check", metadata: { internal: true } } } });
    const res = await new Jar().create(backend(hopae));
    assert.deepEqual(res.json.flowDetails, { request, options: { mode: "native", platform: "android" }, expected_origins: ["https://shop.example"] });
    assert.deepEqual(res.json.action, { type: "redirect", url: "https://liveness.example/x", message: "Complete the liveness check" });
  });
});

describe("cross-origin pages (allowedOrigins)", () => {
  test("preflight, credentials and a SameSite=None; Secure binding for a listed origin; a 403 naming the fix otherwise", async () => {
    const handler = backend(fakeHopae(), { allowedOrigins: ["https://partner.example"] });
    const preflight = await handler(new Request("https://api.shop.example/api/verifications", { method: "OPTIONS", headers: { Origin: "https://partner.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type, idempotency-key" } }));
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get("access-control-allow-origin"), "https://partner.example");
    assert.equal(preflight.headers.get("access-control-allow-credentials"), "true");
    assert.match(preflight.headers.get("access-control-allow-headers"), /Idempotency-Key/);
    const jar = new Jar("https://api.shop.example");
    const created = await jar.create(handler, undefined, { headers: { Origin: "https://partner.example", "Sec-Fetch-Site": "cross-site" } });
    assert.equal(created.status, 201);
    assert.equal(created.headers.get("access-control-allow-origin"), "https://partner.example");
    assert.match(created.setCookies[0], /SameSite=None; Secure/);
    const status = await jar.status(handler, created.json.verificationId, { headers: { Origin: "https://partner.example", "Sec-Fetch-Site": "cross-site" } });
    assert.equal(status.status, 200);
    const evil = await jar.create(handler, undefined, { headers: { Origin: "https://evil.example", "Sec-Fetch-Site": "cross-site" } });
    assert.equal(evil.status, 403);
    assert.equal(evil.headers.get("access-control-allow-origin"), null);
    assert.match(evil.json.detail, /allowedOrigins/);
    const noCors = await handler(new Request("https://api.shop.example/api/verifications", { method: "OPTIONS", headers: { Origin: "https://evil.example", "Access-Control-Request-Method": "POST" } }));
    assert.equal(noCors.headers.get("access-control-allow-origin"), null);
  });

  test("Go's CrossOriginProtection rules: same-origin/none pass, other Sec-Fetch-Site refused, no headers pass, Origin host must match", async () => {
    const handler = backend(fakeHopae(), { rateLimit: { max: 100, windowMs: 60_000 } });
    const post = (headers) => handler(new Request("http://localhost:5173/api/verifications", { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: '{"providerId":"bankidse"}' }), { clientAddress: "127.0.0.1" });
    const cases = [
      [{ "Sec-Fetch-Site": "same-origin", Origin: "http://localhost:5173" }, 201],
      [{ "Sec-Fetch-Site": "none" }, 201],
      [{}, 201],
      [{ Origin: "http://localhost:5173" }, 201],
      // The Vite dev proxy forwards the page's Origin with changeOrigin: Host is then the backend's own.
      [{ Origin: "http://localhost:5173", Host: "localhost:5173" }, 201],
      [{ "Sec-Fetch-Site": "same-site", Origin: "http://app.localhost:5173" }, 403],
      [{ "Sec-Fetch-Site": "cross-site" }, 403],
      [{ Origin: "http://evil.example" }, 403],
      [{ Origin: "null" }, 403],
    ];
    for (const [headers, want] of cases) assert.equal((await post(headers)).status, want, JSON.stringify(headers));
  });
});

describe("the demo uses the server-side userData option", () => {
  test("Smart-ID through the demo starts with the page's userData, or the demo's test identity", async () => {
    const demo = await startDemo({ port: 0 });
    try {
      const post = (body) => fetch(`${demo.url}/api/verifications`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }).then((r) => r.json());
      const a = await post({ providerId: "smartid" });
      assert.deepEqual(demo.simulator.sessions.get(a.verificationId).request.userData, { registrationId: "PNOEE-30303039914" });
      const b = await post({ providerId: "smartid", userData: { registrationId: "PNOLT-40504040001" } });
      assert.deepEqual(demo.simulator.sessions.get(b.verificationId).request.userData, { registrationId: "PNOLT-40504040001" });
    } finally {
      await demo.close();
    }
  });
});
