// Types for hopae-connect-widget/simulator (server/simulator.js).
import type { IncomingMessage, ServerResponse } from "node:http";

/** A terminal or non-terminal verification status, both API generations. */
export type Status = "initiated" | "pending" | "awaiting_user_action" | "authenticating" | "processing" | "completed" | "failed" | "expired" | "cancelled";
export type TerminalStatus = "completed" | "failed" | "expired" | "cancelled";

/** A mid-flow step reported in `flowDetails.action` (VerificationActionDto). */
export interface Action {
  type: "redirect" | "qr" | "push" | "deeplink" | "message";
  url?: string;
  message?: string;
}

/** A fault injected into the API (POST /__sim/faults takes the same object). */
export interface Fault {
  kind: "delay" | "http" | "rate-limit" | "reset" | "not-json" | "wrong-shape" | "provider-disabled" | "provider-unavailable" | "unknown-status" | "action";
  op?: "create" | "status" | "cancel" | "userinfo" | "providers" | "any";
  times?: number;
  probability?: number;
  verificationId?: string;
  status?: number;
  retryAfter?: number;
  delayMs?: number;
  value?: string | Action;
}

/** Settings: createSimulator() options and POST /__sim/config (all but the credentials). */
export interface SimulatorSettings {
  /** HTTP Basic user (default "demo-client"). */
  clientId?: string;
  /** HTTP Basic password (default "demo-secret"). */
  clientSecret?: string;
  /** Session lifetime (default 1,800,000: 30 minutes, as Hopae's examples). */
  ttlMs?: number;
  /** `polling.recommendedInterval` advertised (default 3000). */
  pollIntervalMs?: number;
  /** "bankid": BankID-style QR payloads (default); "phone": the session's phone page URL. */
  qrMode?: "bankid" | "phone";
  /** BankID's animated, time-based code (a new one every second). Default false. */
  animatedQr?: boolean;
  /** The create status: "initiated" (default) or the guide's legacy "pending". */
  createStatus?: "initiated" | "pending";
  /** "problem" (RFC 7807, default) or "envelope" ({error:{code,message}}). */
  errorStyle?: "problem" | "envelope";
  /** Base of the phone page links (default: the listen URL). */
  publicUrl?: string;
  /** Hostile upstream strings, for security tests. */
  hostile?: null | "markup" | "javascript-url" | "long-qr" | "bad-utf16";
  /** Each new session ends by itself at a random time with one of `outcomes`. */
  autoResolve?: null | { minMs?: number; maxMs?: number; outcomes?: TerminalStatus[] };
  /** Refuse Smart-ID, SK Mobile-ID, Auðkenni, Evrotrust without their userData (default true). */
  requireUserData?: boolean;
  /** A mid-flow action every open session reports (default null). */
  action?: null | Action;
  /** Where signed webhooks go (default null: none). A create's own `webhookUrl` wins. */
  webhookUrl?: null | string;
  /** The webhook signing secret (default "whsec_simulator"). */
  webhookSecret?: string;
  /** Event names: the AsyncAPI's ("asyncapi", default) or `verification.<status>` ("status"). */
  webhookEvents?: "asyncapi" | "status";
  /** Webhook faults: a wrong signature, every delivery twice, or a 10-minute-old timestamp. */
  webhookFault?: null | "bad-signature" | "replay" | "stale";
  /** Delays before each retry of a failed delivery (default [1000, 5000, 30000]). */
  webhookRetryDelaysMs?: number[];
  /** Timeout of each delivery attempt (default 10000). */
  webhookTimeoutMs?: number;
  /** How many API requests `requests` keeps (default 10,000). */
  requestLogLimit?: number;
  /** Ended sessions are forgotten this long after they ended (default 600,000). */
  forgetEndedAfterMs?: number;
}

export interface SimulatorOptions extends SimulatorSettings {
  /** The clock (ms since the epoch), for tests. */
  now?: () => number;
  /** What webhooks are delivered with (default the global fetch). */
  fetch?: typeof globalThis.fetch;
  /** How retry delays are waited for. */
  sleep?: (ms: number) => Promise<void>;
}

/** A session as the control routes and `get()` show it (the guide-shaped status plus test data). */
export interface SessionView {
  verificationId: string;
  status: Status;
  providerId: string;
  flowType: "qr" | "push" | "redirect" | "dc";
  createdAt: string;
  expiresAt: string;
  flowDetails?: Record<string, unknown>;
  verifiedAttributes?: Record<string, unknown>;
  error?: { code: string; message: string };
  generation: "guide" | "current";
  /** The QR payload last served (qr flows). */
  qrData?: string;
  polls: number;
  /** The create request's body as received. */
  request: Record<string, unknown>;
}

export interface RequestRecord {
  method: string;
  path: string;
  generation: "guide" | "current";
  at: number;
}

export interface WebhookDelivery {
  eventId: string;
  event: string;
  verificationId: string;
  url: string;
  attempt: number;
  signature: string;
  body: string;
  status: number | null;
  error: string | null;
  replay?: boolean;
}

export interface Simulator {
  /** The web-standard handler: mount it in any server that speaks Request/Response. */
  fetch: ((request: Request, info?: Record<string, unknown>) => Promise<Response>) & { handles(path: string): boolean };
  /** Whether a path is the simulator's (/api/v1/, /connect/v1/, /__sim/, /gateway/dc/). */
  handles(path: string): boolean;
  /** Starts an HTTP server (default 127.0.0.1, any free port). */
  listen(port?: number, host?: string): Promise<Simulator>;
  /** Stops the server. */
  close(): Promise<void>;
  /** The base URL once listening, e.g. "http://127.0.0.1:8090". */
  url: string | undefined;
  /** The current API root, `${url}/connect/v1`: the backend's `apiBase`. */
  readonly apiBase: string | undefined;
  /** The guide's API root, `${url}/api/v1`. */
  readonly guideApiBase: string | undefined;
  /** Node's (req, res) listener, with the guard for malformed targets. */
  nodeListener(req: IncomingMessage, res: ServerResponse): void | Promise<void>;
  /** For a shared Node server: answers the simulator's paths, resolves false for others. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;

  complete(verificationId: string): SessionView;
  fail(verificationId: string, code?: string, message?: string): SessionView;
  expire(verificationId: string): SessionView;
  cancel(verificationId: string): SessionView;
  /** Any status, also one Hopae does not document (to test clients against new ones). */
  setStatus(verificationId: string, status: Status | (string & {})): SessionView;
  action(verificationId: string, action: Action): SessionView;
  get(verificationId: string): SessionView | undefined;

  configure(patch: SimulatorSettings): SimulatorSettings;
  addFault(fault: Fault): void;
  clearFaults(): void;
  /** Forgets ended sessions now. */
  prune(): void;
  /** Resolves once every webhook delivery under way succeeded or gave up. */
  webhooksSettled(): Promise<void>;

  readonly config: Required<SimulatorSettings>;
  readonly sessions: Map<string, unknown>;
  /** The latest API requests (at most `requestLogLimit`). */
  readonly requests: RequestRecord[];
  /** All API requests since start. */
  readonly requestCount: number;
  /** The latest webhook delivery attempts. */
  readonly webhooks: WebhookDelivery[];
}

export function createSimulator(options?: SimulatorOptions): Simulator;

export const PROVIDERS: Record<string, { name: string; flowType: "qr" | "push" | "redirect" | "dc"; countries: string[]; enabled: boolean; maxLoa: number }>;
export const USER_DATA: Record<string, Array<Array<[field: string, pattern: RegExp, hint: string]>>>;
export const STATUSES: Status[];

/** Answers malformed request targets (414/405/400) and normalises the rest; false when it answered. */
export function guardTarget(req: IncomingMessage, res: ServerResponse): boolean;
