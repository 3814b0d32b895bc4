// Every hopae-failed detail has the same keys, in the same order, wherever it
// is built: the wasm's (a failure at run time; tests/web.rs compares it with
// js/events.js), element.js's invalid_options, fallback.js's wasm_load_failed
// and mount.js's when even fallback.js cannot load. All come from the one
// table of js/events.js. Runs on the built package (dist/), as it ships.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

const dist = new URL("../dist/", import.meta.url);
const { detail, dispatch, emit } = await import(new URL("events.js", dist));
const { reportInvalid } = await import(new URL("element.js", dist));
const { loadFailed } = await import(new URL("fallback.js", dist));

const FAILED = ["verificationId", "code", "title", "message", "httpStatus", "retryable", "hopaeCode"];

/** A stand-in element that records what is dispatched on it. */
function element() {
  const events = [];
  return { events, dispatchEvent: (event) => (events.push(event), !event.defaultPrevented) };
}

test("invalid_options (element.js) and wasm_load_failed (fallback.js) have the keys of every hopae-failed", (t) => {
  t.mock.method(console, "error", () => {});
  const el = element();
  reportInvalid(el, new Error("hopae-connect-widget: mount() needs an endpoint"));
  assert.equal(el.events.length, 1);
  const [event] = el.events;
  assert.equal(event.type, "hopae-failed");
  assert.ok(event.bubbles && event.composed && !event.cancelable);
  assert.deepEqual(event.detail, {
    verificationId: null,
    code: "invalid_options",
    title: "Invalid options",
    message: "hopae-connect-widget: mount() needs an endpoint",
    httpStatus: null,
    retryable: false,
    hopaeCode: null,
  });
  assert.deepEqual(Object.keys(event.detail), FAILED);

  const load = loadFailed(Object.assign(new Error("the server answered HTTP 404"), { url: "https://cdn.example/x.wasm" }));
  assert.deepEqual(Object.keys(load), FAILED);
  assert.equal(load.code, "wasm_load_failed");
  assert.equal(load.retryable, true);
  assert.match(load.message, /x\.wasm: the server answered HTTP 404/);
  assert.deepEqual(Object.keys(detail("failed")), FAILED);
});

test("mount.js builds its last-resort load failure with the same table", () => {
  // When even fallback.js cannot load, mount.js builds the detail itself: through detail("failed", …).
  const source = readFileSync(new URL("../js/mount.js", import.meta.url), "utf8");
  assert.match(source, /loadFailed: \(e\) => detail\("failed", null, e\.code, "", e\.message, null, true, null\)/);
  assert.doesNotMatch(source, /new CustomEvent/);
});

test("emit(), what the wasm calls, dispatches each event with its keys and null for what is absent", () => {
  const cases = [
    [0, ["v1", "bankidse", "qr"], "hopae-initiated", { verificationId: "v1", providerId: "bankidse", flowType: "qr", expiresAt: null }],
    [1, ["v1", "bankidse", "pending"], "hopae-status", { verificationId: "v1", providerId: "bankidse", status: "pending" }],
    [1, [undefined, "frejaid", "fallback", "bankidse"], "hopae-status", { verificationId: null, providerId: "frejaid", status: "fallback", fallbackFrom: "bankidse" }],
    [2, ["v1", "bankidse", { name: "A" }, "2026-01-01T00:00:00Z"], "hopae-completed", { verificationId: "v1", providerId: "bankidse", verifiedAttributes: { name: "A" }, verifiedAt: "2026-01-01T00:00:00Z" }],
    [3, ["v1", "USER_CANCELLED", "Cancelled", "…", 409, false, 410003], "hopae-failed", { verificationId: "v1", code: "USER_CANCELLED", title: "Cancelled", message: "…", httpStatus: 409, retryable: false, hopaeCode: 410003 }],
    [4, ["v1"], "hopae-expired", { verificationId: "v1" }],
    [5, [], "hopae-cancelled", { verificationId: null }],
    [6, ["v1", "bankidse", "https://idp.example/a"], "hopae-redirect", { verificationId: "v1", providerId: "bankidse", authorizationUrl: "https://idp.example/a" }],
  ];
  for (const [kind, values, type, expected] of cases) {
    const el = element();
    assert.equal(emit(el, kind, ...values), true);
    assert.equal(el.events[0].type, type);
    assert.deepEqual(el.events[0].detail, expected, type);
    assert.equal(el.events[0].cancelable, type === "hopae-redirect");
  }
});

test("a hopae-redirect listener's preventDefault() reaches the caller", () => {
  const target = new EventTarget();
  target.addEventListener("hopae-redirect", (e) => e.preventDefault());
  assert.equal(dispatch(target, "redirect", detail("redirect", "v1", "bankidse", "https://idp.example/a")), false);
});

test("the Rust side's kinds are the table's order (src/web/events.rs)", () => {
  const rust = readFileSync(new URL("../src/web/events.rs", import.meta.url), "utf8");
  const kinds = [...rust.matchAll(/^const ([A-Z]+): u8 = (\d+);$/gm)].map(([, name, i]) => [Number(i), `hopae-${name.toLowerCase()}`]);
  assert.equal(kinds.length, 7);
  for (const [i, type] of kinds) {
    const el = element();
    emit(el, i);
    assert.equal(el.events[0].type, type);
  }
});

test("the build ships events.js once, next to the glue: no snippets/ copy, the wasm's imports all under the short module", () => {
  const glue = readFileSync(new URL("hopae_connect_widget.js", dist), "utf8");
  // The wasm imports emit() and request() from events.js: the glue's one import of it.
  const imports = [...glue.matchAll(/import\s*\{([^}]*)\}\s*from\s*["']\.\/events\.js["']/g)];
  assert.equal(imports.length, 1, "one import of ./events.js");
  assert.deepEqual(imports[0][1].split(",").map((s) => s.trim().split(/\s+as\s+/)[0]).sort(), ["emit", "request"]);
  assert.doesNotMatch(glue, /snippets\//);
  const wasm = new WebAssembly.Module(readFileSync(new URL("hopae_connect_widget_bg.wasm", dist)));
  assert.deepEqual([...new Set(WebAssembly.Module.imports(wasm).map((i) => i.module))], ["w"]);
});

test("request(): the shell's one fetch sets the headers in order, no-store, keepalive only for a DELETE, reads status, Date, Retry-After and a JSON body, and gives the answer to done()", async () => {
  const { request, read } = await import(new URL("events.js", dist));
  const calls = [];
  const saved = globalThis.fetch;
  const answers = [
    new Response('{"verificationId":"v1"}', { status: 201, headers: { date: "Fri, 27 Nov 2026 08:00:00 GMT" } }),
    new Response("<html>oops</html>", { status: 502, headers: { "retry-after": "7" } }),
  ];
  globalThis.fetch = async (url, init) => (calls.push({ url, init }), answers.shift());
  try {
    const before = Date.now();
    const given = [];
    const done = (...args) => given.push(args);
    const created = await request("/api/v", 1, { Accept: "text/plain", "X-CSRF": "t", "Content-Type": "text/plain" }, "include", '{"providerId":"bankidse"}', "k1", undefined, undefined, done, 7, 3);
    const [text, receivedAt] = [created.pop(), created.pop()];
    assert.ok(receivedAt >= before && receivedAt <= Date.now(), "when it was read, by Date.now()");
    assert.equal(text, '{"verificationId":"v1"}', "the body's text, to tell an answer seen before");
    assert.deepEqual(created, [201, true, "Fri, 27 Nov 2026 08:00:00 GMT", undefined, { verificationId: "v1" }]);
    await null;
    assert.equal(given.length, 1);
    assert.deepEqual(given[0].slice(0, 2), [7, 3], "done(widget, tag, ...)");
    assert.equal(given[0][3], false);
    assert.deepEqual(given[0][2].slice(0, 5), created);
    const { init } = calls[0];
    // The `headers` option may replace Accept; Content-Type and Idempotency-Key are the widget's.
    assert.deepEqual([...init.headers], [["accept", "text/plain"], ["content-type", "application/json"], ["idempotency-key", "k1"], ["x-csrf", "t"]]);
    assert.equal(init.method, "POST", "method 1 is POST (0 GET, 2 DELETE)");
    assert.equal(init.cache, "no-store");
    assert.equal(init.credentials, "include");
    assert.equal(init.keepalive, false);
    const failed = await request("/api/v/v1", 2, undefined, "same-origin", undefined, undefined, undefined, undefined);
    assert.deepEqual(failed.slice(0, 5), [502, false, undefined, "7", undefined], "not JSON: body undefined");
    assert.equal(calls[1].init.method, "DELETE");
    assert.equal(calls[1].init.keepalive, true);
    assert.equal(calls[1].init.headers.has("content-type"), false);
    // A create started before the module was ready (js/mount.js: sent, then read()) is handed over as read, not sent again.
    const sent = Promise.resolve(new Response("null", { status: 200 })).then(read);
    assert.equal(request("/api/v", 1, undefined, "same-origin", "{}", "k2", undefined, sent), sent);
    assert.deepEqual((await sent).slice(0, 5), [200, true, undefined, undefined, null]);
    assert.equal(calls.length, 2);
    // A failure goes to done(..., true); without done it is dropped, not left unhandled.
    const unhandled = [];
    const onUnhandled = (reason) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    const refused = new TypeError("Failed to fetch");
    globalThis.fetch = async () => { throw refused; };
    request("/api/v", 0, undefined, "same-origin", undefined, undefined, undefined, undefined, done, 7, 4);
    request("/api/v/v1", 2, undefined, "same-origin", undefined, undefined, undefined, undefined);
    await new Promise((r) => setTimeout(r, 10));
    process.off("unhandledRejection", onUnhandled);
    assert.deepEqual(given.at(-1), [7, 4, refused, true]);
    // A request fetch refuses at once (here a header Headers refuses) is a
    // failed answer in turn, not an exception thrown into the wasm.
    assert.doesNotThrow(() => request("/api/v", 0, { "X Bad": "1" }, "same-origin", undefined, undefined, undefined, undefined, done, 7, 8));
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(given.at(-1).slice(0, 2), [7, 8]);
    assert.equal(given.at(-1)[3], true);
    assert.ok(given.at(-1)[2] instanceof TypeError);
    assert.deepEqual(unhandled, []);
    // A create whose answer the widget refuses (nobody waits for it) is
    // cancelled, with the create's headers and credentials; a refused status answer is not.
    calls.length = 0;
    globalThis.fetch = async (url, init) => (calls.push({ url, init }), init.method === "POST" ? new Response('{"verificationId":"v 9"}', { status: 201 }) : new Response(null, { status: 204 }));
    await request("/api/v", 1, { "X-CSRF": "t" }, "include", "{}", "k3", undefined, undefined, () => false, 7, 5);
    await request("/api/v/v1", 0, undefined, "same-origin", undefined, undefined, undefined, undefined, () => false, 7, 6);
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(calls.map((c) => `${c.init.method} ${c.url}`).sort(), ["DELETE /api/v/v%209", "GET /api/v/v1", "POST /api/v"]);
    const cancel = calls.find((c) => c.init.method === "DELETE").init;
    assert.equal(cancel.headers.get("x-csrf"), "t");
    assert.equal(cancel.credentials, "include");
  } finally {
    globalThis.fetch = saved;
  }
});

/** A stand-in for the page's Worker: records what it is sent, replies on demand. */
class FakeWorker {
  static made = [];
  constructor(url) {
    this.url = String(url);
    this.sent = [];
    FakeWorker.made.push(this);
  }
  postMessage(message) {
    this.sent.push(structuredClone(message));
  }
  terminate() {
    this.terminated = true;
  }
  reply(data) {
    this.onmessage({ data });
  }
}

/** events.js as a fresh module (its status worker not yet started), with Worker and fetch stubbed. */
async function freshEvents(t, name) {
  FakeWorker.made = [];
  globalThis.Worker = FakeWorker;
  t.after(() => delete globalThis.Worker);
  const fetched = [];
  t.mock.method(globalThis, "fetch", async (url, init) => {
    fetched.push({ url, init });
    return new Response('{"status":"pending"}', { status: 200 });
  });
  const events = await import(new URL(`events.js?${name}`, dist));
  const answers = [];
  const done = (widget, tag, value, failed) => (answers.push({ widget, tag, value, failed }), true);
  return { ...events, fetched, answers, done };
}

const settle = (promise) => promise.then(() => {}, () => {});

test("request(): status polls go to the page's status worker once it says it is ready, with the same headers and credentials, and answer like fetch", async (t) => {
  const { request, fetched, answers, done } = await freshEvents(t, "worker-answers");
  const poll = (tag, signal = new AbortController().signal) => request("/api/v/x", 0, { "X-CSRF": "t" }, "include", undefined, undefined, signal, undefined, done, 7, tag, true);
  // Not started yet: this poll is fetched on the page, and the worker starts beside events.js.
  await poll(2);
  assert.equal(fetched.length, 1);
  assert.equal(FakeWorker.made.length, 1);
  const worker = FakeWorker.made[0];
  assert.equal(worker.url, new URL("poll-worker.js", dist).href);
  // Started but not ready: still on the page (a worker that never starts loses no poll).
  await poll(4);
  assert.equal(fetched.length, 2);
  assert.equal(worker.sent.length, 0);
  worker.reply(0);
  const answered = poll(6);
  assert.equal(fetched.length, 2, "made by the worker, not the page");
  const [id, url, headers, credentials, referrer] = worker.sent[0];
  assert.deepEqual([url, headers, credentials, referrer], ["/api/v/x", [["accept", "application/json"], ["x-csrf", "t"]], "include", undefined]);
  worker.reply([id, 200, true, "Fri, 27 Nov 2026 08:00:00 GMT", undefined, '{"status":"pending"}', 1234]);
  await answered;
  assert.deepEqual(answers.at(-1), {
    widget: 7,
    tag: 6,
    value: [200, true, "Fri, 27 Nov 2026 08:00:00 GMT", undefined, { status: "pending" }, 1234, '{"status":"pending"}'],
    failed: false,
  });
  // An error answer (not JSON) reads as fetch's would.
  const refused = poll(8);
  const [id2] = worker.sent.at(-1);
  worker.reply([id2, 502, false, undefined, "7", "<html>oops</html>", 1300]);
  await refused;
  assert.deepEqual(answers.at(-1).value.slice(0, 5), [502, false, undefined, "7", undefined]);
  // Creates, cancels and polls without inWorker stay on the page.
  await request("/api/v", 1, undefined, "same-origin", "{}", "k", undefined, undefined, done, 7, 9, true);
  await request("/api/v/x", 2, undefined, "same-origin", undefined, undefined, undefined, undefined, undefined, 0, 0, true);
  await request("/api/v/x", 0, undefined, "same-origin", undefined, undefined, undefined, undefined, done, 7, 10, false);
  assert.deepEqual(fetched.slice(2).map((f) => f.init.method), ["POST", "DELETE", "GET"]);
  assert.equal(worker.sent.length, 2);
  assert.equal(FakeWorker.made.length, 1, "one worker for the page");
});

test("request(): in a page, the worker is sent the URL resolved against the page's current base URL (its own base is its script's), for each widget's URL and headers, and only the page's origin as the referrer", async (t) => {
  const { request, done } = await freshEvents(t, "worker-base");
  globalThis.document = { baseURI: "https://shop.example/app/" };
  globalThis.location = { origin: "https://shop.example" };
  t.after(() => {
    delete globalThis.document;
    delete globalThis.location;
  });
  const poll = (url, extra) => request(url, 0, extra, "same-origin", undefined, undefined, undefined, undefined, done, 1, 2, true);
  await poll("api/verifications/v1");
  const [worker] = FakeWorker.made;
  worker.reply(0);
  const sent = () => worker.sent.at(-1);
  settle(poll("api/verifications/v1"));
  assert.deepEqual([sent()[1], sent()[2], sent()[4]], ["https://shop.example/app/api/verifications/v1", [["accept", "application/json"]], "https://shop.example"]);
  // Two widgets polling in turn, each with its own headers.
  const csrf = { "X-CSRF": "t" };
  settle(poll("api/verifications/v2", csrf));
  assert.deepEqual([sent()[1], sent()[2]], ["https://shop.example/app/api/verifications/v2", [["accept", "application/json"], ["x-csrf", "t"]]]);
  settle(poll("api/verifications/v1"));
  assert.deepEqual([sent()[1], sent()[2]], ["https://shop.example/app/api/verifications/v1", [["accept", "application/json"]]]);
  // The page moved (history.pushState): a relative URL follows its base, as fetch would.
  globalThis.document.baseURI = "https://shop.example/account/";
  settle(poll("api/verifications/v1"));
  assert.equal(sent()[1], "https://shop.example/account/api/verifications/v1");
});

test("request(): an aborted worker poll tells the worker and fails with the abort's reason; a failure in the worker fails the poll; a worker that stops has what it holds fetched by the page, and later polls too", async (t) => {
  const { request, fetched, answers, done } = await freshEvents(t, "worker-failures");
  const poll = (tag, signal = new AbortController().signal) => request("/api/v/x", 0, undefined, "same-origin", undefined, undefined, signal, undefined, done, 1, tag, true);
  await poll(2);
  const [worker] = FakeWorker.made;
  worker.reply(0);
  // Aborted (the widget cancelled it, or it timed out).
  const abort = new AbortController();
  const aborted = poll(4, abort.signal);
  const [id] = worker.sent.at(-1);
  abort.abort();
  await settle(aborted);
  assert.deepEqual(worker.sent.at(-1), [id], "the worker aborts its fetch");
  assert.equal(answers.at(-1).failed, true);
  assert.equal(answers.at(-1).value.name, "AbortError");
  const count = answers.length;
  worker.reply([id, 200, true, undefined, undefined, "{}", 1]);
  await null;
  assert.equal(answers.length, count, "a late answer to an aborted poll goes nowhere");
  // Already aborted: not sent at all.
  const before = worker.sent.length;
  await settle(poll(6, AbortSignal.abort()));
  assert.equal(worker.sent.length, before);
  assert.equal(answers.at(-1).failed, true);
  // The worker's fetch failed.
  const failing = poll(8);
  const [id2] = worker.sent.at(-1);
  worker.reply([id2, "Failed to fetch"]);
  await settle(failing);
  assert.equal(answers.at(-1).failed, true);
  assert.equal(answers.at(-1).value.message, "Failed to fetch");
  // The worker stops: the poll it holds is fetched by the page (no retry spent), and later ones too.
  const pageFetches = fetched.length;
  const held = poll(10);
  let prevented = false;
  worker.onerror({ preventDefault: () => (prevented = true) });
  await held;
  assert.deepEqual([answers.at(-1).tag, answers.at(-1).failed, answers.at(-1).value[4]], [10, false, { status: "pending" }]);
  assert.equal(fetched.length, pageFetches + 1);
  assert.ok(worker.terminated && prevented);
  await poll(12);
  assert.equal(fetched.length, pageFetches + 2);
  assert.equal(FakeWorker.made.length, 1, "not started again");
});

test("request(): a create the widget took starts the status worker in idle time, so it is ready for the first poll; one it refused or that failed does not", async (t) => {
  const { request } = await freshEvents(t, "worker-start");
  const idle = () => new Promise((resolve) => setTimeout(resolve, 0));
  const create = (taken, inWorker = true) => request("/api/v", 1, undefined, "same-origin", "{}", "k", undefined, undefined, () => taken, 1, 1, inWorker);
  await create(false);
  await idle();
  assert.equal(FakeWorker.made.length, 0, "refused (destroyed, restarted): no polls follow");
  await create(true, false);
  await idle();
  assert.equal(FakeWorker.made.length, 0, "pollInWorker: false");
  globalThis.fetch = async () => new Response('{"title":"no"}', { status: 503 });
  await create(true);
  await idle();
  assert.equal(FakeWorker.made.length, 0, "an error answer: no verification to poll");
  globalThis.fetch = async () => new Response('{"verificationId":"v1"}', { status: 201 });
  await create(true);
  assert.equal(FakeWorker.made.length, 0, "not during the create's answer");
  await idle();
  assert.equal(FakeWorker.made.length, 1);
  await create(true);
  await idle();
  assert.equal(FakeWorker.made.length, 1, "one for the page");
});

test("request(): where no Worker can start (another origin, a CSP), polls are fetched on the page", async (t) => {
  const { request, fetched, answers, done } = await freshEvents(t, "worker-refused");
  globalThis.Worker = class {
    constructor() {
      throw new DOMException("refused", "SecurityError");
    }
  };
  await request("/api/v/x", 0, undefined, "same-origin", undefined, undefined, undefined, undefined, done, 1, 2, true);
  await request("/api/v/x", 0, undefined, "same-origin", undefined, undefined, undefined, undefined, done, 1, 4, true);
  assert.equal(fetched.length, 2);
  assert.deepEqual(answers.map((a) => [a.tag, a.failed]), [[2, false], [4, false]]);
});

test("request(): when the worker stops and the page's fetch throws at once, each held poll still settles (a failure the widget retries), none hangs", async (t) => {
  const { request, answers, done } = await freshEvents(t, "worker-stop-throws");
  const poll = (tag) => request("/api/v/x", 0, undefined, "same-origin", undefined, undefined, undefined, undefined, done, 1, tag, true);
  await poll(2);
  const [worker] = FakeWorker.made;
  worker.reply(0);
  const held = [poll(4), poll(6)];
  globalThis.fetch = () => {
    throw new TypeError("refused by a wrapper");
  };
  worker.onerror({});
  await Promise.all(held.map(settle));
  assert.deepEqual(answers.slice(-2).map((a) => [a.tag, a.failed, a.value.message]), [[4, true, "refused by a wrapper"], [6, true, "refused by a wrapper"]]);
});
