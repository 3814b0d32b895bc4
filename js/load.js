// Loads the two WebAssembly modules, each once. The first-QR module
// (hopae_first_bg.wasm, a fraction of the widget's size: the crate built with
// `--cfg hopae_first`) is fetched and compiled as soon as this module is
// evaluated (importing the package, or the drop-in script running); it paints
// the first code of the early create (js/mount.js). The widget's own module
// (hopae_connect_widget_bg.wasm) is requested when mount() is ready for it:
// after that first QR, so everything until the QR is the small module (or
// while the page is idle, when nothing has mounted yet: whenIdle). In Node
// (server-side rendering) nothing happens until mount().

/**
 * The widget's wasm-bindgen glue, imported on first use: not a static import,
 * so the page's module graph ends here and it arrives while the .wasm
 * downloads (after the first QR).
 */
let glue;
const importGlue = () => {
  // (events.js too, which the glue imports: fetched beside it, not after it.)
  glue ??= Promise.all([import("./hopae_connect_widget.js"), import("./events.js")]).then(([exports]) => exports);
  return glue;
};

/** The wasm's mount(element, options, prefetched), once load() has resolved. */
export let mountWasm;

/** Where the .wasm is: a URL or a promise of one (the drop-in may have to ask). */
let source;
/** Its href once known, to compare with a `wasmUrl` option. */
let sourceHref;
/** Promise<WebAssembly.Module> of the current source. */
let compiled;
/** Promise of the instantiated module. */
let ready;
/** Promise of the first-QR module's firstQr, or of undefined if it could not load. */
let first;
/** Where the first-QR module is when it is not next to the widget's (`firstWasmUrl`, `data-first-wasm`). */
let firstSource;
/** Why the first-QR module did not load (an Error with `url`), for one console warning. */
export let firstFailure;

/** Where the .wasm is, when it is not next to this file (the drop-in, `data-wasm`, `wasmUrl`). */
export function locateWasm(url) {
  if (ready) return; // one module per page: the first one instantiated stays
  source = url;
  sourceHref = typeof url?.then === "function" ? undefined : String(url);
  compiled = undefined;
  if (!firstSource) relocateFirst();
}

/** Where the first-QR module is, when it is not next to the widget's module (`firstWasmUrl`, `data-first-wasm`). */
export function locateFirst(url) {
  firstSource = url;
  relocateFirst();
}

// A first-QR module already loaded works from anywhere and is kept; one that
// did not load (or is loading) is tried again from the new place if it fails.
const relocateFirst = () => {
  first = first?.then((firstQr) => firstQr ?? ((first = undefined), loadFirst()));
};

// (Written exactly so for bundlers: Vite and webpack emit the files and rewrite these URLs.)
const where = () => source ?? new URL("./hopae_connect_widget_bg.wasm", import.meta.url);
// The first-QR module is next to the widget's, wherever that is, unless told.
const whereFirst = () =>
  firstSource ?? (source ? Promise.resolve(source).then((url) => new URL("hopae_first_bg.wasm", url)) : new URL("./hopae_first_bg.wasm", import.meta.url));

async function compile(url) {
  let response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw failure(url, `the request failed (${error?.message ?? error})`);
  }
  if (!response.ok) throw failure(url, `the server answered HTTP ${response.status}`);
  try {
    // Streaming compilation needs Content-Type: application/wasm; many static
    // hosts send application/octet-stream, so anything else is compiled from bytes.
    if (WebAssembly.compileStreaming && /^application\/wasm(;|$)/i.test(response.headers.get("content-type") ?? "")) {
      return await WebAssembly.compileStreaming(response);
    }
    return await WebAssembly.compile(await response.arrayBuffer());
  } catch (error) {
    throw failure(url, `it did not compile (${error?.message ?? error})`);
  }
}

/** A load failure: fallback.js turns it into the message for the page. */
const failure = (url, reason) => Object.assign(new Error(reason), { code: "wasm_load_failed", url: String(url) });

/** Starts fetching and compiling the module, once; returns the pending module. */
export function prefetch() {
  if (!compiled) {
    compiled = Promise.resolve(where()).then(compile);
    compiled.catch(() => {}); // reported by load(), if anyone mounts
  }
  return compiled;
}

/**
 * `wasmUrl` (the option): where the widget's module is, unless one is
 * instantiated; `firstWasmUrl`: where the first-QR module is, if not next to it.
 */
export function useWasmUrl(wasmUrl, firstWasmUrl) {
  if (firstWasmUrl != null && !ready) {
    const url = String(new URL(firstWasmUrl, globalThis.document?.baseURI));
    if (url !== String(firstSource)) locateFirst(url);
  }
  if (wasmUrl != null && !ready) {
    const url = String(new URL(wasmUrl, globalThis.document?.baseURI));
    if (url !== sourceHref) locateWasm(url);
  }
}

/**
 * Starts loading the first-QR module, once (again only after a relocation
 * when it failed: relocateFirst); resolves to its
 * `firstQr(canvas, answer, size)`, or to undefined if it cannot load: then
 * nothing is painted early and the widget's module paints the first code.
 */
export function loadFirst() {
  first ??= Promise.all([Promise.resolve(whereFirst()).then(compile), import("./hopae_first.js")])
    .then(([module, exports]) => exports.default({ module_or_path: module }).then(() => ((firstFailure = undefined), exports.firstQr)))
    .catch((error) => {
      firstFailure = error;
      return undefined;
    });
  return first;
}

/**
 * Resolves once the module is ready; rejects with an Error whose code is
 * "wasm_load_failed" (and `url`), after
 * which a later call tries again. `wasmUrl` (the option) overrides where the
 * module is, unless one is already instantiated.
 */
export function load(wasmUrl) {
  useWasmUrl(wasmUrl);
  ready ??= Promise.all([prefetch(), importGlue()])
    .then(([module, exports]) => exports.default({ module_or_path: module }).then(() => (mountWasm = exports.mount)))
    .catch((error) => {
      ready = compiled = glue = undefined;
      throw error?.code ? error : failure(sourceHref ?? where(), `it did not instantiate (${error?.message ?? error})`);
    });
  return ready;
}

/** Whether a mount() has asked for the widget: it then loads the module when it needs it. */
let asked = false;
/** Called by mount(). */
export const askedFor = () => (asked = true);

/**
 * Once the first-QR module is in, and while no mount() has asked for the
 * widget (a page that imports the package early and mounts later: a click,
 * a route), fetch and compile the widget's module when the page is idle, so
 * the widget is ready when it is wanted.
 */
export function whenIdle() {
  const idle = globalThis.requestIdleCallback ?? ((run) => setTimeout(run, 300));
  loadFirst().then(() => idle(() => asked || prefetch(), { timeout: 3000 }));
}

// The ES entry, in a browser: the first-QR module now. (The drop-in bundle
// has no import.meta.url; it locates the modules itself and calls whenIdle().)
if (typeof document !== "undefined" && import.meta.url) whenIdle();
