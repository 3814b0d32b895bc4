// Registers <hopae-verify>. Safe to import more than once, and in Node.
import { HopaeVerifyElement } from "./element.js";

export function define(name = "hopae-verify") {
  if (typeof customElements !== "undefined" && !customElements.get(name)) {
    customElements.define(name, class extends HopaeVerifyElement {});
  }
}

define();
export { HopaeVerifyElement };
