// Minimal declarations of hopae-connect-widget/server (the backend's full ones replace these).
import type { IncomingMessage, ServerResponse } from "node:http";

export interface CompletedInfo {
  verificationId: string;
  providerId: string;
  /** Every verified attribute, not only the exposed ones. */
  attributes: Record<string, unknown>;
  status: Record<string, unknown>;
}

export interface RequestInfo {
  clientAddress?: string;
}

export interface VerificationHandlerOptions {
  /** Hopae App API credentials. */
  clientId: string;
  clientSecret: string;
  /** Hopae's API root including the version. Default "https://sandbox.api.hopae.com/connect/v1". */
  apiBase?: string;
  /** Where the routes are mounted. Default "/api/verifications". */
  basePath?: string;
  /** Provider ids the site offers. Default: any well-formed id. */
  allowedProviders?: string[];
  /** Verified attributes the browser may see. Default sub, name, given_name, family_name. */
  exposeAttributes?: string[];
  /** Key for the binding cookie. Default: derived from clientSecret. */
  cookieSecret?: string;
  /** Seconds a binding lasts. Default 3600. */
  cookieMaxAge?: number;
  /** Called server-side with all verified attributes; may return headers (e.g. Set-Cookie) to add. */
  onCompleted?(info: CompletedInfo, request: Request): void | HeadersInit | Promise<void | HeadersInit>;
  redirectUri?: string;
  webhookUrl?: string;
  /** Milliseconds to wait for Hopae. Default 10000. */
  timeoutMs?: number;
  /** Other origins whose pages may create verifications. Default none. */
  allowedOrigins?: string[];
  /** Creations per client and window. Default 10 a minute. */
  rateLimit?: { max?: number; windowMs?: number };
  /** What identifies a client for the rate limit. Default info.clientAddress. */
  clientKey?(request: Request, info: RequestInfo): string | undefined;
  /** The fetch used to call Hopae. Default globalThis.fetch. */
  fetch?: typeof fetch;
}

/** A web-standard handler: (Request) => Response, for any runtime. */
export interface VerificationHandler {
  (request: Request, info?: RequestInfo): Promise<Response>;
  /** Whether a path belongs to this handler. */
  handles(pathname: string): boolean;
}

export function createVerificationHandler(options: VerificationHandlerOptions): VerificationHandler;

/** Adapts a web-standard handler to Node's (req, res, next?) for http.createServer, Express, Connect. */
export function toNodeHandler(
  handler: ((request: Request, info?: RequestInfo) => Response | Promise<Response>) & { handles?(pathname: string): boolean },
): (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => Promise<void>;
