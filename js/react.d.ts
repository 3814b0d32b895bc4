import type { CSSProperties, DetailedHTMLProps, HTMLAttributes, JSX } from "react";
import type {
  HopaeCompletedDetail, HopaeEndedDetail, HopaeFailedDetail, HopaeInitiatedDetail,
  HopaeRedirectDetail, HopaeStatusDetail, HopaeVerifyElement, MountOptions,
  HopaeEventProps, HopaeVerifyElementAttributes,
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
export interface HopaeVerifyAttributes extends DetailedHTMLProps<HTMLAttributes<HopaeVerifyElement>, HopaeVerifyElement>,
  HopaeVerifyElementAttributes, HopaeEventProps {}

declare module "react" {
  namespace JSX {
    interface IntrinsicElements {
      "hopae-verify": HopaeVerifyAttributes;
    }
  }
}
