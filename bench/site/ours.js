import { mount } from "/dist/index.js";
import init, { renderQr, memoryBytes } from "/dist/hopae_connect_widget.js";

window.impl = {
  mount: (el) => mount(el, { endpoint: "/api/verifications", providerId: "bankidse" }),
  canvasOf: (el) => el.shadowRoot?.querySelector("canvas"),
  paint: async (canvas, text) => {
    await init({ module_or_path: "/dist/hopae_connect_widget_bg.wasm" });
    renderQr(canvas, text, 200);
  },
  memoryBytes: () => memoryBytes(),
};
window.ready = true;
