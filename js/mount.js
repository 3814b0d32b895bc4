import { askedFor, firstFailure, load, loadFirst, mountWasm, useWasmUrl } from "./load.js";
import { cancelCreated, detail, dispatch, read, send } from "./events.js";
import { FONT, HEIGHT, WIDTH, cardBox } from "./card.js";

/** The latest mount() call per element: an earlier one still loading is superseded. */
const latest = new WeakMap();

/** Every option mount() reads; anything else gets a console.warn naming the closest. */
const KNOWN = [
  "endpoint", "providerId", "pollInterval", "timeout", "size", "headers", "credentials", "body",
  "maxRetries", "requestTimeout", "redirect", "resume", "fallbackProviders", "locale", "messages",
  "userData", "requireUserData", "wasmUrl", "firstWasmUrl", "pollInWorker",
];

/** The events that end a verification; `done` settles with the first. */
const TERMINAL = ["hopae-completed", "hopae-failed", "hopae-expired", "hopae-cancelled"];

/**
 * Providers whose first create waits for the user-data form unless the page
 * passes `userData` (src/core/userdata.rs `fields`; tests/prefetch.test.mjs
 * checks the two lists are equal).
 */
const FORM_PROVIDERS = ["smartid", "skmobileid"];

/**
 * The create request the widget sends first for options `o`, built as
 * src/web/http.rs builds it; undefined where the widget would not create at
 * once (resume, the user-data form) or anything is unusual (null, wrong
 * types: the widget then sends its own once the module is ready).
 */
function firstCreate(o) {
  const { endpoint, providerId, headers = {}, credentials = "same-origin", body, userData, requireUserData } = o;
  const plain = (v) => v === undefined || (v && typeof v === "object" && !Array.isArray(v));
  const url = typeof endpoint === "string" && endpoint.trim().replace(/\/+$/, "");
  const provider = typeof providerId === "string" && providerId.trim();
  const asks = FORM_PROVIDERS.includes(provider) && !userData && requireUserData !== false && requireUserData !== "false";
  if (!url || !/^[\w.-]{1,64}$/.test(provider) || asks || o.resume !== undefined) return;
  if (!plain(body) || !plain(userData) || !plain(headers) || !["same-origin", "include", "omit"].includes(credentials)) return;
  const entries = Object.entries(headers);
  if (entries.some(([, v]) => typeof v !== "string")) return;
  const json = Object.assign({}, body, { providerId: provider });
  if (userData) json.userData = userData;
  return { url, body: JSON.stringify(json), headers: { ...headers }, credentials };
}

/**
 * Starts the first create now, not once the module is ready: the widget
 * adopts it if it is exactly the request it would send (src/web/http.rs
 * `adopt`), with its Idempotency-Key for retries. Undefined where there is
 * nothing to start.
 */
function precreate(options) {
  try {
    const request = firstCreate(options);
    if (!request) return;
    const key = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => (b | 256).toString(16).slice(1)).join("");
    const abort = new AbortController();
    // Read as soon as it answers (events.js read(), the array request()
    // hands the widget), once for all of its readers: the first QR, the
    // widget, discard().
    const response = send(request.url, "POST", request.headers, request.credentials, request.body, key, abort.signal).then(read);
    response.catch(() => {}); // read by the widget or by discard()
    return { ...request, same: JSON.stringify(request), key, response, abort };
  } catch {
    // (No fetch, no crypto, a header fetch refuses: the widget sends its own.)
  }
}

/**
 * A started create the widget did not adopt: let it answer (one in flight is
 * never aborted: it may have been created already), then cancel what it
 * created, so no verification is left open.
 */
function discard(started) {
  started?.response.then((answer) => cancelCreated(started.url, started.headers, started.credentials, answer)).catch(() => {});
}

/**
 * How long mount() waits for the early create's answer before it loads the
 * widget's module anyway: a backend slower than this gets the module loading
 * while it works, so the widget is ready when the answer comes.
 */
const FIRST_QR_WAIT = 1000;

/**
 * Paints the first QR code into the skeleton `box` with the first-QR module
 * as soon as the early create `started` answers, while the widget's module
 * is not even requested: the code src/core/session.rs `first_qr` says the
 * session paints first, nothing otherwise (another flow, an error, the module
 * not loading). The widget then takes over, painting the same code in its
 * card. Resolves when it has painted or given up; never rejects.
 */
async function paintFirst(started, box) {
  try {
    // (A module that cannot load gives up at once: the widget's module is then not kept waiting for the answer.)
    const firstQr = await loadFirst();
    if (!firstQr) warnFirst();
    const [, ok, , , answer] = firstQr ? await started.response : [];
    if (!ok || !answer || !box.isConnected) return;
    const canvas = box.ownerDocument.createElement("canvas");
    // Hidden from assistive technology while the placeholder is aria-busy;
    // the widget's card names its code. part="qr": styled as the card's is.
    canvas.setAttribute("aria-hidden", "true");
    canvas.setAttribute("part", "qr");
    const px = parseFloat(getComputedStyle(box).getPropertyValue("--_qr"));
    if (firstQr(canvas, answer, px >= 96 && px <= 1024 ? Math.round(px) : 200)) box.append(canvas);
  } catch {
    // (Anything unusual: the widget paints the first code itself.)
  }
}

let warnedFirst = false;
/** Once per page: the first-QR module did not load, so the QR waits for the widget's module. */
function warnFirst() {
  if (warnedFirst || !firstFailure) return;
  warnedFirst = true;
  console.warn(
    `hopae-connect-widget: the first-QR module did not load from ${firstFailure.url} (${firstFailure.message}), so the QR waits for the widget's module. ` +
      "Serve hopae_first_bg.wasm next to hopae_connect_widget_bg.wasm, or point the firstWasmUrl option (data-first-wasm on the drop-in's script) at it.",
  );
}

/** What `done` settles with when a verification never started (superseded, destroyed while loading). */
const NEVER_STARTED = () => ({ type: "hopae-cancelled", detail: detail("cancelled") });

/**
 * Mounts a verification widget on `element` and starts a verification.
 * Rejects with an Error that says what to fix if an option is wrong.
 *
 * Mounting on an element that already has a widget replaces it. When two
 * mount() calls for one element overlap while the module loads (React
 * StrictMode mounts, unmounts and mounts again), only the last one creates a
 * verification; the earlier resolves to an inert handle (`superseded: true`).
 *
 * Until the module is ready the element shows a skeleton of the card, so the
 * page does not shift when it arrives. If the module cannot load, the element
 * shows a short error with Try again and dispatches `hopae-failed` with code
 * "wasm_load_failed"; the handle's restart() tries again too.
 */
export async function mount(element, options) {
  askedFor();
  const token = {};
  const keyed = element !== null && typeof element === "object";
  if (keyed) latest.set(element, token);
  if (options !== null && typeof options === "object") {
    const unknown = Object.keys(options).filter((key) => !KNOWN.includes(key));
    if (unknown.length) import("./fallback.js").then((m) => m.warnUnknown(unknown, KNOWN));
  }
  const skeleton = keyed ? placeSkeleton(element, options?.size) : undefined;
  // The first create goes out now, while the module loads (a microtask later:
  // a mount superseded or destroyed in this task, as React StrictMode does,
  // sends none). null once handed over or dropped.
  let started;
  const drop = () => {
    discard(started);
    started = null;
  };
  // With a skeleton, and the widget's module not ready yet, the first QR is
  // painted from the early create's answer before that module is requested
  // (paintFirst). Once it is ready (a second widget on the page), the widget
  // adopts the create at once.
  let painted;
  if (keyed && element.nodeType === 1 && options && typeof options === "object") {
    try {
      useWasmUrl(options.wasmUrl, options.firstWasmUrl);
    } catch {
      // (An unusable wasmUrl: load() reports it.)
    }
    queueMicrotask(() => {
      if (started === undefined && latest.get(element) === token) started = precreate(options) ?? null;
      if (started && skeleton && !mountWasm) painted = paintFirst(started, skeleton);
    });
  }
  let inner;
  let settle;
  const done = new Promise((resolve) => (settle = resolve));
  const handle = {
    done,
    superseded: false,
    destroy() {
      destroyed = true;
      drop();
      skeleton?.remove();
      failureView?.remove();
      inner?.destroy();
      inner = undefined;
      unlisten();
      settle(NEVER_STARTED()); // a no-op if the verification has ended
    },
    cancel() {
      inner?.cancel();
    },
    restart() {
      if (failed) retry();
      else inner?.restart();
    },
    get verificationId() {
      return inner?.verificationId;
    },
    get status() {
      return inner?.status;
    },
  };
  const listener = (event) => {
    if (event.target !== element && event.target?.host !== element) return;
    settle({ type: event.type, detail: event.detail });
    unlisten();
  };
  const unlisten = () => TERMINAL.forEach((type) => element?.removeEventListener?.(type, listener));

  let failed = false;
  let destroyed = false;
  let failureView;
  /** Destroyed, or superseded by a later mount() on the element. */
  const gone = () => destroyed || (keyed && latest.get(element) !== token);
  const start = async () => {
    // (After the microtask above.) The first QR, if one is coming, at most
    // FIRST_QR_WAIT; then, superseded or destroyed (React StrictMode's first
    // mount), nothing to load for.
    await null;
    if (painted && !gone()) {
      let waited;
      await Promise.race([painted, new Promise((resolve) => (waited = setTimeout(resolve, FIRST_QR_WAIT)))]);
      clearTimeout(waited);
    }
    painted = undefined;
    if (gone()) {
      drop();
      skeleton?.remove();
      return;
    }
    try {
      await load(options?.wasmUrl);
    } catch (error) {
      drop();
      if (keyed && latest.get(element) !== token) return;
      skeleton?.remove();
      if (destroyed) return;
      if (!error?.code || typeof element?.dispatchEvent !== "function") throw error;
      failed = true;
      // (If even this chunk cannot load, the event still says what happened.)
      const { showLoadFailure, loadFailed } = await import("./fallback.js").catch(() => ({
        showLoadFailure: () => undefined,
        loadFailed: (e) => detail("failed", null, e.code, "", e.message, null, true, null),
      }));
      failureView = showLoadFailure(element, options?.locale, () => handle.restart(), options?.size);
      const failure = loadFailed(error);
      settle({ type: "hopae-failed", detail: failure });
      unlisten();
      dispatch(element, "failed", failure);
      return;
    }
    if (gone()) {
      drop();
      skeleton?.remove();
      return;
    }
    const early = started;
    started = null;
    failed = false;
    failureView?.remove();
    // Not if the options changed since (their headers, say): the widget would send another request.
    const handed = early && early.same === JSON.stringify(firstCreate(options)) ? early : undefined;
    try {
      // (No element: mountWasm throws the error that says so.)
      if (typeof element?.addEventListener === "function") TERMINAL.forEach((type) => element.addEventListener(type, listener));
      inner = mountWasm(element, options, handed);
    } catch (error) {
      unlisten();
      throw error;
    } finally {
      if (!handed?.adopted) discard(early);
      skeleton?.remove();
    }
  };
  const retry = () => {
    failureView?.remove();
    failed = false;
    start().catch((error) => console.error(error));
  };

  await start();
  if (keyed && latest.get(element) !== token) {
    settle(NEVER_STARTED());
    return Object.freeze({ ...handle, destroy() {}, cancel() {}, restart() {}, verificationId: undefined, status: undefined, superseded: true });
  }
  return handle;
}

// The page's own stylesheet list gets one rule of zero specificity (any rule
// of the page wins): hosts the widget will fill (<hopae-verify>, the drop-in's
// [data-hopae-verify], and any element of class hopae-verify-host, for mount())
// have the card's box from the moment this module runs, before the wasm or the
// verification arrives. The host takes the card's font so that em is the card's.
const HOST_CSS =
  `:where(hopae-verify,[data-hopae-verify],.hopae-verify-host){display:inline-block;vertical-align:top;max-width:100%;${FONT}` +
  `min-width:min(100%,${WIDTH("var(--hopae-qr-size,200px)")});min-height:${HEIGHT("var(--hopae-qr-size,200px)")}}`;
if (typeof document !== "undefined" && typeof CSSStyleSheet === "function") {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(HOST_CSS);
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  } catch {
    // An old browser: the skeleton appears at mount() instead.
  }
}

/**
 * A placeholder of the card's size in the element's shadow root, shown until
 * the module is ready; null where the element cannot have a shadow root.
 */
function placeSkeleton(element, size) {
  if (typeof CSSStyleSheet === "undefined" || typeof element.attachShadow !== "function") return null;
  try {
    const root = element.shadowRoot ?? element.attachShadow({ mode: "open" });
    if (root.querySelector(".hopae-verify")) return null; // a widget is there already
    const box = cardBox(root, size);
    box.setAttribute("part", "skeleton");
    box.setAttribute("aria-busy", "true");
    root.replaceChildren(box);
    return box;
  } catch {
    return null;
  }
}
