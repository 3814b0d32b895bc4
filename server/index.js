// hopae-connect-widget/server: the backend half of the widget.
//
// A web-standard handler, `(Request, info?) => Promise<Response>`, for the
// site's own server: Node (through `toNodeHandler`), Express, Next.js route
// handlers, Hono, Deno, Bun, Cloudflare Workers, Vercel Edge. It holds the
// Hopae client credentials (the browser never sees them), serves only the
// three calls of the widget's backend contract, and forwards nothing to Hopae
// that it has not validated:
//
//   POST   {basePath}        {providerId, ...} -> Hopae create   (binds the id to this browser)
//   GET    {basePath}/{id}                     -> Hopae status   (only for the browser that created it)
//   DELETE {basePath}/{id}                     -> Hopae cancel   (likewise)
//
// What it guarantees (docs/production.md says how to run it):
// - Each verification is bound to the browser that created it by an HttpOnly
//   cookie whose MAC covers the id and an expiry; the cookie is cleared when
//   the verification ends, and a browser holds at most `maxBindings` (16) of
//   them, about 55 bytes each.
// - The browser sees an allow-list of documented fields, never Hopae's raw
//   body; errors of its own are problem+json naming the problem; a 500 says
//   "Internal error" and a request id, the details go to the server's log.
// - Limits (creations per client, one upstream status read per verification
//   per second) and idempotency records live in a store: memory by default,
//   Redis (server/store.js) when several instances serve one site.
//
// Web Crypto, TextEncoder, fetch and nothing else: no `node:` import, no
// Buffer. The Node adapter lives in ./node.js.
import { readBytes } from "./body.js";
import { createMemoryStore } from "./store.js";

export { createMemoryStore, createRedisStore } from "./store.js";
export { createWebhookHandler } from "./webhook.js";
export { toNodeHandler } from "./node.js";

const PROVIDER_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/i;
const VERIFICATION_ID = /^[A-Za-z0-9_-]{1,128}$/;
/** Printable ASCII, what an Idempotency-Key may hold. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
const PRINTABLE = /^[^\x00-\x1f\x7f]*$/;
const MAX_BODY = 16 * 1024;
const MAX_UPSTREAM_BODY = 1024 * 1024;
const DEFAULT_EXPOSED = ["sub", "name", "given_name", "family_name"];
const TERMINAL = new Set(["completed", "failed", "expired", "cancelled"]);
const DAY = 24 * 3600 * 1000;

/**
 * App schemes a provider's same-device link may use besides https. A link
 * with any other scheme is dropped from the answer (the widget shows the QR
 * or the message instead). Extend with the `appSchemes` option.
 */
export const APP_SCHEMES = {
  bankidse: ["bankid:"],
  "bankid-no": ["bankid:", "bankidno:"],
  frejaid: ["frejaeid:", "frejaeid+test:"],
  mitid: ["mitid:"],
  smartid: ["smart-id:", "smartid:"],
  skmobileid: [],
  ftn: [],
  idin: [],
  singpass: ["singpass:"],
  "spid-ig": [],
  cmd: [],
  evrotrust: ["evrotrust:"],
  audkenni: [],
};

/**
 * The user data each provider needs at creation (Hopae's create field
 * `userData`; a provider refuses the create with 400 when it is missing).
 * From Hopae's user-data-requirements page (the same table as the simulator's
 * USER_DATA); a
 * field listed with `required: false` is accepted and checked, not demanded.
 */
export const USER_DATA = {
  smartid: { registrationId: { required: true, pattern: /^PNO[A-Z]{2}-[0-9A-Z-]{3,40}$/, hint: "PNOEE-30303039914" } },
  skmobileid: {
    phoneNumber: { required: true, pattern: /^\+[1-9][0-9]{6,14}$/, hint: "+37200000766" },
    nationalIdentityNumber: { required: true, pattern: /^[0-9]{6,20}$/, hint: "60001019906" },
  },
  audkenni: { registrationId: { required: true, pattern: /^(?=.{6,12}$)[0-9]+-?[0-9]*$/, hint: "1201743399" } },
  // Evrotrust needs one of three groups (identificationNumber + country, email
  // or phone); Hopae answers the 400 for a missing group, the backend checks
  // the form of what is given.
  evrotrust: {
    identificationNumber: { required: false, pattern: /^[0-9A-Za-z]{4,32}$/, hint: "8001010000" },
    country: { required: false, pattern: /^[A-Z]{2}$/, hint: "BG" },
    email: { required: false, pattern: /^[a-z0-9._%+-]{1,64}@[a-z0-9.-]{1,190}\.[a-z]{2,}$/, hint: "user@example.com" },
    phone: { required: false, pattern: /^\+[1-9][0-9]{6,14}$/, hint: "+359881234567" },
  },
};

/** Every create field the backend forwards, with its check (null = fine, else what is wrong). */
const CREATE_FIELDS = {
  locale: (v) => (typeof v === "string" && v.length >= 1 && v.length <= 35 && /^[A-Za-z0-9_, -]+$/.test(v) ? null : "must be a locale such as \"sv\" or \"en-US\" (at most 35 characters)"),
  referenceId: (v) => shortText(v, 255),
  purpose: (v) => shortText(v, 255),
  flowType: (v) => oneOf(v, ["qr", "push", "redirect", "dc"]),
  initiationMethod: (v) => oneOf(v, ["auto", "qrOnly", "appOnly"]),
  loaStrategy: (v) => oneOf(v, ["min", "lax", "allow"]),
  requestedLoa: (v) => (Number.isInteger(v) && v >= 1 && v <= 5 ? null : "must be an integer from 1 to 5"),
  requestedClaims: (v) =>
    Array.isArray(v)
      ? v.length <= 50 && v.every((c) => typeof c === "string" && /^[A-Za-z0-9_.:-]{1,100}$/.test(c))
        ? null
        : "must be at most 50 claim names"
      : smallObject(v, 4, 4096),
  // The dc flow's native mode (guides/dc-native-integration): {mode, platform, expected_origins}.
  options: (v) => (isPlainObject(v) && Object.entries(v).every(([k, o]) => (k === "expected_origins" ? Array.isArray(o) && o.length <= 16 && o.every((x) => typeof x === "string" && x.length <= 512) : (k === "mode" || k === "platform") && typeof o === "string" && o.length <= 32)) ? null : "must be {mode, platform, expected_origins}"),
  matchData: (v) => smallObject(v, 3, 4096),
  metadata: (v) => smallObject(v, 3, 4096),
  returnContext: (v) =>
    isPlainObject(v) && Object.keys(v).every((k) => k === "state") && typeof v.state === "string" && v.state.length <= 512 && PRINTABLE.test(v.state)
      ? null
      : "must be {state} with a state of at most 512 characters",
};

function shortText(v, max) {
  return typeof v === "string" && v.length <= max && PRINTABLE.test(v) ? null : `must be text of at most ${max} characters`;
}
function oneOf(v, values) {
  return values.includes(v) ? null : `must be one of ${values.join(", ")}`;
}
function isPlainObject(v) {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}
/** An object at most `maxDepth` deep and `maxBytes` long as JSON; checked without recursion. */
function smallObject(v, maxDepth, maxBytes) {
  if (!isPlainObject(v)) return "must be an object";
  const stack = [[v, 1]];
  let nodes = 0;
  while (stack.length) {
    const [node, depth] = stack.pop();
    if (++nodes > 1000) return `must be smaller (at most ${maxBytes} bytes)`;
    if (node !== null && typeof node === "object") {
      if (depth > maxDepth) return `must be at most ${maxDepth} levels deep`;
      for (const child of Object.values(node)) stack.push([child, depth + 1]);
    }
  }
  return JSON.stringify(v).length <= maxBytes ? null : `must be at most ${maxBytes} bytes as JSON`;
}

/**
 * Creates the handler. Options (docs/backend.md has the full reference):
 * - clientId, clientSecret: Hopae App API credentials (required).
 * - apiBase: Hopae's API root including the version (default
 *   "https://sandbox.api.hopae.com/connect/v1"; the guide's generation is
 *   "https://sandbox.connect.hopae.com/api/v1"; production
 *   "https://api.hopae.com/connect/v1").
 * - basePath (default "/api/verifications"), allowedProviders,
 *   exposeAttributes (default sub, name, given_name, family_name).
 * - cookieSecret: key for the binding cookie (default: derived from
 *   clientSecret); instances of one site must share it. maxBindings (16).
 * - store: createMemoryStore() (default) or createRedisStore(ioredis).
 * - rateLimit {max 10, windowMs 60000} per client; siteRateLimit {max 600,
 *   windowMs 60000} when no client key can be found; trustProxy (0): proxy
 *   hops whose X-Forwarded-For is trusted; clientKey(request, info).
 * - pollIntervalMs (1000): at most one upstream status read per verification
 *   per this interval; faster or concurrent polls share it.
 * - onCompleted({verificationId, providerId, attributes, claims, status}, request):
 *   runs once per verification (deduplicated through the store); may return
 *   headers (e.g. Set-Cookie) for that answer. Exceptions are logged.
 * - userData(request, {providerId, userData}), createFields(request, {providerId}),
 *   purpose: server-side values for the create.
 * - allowedOrigins: other origins that may call (CORS with credentials).
 * - appSchemes: extra same-device link schemes per provider.
 * - redirectUri, webhookUrl, timeoutMs (8000), fetch, logger (console).
 */
export function createVerificationHandler(options = {}) {
  const { clientId, clientSecret } = options;
  if (!clientId || !clientSecret) throw new Error("hopae-connect-widget/server: the clientId and clientSecret options are required");
  const apiBase = (options.apiBase ?? "https://sandbox.api.hopae.com/connect/v1").replace(/\/+$/, "");
  const basePath = "/" + (options.basePath ?? "/api/verifications").replace(/^\/+|\/+$/g, "");
  const allowed = options.allowedProviders ? new Set(options.allowedProviders) : null;
  const exposed = new Set(options.exposeAttributes ?? DEFAULT_EXPOSED);
  const timeoutMs = options.timeoutMs ?? 8_000;
  const cookieMaxAge = Math.min(options.cookieMaxAge ?? 3600, 3600);
  const maxBindings = options.maxBindings ?? 16;
  const upstreamFetch = options.fetch ?? ((...a) => globalThis.fetch(...a));
  const allowedOrigins = new Set(options.allowedOrigins ?? []);
  const rateLimit = { max: 10, windowMs: 60_000, ...(options.rateLimit ?? {}) };
  const siteRateLimit = { max: 600, windowMs: 60_000, ...(options.siteRateLimit ?? {}) };
  const trustProxy = options.trustProxy ?? 0;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const store = options.store ?? createMemoryStore();
  const logger = options.logger ?? console;
  const devUpstream = apiBase.startsWith("http:");
  const appSchemes = {};
  for (const [p, s] of Object.entries(APP_SCHEMES)) appSchemes[p] = new Set(s);
  for (const [p, s] of Object.entries(options.appSchemes ?? {})) appSchemes[p] = new Set([...(appSchemes[p] ?? []), ...s]);
  const authorization = `Basic ${base64(utf8(`${clientId}:${clientSecret}`))}`;
  let warnedNoClientKey = false;

  // The HMAC key is imported once (the first request waits for it).
  const keyPromise = (async () => {
    const secret = options.cookieSecret !== undefined ? utf8(String(options.cookieSecret)) : await hmac(await importKey(utf8("hopae-connect-widget binding cookie")), utf8(clientSecret));
    return importKey(secret);
  })();

  /** Status reads in flight or fresh: id -> {at, promise}. One per verification per pollIntervalMs. */
  const reads = new Map();
  const cancels = new Map();

  function problem(status, title, detail, headers = {}, extra = {}) {
    return json(status, { type: "about:blank", title, status, detail, ...extra }, { "Content-Type": "application/problem+json", ...headers });
  }
  function internalError(error, where) {
    const requestId = crypto.randomUUID();
    logger.error(`hopae-connect-widget/server: internal error in ${where} (request ${requestId})`, error);
    return problem(500, "INTERNAL_ERROR", "Internal error", {}, { requestId });
  }

  // ---- binding cookies -------------------------------------------------

  const cookieName = (id) => `hopae_${fnv16(id)}`;
  /** HMAC-SHA256 of the id and expiry, truncated to 128 bits (22 base64url characters). */
  async function cookieMac(id, expiry) {
    return (await hmac(await keyPromise, utf8(`bind\n${id}\n${expiry}`))).subarray(0, 16);
  }
  function cookieAttributes(request, crossOrigin) {
    const secure = crossOrigin || new URL(request.url).protocol === "https:";
    return `Path=${basePath}; HttpOnly; ${crossOrigin ? "SameSite=None" : "SameSite=Strict"}${secure ? "; Secure" : ""}`;
  }
  function requestCookies(request) {
    const out = [];
    for (const part of (request.headers.get("cookie") ?? "").split(";")) {
      const i = part.indexOf("=");
      if (i > 0) out.push([part.slice(0, i).trim(), part.slice(i + 1).trim()]);
    }
    return out;
  }
  /** The Set-Cookie lines for a new binding, clearing the oldest ones past maxBindings. */
  async function bindingCookies(request, id, expiresAt, crossOrigin) {
    const now = Math.floor(Date.now() / 1000);
    const until = Date.parse(expiresAt);
    const maxAge = Number.isFinite(until) ? Math.max(60, Math.min(cookieMaxAge, Math.ceil((until - Date.now()) / 1000) + 60)) : cookieMaxAge;
    const expiry = now + maxAge;
    const attrs = cookieAttributes(request, crossOrigin);
    const name = cookieName(id);
    const lines = [`${name}=${expiry.toString(36)}.${base64url(await cookieMac(id, expiry))}; Max-Age=${maxAge}; ${attrs}`];
    const held = requestCookies(request)
      .filter(([n]) => n.startsWith("hopae_") && n !== name)
      .map(([n, v]) => [n, parseInt(v.split(".")[0], 36) || 0])
      .sort((a, b) => a[1] - b[1]);
    const stale = held.filter(([, e]) => e <= now);
    const live = held.filter(([, e]) => e > now);
    const evict = [...stale, ...live.slice(0, Math.max(0, live.length - (maxBindings - 1)))];
    for (const [n] of evict) lines.push(`${n}=; Max-Age=0; ${attrs}`);
    return lines;
  }
  /**
   * Binding values already verified (id + value -> true). A poll sends the
   * same cookie every few seconds; Web Crypto runs each HMAC on a worker
   * thread, which dominated the poll's cost, so a value is verified once.
   * Only successes are kept, the expiry is still checked on every request,
   * and the map is bounded.
   */
  const verified = new Map();
  async function isBound(request, id) {
    const name = cookieName(id);
    const now = Math.floor(Date.now() / 1000);
    for (const [n, v] of requestCookies(request)) {
      if (n !== name) continue;
      const dot = v.indexOf(".");
      const expiry = /^[0-9a-z]{1,10}$/.test(v.slice(0, dot)) ? parseInt(v.slice(0, dot), 36) : NaN;
      if (dot < 1 || !Number.isInteger(expiry) || expiry <= now) continue;
      const memo = `${id}=${v}`;
      if (verified.has(memo)) return true;
      const given = fromBase64url(v.slice(dot + 1));
      if (given && given.length === 16 && sameBytes(given, await cookieMac(id, expiry))) {
        if (verified.size >= 20_000) verified.delete(verified.keys().next().value);
        verified.set(memo, true);
        return true;
      }
    }
    return false;
  }
  const clearCookie = (request, id) => `${cookieName(id)}=; Max-Age=0; ${cookieAttributes(request, isCrossOrigin(request))}`;

  // ---- origins -----------------------------------------------------------

  function isCrossOrigin(request) {
    const origin = request.headers.get("origin");
    return !!origin && allowedOrigins.has(origin) && origin !== new URL(request.url).origin;
  }
  function requestHost(request) {
    if (trustProxy > 0) {
      const forwarded = request.headers.get("x-forwarded-host");
      if (forwarded) return forwarded.split(",")[0].trim().toLowerCase();
    }
    return (request.headers.get("host") ?? new URL(request.url).host).toLowerCase();
  }
  /**
   * Go 1.25's net/http.CrossOriginProtection: Sec-Fetch-Site same-origin or
   * none passes; a trusted origin passes; any other Sec-Fetch-Site is refused;
   * without it, no Origin (a non-browser client) passes, else Origin's host
   * must be the request's host.
   */
  function originRefusal(request) {
    const origin = request.headers.get("origin");
    if (origin && allowedOrigins.has(origin)) return null;
    const site = request.headers.get("sec-fetch-site");
    if (site === "same-origin" || site === "none") return null;
    if (site) return `a ${site} request from ${origin ?? "another site"}`;
    if (!origin) return null;
    let host;
    try {
      host = new URL(origin).host.toLowerCase();
    } catch {
      return `a request with the Origin ${origin}`;
    }
    return host === requestHost(request) ? null : `a request from ${origin} to ${requestHost(request)}`;
  }
  function corsHeaders(request) {
    const origin = request.headers.get("origin");
    if (!origin || !allowedOrigins.has(origin)) return {};
    return { "Access-Control-Allow-Origin": origin, "Access-Control-Allow-Credentials": "true", "Access-Control-Expose-Headers": "Retry-After, Idempotency-Replayed", Vary: "Origin" };
  }

  // ---- client keys and limits -------------------------------------------

  /** The client a create counts against, or null when none can be known. */
  function clientOf(request, info) {
    if (options.clientKey) {
      const key = options.clientKey(request, info);
      return key === undefined || key === null || key === "" ? null : String(key);
    }
    let address = info?.clientAddress ?? info?.remoteAddr?.hostname ?? info?.remoteAddress ?? null;
    if (trustProxy > 0) {
      const hops = (request.headers.get("x-forwarded-for") ?? "").split(",").map((s) => s.trim()).filter(Boolean);
      // The last `trustProxy` entries were added by our own proxies; the one before is the client.
      const candidate = hops.length >= trustProxy ? hops[hops.length - trustProxy] : hops[0];
      if (candidate) address = candidate;
    }
    return address ? aggregate(String(address)) : null;
  }
  async function limited(request, info) {
    const client = clientOf(request, info);
    let limit = rateLimit;
    let key = `rl:create:${client}`;
    if (client === null) {
      if (!warnedNoClientKey) {
        warnedNoClientKey = true;
        logger.warn(
          "hopae-connect-widget/server: no client address for this request, so creations count against one site-wide limit " +
            `(${siteRateLimit.max} per ${siteRateLimit.windowMs / 1000} s). Pass the client address (Deno: the second argument; Next.js, Hono, Workers: clientKey) or set trustProxy behind a proxy.`,
        );
      }
      limit = siteRateLimit;
      key = "rl:create:site";
    }
    const { count, ttlMs } = await store.incr(key, limit.windowMs);
    return count > limit.max ? Math.max(1, Math.ceil(ttlMs / 1000)) : 0;
  }

  // ---- upstream ----------------------------------------------------------

  /**
   * One call to Hopae: {status, headers, body (parsed JSON or undefined), text}
   * or a Response to send as is (unreachable, timeout, too large, not JSON).
   */
  async function callHopae(method, path, body, signal, extraHeaders = {}) {
    let upstream;
    try {
      upstream = await upstreamFetch(apiBase + path, {
        method,
        headers: { Authorization: authorization, Accept: "application/json", ...(body ? { "Content-Type": "application/json" } : {}), ...extraHeaders },
        body: body ? JSON.stringify(body) : undefined,
        signal,
      });
    } catch (error) {
      return { response: unreachable(error, method, path) };
    }
    if (upstream.status === 204) return { status: 204, headers: upstream.headers, body: undefined };
    let text;
    try {
      text = await readText(upstream.body, MAX_UPSTREAM_BODY, upstream.headers.get("content-length"));
    } catch (error) {
      return { response: unreachable(error, method, path) };
    }
    if (text === null) return { response: problem(502, "UPSTREAM_BAD_RESPONSE", `Hopae's answer was larger than ${MAX_UPSTREAM_BODY} bytes`) };
    let parsed;
    try {
      parsed = text === "" ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!isPlainObject(parsed) && !(upstream.ok && text === "")) {
      logger.warn(`hopae-connect-widget/server: ${method} ${path}: Hopae answered HTTP ${upstream.status} with a body that is not a JSON object`);
      const keep = [429, 503, 504].includes(upstream.status) ? upstream.status : 502;
      const retry = upstream.headers.get("retry-after");
      return { response: problem(keep, "UPSTREAM_BAD_RESPONSE", `Hopae answered HTTP ${upstream.status} with a body that is not JSON`, retry ? { "Retry-After": retry } : {}) };
    }
    return { status: upstream.status, headers: upstream.headers, body: parsed };
  }
  function unreachable(error, method, path) {
    const timedOut = error?.name === "TimeoutError" || error?.name === "AbortError";
    logger.warn(`hopae-connect-widget/server: ${method} ${path}: ${timedOut ? "timed out" : "could not reach Hopae"}:`, error?.cause?.code ?? error?.message ?? error);
    return timedOut
      ? problem(504, "UPSTREAM_TIMEOUT", `Hopae did not answer within ${timeoutMs} ms`)
      : problem(502, "UPSTREAM_UNREACHABLE", "Could not reach Hopae");
  }
  /** Hopae's error, rebuilt from the fields the widget reads. */
  function upstreamError(result) {
    const b = result.body ?? {};
    const out = { type: str(b.type, 200) ?? "about:blank", title: str(b.title, 200), status: result.status, detail: str(b.detail, 1000) };
    if (typeof b.code === "number" || typeof b.code === "string") out.code = b.code;
    if (isPlainObject(b.error)) out.error = pick(b.error, { code: codeOf, message: (v) => str(v, 1000) });
    if (typeof b.timestamp === "string") out.timestamp = str(b.timestamp, 64);
    const headers = { "Content-Type": "application/problem+json" };
    const retry = result.headers.get("retry-after");
    if (retry && /^[0-9]{1,6}$|^[A-Za-z]{3}, /.test(retry)) headers["Retry-After"] = retry;
    return json(result.status, dropUndefined(out), headers);
  }

  // ---- the answers the browser gets (allow-lists) -----------------------

  function safeLink(url, providerId) {
    if (typeof url !== "string" || url.length > 4096) return undefined;
    let scheme;
    try {
      scheme = new URL(url).protocol.toLowerCase();
    } catch {
      return undefined;
    }
    if (scheme === "https:" || (scheme === "http:" && devUpstream)) return url;
    return appSchemes[providerId]?.has(scheme) ? url : undefined;
  }
  function action(a, providerId) {
    if (!isPlainObject(a) || !["redirect", "qr", "push", "deeplink"].includes(a.type)) return undefined;
    const url = a.type === "qr" ? str(a.url, 4096) : safeLink(a.url, providerId);
    if (a.url !== undefined && url === undefined) {
      if (a.type !== "push" && a.message === undefined) return undefined;
    }
    return dropUndefined({ type: a.type, url, message: str(a.message, 1000) });
  }
  function flowDetails(f, providerId) {
    if (!isPlainObject(f)) return undefined;
    return dropUndefined({
      qrData: str(f.qrData, 8192),
      authorizationUrl: safeLink(f.authorizationUrl, providerId),
      autoStartToken: str(f.autoStartToken, 1024),
      message: str(f.message, 4096),
      verificationCode: str(f.verificationCode, 1024),
      deeplink: safeLink(f.deeplink, providerId),
      linkData: safeLink(f.linkData, providerId),
      // Where the browser posts the dc flow's credential (native mode).
      callbackUrl: safeLink(f.callbackUrl, providerId),
      action: action(f.action, providerId),
      // The Digital Credentials flow: the request the browser hands to navigator.credentials.get.
      request: isPlainObject(f.request) && JSON.stringify(f.request).length <= 65536 ? f.request : undefined,
      options: isPlainObject(f.options) ? pick(f.options, { mode: (v) => str(v, 32), platform: (v) => str(v, 32) }) : undefined,
      expected_origins: Array.isArray(f.expected_origins) ? f.expected_origins.filter((o) => typeof o === "string" && o.length <= 512).slice(0, 16) : undefined,
    });
  }
  /** The browser's view of a create or status body. */
  function browserView(b) {
    const providerId = typeof b.providerId === "string" ? b.providerId : undefined;
    const out = {
      verificationId: str(b.verificationId, 128),
      status: str(b.status, 64),
      providerId: str(providerId, 256),
      flowType: str(b.flowType, 32),
      flowDetails: TERMINAL.has(b.status) ? undefined : flowDetails(b.flowDetails, providerId),
      action: action(b.action, providerId),
      polling: isPlainObject(b.polling) ? pick(b.polling, { recommendedInterval: num, maxDuration: num }) : undefined,
      createdAt: str(b.createdAt, 64),
      expiresAt: str(b.expiresAt, 64),
      verifiedAt: str(b.verifiedAt, 64),
      error: isPlainObject(b.error) ? pick(b.error, { code: codeOf, title: (v) => str(v, 200), message: (v) => str(v, 1000), detail: (v) => str(v, 1000) }) : undefined,
    };
    return dropUndefined(out);
  }

  /**
   * The verified attributes under clear names, from either API generation.
   * `providerId` is always the identity provider (the current /userinfo's
   * `provider_id`); `personalNumber` and its alias `subjectId` are the user's
   * identifier at the provider (the guide's `verifiedAttributes.provider_id`,
   * or a personal-number claim under `provenance…credentials[].claims`).
   */
  function attributesOf(status, userinfo) {
    if (!userinfo) {
      const { provider_id: personal, eid, ...rest } = status.verifiedAttributes;
      return dropUndefined({ ...rest, providerId: status.providerId ?? eid, personalNumber: str(personal, 128), subjectId: str(personal, 128) });
    }
    const user = isPlainObject(userinfo.user) ? userinfo.user : {};
    let personal = user.personal_number ?? user.personalNumber;
    const credentials = userinfo.provenance?.presentation?.credentials ?? userinfo.provenance?.credentials;
    if (personal === undefined && Array.isArray(credentials)) {
      for (const c of credentials) {
        const claims = isPlainObject(c?.claims) ? c.claims : {};
        personal = claims.personal_number ?? claims.personalNumber ?? claims.personal_identity_number ?? claims.national_id;
        if (personal !== undefined) break;
      }
    }
    return dropUndefined({
      sub: userinfo.sub,
      ...user,
      providerId: str(userinfo.provider_id, 64) ?? status.providerId,
      personalNumber: str(personal, 128),
      subjectId: str(personal, 128),
      acr: userinfo.acr,
      hopae_loa: userinfo.hopae_loa,
    });
  }

  // ---- the three routes --------------------------------------------------

  async function create(request, info) {
    const length = Number(request.headers.get("content-length") ?? 0);
    const tooLarge = () => problem(413, "BODY_TOO_LARGE", `The request body is larger than ${MAX_BODY} bytes`);
    if (length > MAX_BODY) return tooLarge();
    let text;
    try {
      text = await readText(request.body, MAX_BODY, null);
    } catch {
      return problem(400, "INVALID_BODY", "The request body could not be read");
    }
    if (text === null) return tooLarge();
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      return problem(400, "INVALID_JSON", "The request body must be JSON");
    }
    if (!isPlainObject(body)) return problem(400, "INVALID_BODY", "The request body must be a JSON object");
    if (typeof body.providerId !== "string" || !PROVIDER_ID.test(body.providerId)) {
      return problem(400, "INVALID_PROVIDER_ID", 'providerId must be a provider id such as "bankidse"', {}, { field: "providerId" });
    }
    const providerId = body.providerId;
    if (allowed && !allowed.has(providerId)) return problem(400, "PROVIDER_NOT_ENABLED", `This site does not offer the provider ${providerId}`, {}, { field: "providerId" });

    const forwarded = { providerId };
    if (options.purpose !== undefined) forwarded.purpose = options.purpose;
    const serverFields = options.createFields ? await options.createFields(request, { providerId }) : {};
    for (const [field, check] of Object.entries(CREATE_FIELDS)) {
      const value = serverFields?.[field] !== undefined ? serverFields[field] : body[field];
      if (value === undefined) continue;
      const wrong = check(value);
      if (wrong) return problem(400, "INVALID_FIELD", `${field} ${wrong}`, {}, { field });
      forwarded[field] = value;
    }
    const userData = options.userData ? await options.userData(request, { providerId, userData: body.userData }) : body.userData;
    const userDataWrong = checkUserData(providerId, userData);
    if (userDataWrong) return problem(400, "INVALID_USER_DATA", userDataWrong.detail, {}, { field: userDataWrong.field });
    if (userData !== undefined && userData !== null) forwarded.userData = userData;
    if (options.redirectUri) forwarded.redirectUri = options.redirectUri;
    if (options.webhookUrl) forwarded.webhookUrl = options.webhookUrl;

    // Idempotency: a retried create (same key, same body) gets the first verification.
    const idemKey = request.headers.get("idempotency-key");
    let record = null;
    if (idemKey !== null) {
      if (!IDEMPOTENCY_KEY.test(idemKey)) return problem(400, "INVALID_IDEMPOTENCY_KEY", "Idempotency-Key must be 1 to 255 printable ASCII characters", {}, { field: "Idempotency-Key" });
      const fingerprint = base64url(new Uint8Array(await crypto.subtle.digest("SHA-256", utf8(JSON.stringify(forwarded)))));
      record = { key: `idem:${idemKey}`, fingerprint };
      const claimed = await store.setIfAbsent(record.key, JSON.stringify({ state: "pending", fingerprint }), timeoutMs + 5000);
      if (!claimed) {
        const previous = parseJson(await store.get(record.key));
        if (!previous) return problem(409, "IDEMPOTENCY_IN_PROGRESS", "A create with this Idempotency-Key is in progress; retry shortly", { "Retry-After": "1" });
        if (previous.fingerprint !== fingerprint) return problem(422, "IDEMPOTENCY_KEY_REUSED", "This Idempotency-Key was used for a different request", {}, { field: "Idempotency-Key" });
        if (previous.state !== "done") return problem(409, "IDEMPOTENCY_IN_PROGRESS", "A create with this Idempotency-Key is in progress; retry shortly", { "Retry-After": "1" });
        const response = json(previous.status, previous.body, { "Idempotency-Replayed": "true" });
        for (const line of await bindingCookies(request, previous.body.verificationId, previous.body.expiresAt, isCrossOrigin(request))) response.headers.append("Set-Cookie", line);
        return response;
      }
    }
    const release = () => record && store.delete(record.key);

    const wait = await limited(request, info);
    if (wait > 0) {
      await release();
      return problem(429, "RATE_LIMITED", "Too many verifications were started from here. Try again later.", { "Retry-After": String(wait) });
    }
    const result = await callHopae("POST", "/verifications", forwarded, AbortSignal.timeout(timeoutMs), idemKey ? { "Idempotency-Key": idemKey } : {});
    if (result.response || result.status < 200 || result.status > 299) {
      await release();
      return result.response ?? upstreamError(result);
    }
    const view = browserView(result.body ?? {});
    if (!view.verificationId || !VERIFICATION_ID.test(view.verificationId)) {
      // Nothing to bind: the allow-listed answer goes on, and the widget reports its shape.
      await release();
      logger.warn("hopae-connect-widget/server: Hopae's create answer has no usable verificationId");
      return json(result.status, view);
    }
    if (record) await store.set(record.key, JSON.stringify({ state: "done", fingerprint: record.fingerprint, status: result.status, body: view }), DAY);
    const response = json(result.status, view);
    for (const line of await bindingCookies(request, view.verificationId, view.expiresAt, isCrossOrigin(request))) response.headers.append("Set-Cookie", line);
    return response;
  }

  function checkUserData(providerId, data) {
    const rules = USER_DATA[providerId];
    if (data === undefined || data === null) {
      const missing = rules && Object.entries(rules).find(([, r]) => r.required);
      return missing ? { field: `userData.${missing[0]}`, detail: `${providerId} needs userData.${missing[0]} (for example ${missing[1].hint})` } : null;
    }
    if (!isPlainObject(data)) return { field: "userData", detail: "userData must be an object" };
    const entries = Object.entries(data);
    if (entries.length > 10) return { field: "userData", detail: "userData has too many fields" };
    for (const [k, v] of entries) {
      if (!/^[A-Za-z][A-Za-z0-9_]{0,39}$/.test(k)) return { field: "userData", detail: "userData field names must be identifiers" };
      if (typeof v !== "string" || v.length > 128 || !PRINTABLE.test(v)) return { field: `userData.${k}`, detail: `userData.${k} must be text of at most 128 characters` };
    }
    for (const [k, r] of Object.entries(rules ?? {})) {
      const v = data[k];
      if (v === undefined) {
        if (r.required) return { field: `userData.${k}`, detail: `${providerId} needs userData.${k} (for example ${r.hint})` };
      } else if (!r.pattern.test(v)) {
        return { field: `userData.${k}`, detail: `userData.${k} is not in the form ${providerId} expects (for example ${r.hint})` };
      }
    }
    return null;
  }

  /** One upstream status read (plus /userinfo when completed) -> {status, view, attributes, claims} or {response}. */
  async function readStatus(id) {
    const signal = AbortSignal.timeout(timeoutMs);
    const result = await callHopae("GET", `/verifications/${id}`, null, signal);
    if (result.response) return { response: result.response };
    if (result.status < 200 || result.status > 299) return { response: upstreamError(result) };
    const body = result.body ?? {};
    const view = browserView(body);
    // No status: the allow-listed answer goes on, and the widget reports its shape.
    if (typeof body.status !== "string") return { view, terminal: false };
    if (body.status !== "completed") return { view, terminal: TERMINAL.has(body.status) };
    let attributes;
    let claims;
    if (isPlainObject(body.verifiedAttributes)) {
      claims = body.verifiedAttributes;
      attributes = attributesOf(body, null);
    } else {
      const info = await callHopae("GET", `/verifications/${id}/userinfo`, null, signal);
      if (info.response) return { response: info.response };
      if (info.status !== 200) return { response: problem(502, "UPSTREAM_USERINFO_FAILED", `Hopae answered HTTP ${info.status} for the verified attributes`) };
      claims = info.body ?? {};
      attributes = attributesOf(body, claims);
    }
    view.verifiedAttributes = Object.fromEntries(Object.entries(attributes).filter(([k]) => exposed.has(k)));
    return { view, terminal: true, completed: { verificationId: id, providerId: attributes.providerId ?? body.providerId, attributes, claims, status: body } };
  }

  /** At most one read per verification per pollIntervalMs; concurrent polls share it. */
  function sharedRead(map, id, run) {
    const now = Date.now();
    const hit = map.get(id);
    // Joined while in flight for up to a second (a read slower than that, e.g.
    // a widget's retry after its requestTimeout, may start one more), then
    // its answer is reused for pollIntervalMs.
    if (hit && (hit.pending ? now - hit.started < Math.max(pollIntervalMs, 1000) : now - hit.at < pollIntervalMs)) return hit.promise;
    const entry = { started: now, at: now, pending: true, promise: null };
    const forget = () => map.get(id) === entry && map.delete(id);
    entry.promise = run().then(
      (result) => {
        entry.pending = false;
        entry.at = Date.now();
        // A failure is shared only while in flight, so a retry reaches Hopae again;
        // an answer is kept for the interval, then forgotten (the map holds only
        // verifications polled in the last interval).
        if (result.response || pollIntervalMs <= 0) forget();
        else setTimeout(forget, pollIntervalMs)?.unref?.();
        return result;
      },
      (error) => {
        forget();
        throw error;
      },
    );
    map.set(id, entry);
    return entry.promise;
  }

  async function status(request, id) {
    const read = await sharedRead(reads, id, () => readStatus(id));
    if (read.response) return read.response.clone();
    const headers = new Headers();
    if (read.completed && options.onCompleted && (await store.setIfAbsent(`done:${id}`, "1", DAY))) {
      try {
        const extra = await options.onCompleted(read.completed, request);
        for (const [name, value] of extra ? new Headers(extra) : []) headers.append(name, value);
      } catch (error) {
        // Not sent to the browser; the next poll tries again.
        await store.delete(`done:${id}`);
        return internalError(error, "onCompleted");
      }
    }
    if (read.terminal) headers.append("Set-Cookie", clearCookie(request, id));
    return json(200, read.view, headers);
  }

  async function cancel(request, id) {
    const result = await sharedRead(cancels, id, () => callHopae("DELETE", `/verifications/${id}`, null, AbortSignal.timeout(timeoutMs)));
    if (result.response) return result.response.clone();
    if (result.status === 204 || (result.status >= 200 && result.status < 300)) {
      reads.delete(id);
      return new Response(null, { status: 204, headers: { "Cache-Control": "no-store", "Set-Cookie": clearCookie(request, id) } });
    }
    return upstreamError(result);
  }

  /** Whether this handler serves `pathname` (for adapters that fall through). */
  function handles(pathname) {
    return pathname === basePath || pathname.startsWith(basePath + "/");
  }

  async function route(request, info) {
    let url;
    try {
      url = new URL(request.url);
    } catch {
      return problem(400, "BAD_REQUEST_TARGET", "The request target is not a URL");
    }
    if (url.pathname.length > 2048) return problem(414, "URI_TOO_LONG", "The request target is too long");
    if (!handles(url.pathname)) return problem(404, "NOT_FOUND", "No such route");
    const rest = url.pathname.slice(basePath.length);
    const isCollection = rest === "" || rest === "/";
    const m = rest.match(/^\/([^/]+)$/);
    if (!isCollection && (!m || !VERIFICATION_ID.test(m[1]))) return problem(404, "SESSION_NOT_FOUND", "Session does not exist");
    const allow = isCollection ? "POST" : "GET, DELETE";
    if (request.method === "OPTIONS") {
      const cors = corsHeaders(request);
      if (!cors["Access-Control-Allow-Origin"]) return new Response(null, { status: 204, headers: { Allow: `${allow}, OPTIONS` } });
      return new Response(null, {
        status: 204,
        headers: { ...cors, "Access-Control-Allow-Methods": `${allow}, OPTIONS`, "Access-Control-Allow-Headers": "Content-Type, Idempotency-Key", "Access-Control-Max-Age": "600" },
      });
    }
    if (!allow.split(", ").includes(request.method)) {
      return problem(405, "METHOD_NOT_ALLOWED", isCollection ? "Use POST to create a verification" : "Use GET or DELETE on a verification", { Allow: allow });
    }
    if (request.method !== "GET") {
      const refused = originRefusal(request);
      if (refused) {
        return problem(
          403,
          "ORIGIN_NOT_ALLOWED",
          `Refused ${refused}. Pages of another origin must be listed in the backend's allowedOrigins option; behind a proxy that rewrites Host, set trustProxy so X-Forwarded-Host is read.`,
        );
      }
    }
    if (isCollection) return create(request, info);
    const id = m[1];
    // Another browser gets exactly what an unknown id gets.
    if (!(await isBound(request, id))) return problem(404, "SESSION_NOT_FOUND", "Session does not exist");
    return request.method === "GET" ? status(request, id) : cancel(request, id);
  }

  async function handler(request, info = {}) {
    let response;
    try {
      response = await route(request, info);
    } catch (error) {
      response = internalError(error, `${request?.method} ${request?.url}`);
    }
    for (const [name, value] of Object.entries(corsHeaders(request))) response.headers.set(name, value);
    return response;
  }
  handler.handles = handles;
  handler.basePath = basePath;
  handler.store = store;
  return handler;
}

// ---- small helpers (web-standard only) ------------------------------------

/** A body as text, or null when longer than `limit` bytes (then it is cancelled). */
async function readText(stream, limit, declaredLength) {
  if (declaredLength !== null && Number(declaredLength) > limit) {
    await stream?.cancel().catch(() => {});
    return null;
  }
  const bytes = await readBytes(stream, limit);
  return bytes && new TextDecoder().decode(bytes);
}

function json(status, body, headers = {}) {
  const h = new Headers(headers);
  if (!h.has("content-type")) h.set("Content-Type", "application/json; charset=utf-8");
  if (!h.has("cache-control")) h.set("Cache-Control", "no-store");
  h.set("X-Content-Type-Options", "nosniff");
  return new Response(JSON.stringify(body), { status, headers: h });
}
function parseJson(text) {
  if (typeof text !== "string") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
function str(v, max) {
  return typeof v === "string" && v.length <= max ? v : undefined;
}
function num(v) {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}
function codeOf(v) {
  return (typeof v === "number" && Number.isFinite(v)) || (typeof v === "string" && v.length <= 100) ? v : undefined;
}
function pick(obj, fields) {
  const out = {};
  for (const [k, f] of Object.entries(fields)) {
    const v = f(obj[k]);
    if (v !== undefined) out[k] = v;
  }
  return out;
}
function dropUndefined(obj) {
  for (const k of Object.keys(obj)) if (obj[k] === undefined) delete obj[k];
  return obj;
}
const encoder = new TextEncoder();
function utf8(s) {
  return encoder.encode(s);
}
function base64(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return btoa(s);
}
function base64url(bytes) {
  return base64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
function fromBase64url(s) {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(s)) return null;
  try {
    const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}
function importKey(raw) {
  return crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
}
async function hmac(key, data) {
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, data));
}
/** Constant-time comparison of two byte arrays of the same length. */
function sameBytes(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
/** A 64-bit FNV-1a of the id in hex: a cookie name that does not carry the id itself. */
function fnv16(s) {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ 0x9e3779b9;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x01000193 + 2) >>> 0;
  }
  return h1.toString(16).padStart(8, "0") + h2.toString(16).padStart(8, "0");
}

/**
 * A client address as a rate-limit key: IPv4 as is (also when IPv4-mapped),
 * IPv6 aggregated to its /64, since one home or phone holds a whole /64.
 */
export function aggregate(address) {
  let a = address.trim().replace(/^\[|\]$/g, "").toLowerCase();
  const zone = a.indexOf("%");
  if (zone >= 0) a = a.slice(0, zone);
  const mapped = a.match(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/);
  if (mapped) return mapped[1];
  if (!a.includes(":")) return a;
  const [head, tail = ""] = a.split("::");
  const left = head ? head.split(":") : [];
  const right = a.includes("::") && tail ? tail.split(":") : [];
  const groups = a.includes("::") ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right] : left;
  return groups.slice(0, 4).map((g) => (parseInt(g, 16) || 0).toString(16)).join(":") + "::/64";
}
