/** Options of {@link mount}. */
export interface MountOptions {
  /** Your backend's verification route, e.g. "/api/verifications". */
  endpoint: string;
  /** The eID provider to start, e.g. "bankidse". (`provider` is the element's attribute,
   * not an option.) */
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
  /** Status polls are made by a dedicated Worker (dist/poll-worker.js), off the page's main
   * thread, where one can start (default true); false keeps them on the page's `fetch`. */
  pollInWorker?: boolean;
  /** Extra fields for the create request's JSON body (providerId is added). */
  body?: Record<string, unknown>;
  /** Consecutive transient faults (network, timeout, 408/429/5xx) retried with
   * exponential backoff before `hopae-failed` (0–20, default 5). */
  maxRetries?: number;
  /** Milliseconds one request may take before it counts as a fault (1000–120000, default 15000). */
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
  /** The provider's user data (Smart-ID `registrationId`; SK Mobile-ID `phoneNumber` and
   * `nationalIdentityNumber`), sent as the create body's `userData`: the widget then shows
   * no user-data form. */
  userData?: Record<string, string>;
  /** Default true: for a provider that needs user data when no `userData` was given, the
   * widget asks for it in a form first. false: your site handles user data (e.g. in
   * `body` or on your backend); no form. */
  requireUserData?: boolean;
  /** Where `hopae_connect_widget_bg.wasm` is, when your bundler or host does not serve it
   * next to the module (resolved against the page's URL). `hopae_first_bg.wasm`, which
   * paints the first QR, is then looked for in the same directory. Only the first module a
   * page instantiates counts. */
  wasmUrl?: string | URL;
  /** Where `hopae_first_bg.wasm` (the small module that paints the first QR) is, when it is
   * not next to the widget's module, e.g. renamed with a content hash. If it cannot load,
   * the QR waits for the widget's module and the console says why, once. */
  firstWasmUrl?: string | URL;
}

/** The keys of the `messages` option (`expiresInMinutes` counts whole minutes, `expiresIn`
 * the last minute's seconds; the last seven label the user-data form). */
export type MessageKey =
  | "title" | "qrLabel" | "starting" | "scanQr" | "confirmInApp" | "verificationCode"
  | "inProgress" | "redirecting" | "continueElsewhere" | "reconnecting" | "completed"
  | "failedDeclined" | "failedNetwork" | "failedUnavailable" | "failedSetup"
  | "expired" | "cancelled" | "openApp" | "continueInNewTab" | "cancel" | "tryAgain" | "expiresIn"
  | "expiresInMinutes" | "userDataIntro" | "registrationId" | "phoneNumber" | "personalCode"
  | "formatHint" | "invalidFormat" | "continue";

/** The widget's CSS parts, for `::part()` from your page: the card (`root`), its `title`,
 * the `qr` canvas, the `spinner`, the `status` line, the push flow's verification `code`
 * (`code-label`, `code-value`), the user-data `form` (each `field` with its `label`,
 * `input` and format `hint`, and the `submit-button`), the `countdown`, the `app-link`, the
 * `actions` with `cancel-button` and `retry-button`, and the `skeleton` shown while the
 * module loads. */
export type HopaePart =
  | "root" | "title" | "qr" | "spinner" | "status" | "code" | "code-label" | "code-value"
  | "form" | "field" | "label" | "input" | "hint" | "submit-button" | "countdown"
  | "app-link" | "actions" | "cancel-button" | "retry-button" | "skeleton";

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
   * unsupported_flow (e.g. `dc` without the Digital Credentials API), dc_declined (the
   * person closed the browser's credential prompt), unsafe_url, display_error (the QR or view
   * could not be shown), loa_unavailable (422: the provider cannot meet `requestedLoa`),
   * invalid_options (from the element or drop-in), wasm_load_failed (the WebAssembly
   * module could not load: the message names the URL and what to check), or the
   * provider's own code for a failed verification. */
  code: string;
  title: string;
  /** One sentence for a person: what happened and what to do. */
  message: string;
  httpStatus: number | null;
  /** Whether starting again may succeed without anyone changing anything. */
  retryable: boolean;
  /** Hopae's own code exactly as received (the older numeric scheme, e.g. 400005, or the
   * newer text one), beside the mapped `code`; null for the widget's own failures and when
   * Hopae sent none. */
  hopaeCode: number | string | null;
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

/** The attributes of `<hopae-verify>`, as HTML has them; the React, Vue and Svelte
 * typings of the element share this list. */
export interface HopaeVerifyElementAttributes {
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
}

/** A listener prop per event: `on` + the event type (React, Svelte: `onhopae-completed`),
 * or `on` + the type capitalised (`Capital` true, Vue: `onHopae-completed`). */
export type HopaeEventProps<Capital extends boolean = false> = {
  [K in keyof HopaeEventMap as `on${Capital extends true ? Capitalize<K> : K}`]?: (event: HopaeEventMap[K]) => void;
};

/** Mounts a verification widget on `element` and starts a verification. */
export function mount(element: Element, options: MountOptions): Promise<Verification>;

/**
 * The `<hopae-verify>` element, unregistered (import "hopae-connect-widget/define" to
 * register it). Attributes: endpoint, provider, poll-interval, timeout, request-timeout,
 * max-retries, locale, size, redirect, resume, fallback-providers, credentials,
 * require-user-data ("false": your site handles user data, no form).
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
