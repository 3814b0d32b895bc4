import type { HopaeVerifyElement } from "./index.js";
export { HopaeVerifyElement };
/** Registers the element (default name "hopae-verify"); a no-op if already defined or outside a browser. */
export function define(name?: string): void;
declare global {
  interface HTMLElementTagNameMap {
    "hopae-verify": HopaeVerifyElement;
  }
}
