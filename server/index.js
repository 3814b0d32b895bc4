// hopae-connect-widget/server: the backend half of the widget.
//
// A web-standard handler, `(Request) => Promise<Response>`, for the site's own
// server (Node's http through `toNodeHandler`, Express, Next.js route handlers,
// Hono, Deno). It holds the Hopae client credentials (the browser never sees
// them), serves only the three calls of the widget's backend contract, and
// forwards nothing to Hopae that it has not validated:
//
//   POST   {basePath}        {providerId, ...} -> Hopae create   (binds the id to this browser)
//   GET    {basePath}/{id}                     -> Hopae status   (only for the browser that created it)
//   DELETE {basePath}/{id}                     -> Hopae cancel   (likewise)
//
// Each verification is bound to the browser that created it by an HttpOnly,
// SameSite=Strict cookie holding an HMAC of its id; there is no other state,
// so any number of instances can run behind a load balancer as long as they
// share `cookieSecret` (or the client secret it is derived from).
//
// Against either Hopae API generation the browser sees one shape: when a
// status turns `completed` and the body carries no `verifiedAttributes` (the
// current generation), the handler fetches `/userinfo` server-side; either
// way only the `exposeAttributes` reach the browser. Node standard library only.
import { createHmac, timingSafeEqual } from "node:crypto";
import { parseJson } from "./http-util.js";

const PROVIDER_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/i;
const VERIFICATION_ID = /^[A-Za-z0-9_-]{1,128}$/;
/** Create-body fields passed on to Hopae (CreateVerificationRequestDto); everything else is dropped. */
const FORWARDED_FIELDS = ["locale", "referenceId", "purpose", "requestedClaims", "flowType", "initiationMethod", "requestedLoa"];
/** Status fields that never go to the browser. */
const WITHHELD_FIELDS = ["authorizationCode", "verifiedAttributes", "userinfo"];
const DEFAULT_EXPOSED = ["sub", "name", "given_name", "family_name"];
const MAX_BODY = 16 * 1024;

/**
 * Creates the handler.
 *
 * Options:
 * - clientId, clientSecret: Hopae App API credentials (required).
 * - apiBase: Hopae's API root up to and including the version:
 *   "https://sandbox.api.hopae.com/connect/v1" (default) or the guide's
 *   "https://sandbox.connect.hopae.com/api/v1"; production
 *   "https://api.hopae.com/connect/v1".
 * - basePath: where the contract is mounted (default "/api/verifications").
 * - allowedProviders: provider ids the site offers (default: any well-formed
 *   id; Hopae still refuses providers the app has not enabled).
 * - exposeAttributes: verified attributes the browser may see (default
 *   sub, name, given_name, family_name).
 * - cookieSecret: key for the binding cookie (default: derived from
 *   clientSecret). Instances behind one load balancer must share it.
 * - cookieMaxAge: seconds a binding lasts (default 3600).
 * - onCompleted({verificationId, providerId, attributes, status}, request):
 *   called with all verified attributes when a status read finds the
 *   verification completed; sign the user in here, server-side. May be called
 *   more than once for one verification. May return a Headers-like object of
 *   headers (e.g. Set-Cookie) to add to the response.
 * - redirectUri, webhookUrl: added to every create request when set.
 * - timeoutMs: how long to wait for Hopae (default 10000).
 * - allowedOrigins: other origins whose pages may create verifications
 *   (default none: only the site's own origin, by `Origin` and `Sec-Fetch-Site`).
 * - rateLimit: `{max, windowMs}` creations per client (default 10 a minute);
 *   kept in this instance's memory.
 * - clientKey(request, info): what identifies a client for the rate limit
 *   (default `info.clientAddress`, which `toNodeHandler` fills in; behind a
 *   proxy, read your trusted forwarded header here).
 * - fetch: the fetch to call Hopae with (default globalThis.fetch).
 */
export function createVerificationHandler(options = {}) {
  const { clientId, clientSecret } = options;
  if (!clientId || !clientSecret) throw new Error("hopae-connect-widget/server: the clientId and clientSecret options are required");
  const apiBase = (options.apiBase ?? "https://sandbox.api.hopae.com/connect/v1").replace(/\/+$/, "");
  const basePath = "/" + (options.basePath ?? "/api/verifications").replace(/^\/+|\/+$/g, "");
  const allowed = options.allowedProviders ? new Set(options.allowedProviders) : null;
  const exposed = new Set(options.exposeAttributes ?? DEFAULT_EXPOSED);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxAge = options.cookieMaxAge ?? 3600;
  const upstreamFetch = options.fetch ?? globalThis.fetch;
  const allowedOrigins = new Set(options.allowedOrigins ?? []);
  const rateLimit = { max: 10, windowMs: 60_000, ...(options.rateLimit ?? {}) };
  /** Client key -> times of its recent creations (this instance's memory only). */
  const creations = new Map();
  const authorization = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`;
  const key = options.cookieSecret ?? createHmac("sha256", "hopae-connect-widget binding cookie").update(clientSecret).digest();

  const mac = (label, id) => createHmac("sha256", key).update(`${label}\n${id}`).digest("base64url");
  /** One cookie per verification, so several widgets on a page each keep theirs. */
  const cookieName = (id) => `hopae_${mac("name", id).slice(0, 16)}`;

  function bindingCookie(id, secure) {
    return `${cookieName(id)}=${mac("bind", id)}; Path=${basePath}; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${secure ? "; Secure" : ""}`;
  }

  function isBound(request, id) {
    const want = Buffer.from(`${cookieName(id)}=${mac("bind", id)}`);
    for (const part of (request.headers.get("cookie") ?? "").split(/;\s*/)) {
      const got = Buffer.from(part.trim());
      if (got.length === want.length && timingSafeEqual(got, want)) return true;
    }
    return false;
  }

  function problem(status, title, detail, headers = {}) {
    return json(status, { type: "about:blank", title, status, detail }, { "Content-Type": "application/problem+json", ...headers });
  }

  async function callHopae(method, path, body) {
    return upstreamFetch(apiBase + path, {
      method,
      headers: { Authorization: authorization, Accept: "application/json", ...(body ? { "Content-Type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(timeoutMs),
    });
  }

  /** Hopae's answer as is: status, body and the headers that matter. */
  async function passThrough(upstream, extra = {}) {
    const headers = { "Cache-Control": "no-store", ...extra };
    for (const name of ["content-type", "retry-after"]) {
      const value = upstream.headers.get(name);
      if (value) headers[name] = value;
    }
    return new Response(upstream.status === 204 ? null : await upstream.arrayBuffer(), { status: upstream.status, headers });
  }

  function unreachable(error) {
    const timedOut = error?.name === "TimeoutError";
    return problem(timedOut ? 504 : 502, timedOut ? "UPSTREAM_TIMEOUT" : "UPSTREAM_UNREACHABLE", `Could not reach Hopae: ${error?.cause?.code ?? error?.message ?? error}`);
  }

  async function create(request) {
    const length = Number(request.headers.get("content-length") ?? 0);
    if (length > MAX_BODY) return problem(413, "VALIDATION_INVALID_PARAMETER", `The request body is larger than ${MAX_BODY} bytes`);
    const text = await readLimited(request, MAX_BODY);
    if (text === null) return problem(413, "VALIDATION_INVALID_PARAMETER", `The request body is larger than ${MAX_BODY} bytes`);
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      return problem(400, "VALIDATION_INVALID_PARAMETER", "The request body must be JSON");
    }
    if (!body || typeof body !== "object" || Array.isArray(body)) return problem(400, "VALIDATION_INVALID_PARAMETER", "The request body must be a JSON object");
    if (typeof body.providerId !== "string" || !PROVIDER_ID.test(body.providerId)) {
      return problem(400, "VALIDATION_INVALID_PARAMETER", 'providerId must be a provider id such as "bankidse"');
    }
    if (allowed && !allowed.has(body.providerId)) return problem(400, "PROVIDER_NOT_ENABLED", `This site does not offer the provider ${body.providerId}`);
    const forwarded = { providerId: body.providerId };
    for (const field of FORWARDED_FIELDS) if (body[field] !== undefined) forwarded[field] = body[field];
    if (options.redirectUri) forwarded.redirectUri = options.redirectUri;
    if (options.webhookUrl) forwarded.webhookUrl = options.webhookUrl;

    let upstream;
    try {
      upstream = await callHopae("POST", "/verifications", forwarded);
    } catch (error) {
      return unreachable(error);
    }
    if (!upstream.ok) return passThrough(upstream);
    const answer = await upstream.text();
    const id = parseJson(answer)?.verificationId;
    const headers = { "Content-Type": upstream.headers.get("content-type") ?? "application/json", "Cache-Control": "no-store" };
    if (typeof id !== "string" || !VERIFICATION_ID.test(id)) {
      // Not a verification we could bind: pass it on, and the widget reports the bad shape.
      return new Response(answer, { status: upstream.status, headers });
    }
    const response = new Response(answer, { status: upstream.status, headers });
    response.headers.append("Set-Cookie", bindingCookie(id, new URL(request.url).protocol === "https:"));
    return response;
  }

  async function status(request, id) {
    let upstream;
    try {
      upstream = await callHopae("GET", `/verifications/${id}`);
    } catch (error) {
      return unreachable(error);
    }
    if (!upstream.ok) return passThrough(upstream);
    const text = await upstream.text();
    const body = parseJson(text);
    if (!body || typeof body !== "object" || Array.isArray(body)) {
      return new Response(text, { status: upstream.status, headers: { "Content-Type": upstream.headers.get("content-type") ?? "text/plain", "Cache-Control": "no-store" } });
    }
    const out = { ...body };
    for (const field of WITHHELD_FIELDS) delete out[field];
    const headers = new Headers({ "Cache-Control": "no-store" });
    if (body.status === "completed") {
      let attributes = body.verifiedAttributes;
      if (!attributes || typeof attributes !== "object") {
        try {
          const info = await callHopae("GET", `/verifications/${id}/userinfo`);
          if (!info.ok) return problem(502, "UPSTREAM_USERINFO_FAILED", `Hopae answered HTTP ${info.status} for the verified attributes`);
          const userinfo = await info.json();
          attributes = { sub: userinfo.sub, ...(userinfo.user ?? {}), provider_id: userinfo.provider_id, acr: userinfo.acr, hopae_loa: userinfo.hopae_loa };
          for (const k of Object.keys(attributes)) if (attributes[k] === undefined) delete attributes[k];
        } catch (error) {
          return unreachable(error);
        }
      }
      out.verifiedAttributes = Object.fromEntries(Object.entries(attributes).filter(([k]) => exposed.has(k)));
      if (options.onCompleted) {
        const extra = await options.onCompleted({ verificationId: id, providerId: body.providerId, attributes, status: body }, request);
        for (const [name, value] of extra ? new Headers(extra) : []) headers.append(name, value);
      }
    }
    return json(200, out, headers);
  }

  async function cancel(id) {
    try {
      return passThrough(await callHopae("DELETE", `/verifications/${id}`));
    } catch (error) {
      return unreachable(error);
    }
  }

  /** Whether this handler serves `pathname` (for adapters that fall through). */
  function handles(pathname) {
    return pathname === basePath || pathname.startsWith(basePath + "/");
  }

  /** Creation must come from the site's own pages (or an allowed origin). */
  function foreignOrigin(request) {
    const own = new URL(request.url).origin;
    const origin = request.headers.get("origin");
    if (origin && origin !== own && !allowedOrigins.has(origin)) return `requests from ${origin} are not allowed`;
    const site = request.headers.get("sec-fetch-site");
    if (site && site !== "same-origin" && site !== "none" && !(origin && allowedOrigins.has(origin))) return `${site} requests are not allowed`;
    return null;
  }

  /** Per-client budget of creations (each verification costs the site money): a sliding window. */
  function rateLimited(key, now) {
    const { max, windowMs } = rateLimit;
    const recent = (creations.get(key) ?? []).filter((t) => now - t < windowMs);
    if (recent.length >= max) {
      creations.set(key, recent);
      return Math.ceil((recent[0] + windowMs - now) / 1000);
    }
    recent.push(now);
    creations.set(key, recent);
    if (creations.size > 10_000) {
      // Forget idle clients so the map stays bounded.
      for (const [k, times] of creations) if (!times.some((t) => now - t < windowMs)) creations.delete(k);
    }
    return 0;
  }

  async function handler(request, info = {}) {
    const { pathname } = new URL(request.url);
    if (!handles(pathname)) return problem(404, "RESOURCE_NOT_FOUND", "No such route");
    const rest = pathname.slice(basePath.length);
    try {
      if (rest === "" || rest === "/") {
        if (request.method !== "POST") return problem(405, "METHOD_NOT_ALLOWED", "Use POST to create a verification", { Allow: "POST" });
        const foreign = foreignOrigin(request);
        if (foreign) return problem(403, "ORIGIN_NOT_ALLOWED", `Verifications can only be created from this site: ${foreign}`);
        const key = (options.clientKey ? options.clientKey(request, info) : info.clientAddress) ?? "anonymous";
        const wait = rateLimited(String(key), Date.now());
        if (wait > 0) return problem(429, "RATE_LIMITED", "Too many verifications were started from here. Try again later.", { "Retry-After": String(wait) });
        return await create(request);
      }
      const m = rest.match(/^\/([^/]+)$/);
      if (!m || !VERIFICATION_ID.test(m[1])) return problem(404, "SESSION_NOT_FOUND", "Session does not exist");
      if (request.method !== "GET" && request.method !== "DELETE") return problem(405, "METHOD_NOT_ALLOWED", "Use GET or DELETE on a verification", { Allow: "GET, DELETE" });
      // Another browser gets exactly what an unknown id gets.
      if (!isBound(request, m[1])) return problem(404, "SESSION_NOT_FOUND", "Session does not exist");
      return request.method === "GET" ? await status(request, m[1]) : await cancel(m[1]);
    } catch (error) {
      return problem(500, "SYSTEM_INTERNAL_ERROR", String(error?.message ?? error));
    }
  }
  handler.handles = handles;
  handler.basePath = basePath;
  return handler;
}

export { toNodeHandler } from "./node.js";


/** A Response body, or null when it is longer than `limit` bytes. */
async function readLimited(request, limit) {
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function json(status, body, headers = {}) {
  const h = new Headers(headers);
  if (!h.has("content-type")) h.set("Content-Type", "application/json; charset=utf-8");
  if (!h.has("cache-control")) h.set("Cache-Control", "no-store");
  return new Response(JSON.stringify(body), { status, headers: h });
}
