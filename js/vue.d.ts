// hopae-connect-widget/vue: `import "hopae-connect-widget/vue"` registers <hopae-verify>
// (like "/define") and types it in Vue templates. Tell Vue's compiler it is a custom
// element: compilerOptions.isCustomElement = (tag) => tag === "hopae-verify".
import type { DefineComponent } from "vue";
import type { HopaeEventProps, HopaeVerifyElement, HopaeVerifyElementAttributes, MountOptions } from "./index.js";
export { define } from "./define.js";
export type { HopaeVerifyElement };

/** Attributes and events of `<hopae-verify>` in a Vue template. */
export interface HopaeVerifyVueProps extends HopaeVerifyElementAttributes, HopaeEventProps<true> {
  /** Objects that cannot be attributes (bind with `.options`). */
  options?: Partial<MountOptions>;
}

declare module "vue" {
  interface GlobalComponents {
    "hopae-verify": DefineComponent<HopaeVerifyVueProps>;
  }
}
