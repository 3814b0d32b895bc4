import type { CSSProperties, DetailedHTMLProps, HTMLAttributes, JSX } from "react";
import type {
  HopaeCompletedDetail, HopaeEndedDetail, HopaeFailedDetail, HopaeInitiatedDetail,
  HopaeRedirectDetail, HopaeStatusDetail, HopaeVerifyElement, MountOptions,
} from "./index.js";

/** A handler prop: the event's detail first, the event itself second. */
export type HopaeHandler<D> = (detail: D, event: CustomEvent<D>) => void;

/** Props of {@link HopaeVerify}: every mount() option, the events as handlers, and host props. */
export interface HopaeVerifyProps extends MountOptions {
  onInitiated?: HopaeHandler<HopaeInitiatedDetail>;
  onStatus?: HopaeHandler<HopaeStatusDetail>;
  /** Call event.preventDefault() to navigate yourself. */
  onRedirect?: HopaeHandler<HopaeRedirectDetail>;
  onCompleted?: HopaeHandler<HopaeCompletedDetail>;
  onFailed?: HopaeHandler<HopaeFailedDetail>;
  onExpired?: HopaeHandler<HopaeEndedDetail>;
  onCancelled?: HopaeHandler<HopaeEndedDetail>;
  id?: string;
  className?: string;
  style?: CSSProperties;
}

/** The widget as a React component (StrictMode-safe). A change of an option starts a new
 * verification; unmounting destroys it. */
export function HopaeVerify(props: HopaeVerifyProps): JSX.Element;

/** Attributes of `<hopae-verify>` in JSX; React 19 attaches `onhopae-…` props as listeners. */
export interface HopaeVerifyAttributes extends DetailedHTMLProps<HTMLAttributes<HopaeVerifyElement>, HopaeVerifyElement> {
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
  /** Comma-separated provider ids. */
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

declare module "react" {
  namespace JSX {
    interface IntrinsicElements {
      "hopae-verify": HopaeVerifyAttributes;
    }
  }
}
