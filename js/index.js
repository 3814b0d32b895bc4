// hopae-connect-widget: the ES module entry. Importing it does nothing (safe
// under server-side rendering); the WebAssembly module loads on first use.
export { mount } from "./mount.js";
export { HopaeVerifyElement } from "./element.js";
// The rest of the graph, named here too: a browser fetches all of it at once
// instead of one import level at a time (each a round trip before the wasm
// and the create request can start).
import "./load.js";
import "./events.js";
import "./hopae_connect_widget.js";
