// hopae-connect-widget/svelte: `import "hopae-connect-widget/svelte"` registers
// <hopae-verify> (like "/define") and types it in Svelte 5 markup.
import type { HTMLAttributes } from "svelte/elements";
import type { HopaeEventProps, HopaeVerifyElement, HopaeVerifyElementAttributes } from "./index.js";
export { define } from "./define.js";
export type { HopaeVerifyElement };

/** Attributes and events of `<hopae-verify>` in Svelte markup. */
export interface HopaeVerifySvelteAttributes extends HTMLAttributes<HopaeVerifyElement>,
  HopaeVerifyElementAttributes, HopaeEventProps {}

declare module "svelte/elements" {
  interface SvelteHTMLElements {
    "hopae-verify": HopaeVerifySvelteAttributes;
  }
}
