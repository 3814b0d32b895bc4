// The card's box, drawn before the widget's module is there: the skeleton
// (js/mount.js) and the load-failure view (js/fallback.js). No side effects on
// import: fallback.js, a file of its own, imports it too.

// The card's box in every state (src/web/style.css): width max(22em, QR) + 2
// padding + 2px border, height QR + 2 padding + 66px (5 gaps, 2 button
// borders) + 10.4em (title, two status lines, app link, countdown, buttons),
// in the card's font. The skeleton, the failure view and js/mount.js's host rule are that box.
export const FONT = "font:var(--hopae-font,15px/1.45 system-ui,sans-serif);";
const PAD = "2*var(--hopae-padding,20px)";
export const WIDTH = (qr) => `calc(max(22em,${qr}) + ${PAD} + 2px)`;
export const HEIGHT = (qr) => `calc(${qr} + ${PAD} + 66px + 10.4em)`;
const SKELETON_CSS =
  ":host{display:inline-block;max-width:100%;vertical-align:top}" +
  `.hopae-verify-skeleton{position:relative;box-sizing:border-box;max-width:100%;${FONT}width:${WIDTH("var(--_qr)")};height:${HEIGHT("var(--_qr)")};` +
  "border:1px solid var(--hopae-border,#d0d7de);border-radius:var(--hopae-radius,12px);" +
  // A faint square where the QR will be: below the title and two status
  // lines (--_y), and on a phone below the app link's row too.
  "--_y:calc(var(--hopae-padding,20px) + 24px + 4.5675em);" +
  "background:linear-gradient(#8881,#8881) 50% var(--_y)/var(--_qr) var(--_qr) no-repeat var(--hopae-background,#fff)}" +
  "@media (pointer:coarse){.hopae-verify-skeleton{--_y:calc(var(--hopae-padding,20px) + 38px + 6.8675em)}}" +
  // The first QR (paintFirst), centred on that square as the card's is.
  ".hopae-verify-skeleton>canvas{position:absolute;left:50%;top:calc(var(--_y) + var(--_qr)/2);transform:translate(-50%,-50%);background:#fff;border-radius:calc(var(--hopae-radius,12px)/3)}" +
  // Dark: transparent, as the card is.
  "@media (prefers-color-scheme:dark){.hopae-verify-skeleton{background-color:var(--hopae-background,#0000);border-color:var(--hopae-border,#30363d)}}";
let skeletonSheet;

/**
 * A `<div>` of the card's box in `root` (a shadow root, its stylesheet adopted)
 * for a QR of `size` CSS px (the `size` option), else --hopae-qr-size: the
 * skeleton, and the load-failure view (js/fallback.js).
 */
export function cardBox(root, size) {
  if (!skeletonSheet) {
    skeletonSheet = new CSSStyleSheet();
    skeletonSheet.replaceSync(SKELETON_CSS);
  }
  if (!root.adoptedStyleSheets.includes(skeletonSheet)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, skeletonSheet];
  const box = root.ownerDocument.createElement("div");
  box.className = "hopae-verify-skeleton";
  const px = Number(size);
  box.style.setProperty("--_qr", px >= 96 && px <= 1024 ? `${Math.round(px)}px` : "var(--hopae-qr-size, 200px)");
  return box;
}

