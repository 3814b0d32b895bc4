// hopae-connect-widget/svelte: `import "hopae-connect-widget/svelte"` registers
// <hopae-verify> (like "/define") and types it in Svelte 5 markup.
import type { HTMLAttributes } from "svelte/elements";
import type {
  HopaeCompletedDetail, HopaeEndedDetail, HopaeFailedDetail, HopaeInitiatedDetail,
  HopaeRedirectDetail, HopaeStatusDetail, HopaeVerifyElement,
} from "./index.js";
export { define } from "./define.js";
export type { HopaeVerifyElement };

/** Attributes and events of `<hopae-verify>` in Svelte markup. */
export interface HopaeVerifySvelteAttributes extends HTMLAttributes<HopaeVerifyElement> {
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
  "onhopae-initiated"?: (event: CustomEvent<HopaeInitiatedDetail>) => void;
  "onhopae-status"?: (event: CustomEvent<HopaeStatusDetail>) => void;
  "onhopae-redirect"?: (event: CustomEvent<HopaeRedirectDetail>) => void;
  "onhopae-completed"?: (event: CustomEvent<HopaeCompletedDetail>) => void;
  "onhopae-failed"?: (event: CustomEvent<HopaeFailedDetail>) => void;
  "onhopae-expired"?: (event: CustomEvent<HopaeEndedDetail>) => void;
  "onhopae-cancelled"?: (event: CustomEvent<HopaeEndedDetail>) => void;
}

declare module "svelte/elements" {
  interface SvelteHTMLElements {
    "hopae-verify": HopaeVerifySvelteAttributes;
  }
}
