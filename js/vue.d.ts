// hopae-connect-widget/vue: `import "hopae-connect-widget/vue"` registers <hopae-verify>
// (like "/define") and types it in Vue templates. Tell Vue's compiler it is a custom
// element: compilerOptions.isCustomElement = (tag) => tag === "hopae-verify".
import type { DefineComponent } from "vue";
import type {
  HopaeCompletedDetail, HopaeEndedDetail, HopaeFailedDetail, HopaeInitiatedDetail,
  HopaeRedirectDetail, HopaeStatusDetail, HopaeVerifyElement, MountOptions,
} from "./index.js";
export { define } from "./define.js";
export type { HopaeVerifyElement };

/** Attributes and events of `<hopae-verify>` in a Vue template. */
export interface HopaeVerifyVueProps {
  endpoint?: string;
  provider?: string;
  "poll-interval"?: number | string;
  timeout?: number | string;
  "request-timeout"?: number | string;
  "max-retries"?: number | string;
  locale?: string;
  size?: number | string;
  redirect?: "same-tab" | "new-tab" | "event-only";
  resume?: string;
  "fallback-providers"?: string;
  credentials?: "same-origin" | "include" | "omit";
  /** "false": your site handles user data (no user-data form). A string, since a boolean
   * false would remove the attribute and leave the default (true). */
  "require-user-data"?: "true" | "false";
  /** Objects that cannot be attributes (bind with `.options`). */
  options?: Partial<MountOptions>;
  "onHopae-initiated"?: (event: CustomEvent<HopaeInitiatedDetail>) => void;
  "onHopae-status"?: (event: CustomEvent<HopaeStatusDetail>) => void;
  "onHopae-redirect"?: (event: CustomEvent<HopaeRedirectDetail>) => void;
  "onHopae-completed"?: (event: CustomEvent<HopaeCompletedDetail>) => void;
  "onHopae-failed"?: (event: CustomEvent<HopaeFailedDetail>) => void;
  "onHopae-expired"?: (event: CustomEvent<HopaeEndedDetail>) => void;
  "onHopae-cancelled"?: (event: CustomEvent<HopaeEndedDetail>) => void;
}

declare module "vue" {
  interface GlobalComponents {
    "hopae-verify": DefineComponent<HopaeVerifyVueProps>;
  }
}
