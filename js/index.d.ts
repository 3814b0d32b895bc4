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
}

/** A running verification. */
export interface Verification {
  /** Stops polling, aborts any request and removes the widget's elements. Idempotent. */
  destroy(): void;
  /** The verification's id once your backend has created it. */
  readonly verificationId: string | undefined;
  /** The last status the server reported. */
  readonly status: string | undefined;
}

export interface HopaeInitiatedDetail {
  verificationId: string;
  providerId: string;
  flowType: string;
  expiresAt: string | null;
}
export interface HopaeStatusDetail {
  verificationId: string;
  status: string;
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
  /** A stable code: SESSION_NOT_FOUND, PROVIDER_UNAVAILABLE, network_error, http_500, invalid_response, unknown_status, qr_data_too_long, … */
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

declare global {
  interface HTMLElementEventMap {
    "hopae-initiated": CustomEvent<HopaeInitiatedDetail>;
    "hopae-status": CustomEvent<HopaeStatusDetail>;
    "hopae-completed": CustomEvent<HopaeCompletedDetail>;
    "hopae-failed": CustomEvent<HopaeFailedDetail>;
    "hopae-expired": CustomEvent<HopaeEndedDetail>;
    "hopae-cancelled": CustomEvent<HopaeEndedDetail>;
  }
}

/** Mounts a verification widget on `element` and starts a verification. */
export function mount(element: Element, options: MountOptions): Promise<Verification>;
