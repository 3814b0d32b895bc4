// The reference backend (hopae-connect-widget/server) against the simulator,
// over HTTP, as browsers and a site's server would use it: credentials stay
// server-side, input is validated, each verification answers only to the
// browser that created it, both API generations look the same to the widget,
// and every simulator fault comes through in a shape the widget can read.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { startDemo } from "../server/demo.js";
import { createVerificationHandler, toNodeHandler } from "../server/index.js";

/** A browser: keeps the cookies the backend sets, sends them back. */
class Browser {
  constructor(base) {
    this.base = base;
    this.cookies = new Map();
  }
  async request(method, path, body, headers = {}) {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const res = await fetch(this.base + path, {
      method,
      headers: { ...(body !== undefined ? { "Content-Type": "application/json" } : {}), ...(cookie ? { Cookie: cookie } : {}), ...headers },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const i = pair.indexOf("=");
      this.cookies.set(pair.slice(0, i), pair.slice(i + 1));
    }
    const text = await res.text();
    let json;
    try { json = JSON.parse(text); } catch { json = undefined; }
    return { status: res.status, headers: res.headers, text, json, setCookies: res.headers.getSetCookie() };
  }
  create(providerId = "bankidse", extra = {}) {
    return this.request("POST", "/api/verifications", { providerId, ...extra });
  }
  status(id) {
    return this.request("GET", `/api/verifications/${id}`);
  }
}

const control = (demo, path, body) => fetch(`${demo.url}/__sim${path}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body ?? {}) }).then((r) => r.json());

const completed = [];
const demos = {};
before(async () => {
  for (const generation of ["current", "guide"]) {
    demos[generation] = await startDemo({
      port: 0,
      generation,
      backend: {
        allowedProviders: ["bankidse", "frejaid", "smartid", "mitid", "idin"],
        onCompleted: (result) => {
          completed.push(result);
          return { "Set-Cookie": `site_session=${result.attributes.sub}; Path=/; HttpOnly` };
        },
      },
    });
  }
});
after(async () => {
  for (const demo of Object.values(demos)) await demo.close();
});

for (const generation of ["current", "guide"]) {
  describe(`reference backend on the ${generation} API generation`, () => {
    test("creates, binds to the creating browser, and reads a verification", async () => {
      const demo = demos[generation];
      const alice = new Browser(demo.url);
      const created = await alice.create("bankidse", { locale: "sv", clientSecret: "x", webhookUrl: "https://evil.example/" });
      assert.equal(created.status, 201);
      const { verificationId } = created.json;
      assert.equal(created.setCookies.length, 1);
      assert.match(created.setCookies[0], /^hopae_[0-9a-f]{16}=[0-9a-z]+\.[\w-]{22}; Max-Age=\d+; Path=\/api\/verifications; HttpOnly; SameSite=Strict$/);
      const maxAge = Number(created.setCookies[0].match(/Max-Age=(\d+)/)[1]);
      const expiresIn = (Date.parse(created.json.expiresAt) - Date.now()) / 1000;
      assert.ok(maxAge <= 3600 && Math.abs(maxAge - (expiresIn + 60)) < 5, `the binding lives as long as the verification (+60 s): ${maxAge}`);
      assert.doesNotMatch(created.setCookies[0], new RegExp(verificationId), "the cookie does not carry the id itself");
      assert.deepEqual(demo.simulator.sessions.get(verificationId).request, { providerId: "bankidse", locale: "sv", redirectUri: `${demo.url}/` }, "only documented fields (and the site's redirectUri) are forwarded");
      const read = await alice.status(verificationId);
      assert.equal(read.status, 200);
      assert.equal(read.json.status, "initiated");
      assert.match(read.json.flowDetails.qrData, /^bankid\./);
    });

    test("another browser gets 404 for the same id, exactly as for an unknown one", async () => {
      const demo = demos[generation];
      const alice = new Browser(demo.url);
      const mallory = new Browser(demo.url);
      const { json } = await alice.create();
      await control(demo, `/verifications/${json.verificationId}/complete`);
      const stolen = await mallory.status(json.verificationId);
      const unknown = await mallory.status("0123456789abcdef");
      assert.equal(stolen.status, 404);
      assert.deepEqual(stolen.json, unknown.json);
      assert.equal(stolen.json.title, "SESSION_NOT_FOUND");
      // A forged cookie of the right name does not help either.
      const forged = new Browser(demo.url);
      const [name] = [...alice.cookies.keys()];
      forged.cookies.set(name, `${(Math.floor(Date.now() / 1000) + 600).toString(36)}.${"A".repeat(22)}`);
      assert.equal((await forged.status(json.verificationId)).status, 404);
      assert.equal((await mallory.request("DELETE", `/api/verifications/${json.verificationId}`)).status, 404);
      assert.equal((await alice.status(json.verificationId)).json.status, "completed");
    });

    test("completion returns the exposed attributes only, in one shape, and tells the site", async () => {
      const demo = demos[generation];
      const alice = new Browser(demo.url);
      const { json } = await alice.create("frejaid");
      await control(demo, `/verifications/${json.verificationId}/complete`);
      const done = await alice.status(json.verificationId);
      assert.equal(done.status, 200);
      assert.equal(done.json.status, "completed");
      assert.deepEqual(Object.keys(done.json.verifiedAttributes).sort(), ["family_name", "given_name", "name", "sub"]);
      assert.equal(done.json.verifiedAttributes.given_name, "Anders");
      assert.equal(done.json.authorizationCode, undefined);
      const seen = completed.find((c) => c.verificationId === json.verificationId);
      assert.ok(seen, "onCompleted ran");
      assert.equal(seen.attributes.birthdate, "1985-07-12", "the site's server sees every attribute");
      assert.ok(done.setCookies.some((c) => c.startsWith("site_session=")), "onCompleted can set headers");
    });

    test("each browser may run several verifications at once", async () => {
      const demo = demos[generation];
      const alice = new Browser(demo.url);
      const ids = [];
      for (let i = 0; i < 5; i++) ids.push((await alice.create()).json.verificationId);
      for (const id of ids) assert.equal((await alice.status(id)).status, 200);
    });

    test("cancel goes through for the creating browser", async () => {
      const demo = demos[generation];
      const alice = new Browser(demo.url);
      const { json } = await alice.create("smartid", { userData: { registrationId: "PNOEE-30303039914" } });
      const res = await alice.request("DELETE", `/api/verifications/${json.verificationId}`);
      assert.equal(res.status, 204);
      assert.equal(demo.simulator.sessions.get(json.verificationId).status, "cancelled");
      assert.match(res.setCookies[0], /^hopae_[0-9a-f]{16}=; Max-Age=0;/, "the ended verification's binding is cleared");
      assert.equal((await alice.status(json.verificationId)).status, 404);
    });
  });
}

describe("validation", () => {
  test("only well-formed, allowed input reaches Hopae", async () => {
    const demo = demos.current;
    const before = demo.simulator.requests.length;
    const b = new Browser(demo.url);
    const cases = [
      ["not json", 400, "INVALID_JSON"],
      ["[]", 400, "INVALID_BODY"],
      ["{}", 400, "INVALID_PROVIDER_ID"],
      ['{"providerId":"../../admin"}', 400, "INVALID_PROVIDER_ID"],
      ['{"providerId":"spid-ig"}', 400, "PROVIDER_NOT_ENABLED"],
      [JSON.stringify({ providerId: "bankidse", pad: "x".repeat(20_000) }), 413, "BODY_TOO_LARGE"],
    ];
    for (const [body, status, title] of cases) {
      const res = await b.request("POST", "/api/verifications", body);
      assert.equal(res.status, status, body.slice(0, 40));
      assert.equal(res.json.title, title);
      assert.equal(res.json.status, status, "its own errors are in Hopae's problem shape");
      assert.match(res.headers.get("content-type"), /application\/problem\+json/);
    }
    for (const [method, path, status] of [
      ["GET", "/api/verifications/..%2F..%2Fproviders", 404],
      ["GET", "/api/verifications/a/b", 404],
      ["GET", "/api/verifications/" + "a".repeat(200), 404],
      ["PUT", "/api/verifications/abc", 405],
      ["GET", "/api/verifications", 405],
    ]) {
      assert.equal((await b.request(method, path)).status, status, `${method} ${path}`);
    }
    assert.equal(demo.simulator.requests.length, before, "none of it was forwarded");
  });

  test("a disabled provider's error from Hopae passes through", async () => {
    const res = await new Browser(demos.guide.url).create("idin");
    assert.equal(res.status, 400);
    assert.equal(res.json.code, 400002);
  });

  test("refuses to start without credentials", () => {
    assert.throws(() => createVerificationHandler({}), /clientId and clientSecret/);
  });
});

describe("every simulator fault reaches the widget in a readable form", () => {
  const demo = () => demos.current;
  async function withFault(fault, op = "status") {
    const b = new Browser(demo().url);
    const { json } = await b.create();
    await control(demo(), "/faults", { op, times: 1, verificationId: op === "create" ? undefined : json.verificationId, ...fault });
    return op === "create" ? b.create() : b.status(json.verificationId);
  }
  for (const status of [500, 502, 503]) {
    test(`HTTP ${status} passes through`, async () => {
      const res = await withFault({ kind: "http", status });
      assert.equal(res.status, status);
      assert.equal(res.json.status, status);
    });
  }
  test("429 keeps its Retry-After", async () => {
    const res = await withFault({ kind: "rate-limit", retryAfter: 3 });
    assert.equal(res.status, 429);
    assert.equal(res.headers.get("retry-after"), "3");
  });
  test("a reset becomes 502 UPSTREAM_UNREACHABLE", async () => {
    const res = await withFault({ kind: "reset" });
    assert.equal(res.status, 502);
    assert.equal(res.json.title, "UPSTREAM_UNREACHABLE");
  });
  test("a delay longer than timeoutMs becomes 504", async () => {
    const slow = await startDemo({ port: 0, backend: { timeoutMs: 150 } });
    try {
      const b = new Browser(slow.url);
      const { json } = await b.create();
      await control(slow, "/faults", { op: "status", kind: "delay", delayMs: 400, times: 1 });
      const res = await b.status(json.verificationId);
      assert.equal(res.status, 504);
      assert.equal(res.json.title, "UPSTREAM_TIMEOUT");
    } finally {
      await slow.close();
    }
  });
  test("a body that is not JSON becomes a 502 problem, never HTML from the site's origin", async () => {
    const res = await withFault({ kind: "not-json" });
    assert.equal(res.status, 502);
    assert.equal(res.json.title, "UPSTREAM_BAD_RESPONSE");
    assert.match(res.headers.get("content-type"), /application\/problem\+json/);
    assert.doesNotMatch(res.text, /Bad Gateway|<html/i);
  });
  test("wrong shape reaches the widget allow-listed (nothing of it), an unknown status passes through", async () => {
    const wrong = await withFault({ kind: "wrong-shape" });
    assert.equal(wrong.status, 200);
    assert.deepEqual(wrong.json, {}, "the widget sees no status and reports the shape");
    assert.equal((await withFault({ kind: "unknown-status", value: "on_hold" })).json.status, "on_hold");
  });
  test("provider disabled or unavailable on create pass through", async () => {
    assert.equal((await withFault({ kind: "provider-disabled" }, "create")).json.title, "PROVIDER_NOT_ENABLED");
    const res = await withFault({ kind: "provider-unavailable" }, "create");
    assert.equal(res.status, 503);
    assert.equal(res.json.title, "PROVIDER_UNAVAILABLE");
  });
  test("a userinfo failure after completion is a 502, not an empty success", async () => {
    const b = new Browser(demo().url);
    const { json } = await b.create();
    await control(demo(), `/verifications/${json.verificationId}/complete`);
    await control(demo(), "/faults", { op: "userinfo", kind: "http", status: 500, times: 1 });
    const res = await b.status(json.verificationId);
    assert.equal(res.status, 502);
    assert.equal(res.json.title, "UPSTREAM_USERINFO_FAILED");
    // The failed read is shared for at most a second (one upstream read per second); then it is read again.
    let again;
    for (let i = 0; i < 100; i++) {
      again = await b.status(json.verificationId);
      if (again.status === 200) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(again.json.verifiedAttributes.family_name, "Eriksson");
  });
  test("Hopae unreachable is 502", async () => {
    const handler = createVerificationHandler({ clientId: "a", clientSecret: "b", apiBase: "http://127.0.0.1:9/v1" });
    const res = await handler(new Request("http://site.example/api/verifications", { method: "POST", body: '{"providerId":"bankidse"}' }));
    assert.equal(res.status, 502);
    assert.equal((await res.json()).title, "UPSTREAM_UNREACHABLE");
  });
});

describe("adapters", () => {
  test("the handler is a web-standard (Request) => Response and sends Basic auth to Hopae", async () => {
    const seen = [];
    const handler = createVerificationHandler({
      clientId: "id",
      clientSecret: "secret",
      apiBase: "https://hopae.test/connect/v1",
      fetch: async (url, init) => {
        seen.push({ url, init });
        return Response.json({ verificationId: "v123", status: "initiated", providerId: "bankidse", flowType: "qr", flowDetails: { qrData: "q" } }, { status: 201 });
      },
    });
    const res = await handler(new Request("https://shop.example/api/verifications", { method: "POST", body: '{"providerId":"bankidse"}' }));
    assert.equal(res.status, 201);
    assert.match(res.headers.get("set-cookie"), /; Secure$/, "Secure on https");
    assert.equal(seen[0].url, "https://hopae.test/connect/v1/verifications");
    assert.equal(seen[0].init.headers.Authorization, `Basic ${Buffer.from("id:secret").toString("base64")}`);
    assert.equal((await handler(new Request("https://shop.example/elsewhere"))).status, 404);
  });

  test("toNodeHandler works under a plain server and Express-style mounting with a parsed body", async () => {
    const demo = demos.current;
    const handler = createVerificationHandler({ clientId: "demo-client", clientSecret: "demo-secret", apiBase: `${demo.url}/connect/v1` });
    const node = toNodeHandler(handler);
    let fellThrough = 0;
    const server = createServer((req, res) => {
      // What Express does under app.use("/api/verifications", express.json(), ...): strip the
      // mount path from req.url, keep it in req.originalUrl, parse the body.
      if (req.url.startsWith("/api/verifications") && req.method === "POST") {
        let text = "";
        req.on("data", (c) => (text += c)).on("end", () => {
          req.originalUrl = req.url;
          req.url = req.url.slice("/api/verifications".length) || "/";
          req.body = JSON.parse(text);
          node(req, res, () => res.writeHead(500).end("next called"));
        });
        return;
      }
      node(req, res, () => {
        fellThrough++;
        res.writeHead(404).end("not mine");
      });
    });
    await new Promise((r) => server.listen(0, "127.0.0.1", r));
    try {
      const b = new Browser(`http://127.0.0.1:${server.address().port}`);
      const created = await b.create("bankidse");
      assert.equal(created.status, 201);
      assert.equal((await b.status(created.json.verificationId)).json.status, "initiated");
      assert.equal((await b.request("GET", "/other")).text, "not mine");
      assert.equal(fellThrough, 1);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  test("two instances with the same cookieSecret accept each other's bindings", async () => {
    const demo = demos.current;
    const make = () => createVerificationHandler({ clientId: "demo-client", clientSecret: "demo-secret", apiBase: `${demo.url}/connect/v1`, cookieSecret: "shared" });
    const [one, two] = [make(), make()];
    const created = await one(new Request("http://site/api/verifications", { method: "POST", body: '{"providerId":"bankidse"}' }));
    const cookie = created.headers.get("set-cookie").split(";")[0];
    const { verificationId } = await created.json();
    const read = await two(new Request(`http://site/api/verifications/${verificationId}`, { headers: { Cookie: cookie } }));
    assert.equal(read.status, 200);
    const other = createVerificationHandler({ clientId: "demo-client", clientSecret: "demo-secret", apiBase: `${demo.url}/connect/v1`, cookieSecret: "different" });
    assert.equal((await other(new Request(`http://site/api/verifications/${verificationId}`, { headers: { Cookie: cookie } }))).status, 404);
  });
});

describe("npm start against a real Hopae environment", () => {
  test("HOPAE_CLIENT_ID, HOPAE_CLIENT_SECRET and HOPAE_API_BASE replace the simulator", async () => {
    // A stand-in for the real environment: a separate simulator with other credentials.
    const remote = await startDemo({ port: 0, simulator: { clientId: "live-id", clientSecret: "live-secret" } });
    const demo = await startDemo({ port: 0, env: { HOPAE_CLIENT_ID: "live-id", HOPAE_CLIENT_SECRET: "live-secret", HOPAE_API_BASE: `${remote.url}/connect/v1` } });
    try {
      assert.equal(demo.simulator, null, "no simulator is started");
      assert.equal((await fetch(`${demo.url}/__sim/verifications`)).status, 404);
      const created = await new Browser(demo.url).create();
      assert.equal(created.status, 201);
      assert.ok(remote.simulator.sessions.has(created.json.verificationId), "the verification was created there");
    } finally {
      await demo.close();
      await remote.close();
    }
  });
});

describe("abuse", () => {
  const make = (extra = {}) =>
    createVerificationHandler({ clientId: "demo-client", clientSecret: "demo-secret", apiBase: `${demos.current.url}/connect/v1`, ...extra });
  const create = (handler, headers = {}, info = { clientAddress: "203.0.113.7" }) =>
    handler(new Request("https://shop.example/api/verifications", { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: '{"providerId":"bankidse"}' }), info);

  test("creation only from the site's own origin", async () => {
    const handler = make({ allowedOrigins: ["https://partner.example"] });
    const before = demos.current.simulator.requests.length;
    for (const headers of [{ Origin: "https://evil.example" }, { "Sec-Fetch-Site": "cross-site" }, { Origin: "https://evil.example", "Sec-Fetch-Site": "same-site" }]) {
      const res = await create(handler, headers);
      assert.equal(res.status, 403, JSON.stringify(headers));
      assert.equal((await res.json()).title, "ORIGIN_NOT_ALLOWED");
    }
    assert.equal(demos.current.simulator.requests.length, before, "nothing reached Hopae");
    for (const headers of [{}, { Origin: "https://shop.example", "Sec-Fetch-Site": "same-origin" }, { Origin: "https://partner.example", "Sec-Fetch-Site": "cross-site" }]) {
      assert.equal((await create(handler, headers)).status, 201, JSON.stringify(headers));
    }
  });

  test("a per-client rate limit on creation, with Retry-After", async () => {
    const handler = make({ rateLimit: { max: 3, windowMs: 60_000 } });
    for (let i = 0; i < 3; i++) assert.equal((await create(handler)).status, 201);
    const limited = await create(handler);
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get("retry-after")) > 0);
    assert.equal((await limited.json()).title, "RATE_LIMITED");
    assert.equal((await create(handler, {}, { clientAddress: "198.51.100.9" })).status, 201, "another client is not affected");
  });

  test("never an open proxy: only the three routes reach Hopae", async () => {
    const handler = make();
    const before = demos.current.simulator.requests.length;
    for (const [method, path] of [
      ["GET", "/api/verifications/../providers"],
      ["GET", "/api/verifications/%2e%2e%2fproviders"],
      ["GET", "/api/verifications/abc/userinfo"],
      ["POST", "/api/verifications/abc"],
      ["GET", "/api/providers"],
      ["GET", "/connect/v1/providers"],
      ["PATCH", "/api/verifications/abc"],
    ]) {
      const res = await handler(new Request(`https://shop.example${path}`, { method }));
      assert.ok([404, 405].includes(res.status), `${method} ${path}: ${res.status}`);
    }
    assert.equal(demos.current.simulator.requests.length, before);
  });
});
