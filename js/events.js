// What the wasm's shell asks of JavaScript in one call instead of many.
// Every hopae-* event detail is built here, from one table: the wasm
// (src/web/events.rs imports emit()) passes the values positionally instead
// of setting one property at a time, and element.js, mount.js and fallback.js
// build their hopae-failed details with the same detail(), so every detail of
// one event has the same keys in the same order. And request(), the one fetch
// of the backend contract (src/web/http.rs), which makes status polls in a
// dedicated Worker (dist/poll-worker.js) where one can start. Imports nothing.

/** Each event's detail keys, in order; `?`: left out when absent. emit()'s `kind` is the index of a type here. */
const KEYS = {
  initiated: "verificationId providerId flowType expiresAt",
  status: "verificationId providerId status fallbackFrom?",
  completed: "verificationId providerId verifiedAttributes verifiedAt",
  failed: "verificationId code title message httpStatus retryable hopaeCode",
  expired: "verificationId",
  cancelled: "verificationId",
  redirect: "verificationId providerId authorizationUrl",
};
const TYPES = Object.keys(KEYS);

/** The detail of `hopae-${type}`: its keys paired with `values`, in order (an absent value is null). */
export function detail(type, ...values) {
  const out = {};
  KEYS[type].split(" ").forEach((key, i) => {
    const value = values[i] ?? null;
    if (!key.endsWith("?")) out[key] = value;
    else if (value !== null) out[key.slice(0, -1)] = value;
  });
  return out;
}

/**
 * Dispatches `hopae-${type}` with `detail` on `host`: bubbling and composed
 * (it leaves a shadow root), cancelable for hopae-redirect. Returns false if
 * a listener called preventDefault().
 */
export const dispatch = (host, type, detail) =>
  host.dispatchEvent(new CustomEvent(`hopae-${type}`, { bubbles: true, composed: true, cancelable: type === "redirect", detail }));

/** For the wasm (src/web/events.rs): dispatches event `kind` (an index into TYPES) with the detail of `values`. */
export const emit = (host, kind, ...values) => dispatch(host, TYPES[kind], detail(TYPES[kind], ...values));

/**
 * One request to the site's backend, as the widget sends it: headers set in
 * order (Accept, the `headers` option `extra`, then Content-Type when there
 * is a body and the create's Idempotency-Key), no HTTP cache, keepalive for a
 * DELETE (a cancel outlives the page). Returns fetch's promise. js/mount.js
 * starts the first create with it, before the module is ready, and cancels
 * one the widget did not adopt.
 */
export const send = (url, method, extra, credentials, body, key, signal) =>
  fetch(url, { method, headers: headersOf(extra, body, key), credentials, body, signal, cache: "no-store", keepalive: method === "DELETE" });

const headersOf = (extra, body, key) => {
  const headers = new Headers({ Accept: "application/json" });
  for (const name in extra) headers.set(name, extra[name]);
  if (body !== undefined) headers.set("Content-Type", "application/json");
  if (key !== undefined) headers.set("Idempotency-Key", key);
  return headers;
};

/**
 * A response read into [status, ok, date, retryAfter, body, receivedAt,
 * text]: body is the text parsed as JSON, undefined if it is not JSON;
 * receivedAt is Date.now() once read (the widget counts an early create's
 * age from it); text lets the widget tell an answer it has seen.
 */
export const read = async (response) => {
  const text = await response.text();
  const header = (name) => response.headers.get(name) ?? undefined;
  return [response.status, response.ok, header("date"), header("retry-after"), parsed(text), Date.now(), text];
};

/** `text` parsed as JSON, undefined if it is not JSON. */
const parsed = (text) => {
  try {
    return JSON.parse(text);
  } catch {}
};

const METHODS = ["GET", "POST", "DELETE"];

/**
 * The page's status worker: undefined until started (once a create the
 * widget took has answered, or by the first poll), null where none can start
 * (no Worker, a module of another origin or inlined in the drop-in, a CSP
 * that refuses it, or it stopped), else `{ worker, calls, ready }`. Polls go
 * to it once it has said it is ready (none is lost to one that never
 * starts); until then, and without it, they are fetched here, and what it
 * holds when it stops is fetched here again.
 */
let poller;
let lastId = 0;
const pollerReady = () => {
  if (poller === undefined) {
    poller = null;
    try {
      const worker = new Worker(new URL("./poll-worker.js", import.meta.url));
      const state = { worker, calls: new Map(), ready: false };
      worker.onmessage = ({ data }) => {
        if (data === 0) state.ready = true;
        else state.calls.get(data[0])?.(data);
      };
      worker.onerror = worker.onmessageerror = (event) => {
        event.preventDefault?.();
        if (poller === state) poller = null;
        worker.terminate();
        for (const call of state.calls.values()) call();
      };
      poller = state;
    } catch {}
  }
  return poller?.ready ? poller : undefined;
};

/**
 * `[url resolved against the page's base URL, headers as pairs]` for a poll,
 * the last one kept: one widget polls one URL with one `headers` object, and
 * making them each poll cost ~100 µs of script (bench/poll-cost.mjs).
 */
let last = [];
const target = (url, extra) => {
  const base = globalThis.document?.baseURI;
  if (last[0] !== url || last[1] !== base || last[2] !== extra) {
    last = [url, base, extra, [base ? new URL(url, base).href : url, [...headersOf(extra)]]];
  }
  return last[3];
};

/**
 * A GET made by the status worker, answered like send().then(read). The URL
 * is resolved against the page's base URL (the worker's own is its script's),
 * and only the page's origin goes as the Referer, to the page's own origin.
 */
const polled = ({ worker, calls }, url, extra, credentials, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const id = ++lastId;
    const message = [id, ...target(url, extra), credentials, globalThis.location?.origin];
    const stop = () => {
      calls.delete(id);
      worker.postMessage([id]);
      reject(signal.reason);
    };
    calls.set(id, (answer) => {
      calls.delete(id);
      signal?.removeEventListener("abort", stop);
      // The worker stopped: fetched here instead.
      if (!answer) return resolve(new Promise((sent) => sent(send(url, "GET", extra, credentials, undefined, undefined, signal))).then(read));
      const [, status, ok, date, retryAfter, text, receivedAt] = answer;
      if (receivedAt === undefined) return reject(new TypeError(status));
      resolve([status, ok, date, retryAfter, parsed(text), receivedAt, text]);
    });
    signal?.addEventListener("abort", stop, { once: true });
    worker.postMessage(message);
  });

/**
 * For the wasm (src/web/http.rs): send()'s request (`method`: an index into
 * METHODS, so no string crosses per request), read(); or `sent`, the same
 * create started before the module was ready and read already (js/mount.js
 * precreate). A GET with `inWorker` goes to the status worker when it is ready. The answer goes to `done(widget, tag, answer, false)`, a
 * failure to `done(widget, tag, reason, true)`; without `done` a failure is
 * dropped (a cancel). A create whose answer `done` refuses (false: nobody
 * waits for it any more) is cancelled. Returns the answer's promise.
 */
export const request = (url, method, extra, credentials, body, key, signal, sent, done, widget, tag, inWorker) => {
  let answer = sent;
  try {
    const worker = inWorker && method === 0 && !sent && pollerReady();
    answer ??= worker ? polled(worker, url, extra, credentials, signal) : send(url, METHODS[method], extra, credentials, body, key, signal).then(read);
  } catch (error) {
    answer = Promise.reject(error); // (fetch refused it at once: an answer in turn, like any failure)
  }
  answer.then(
    (value) => {
      const used = done?.(widget, tag, value, false);
      if (method !== 1) return;
      if (used === false) cancelCreated(url, extra, credentials, value);
      // A verification the widget took: its polls follow, so the worker starts
      // now, while the page is idle, and is ready for the first.
      else if (used && inWorker && value[1] && poller === undefined) (globalThis.requestIdleCallback ?? setTimeout)(pollerReady);
    },
    (reason) => done?.(widget, tag, reason, true),
  );
  return answer;
};

/**
 * Cancels the verification a create to `url` answered with (`answer`, as
 * read() reads it) when nobody will use it: a best-effort DELETE of
 * `${url}/${verificationId}`, so none is left open (and billed).
 */
export const cancelCreated = (url, extra, credentials, [, ok, , , json]) => {
  const id = ok && json?.verificationId;
  try {
    if (typeof id === "string" && id) send(`${url}/${encodeURIComponent(id)}`, "DELETE", extra, credentials).catch(() => {});
  } catch {}
};
