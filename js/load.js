// Loads the WebAssembly module once, lazily: nothing happens at import time,
// so importing the package during server-side rendering is safe.
import init, { mount as mountWasm } from "./hopae_connect_widget.js";

let wasmUrl;
let ready;

/** Where the .wasm is, when it is not next to this file (the drop-in script says). */
export function locateWasm(url) {
  wasmUrl = url;
}

/** Resolves once the module is ready; a failed load may be retried. */
export function load() {
  ready ??= init({ module_or_path: wasmUrl ?? new URL("./hopae_connect_widget_bg.wasm", import.meta.url) }).catch((error) => {
    ready = undefined;
    throw new Error(`hopae-connect-widget: could not load its WebAssembly module: ${error?.message ?? error}`);
  });
  return ready;
}

export { mountWasm };
