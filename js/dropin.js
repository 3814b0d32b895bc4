// dist/hopae-verify.js: the drop-in for static sites, a classic script.
//   <div data-hopae-verify data-endpoint="/api/verifications" data-provider="bankidse"></div>
//   <script src="…/hopae-verify.js" defer></script>
// It finds its .wasm next to itself (or where its data-wasm attribute says),
// starts loading the first-QR module beside it (or at data-first-wasm) at once, defines <hopae-verify>, and mounts every
// [data-hopae-verify] element from its data-* attributes, also ones added later;
// removing such an element destroys its widget.
import { locateFirst, locateWasm, whenIdle } from "./load.js";
import { define } from "./define.js";
import { mount } from "./mount.js";
import { ATTRIBUTES, reportInvalid } from "./element.js";

const WASM = "hopae_connect_widget_bg.wasm";
const script = document.currentScript;
if (script?.dataset.wasm) locateWasm(new URL(script.dataset.wasm, document.baseURI));
else if (script?.src) {
  // A CDN's bare package URL (…/npm/hopae-connect-widget@0.1.0) either redirects
  // to the file (the .wasm is next to where it went, which only the response
  // knows) or serves it as is (then the .wasm is in the package's dist/).
  const near = (url) => {
    const at = new URL(url);
    if (/\.js$/.test(at.pathname)) return new URL(WASM, at);
    at.pathname = at.pathname.replace(/\/*$/, `/dist/${WASM}`);
    at.search = "";
    return at;
  };
  locateWasm(
    /\.js$/.test(new URL(script.src).pathname)
      ? near(script.src)
      : fetch(script.src, { method: "HEAD" }).then((r) => near(r.url), () => near(script.src)),
  );
} else locateWasm(new URL(WASM, document.baseURI)); // an inlined copy: next to the page
// The first-QR module now (next to the .wasm, or where data-first-wasm says);
// the widget's module once the first QR is painted.
if (script?.dataset.firstWasm) locateFirst(new URL(script.dataset.firstWasm, document.baseURI));
whenIdle();
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
