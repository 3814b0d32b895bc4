// Types of hopae-connect-widget/server: the reference backend (a web-standard
// handler), its store, the webhook endpoint and the Node adapter.
// docs/backend.md explains every option; docs/production.md how to run it.

/** What the runtime knows about the connection, passed as the handler's second argument. */
export interface HandlerInfo {
  /** Set by `toNodeHandler` (the socket's remote address). */
  clientAddress?: string;
  /** Deno.serve's second argument carries it: `handler(req, info)`. */
  remoteAddr?: { hostname: string; port?: number; transport?: string };
  [key: string]: unknown;
}

/** A web-standard handler: `(Request, info?) => Promise<Response>`. */
export interface VerificationHandler {
  (request: Request, info?: HandlerInfo | null): Promise<Response>;
  /** Whether this handler serves `pathname` (adapters fall through otherwise). */
  handles(pathname: string): boolean;
  /** Where the contract is mounted, e.g. "/api/verifications". */
  readonly basePath: string;
  /** The store in use (memory unless one was given). */
  readonly store: Store;
}

/** Where limits, idempotency records and dedupe marks live; every entry has a TTL. */
export interface Store {
  /** A fixed-window counter: adds one, returns the count and the window's time left. */
  incr(key: string, windowMs: number): Promise<{ count: number; ttlMs: number }>;
  get(key: string): Promise<string | number | null>;
  /** Sets `key` only when absent; true when this call set it. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
}

/** The verified attributes under clear names (plus whatever else the provider disclosed). */
export interface VerifiedAttributes {
  /** Hopae's pairwise subject. */
  sub?: string;
  name?: string;
  given_name?: string;
  family_name?: string;
  birthdate?: string;
  /** The identity provider that verified the user (e.g. "bankidse"). */
  providerId?: string;
  /** The user's identifier at the provider (a personal number), when disclosed. */
  personalNumber?: string;
  /** Alias of `personalNumber`. */
  subjectId?: string;
  acr?: string;
  hopae_loa?: number;
  [claim: string]: unknown;
}

/** What `onCompleted` receives, once per verification. */
export interface CompletedVerification {
  verificationId: string;
  providerId: string | undefined;
  /** Every attribute, under the names above; not only the exposed ones. */
  attributes: VerifiedAttributes;
  /** Hopae's raw claims: the guide's `verifiedAttributes` or the current `/userinfo` body. */
  claims: Record<string, unknown>;
  /** Hopae's raw status body. */
  status: Record<string, unknown>;
}

/** Create fields the backend forwards (Hopae's CreateVerificationRequestDto), each checked. */
export interface CreateFields {
  locale?: string;
  referenceId?: string;
  purpose?: string;
  flowType?: "qr" | "push" | "redirect" | "dc";
  initiationMethod?: "auto" | "qrOnly" | "appOnly";
  loaStrategy?: "min" | "lax" | "allow";
  requestedLoa?: 1 | 2 | 3 | 4 | 5;
  requestedClaims?: string[] | Record<string, unknown>;
  matchData?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  returnContext?: { state: string };
}

/** Provider-specific user data (Hopae's `userData`), e.g. Smart-ID's `registrationId`. */
export type UserData = Record<string, string>;

type Awaitable<T> = T | Promise<T>;
type HeadersLike = Headers | Record<string, string> | Array<[string, string]>;

export interface VerificationHandlerOptions {
  /** Hopae App API credentials (required). */
  clientId: string;
  clientSecret: string;
  /** Hopae's API root including the version (default "https://sandbox.api.hopae.com/connect/v1"). */
  apiBase?: string;
  /** Where the contract is mounted (default "/api/verifications"). */
  basePath?: string;
  /** Provider ids the site offers (default: any well-formed id). */
  allowedProviders?: string[];
  /** Attributes the browser may see (default sub, name, given_name, family_name). */
  exposeAttributes?: string[];
  /** Key of the binding cookie (default derived from clientSecret); instances of one site share it. */
  cookieSecret?: string;
  /** Upper bound of a binding's lifetime in seconds (default and cap 3600). */
  cookieMaxAge?: number;
  /** Binding cookies one browser may hold (default 16, about 55 bytes each; the oldest are cleared). A page showing more widgets at once needs more. */
  maxBindings?: number;
  /** createMemoryStore() (default) or createRedisStore(ioredis) for several instances. */
  store?: Store;
  /** Creations per client (default 10 per 60 s). */
  rateLimit?: { max?: number; windowMs?: number };
  /** Creations for the whole site when no client key can be found (default 600 per 60 s). */
  siteRateLimit?: { max?: number; windowMs?: number };
  /** Proxy hops whose X-Forwarded-For (and X-Forwarded-Host) are trusted (default 0). */
  trustProxy?: number;
  /** What identifies a client for the rate limit; null or undefined: none known. */
  clientKey?: (request: Request, info: HandlerInfo | null | undefined) => string | null | undefined;
  /** At most one upstream status read per verification per this many ms (default 1000). */
  pollIntervalMs?: number;
  /** Runs once per verification when completed; may return headers (e.g. Set-Cookie). Exceptions are logged, never sent. */
  onCompleted?: (verification: CompletedVerification, request: Request) => Awaitable<HeadersLike | void | undefined | null>;
  /** Supplies userData server-side (e.g. from the signed-in user's record); wins over the browser's. */
  userData?: (request: Request, context: { providerId: string; userData: unknown }) => Awaitable<UserData | undefined | null>;
  /** Create fields set server-side; they win over the browser's. */
  createFields?: (request: Request, context: { providerId: string }) => Awaitable<CreateFields | undefined | null>;
  /** Default `purpose` of every create. */
  purpose?: string;
  /** Other origins whose pages may call (CORS with credentials, SameSite=None; Secure bindings). */
  allowedOrigins?: string[];
  /** Extra app schemes a provider's same-device link may use, e.g. { mitid: ["mitid-test:"] }. */
  appSchemes?: Record<string, string[]>;
  redirectUri?: string;
  webhookUrl?: string;
  /** How long to wait for Hopae per request (default 8000 ms). */
  timeoutMs?: number;
  fetch?: typeof fetch;
  logger?: Pick<Console, "warn" | "error">;
}

export function createVerificationHandler(options: VerificationHandlerOptions): VerificationHandler;

/** A store in this process's memory (the default). */
export function createMemoryStore(options?: { maxEntries?: number; now?: () => number }): Store & { readonly size: number };

/** The subset of an ioredis client the store uses. */
export interface RedisLike {
  // Loose on purpose: ioredis declares these as many overloads.
  eval(...args: any[]): Promise<any>;
  get(...args: any[]): Promise<any>;
  set(...args: any[]): Promise<any>;
  del(...args: any[]): Promise<any>;
}
/** A store in Redis through an ioredis client, shared by every instance with the same prefix (default "hopae:"). */
export function createRedisStore(client: RedisLike, options?: { prefix?: string }): Store;

/** A webhook event, normalised from either documented naming scheme. */
export interface WebhookEvent {
  /** The event id (eventId or id). */
  id: string;
  /** Always dotted: "verification.completed", "verification.failed", … */
  type: string | undefined;
  verificationId: string | undefined;
  status: string | undefined;
  providerId: string | undefined;
  /** The event's `data` (or the payload itself in the older form). */
  data: Record<string, unknown>;
  /** The payload as delivered. */
  payload: Record<string, unknown>;
}

export interface WebhookHandlerOptions {
  /** The webhook signing secret from Hopae's console (required). */
  secret: string;
  /** Handles an event once; a throw answers 500 so Hopae retries. Keep it fast (store, then work). */
  onEvent: (event: WebhookEvent, request: Request) => Awaitable<void>;
  /** Where event ids are remembered for 7 days (default memory). */
  store?: Store;
  /** Allowed distance of the signature's timestamp from now (default 300 s). */
  toleranceSeconds?: number;
  now?: () => number;
  logger?: Pick<Console, "warn" | "error">;
}

export interface WebhookHandler {
  (request: Request): Promise<Response>;
  readonly store: Store;
}
export function createWebhookHandler(options: WebhookHandlerOptions): WebhookHandler;

/** An event or status name in any documented spelling, as "verification.<what>". */
export function normaliseEventType(name: string): string;

/** A client address as a rate-limit key (IPv6 aggregated to its /64). */
export function aggregate(address: string): string;

/** App schemes each provider's same-device link may use besides https. */
export const APP_SCHEMES: Readonly<Record<string, readonly string[]>>;

/** User data each provider needs or accepts at creation. */
export const USER_DATA: Readonly<Record<string, Readonly<Record<string, { required: boolean; pattern: RegExp; hint: string }>>>>;

/** Node's request and response, structurally (no dependency on @types/node). */
export interface NodeRequestLike {
  method?: string;
  url?: string;
  originalUrl?: string;
  headers: Record<string, string | string[] | undefined>;
  socket?: { remoteAddress?: string; encrypted?: boolean } | null;
  body?: unknown;
  [Symbol.asyncIterator](): AsyncIterator<unknown>;
}
export interface NodeResponseLike {
  headersSent: boolean;
  writeHead(status: number, headers?: Record<string, string | number | string[]>): unknown;
  end(body?: unknown): unknown;
}
/** Adapts a web-standard handler to Node's `(req, res, next?)`: http.createServer, Express, Connect. */
export function toNodeHandler(
  handler: ((request: Request, info?: HandlerInfo) => Promise<Response>) & { handles?: (pathname: string) => boolean },
): (req: NodeRequestLike, res: NodeResponseLike, next?: (error?: unknown) => void) => Promise<void>;
