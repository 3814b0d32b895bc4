// Loaded on demand only: what the widget shows when its WebAssembly module
// cannot load (there is no Rust to draw the card then), and the warning for an
// option mount() does not know.
import { detail } from "./events.js";
import { cardBox } from "./card.js";

/** [message, button] per language. */
const TEXT = {
  en: ["The verification could not be loaded.", "Try again"],
  sv: ["Verifieringen kunde inte laddas.", "Försök igen"],
  nb: ["Verifiseringen kunne ikke lastes inn.", "Prøv igjen"],
  da: ["Verifikationen kunne ikke indlæses.", "Prøv igen"],
  fi: ["Tunnistautumista ei voitu ladata.", "Yritä uudelleen"],
  de: ["Die Verifizierung konnte nicht geladen werden.", "Erneut versuchen"],
};

/** The first of `wanted`, the page's lang and the browser's languages that we have. */
export function language(wanted, element) {
  const tags = [wanted, element?.closest?.("[lang]")?.getAttribute("lang"), ...(globalThis.navigator?.languages ?? [])];
  for (const tag of tags) {
    const base = String(tag ?? "").toLowerCase().split(/[-_]/)[0];
    if (base === "no" || base === "nn") return "nb";
    if (base in TEXT) return base;
  }
  return "en";
}

// Inside the card's box (js/mount.js cardBox, the skeleton's): the page does
// not move when this replaces the skeleton, nor when the card replaces this.
const CSS =
  ".hopae-verify-load-failed{display:flex;flex-direction:column;align-items:center;justify-content:center;gap:12px;" +
  "padding:var(--hopae-padding,20px);color:var(--hopae-text,#1f2328);text-align:center}" +
  ".hopae-verify-skeleton.hopae-verify-load-failed{background-image:none}" +
  ".hopae-verify-load-failed p{margin:0;max-width:22em}" +
  ".hopae-verify-load-failed button{font:inherit;cursor:pointer;padding:.55em 1.1em;border-radius:8px;border:1px solid var(--hopae-accent,#1f5fd6);" +
  "background:var(--hopae-accent,#1f5fd6);color:var(--hopae-accent-text,#fff)}" +
  ".hopae-verify-load-failed button:focus-visible{outline:3px solid var(--hopae-accent,#1f5fd6);outline-offset:2px}" +
  "@media (prefers-color-scheme:dark){.hopae-verify-load-failed{color:var(--hopae-text,#e6edf3)}}";
let sheet;

/**
 * Shows a short, localised error with a Try again button in `element` (in its
 * shadow root, or a wrapper where it cannot have one), in the card's box for a
 * QR of `size` CSS px (the `size` option; else --hopae-qr-size). Returns the
 * view; its remove() takes it away.
 */
export function showLoadFailure(element, locale, retry, size) {
  const document = element.ownerDocument;
  const lang = language(locale, element);
  const [message, again] = TEXT[lang];
  let root;
  let wrapper;
  try {
    root = element.shadowRoot ?? element.attachShadow({ mode: "open" });
  } catch {
    wrapper = document.createElement("div");
    element.append(wrapper);
    root = wrapper.attachShadow({ mode: "open" });
  }
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
  }
  if (!root.adoptedStyleSheets.includes(sheet)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  const box = cardBox(root, size);
  box.classList.add("hopae-verify-load-failed");
  box.setAttribute("part", "root");
  box.setAttribute("lang", lang);
  const text = document.createElement("p");
  text.setAttribute("part", "status");
  text.setAttribute("role", "alert");
  text.textContent = message;
  const button = document.createElement("button");
  button.type = "button";
  button.setAttribute("part", "retry-button");
  button.textContent = again;
  button.addEventListener("click", retry, { once: true });
  box.append(text, button);
  root.replaceChildren(box);
  return {
    remove() {
      box.remove();
      wrapper?.remove();
    },
  };
}

/** The hopae-failed detail of a load failure from load.js: what happened and what to check. */
export function loadFailed(error) {
  return detail(
    "failed",
    null,
    "wasm_load_failed",
    "Could not load",
    `hopae-connect-widget could not load its WebAssembly module from ${error.url}: ${error.message}. ` +
      "Check that this URL serves hopae_connect_widget_bg.wasm (point data-wasm or the wasmUrl option at it if it lives elsewhere), " +
      "that it is served as application/wasm, and that a Content-Security-Policy allows 'wasm-unsafe-eval' in script-src.",
    null,
    true,
    null,
  );
}

/** Edit distance, for naming the option that was probably meant. */
function distance(a, b) {
  a = a.toLowerCase();
  b = b.toLowerCase();
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length];
}

/** The known option closest to `key`. */
export function closest(key, known) {
  let best = known[0];
  for (const option of known) if (distance(key, option) < distance(key, best)) best = option;
  return best;
}

/** One console.warn for options mount() does not know, each with the closest known one. */
export function warnUnknown(keys, known) {
  const hints = keys.map((key) =>
    /^on[A-Z]/.test(key)
      ? `"${key}" (events are DOM events: element.addEventListener("hopae-${key.slice(2).toLowerCase()}", …), or await verification.done)`
      : `"${key}" (did you mean "${closest(key, known)}"?)`,
  );
  console.warn(`hopae-connect-widget: mount() ignores unknown option${keys.length > 1 ? "s" : ""} ${hints.join(", ")}.`);
}
