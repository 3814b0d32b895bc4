// hopae-connect-widget/react: the widget as a React component, for those who
// prefer props to listeners. StrictMode-safe: it mounts in an effect and
// destroys on cleanup; mount() lets only the last of two overlapping mounts on
// one element start a verification.
import { createElement, useEffect, useRef } from "react";
import { mount } from "./mount.js";
import { reportInvalid } from "./element.js";

/** Event prop -> DOM event. */
const EVENTS = {
  onInitiated: "hopae-initiated",
  onStatus: "hopae-status",
  onRedirect: "hopae-redirect",
  onCompleted: "hopae-completed",
  onFailed: "hopae-failed",
  onExpired: "hopae-expired",
  onCancelled: "hopae-cancelled",
};
/** Props for the host <div>, not options. */
const HOST = ["id", "className", "style"];

/**
 * <HopaeVerify endpoint="/api/verifications" providerId="bankidse" onCompleted={…} />.
 * Every mount() option is a prop; a change of an option starts a new
 * verification, a change of an event handler does not.
 */
export function HopaeVerify(props) {
  const ref = useRef(null);
  const handlers = useRef(props);
  handlers.current = props;
  const options = {};
  for (const [key, value] of Object.entries(props)) if (!(key in EVENTS) && !HOST.includes(key)) options[key] = value;
  const key = JSON.stringify(options);
  useEffect(() => {
    const element = ref.current;
    const listeners = Object.entries(EVENTS).map(([prop, type]) => {
      const listener = (event) => handlers.current[prop]?.(event.detail, event);
      element.addEventListener(type, listener);
      return [type, listener];
    });
    let handle;
    let gone = false;
    mount(element, JSON.parse(key)).then(
      (h) => (gone ? h.destroy() : (handle = h)),
      (error) => !gone && reportInvalid(element, error),
    );
    return () => {
      gone = true;
      listeners.forEach(([type, listener]) => element.removeEventListener(type, listener));
      handle?.destroy();
    };
  }, [key]);
  // hopae-verify-host: the card's box from the first render (js/mount.js), so nothing moves when it mounts.
  const className = props.className ? `hopae-verify-host ${props.className}` : "hopae-verify-host";
  return createElement("div", { ref, id: props.id, className, style: props.style });
}
