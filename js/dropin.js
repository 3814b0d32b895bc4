// dist/hopae-verify.js: the drop-in for static sites, a classic script.
//   <div data-hopae-verify data-endpoint="/api/verifications" data-provider="bankidse"></div>
//   <script src="…/hopae-verify.js" defer></script>
// It finds its .wasm next to itself, defines <hopae-verify>, and mounts every
// [data-hopae-verify] element from its data-* attributes, also ones added later;
// removing such an element destroys its widget.
import { locateWasm } from "./load.js";
import { define } from "./define.js";
import { mount } from "./mount.js";
import { ATTRIBUTES, reportInvalid } from "./element.js";

const script = document.currentScript;
if (script?.src) locateWasm(new URL("hopae_connect_widget_bg.wasm", script.src));
define();

/** data-* key (dataset, camelCased) -> option: the element's attribute table. */
const DATA = Object.fromEntries(
  Object.entries(ATTRIBUTES).map(([attribute, option]) => [attribute.replace(/-(.)/g, (_, c) => c.toUpperCase()), option]),
);

const mounted = new WeakMap();

async function start(element) {
  if (mounted.has(element)) return;
  mounted.set(element, null);
  const options = {};
  for (const [key, option] of Object.entries(DATA)) if (key in element.dataset) options[option] = element.dataset[key];
  try {
    const handle = await mount(element, options);
    if (mounted.has(element)) mounted.set(element, handle);
    else handle.destroy(); // removed while loading
  } catch (error) {
    reportInvalid(element, error);
  }
}

function stop(element) {
  const handle = mounted.get(element);
  mounted.delete(element);
  handle?.destroy();
}

const SELECTOR = "[data-hopae-verify]";
const each = (node, fn) => {
  if (node.nodeType !== 1) return;
  if (node.matches(SELECTOR)) fn(node);
  node.querySelectorAll(SELECTOR).forEach(fn);
};

function scan() {
  document.querySelectorAll(SELECTOR).forEach(start);
  new MutationObserver((records) => {
    for (const record of records) {
      record.removedNodes.forEach((node) => each(node, (el) => !el.isConnected && stop(el)));
      record.addedNodes.forEach((node) => each(node, start));
    }
  }).observe(document.documentElement, { childList: true, subtree: true });
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", scan, { once: true });
else scan();
