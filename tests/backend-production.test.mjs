// Issue 10's findings against the reference backend, each as a user or an
// attacker would meet it, on a scripted fake Hopae (tests/backend-fake.mjs)
// so every count of upstream calls is exact.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { fakeHopae, backend, quietLogger, Jar } from "./backend-fake.mjs";
import { aggregate } from "../server/index.js";

const creates = (hopae) => hopae.calls.filter((c) => c.method === "POST").length;
const reads = (hopae, id) => hopae.calls.filter((c) => c.method === "GET" && c.pathname.endsWith(`/verifications/${id}`)).length;

describe("1. rate limits keyed per client in every runtime, never one bucket for the site", () => {
  test("a web-standard call with no client address (Next.js, Hono, Workers) does not lock the site after 10 creates", async () => {
    const hopae = fakeHopae();
    const logger = quietLogger();
    const handler = backend(hopae, { logger });
    const jar = new Jar();
    for (let i = 0; i < 30; i++) assert.equal((await jar.create(handler, undefined, { info: "none" })).status, 201, `create ${i + 1}`);
    assert.equal(logger.lines.filter((l) => /site-wide limit/.test(l)).length, 1, "says so once in the log");
  });

  test("the site-wide ceiling applies only where no key exists, and is configurable", async () => {
    const handler = backend(fakeHopae(), { siteRateLimit: { max: 5, windowMs: 60_000 } });
    const jar = new Jar();
    for (let i = 0; i < 5; i++) assert.equal((await jar.create(handler, undefined, { info: {} })).status, 201);
    const limited = await jar.create(handler, undefined, { info: {} });
    assert.equal(limited.status, 429);
    assert.equal(limited.json.title, "RATE_LIMITED");
    assert.equal((await jar.create(handler, undefined, { info: { clientAddress: "198.51.100.1" } })).status, 201, "a client with an address has its own budget");
  });

  test("Deno's info.remoteAddr is a client key", async () => {
    const handler = backend(fakeHopae());
    const jar = new Jar();
    const deno = (ip) => ({ info: { remoteAddr: { transport: "tcp", hostname: ip, port: 50000 } } });
    for (let i = 0; i < 10; i++) assert.equal((await jar.create(handler, undefined, deno("192.0.2.1"))).status, 201);
    assert.equal((await jar.create(handler, undefined, deno("192.0.2.1"))).status, 429, "the 11th from one client");
    assert.equal((await jar.create(handler, undefined, deno("192.0.2.2"))).status, 201, "another client is not affected");
  });

  test("trustProxy: the client is read from X-Forwarded-For behind that many proxies, and cannot be spoofed", async () => {
    const handler = backend(fakeHopae(), { trustProxy: 1 });
    const jar = new Jar();
    const proxy = { clientAddress: "10.0.0.1" };
    // The attacker writes its own X-Forwarded-For; the proxy appends the real address.
    for (let i = 0; i < 10; i++) {
      const res = await jar.create(handler, undefined, { info: proxy, headers: { "X-Forwarded-For": `1.1.1.${i}, 203.0.113.50` } });
      assert.equal(res.status, 201);
    }
    assert.equal((await jar.create(handler, undefined, { info: proxy, headers: { "X-Forwarded-For": "9.9.9.9, 203.0.113.50" } })).status, 429);
    assert.equal((await jar.create(handler, undefined, { info: proxy, headers: { "X-Forwarded-For": "203.0.113.51" } })).status, 201, "another visitor behind the same proxy");
  });

  test("without trustProxy, everyone behind a proxy would share it: the default ignores X-Forwarded-For", async () => {
    const handler = backend(fakeHopae(), { rateLimit: { max: 2, windowMs: 60_000 } });
    const jar = new Jar();
    for (let i = 0; i < 2; i++) await jar.create(handler, undefined, { headers: { "X-Forwarded-For": `1.1.1.${i}` } });
    assert.equal((await jar.create(handler, undefined, { headers: { "X-Forwarded-For": "1.1.1.9" } })).status, 429, "a forged header does not buy a new budget");
  });

  test("IPv6 clients are counted per /64; IPv4-mapped addresses as IPv4", async () => {
    assert.equal(aggregate("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
    assert.equal(aggregate("2001:db8:1:2:ffff:ffff:ffff:ffff"), "2001:db8:1:2::/64");
    assert.equal(aggregate("2001:db8::1"), "2001:db8:0:0::/64");
    assert.equal(aggregate("::ffff:192.0.2.1"), "192.0.2.1");
    const handler = backend(fakeHopae(), { rateLimit: { max: 2, windowMs: 60_000 } });
    const jar = new Jar();
    await jar.create(handler, undefined, { info: { clientAddress: "2001:db8:1:2::1" } });
    await jar.create(handler, undefined, { info: { clientAddress: "2001:db8:1:2::2" } });
    assert.equal((await jar.create(handler, undefined, { info: { clientAddress: "2001:db8:1:2:ffff::3" } })).status, 429);
    assert.equal((await jar.create(handler, undefined, { info: { clientAddress: "2001:db8:1:3::1" } })).status, 201);
  });

  test("invalid requests do not count", async () => {
    const hopae = fakeHopae();
    const handler = backend(hopae, { rateLimit: { max: 2, windowMs: 60_000 } });
    const jar = new Jar();
    for (let i = 0; i < 20; i++) assert.equal((await jar.create(handler, { providerId: "../x" })).status, 400);
    assert.equal((await jar.create(handler)).status, 201);
    assert.equal((await jar.create(handler)).status, 201);
    assert.equal(creates(hopae), 2);
  });
});

describe("2. idempotent creation", () => {
  test("a retried create with its Idempotency-Key gets the same verification, and Hopae holds one", async () => {
    const hopae = fakeHopae({ createDelayMs: 150 });
    const handler = backend(hopae);
    const jar = new Jar();
    const key = "7d0c2f8e-2b44-4b4f-9f57-1f8f7d0d9a11";
    // The widget gave up on the first (slow) answer and retried while it was in flight.
    const first = jar.create(handler, undefined, { headers: { "Idempotency-Key": key } });
    await new Promise((r) => setTimeout(r, 20));
    const during = await jar.create(handler, undefined, { headers: { "Idempotency-Key": key } });
    assert.equal(during.status, 409);
    assert.equal(during.json.title, "IDEMPOTENCY_IN_PROGRESS");
    assert.equal(during.headers.get("retry-after"), "1");
    const original = await first;
    assert.equal(original.status, 201);
    const replay = await jar.create(handler, undefined, { headers: { "Idempotency-Key": key } });
    assert.equal(replay.status, 201);
    assert.equal(replay.headers.get("idempotency-replayed"), "true");
    assert.deepEqual(replay.json, original.json);
    assert.equal(replay.setCookies.length >= 1, true, "the replay binds the browser too");
    assert.equal(creates(hopae), 1, "one verification at Hopae");
    assert.equal(hopae.calls[0].headers["Idempotency-Key"], key, "the key goes on to Hopae as well");
    const other = await jar.create(handler, { providerId: "frejaid" }, { headers: { "Idempotency-Key": key } });
    assert.equal(other.status, 422);
    assert.equal(other.json.title, "IDEMPOTENCY_KEY_REUSED");
  });

  test("a failed create forgets its key, so the retry creates; bad keys are refused", async () => {
    const hopae = fakeHopae();
    let fail = true;
    const handler = backend({ ...hopae, fetch: (url, init) => (fail ? Promise.resolve(Response.json({ title: "PROVIDER_UNAVAILABLE", status: 503 }, { status: 503 })) : hopae.fetch(url, init)) });
    const jar = new Jar();
    assert.equal((await jar.create(handler, undefined, { headers: { "Idempotency-Key": "k-1" } })).status, 503);
    fail = false;
    assert.equal((await jar.create(handler, undefined, { headers: { "Idempotency-Key": "k-1" } })).status, 201);
    const bad = await jar.create(handler, undefined, { headers: { "Idempotency-Key": "x".repeat(256) } });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.field, "Idempotency-Key");
  });

  test("replays do not count against the rate limit", async () => {
    const handler = backend(fakeHopae(), { rateLimit: { max: 1, windowMs: 60_000 } });
    const jar = new Jar();
    for (let i = 0; i < 5; i++) assert.equal((await jar.create(handler, undefined, { headers: { "Idempotency-Key": "same" } })).status, 201);
  });
});

describe("3. binding cookies", () => {
  test("the binding is cleared when the verification ends; a later read is 404", async () => {
    const hopae = fakeHopae();
    const handler = backend(hopae);
    const jar = new Jar();
    const { json } = await jar.create(handler);
    assert.equal(jar.cookies.size, 1);
    hopae.sessions.get(json.verificationId).status = "failed";
    hopae.sessions.get(json.verificationId).error = { code: "USER_DECLINED", message: "Declined" };
    const ended = await jar.status(handler, json.verificationId);
    assert.equal(ended.json.status, "failed");
    assert.match(ended.setCookies.join(), /Max-Age=0/);
    assert.equal(jar.cookies.size, 0);
    assert.equal((await jar.status(handler, json.verificationId)).status, 404);
  });

  test("the expiry is inside the MAC and checked by the server", async (t) => {
    const handler = backend(fakeHopae());
    const jar = new Jar();
    const { json } = await jar.create(handler);
    const [[name, value]] = jar.cookies;
    const [expiry, mac] = value.split(".");
    jar.cookies.set(name, `${(parseInt(expiry, 36) + 86400).toString(36)}.${mac}`);
    assert.equal((await jar.status(handler, json.verificationId)).status, 404, "a lengthened expiry breaks the MAC");
    jar.cookies.set(name, value);
    assert.equal((await jar.status(handler, json.verificationId)).status, 200);
    t.mock.timers.enable({ apis: ["Date"], now: (parseInt(expiry, 36) + 1) * 1000 });
    assert.equal((await jar.status(handler, json.verificationId)).status, 404, "past its expiry, even if the browser still sends it");
  });

  test("the lifetime follows expiresAt (+60 s), capped at 1 h", async () => {
    const soon = backend(fakeHopae({ status: { expiresAt: new Date(Date.now() + 5 * 60_000).toISOString() } }));
    const late = backend(fakeHopae({ status: { expiresAt: new Date(Date.now() + 5 * 3600_000).toISOString() } }));
    const age = (r) => Number(r.setCookies[0].match(/Max-Age=(\d+)/)[1]);
    const a = age(await new Jar().create(soon));
    assert.ok(a >= 355 && a <= 360, String(a));
    assert.equal(age(await new Jar().create(late)), 3600);
  });

  test("a browser holds at most maxBindings (16) binding cookies, about 55 bytes each", async () => {
    const handler = backend(fakeHopae(), { rateLimit: { max: 1000, windowMs: 60_000 } });
    const jar = new Jar();
    const ids = [];
    for (let i = 0; i < 40; i++) ids.push((await jar.create(handler)).json.verificationId);
    assert.equal(jar.cookies.size, 16);
    assert.equal((await jar.status(handler, ids.at(-1))).status, 200, "the newest still answer");
    assert.equal((await jar.status(handler, ids[0])).status, 404, "the oldest were dropped");
    assert.ok(jar.header().length < 1024, `Cookie header ${jar.header().length} bytes`);
  });
});

describe("4. upstream polling is limited per verification", () => {
  test("3,000 polls from one browser in a burst make one upstream read; faster polls share it", async () => {
    const hopae = fakeHopae();
    const handler = backend(hopae);
    const jar = new Jar();
    const { json } = await jar.create(handler);
    const start = Date.now();
    const answers = await Promise.all(Array.from({ length: 3000 }, () => jar.status(handler, json.verificationId)));
    const seconds = (Date.now() - start) / 1000;
    assert.ok(answers.every((a) => a.status === 200 && a.json.status === "initiated"));
    // One read, plus one per further second the burst took on a busy machine.
    assert.ok(reads(hopae, json.verificationId) <= 1 + Math.floor(seconds), `${reads(hopae, json.verificationId)} reads in ${seconds} s`);
  });

  test("polling as fast as possible for 1.5 s reads upstream at most once a second", async () => {
    const hopae = fakeHopae();
    const handler = backend(hopae);
    const jar = new Jar();
    const { json } = await jar.create(handler);
    const start = Date.now();
    let polls = 0;
    while (Date.now() < start + 1500) {
      await jar.status(handler, json.verificationId);
      polls++;
    }
    const seconds = (Date.now() - start) / 1000;
    assert.ok(polls > 20, `${polls} polls`);
    assert.ok(reads(hopae, json.verificationId) <= Math.floor(seconds) + 1, `${reads(hopae, json.verificationId)} upstream reads in ${seconds} s`);
  });

  test("repeated cancels share one upstream DELETE", async () => {
    const hopae = fakeHopae();
    const handler = backend(hopae);
    const jar = new Jar();
    const { json } = await jar.create(handler);
    const cookie = jar.header();
    const results = await Promise.all(Array.from({ length: 50 }, () => handler(new Request(`https://shop.example/api/verifications/${json.verificationId}`, { method: "DELETE", headers: { Cookie: cookie } }))));
    assert.ok(results.every((r) => r.status === 204));
    assert.equal(hopae.calls.filter((c) => c.method === "DELETE").length, 1);
  });
});

describe("5. nothing leaks to the browser", () => {
  test("an exception in onCompleted is logged with a request id; the browser gets 'Internal error'", async () => {
    const hopae = fakeHopae();
    const logger = quietLogger();
    const handler = backend(hopae, {
      logger,
      onCompleted: () => {
        throw new Error("connect postgres://app:hunter2@db.internal/users failed");
      },
    });
    const jar = new Jar();
    const { json } = await jar.create(handler);
    hopae.sessions.get(json.verificationId).status = "completed";
    const res = await jar.status(handler, json.verificationId);
    assert.equal(res.status, 500);
    assert.equal(res.json.detail, "Internal error");
    assert.match(res.json.requestId, /^[0-9a-f-]{36}$/);
    assert.doesNotMatch(res.text, /hunter2|postgres|db\.internal/);
    assert.ok(logger.lines.some((l) => l.includes(res.json.requestId) && l.includes("hunter2")), "the server's log has it");
  });

  test("a programming error is a 500 with a request id, not 'Could not reach Hopae: …'", async () => {
    const handler = backend(fakeHopae(), {
      clientKey: () => {
        const user = null;
        return user.id;
      },
    });
    const res = await new Jar().create(handler);
    assert.equal(res.status, 500);
    assert.equal(res.json.detail, "Internal error");
    assert.doesNotMatch(res.text, /Cannot read|Could not reach/);
  });

  test("unknown upstream fields never reach the browser (allow-list, not deny-list)", async () => {
    const hopae = fakeHopae({
      status: { id_token: "eyJ.secret", user: { personal_number: "198507124567" }, claims: { ssn: "078-05-1120" }, internalNote: "x", workflowId: "wf_1" },
      userinfo: { sub: "s", user: { name: "A B", given_name: "A", family_name: "B", ssn: "078-05-1120", personal_number: "198507124567" }, provider_id: "bankidse" },
    });
    const handler = backend(hopae);
    const jar = new Jar();
    const created = await jar.create(handler);
    assert.doesNotMatch(created.text, /secret|personal_number|ssn|internalNote|workflowId/);
    hopae.sessions.get(created.json.verificationId).status = "completed";
    const done = await jar.status(handler, created.json.verificationId);
    assert.equal(done.json.status, "completed");
    assert.deepEqual(Object.keys(done.json.verifiedAttributes).sort(), ["family_name", "given_name", "name", "sub"]);
    assert.doesNotMatch(done.text, /eyJ|198507124567|078-05|internalNote|workflowId/);
  });

  test("an upstream body over 1 MB is a 502 without reading it all; a stalled body is a 504", async () => {
    let pulled = 0;
    const huge = () =>
      new Response(new ReadableStream({
        pull(c) {
          pulled += 65536;
          c.enqueue(new Uint8Array(65536).fill(32));
        },
      }), { status: 200, headers: { "Content-Type": "application/json" } });
    const hopae = fakeHopae();
    const handler = backend(hopae, { timeoutMs: 300 });
    const jar = new Jar();
    const { json } = await jar.create(handler);
    hopae.statusAnswer = huge;
    const big = await jar.status(handler, json.verificationId);
    assert.equal(big.status, 502);
    assert.equal(big.json.title, "UPSTREAM_BAD_RESPONSE");
    assert.ok(pulled < 2 * 1024 * 1024, `read ${pulled} bytes`);

    // AbortSignal.timeout's timer does not keep a process alive; a server's socket would.
    const keepAlive = setInterval(() => {}, 1000);
    const jar2 = new Jar();
    const second = await jar2.create(handler);
    hopae.statusAnswer = (s, init) =>
      new Response(new ReadableStream({
        start(c) {
          c.enqueue(new TextEncoder().encode('{"status":'));
          init.signal.addEventListener("abort", () => c.error(init.signal.reason));
        },
      }), { status: 200 });
    const stalled = await jar2.status(handler, second.json.verificationId);
    assert.equal(stalled.status, 504);
    clearInterval(keepAlive);
    assert.equal(stalled.json.title, "UPSTREAM_TIMEOUT");
  });
});

describe("7. smaller ones", () => {
  test("onCompleted runs once per verification, however many polls see it completed", async () => {
    const hopae = fakeHopae();
    const seen = [];
    const handler = backend(hopae, { pollIntervalMs: 0, onCompleted: (c) => void seen.push(c.verificationId) });
    const jar = new Jar();
    const ids = [(await jar.create(handler)).json.verificationId, (await jar.create(handler)).json.verificationId];
    for (const id of ids) hopae.sessions.get(id).status = "completed";
    const cookie = jar.header();
    for (let i = 0; i < 4; i++) for (const id of ids) await handler(new Request(`https://shop.example/api/verifications/${id}`, { headers: { Cookie: cookie } }));
    assert.deepEqual(seen.sort(), ids.sort());
  });

  test("forwarded create fields are type- and length-checked, with a 400 naming the field", async () => {
    const hopae = fakeHopae();
    const handler = backend(hopae);
    const jar = new Jar();
    const cases = [
      [{ providerId: "bankidse", locale: { evil: true } }, "locale"],
      [{ providerId: "bankidse", locale: "x".repeat(36) }, "locale"],
      [{ providerId: "bankidse", referenceId: "r".repeat(15_000) }, "referenceId"],
      [{ providerId: "bankidse", flowType: "telepathy" }, "flowType"],
      [{ providerId: "bankidse", requestedLoa: "high" }, "requestedLoa"],
      [{ providerId: "bankidse", returnContext: { state: 5 } }, "returnContext"],
      [{ providerId: "bankidse", metadata: "text" }, "metadata"],
      // 8,000 levels deep: it overflowed JSON.stringify on the way to Hopae and came back as a 502.
      [`{"providerId":"bankidse","requestedClaims":${"[".repeat(8000)}${"]".repeat(8000)}}`, "requestedClaims"],
      [`{"providerId":"bankidse","matchData":${"{\"a\":".repeat(2000)}1${"}".repeat(2000)}}`, "matchData"],
    ];
    for (const [body, field] of cases) {
      const res = await jar.create(handler, body);
      assert.equal(res.status, 400, `${String(field)}: ${res.text.slice(0, 100)}`);
      if (field) {
        assert.equal(res.json.field, field);
        assert.match(res.json.detail, new RegExp(`^${field} `));
      }
    }
    const nested = await jar.create(handler, `{"providerId":"bankidse","requestedClaims":{"userinfo":{"given_name":{"essential":true}}}}`);
    assert.equal(nested.status, 201, nested.text);
    const deepClaims = await jar.create(handler, `{"providerId":"bankidse","requestedClaims":${"{\"a\":".repeat(2500)}1${"}".repeat(2500)}}`);
    assert.equal(deepClaims.status, 400);
    assert.equal(deepClaims.json.field, "requestedClaims");
    assert.equal(creates(hopae), 1, "nothing invalid was forwarded");
  });

  test("behind a TLS-terminating, Host-rewriting proxy, the site's own pages can create", async () => {
    const handler = backend(fakeHopae(), { trustProxy: 1 });
    const make = (headers) =>
      handler(new Request("http://app.internal:3000/api/verifications", { method: "POST", headers: { "Content-Type": "application/json", Host: "app.internal:3000", ...headers }, body: '{"providerId":"bankidse"}' }), { clientAddress: "10.0.0.2" });
    assert.equal((await make({ Origin: "https://shop.example", "Sec-Fetch-Site": "same-origin" })).status, 201, "modern browsers say same-origin");
    assert.equal((await make({ Origin: "https://shop.example", "X-Forwarded-Host": "shop.example", "X-Forwarded-For": "198.51.100.4" })).status, 201, "older ones: Origin against X-Forwarded-Host");
    const foreign = await make({ Origin: "https://evil.example", "X-Forwarded-Host": "shop.example" });
    assert.equal(foreign.status, 403);
    assert.match((await foreign.json()).detail, /allowedOrigins/);
  });

  test("the same-device link keeps https and the provider's own app scheme, and drops anything else", async () => {
    const links = ["search-ms:query=x", "ms-msdt:/id PCWDiagnostic", "javascript:alert(1)", "file:///etc/passwd", "http://evil.example/", "bankid:///?autostarttoken=abc", "https://app.bankid.com/?autostarttoken=abc", "smart-id://x"];
    for (const link of links) {
      const hopae = fakeHopae({ status: { flowDetails: { qrData: "q", deeplink: link, linkData: link, action: { type: "redirect", url: link, message: "Go" } } } });
      const res = await new Jar().create(backend(hopae));
      const kept = link.startsWith("bankid:") || link.startsWith("https:");
      assert.equal(res.json.flowDetails.deeplink, kept ? link : undefined, link);
      assert.equal(res.json.flowDetails.linkData, kept ? link : undefined, link);
      assert.equal(res.json.flowDetails.action.url, kept ? link : undefined, link);
      assert.equal(res.json.flowDetails.qrData, "q");
    }
    const hopae = fakeHopae({ status: { flowDetails: { deeplink: "bankid:///x" } } });
    const smart = await new Jar().create(backend(hopae), { providerId: "smartid", userData: { registrationId: "PNOEE-30303039914" } });
    assert.equal(smart.json.flowDetails.deeplink, undefined, "bankid: is BankID's scheme, not Smart-ID's");
  });
});
