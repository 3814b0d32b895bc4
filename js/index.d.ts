/** Options of {@link mount}. */
export interface MountOptions {
  /** Your backend's verification route, e.g. "/api/verifications". */
  endpoint: string;
  /** The eID provider to start, e.g. "bankidse". */
  providerId: string;
  /** Milliseconds between status requests (250–60000). Default: the server's
   * `polling.recommendedInterval`, else 3000. */
  pollInterval?: number;
  /** Milliseconds before the widget gives up (1000–3600000, default 300000);
   * never later than the verification's `expiresAt`. */
  timeout?: number;
  /** Edge of the QR code in CSS pixels (96–1024, default 200). */
  size?: number;
  /** Extra request headers sent to your backend, e.g. a CSRF token. */
  headers?: Record<string, string>;
  /** fetch() credentials mode for requests to your backend. Default "same-origin". */
  credentials?: "same-origin" | "include" | "omit";
  /** Extra fields for the create request's JSON body (providerId is added). */
  body?: Record<string, unknown>;
  /** Consecutive transient faults (network, timeout, 408/429/5xx) retried with
   * exponential backoff before `hopae-failed` (0–20, default 5). */
  maxRetries?: number;
  /** Milliseconds one request may take before it counts as a fault (1000–120000, default 10000). */
  requestTimeout?: number;
  /** Redirect flows: navigate this tab (default), open a new tab, or only dispatch `hopae-redirect`. */
  redirect?: "same-tab" | "new-tab" | "event-only";
  /** Continue polling this verification instead of creating one (e.g. back from a redirect). */
  resume?: string;
  /** Providers to try, in order, when the provider is unavailable (400005). */
  fallbackProviders?: string[];
  /** Language of the widget's texts: en, sv, nb, da, fi or de (a BCP 47 tag such as "sv-SE"
   * works). Default: the page's `lang`, else the browser's languages, else English. */
  locale?: string;
  /** Your own texts, by key; `{provider}`, `{code}` and `{time}` are filled in. */
  messages?: Partial<Record<MessageKey, string>>;
  /** Where `hopae_connect_widget_bg.wasm` is, when your bundler or host does not serve it
   * next to the module (resolved against the page's URL). Only the first module a page
   * instantiates counts. */
  wasmUrl?: string | URL;
}

/** The keys of the `messages` option. */
export type MessageKey =
  | "title" | "qrLabel" | "starting" | "scanQr" | "confirmInApp" | "verificationCode"
  | "inProgress" | "redirecting" | "continueElsewhere" | "reconnecting" | "completed"
  | "failedDeclined" | "failedNetwork" | "failedUnavailable" | "failedSetup"
  | "expired" | "cancelled" | "openApp" | "continueInNewTab" | "cancel" | "tryAgain" | "expiresIn";

/** A running verification. */
export interface Verification {
  /** Cancels a running verification (hopae-cancelled), stops every timer, request and
   * listener, and removes the widget's elements. Idempotent. */
  destroy(): void;
  /** Aborts, asks your backend to cancel (best effort) and dispatches hopae-cancelled. */
  cancel(): void;
  /** Cancels the current verification, if running, and starts a new one; after a
   * `wasm_load_failed`, tries loading the module again (what the Try again button does). */
  restart(): void;
  /** The verification's id once your backend has created it. */
  readonly verificationId: string | undefined;
  /** The last status the server reported. */
  readonly status: string | undefined;
  /** Settles with how the verification ended: the first `hopae-completed`, `hopae-failed`,
   * `hopae-expired` or `hopae-cancelled`. Never rejects. A verification that never started
   * (superseded, destroyed while loading) settles as `hopae-cancelled` with a null id. */
  readonly done: Promise<HopaeOutcome>;
  /** True for the inert handle of a mount() that a later mount() on the same element
   * replaced while the module loaded (React StrictMode). */
  readonly superseded: boolean;
}

/** What {@link Verification.done} settles with. */
export type HopaeOutcome =
  | { type: "hopae-completed"; detail: HopaeCompletedDetail }
  | { type: "hopae-failed"; detail: HopaeFailedDetail }
  | { type: "hopae-expired"; detail: HopaeEndedDetail }
  | { type: "hopae-cancelled"; detail: HopaeEndedDetail };

export interface HopaeInitiatedDetail {
  verificationId: string;
  providerId: string;
  flowType: string;
  expiresAt: string | null;
}
export interface HopaeStatusDetail {
  /** null only for `status: "fallback"` before a verification exists. */
  verificationId: string | null;
  providerId: string;
  /** initiated, pending, awaiting_user_action, authenticating, processing, a status
   * the widget does not know, or "fallback" (the provider was unavailable; now trying providerId). */
  status: string;
  /** With status "fallback": the provider that was unavailable. */
  fallbackFrom?: string;
}
export interface HopaeRedirectDetail {
  verificationId: string;
  providerId: string;
  /** An http(s) URL; call event.preventDefault() to navigate yourself. */
  authorizationUrl: string;
}
export interface HopaeCompletedDetail {
  verificationId: string;
  providerId: string;
  /** The provider's verified claims, passed through as your backend sent them. */
  verifiedAttributes: Record<string, unknown>;
  verifiedAt: string | null;
}
export interface HopaeFailedDetail {
  verificationId: string | null;
  /** A stable code: SESSION_NOT_FOUND, PROVIDER_UNAVAILABLE, … (problem-types.yml), or
   * network_error, request_timeout, http_<status>, invalid_response, qr_data_too_long,
   * unsupported_flow, unsafe_url, invalid_options (from the element or drop-in),
   * wasm_load_failed (the WebAssembly module could not load: the message names the URL
   * and what to check), or the provider's own code for a failed verification. */
  code: string;
  title: string;
  /** One sentence for a person: what happened and what to do. */
  message: string;
  httpStatus: number | null;
  /** Whether starting again may succeed without anyone changing anything. */
  retryable: boolean;
}
export interface HopaeEndedDetail {
  verificationId: string | null;
}

/** Every event the widget dispatches (they bubble and are composed). */
export interface HopaeEventMap {
  "hopae-initiated": CustomEvent<HopaeInitiatedDetail>;
  "hopae-status": CustomEvent<HopaeStatusDetail>;
  "hopae-redirect": CustomEvent<HopaeRedirectDetail>;
  "hopae-completed": CustomEvent<HopaeCompletedDetail>;
  "hopae-failed": CustomEvent<HopaeFailedDetail>;
  "hopae-expired": CustomEvent<HopaeEndedDetail>;
  "hopae-cancelled": CustomEvent<HopaeEndedDetail>;
}

declare global {
  interface HTMLElementEventMap extends HopaeEventMap {}
  interface DocumentEventMap extends HopaeEventMap {}
  interface WindowEventMap extends HopaeEventMap {}
}

/** Mounts a verification widget on `element` and starts a verification. */
export function mount(element: Element, options: MountOptions): Promise<Verification>;

/**
 * The `<hopae-verify>` element, unregistered (import "hopae-connect-widget/define" to
 * register it). Attributes: endpoint, provider, poll-interval, timeout, request-timeout,
 * max-retries, locale, size, redirect, resume, fallback-providers, credentials.
 * Removing it from the document destroys its verification; inserting it mounts again.
 */
export class HopaeVerifyElement extends HTMLElement {
  static readonly observedAttributes: string[];
  /** Options that cannot be attributes (headers, body, messages, …); setting them remounts. */
  options: Partial<MountOptions>;
  readonly verificationId: string | undefined;
  readonly status: string | undefined;
  cancel(): void;
  restart(): void;
}
