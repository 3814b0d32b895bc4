// Loads the WebAssembly module once. In a browser the fetch and the compilation
// start as soon as this module is evaluated (importing the package, or the
// drop-in script running), so they overlap the page's own start-up; in Node
// (server-side rendering) nothing happens until mount().

/**
 * The wasm-bindgen glue, imported on first use: not a static import, so the
 * page's module graph ends here and the .wasm and the first create start one
 * round trip sooner; the glue arrives while the .wasm downloads.
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

/** Where the .wasm is, when it is not next to this file (the drop-in, `data-wasm`, `wasmUrl`). */
export function locateWasm(url) {
  if (ready) return; // one module per page: the first one instantiated stays
  source = url;
  sourceHref = typeof url?.then === "function" ? undefined : String(url);
  compiled = undefined;
}

// (Written exactly so for bundlers: Vite and webpack emit the file and rewrite this URL.)
const where = () => source ?? new URL("./hopae_connect_widget_bg.wasm", import.meta.url);

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
 * Resolves once the module is ready; rejects with an Error whose code is
 * "wasm_load_failed" (and `url`), after
 * which a later call tries again. `wasmUrl` (the option) overrides where the
 * module is, unless one is already instantiated.
 */
export function load(wasmUrl) {
  if (wasmUrl != null && !ready) {
    const url = String(new URL(wasmUrl, globalThis.document?.baseURI));
    if (url !== sourceHref) locateWasm(url);
  }
  ready ??= Promise.all([prefetch(), importGlue()])
    .then(([module, exports]) => exports.default({ module_or_path: module }).then(() => (mountWasm = exports.mount)))
    .catch((error) => {
      ready = compiled = glue = undefined;
      throw error?.code ? error : failure(sourceHref ?? where(), `it did not instantiate (${error?.message ?? error})`);
    });
  return ready;
}

// The ES entry, in a browser: start now. (The drop-in bundle has no
// import.meta.url; it locates the module itself and calls prefetch().)
if (typeof document !== "undefined" && import.meta.url) {
  prefetch();
  importGlue().catch(() => {}); // reported by load(), if anyone mounts
}
