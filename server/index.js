// hopae-connect-widget/server: the backend half of the widget.
//
// A request handler for the site's own server. It holds the Hopae client
// credentials (the browser never sees them), accepts only the three calls of
// the widget's backend contract, validates what it forwards, and passes
// Hopae's answers through unchanged in shape:
//
//   POST   {mount}        {providerId, ...} -> Hopae create
//   GET    {mount}/{id}                     -> Hopae status
//   DELETE {mount}/{id}                     -> Hopae cancel
//
// Node standard library only (global fetch, Node >= 20).
import { parseJson, readBody, sendJson } from "./http-util.js";

const PROVIDER_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/i;
const VERIFICATION_ID = /^[A-Za-z0-9_-]{1,128}$/;
/** Create-body fields the widget may send on to Hopae (see the OpenAPI's CreateVerificationRequestDto). */
const FORWARDED_FIELDS = ["providerId", "locale", "referenceId", "purpose", "requestedClaims", "flowType", "initiationMethod"];

/**
 * Creates the handler.
 *
 * Options:
 * - clientId, clientSecret: Hopae App API credentials (required).
 * - apiBase: Hopae's API root up to the version, e.g.
 *   "https://sandbox.api.hopae.com/connect/v1" (default) or the guide's
 *   "https://sandbox.connect.hopae.com/api/v1".
 * - providers: allow-list of provider ids the site accepts (default: any
 *   well-formed id; Hopae still refuses providers the app has not enabled).
 * - basePath: the path the handler is mounted at when it sees full URLs (a
 *   plain Node server); leave "" under Express' app.use(path, handler).
 * - redirectUri, webhookUrl: added to every create request when set.
 * - timeoutMs: how long to wait for Hopae (default 10000).
 *
 * Returns `async (req, res, next?)`; requests outside its routes go to `next`
 * (or get a 404 when there is none).
 */
export function createVerificationHandler(options = {}) {
  const { clientId, clientSecret } = options;
  if (!clientId || !clientSecret) throw new Error("hopae-connect-widget/server: clientId and clientSecret are required");
  const apiBase = (options.apiBase ?? "https://sandbox.api.hopae.com/connect/v1").replace(/\/+$/, "");
  const basePath = (options.basePath ?? "").replace(/\/+$/, "");
  const allowed = options.providers ? new Set(options.providers) : null;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const authorization = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`;

  function problem(res, status, title, detail) {
    sendJson(res, status, { type: "about:blank", title, status, detail }, { "Content-Type": "application/problem+json" });
  }

  async function forward(res, method, path, body) {
    let upstream;
    try {
      upstream = await fetch(apiBase + path, {
        method,
        headers: {
          Authorization: authorization,
          Accept: "application/json",
          ...(body ? { "Content-Type": "application/json" } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const timedOut = error?.name === "TimeoutError";
      return problem(res, timedOut ? 504 : 502, timedOut ? "UPSTREAM_TIMEOUT" : "UPSTREAM_UNREACHABLE", `Could not reach Hopae: ${error?.cause?.code ?? error?.message ?? error}`);
    }
    const text = await upstream.text();
    const headers = { "Cache-Control": "no-store" };
    const type = upstream.headers.get("content-type");
    if (type) headers["Content-Type"] = type;
    const retryAfter = upstream.headers.get("retry-after");
    if (retryAfter) headers["Retry-After"] = retryAfter;
    res.writeHead(upstream.status, headers);
    res.end(text);
  }

  return async function hopaeVerifications(req, res, next) {
    const path = new URL(req.url, "http://local").pathname;
    const rest = basePath ? (path === basePath || path.startsWith(basePath + "/") ? path.slice(basePath.length) : null) : path;
    const notOurs = () => (next ? next() : problem(res, 404, "RESOURCE_NOT_FOUND", "No such route"));
    if (rest === null) return notOurs();
    try {
      if (rest === "" || rest === "/") {
        if (req.method !== "POST") return problem(res, 405, "METHOD_NOT_ALLOWED", "Use POST to create a verification");
        let body = req.body;
        if (body === undefined) {
          const text = await readBody(req);
          body = parseJson(text);
          if (body === undefined) return problem(res, 400, "VALIDATION_INVALID_PARAMETER", "The request body must be JSON");
        }
        if (!body || typeof body !== "object" || Array.isArray(body)) return problem(res, 400, "VALIDATION_INVALID_PARAMETER", "The request body must be a JSON object");
        if (typeof body.providerId !== "string" || !PROVIDER_ID.test(body.providerId)) {
          return problem(res, 400, "VALIDATION_INVALID_PARAMETER", "providerId must be a provider id such as \"bankidse\"");
        }
        if (allowed && !allowed.has(body.providerId)) return problem(res, 400, "PROVIDER_NOT_ENABLED", `Provider ${body.providerId} is not offered by this site`);
        const forwarded = {};
        for (const key of FORWARDED_FIELDS) if (body[key] !== undefined) forwarded[key] = body[key];
        if (options.redirectUri) forwarded.redirectUri = options.redirectUri;
        if (options.webhookUrl) forwarded.webhookUrl = options.webhookUrl;
        return await forward(res, "POST", "/verifications", forwarded);
      }
      const m = rest.match(/^\/([^/]+)$/);
      if (!m) return notOurs();
      if (!VERIFICATION_ID.test(m[1])) return problem(res, 404, "SESSION_NOT_FOUND", "Session does not exist");
      if (req.method === "GET") return await forward(res, "GET", `/verifications/${m[1]}`);
      if (req.method === "DELETE") return await forward(res, "DELETE", `/verifications/${m[1]}`);
      return problem(res, 405, "METHOD_NOT_ALLOWED", "Use GET or DELETE on a verification");
    } catch (error) {
      if (res.headersSent) return res.destroy();
      return problem(res, error?.status ?? 500, error?.status === 413 ? "VALIDATION_INVALID_PARAMETER" : "SYSTEM_INTERNAL_ERROR", String(error?.message ?? error));
    }
  };
}
