// hopae-connect-widget: the ES module entry.
//
// Importing this file does nothing (safe under server-side rendering): the
// WebAssembly module is fetched and compiled on the first mount() call only,
// from next to this file.
import init, { mount as mountWasm } from "./hopae_connect_widget.js";

let ready;

function load() {
  ready ??= init({ module_or_path: new URL("./hopae_connect_widget_bg.wasm", import.meta.url) }).catch((error) => {
    ready = undefined; // let a later mount() try again
    throw new Error(`hopae-connect-widget: could not load its WebAssembly module: ${error?.message ?? error}`);
  });
  return ready;
}

/**
 * Mounts a verification widget on `element` and starts a verification.
 * Rejects with an Error that says what to fix if an option is wrong.
 */
export async function mount(element, options) {
  await load();
  return mountWasm(element, options);
}
