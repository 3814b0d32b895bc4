// hopae-connect-widget: the ES module entry.
//
// Importing this file does nothing (safe under server-side rendering): the
// WebAssembly module is fetched and compiled on the first mount() call only,
// from next to this file.
import init, { mount as mountWasm } from "./hopae_connect_widget.js";

let ready;
/** The latest mount() call per element: an earlier one still loading is superseded. */
const latest = new WeakMap();

function load() {
  ready ??= init({ module_or_path: new URL("./hopae_connect_widget_bg.wasm", import.meta.url) }).catch((error) => {
    ready = undefined; // let a later mount() try again
    throw new Error(`hopae-connect-widget: could not load its WebAssembly module: ${error?.message ?? error}`);
  });
  return ready;
}

/** What a mount() superseded by a later one on the same element resolves to. */
const superseded = Object.freeze({
  destroy() {},
  cancel() {},
  restart() {},
  verificationId: undefined,
  status: undefined,
  superseded: true,
});

/**
 * Mounts a verification widget on `element` and starts a verification.
 * Rejects with an Error that says what to fix if an option is wrong.
 *
 * Mounting on an element that already has a widget replaces it. When two
 * mount() calls for one element overlap while the module loads (React
 * StrictMode mounts, unmounts and mounts again), only the last one creates a
 * verification; the earlier resolves to an inert handle.
 */
export async function mount(element, options) {
  const token = {};
  const keyed = element !== null && typeof element === "object";
  if (keyed) latest.set(element, token);
  await load();
  if (keyed && latest.get(element) !== token) return superseded;
  return mountWasm(element, options);
}
