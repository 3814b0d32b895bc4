// hopae-connect-widget: the ES module entry. Importing it does nothing (safe
// under server-side rendering); the WebAssembly module loads on first use.
export { mount } from "./mount.js";
export { HopaeVerifyElement } from "./element.js";
