// Hopae's signed webhooks: the server-side truth about a verification, which
// does not depend on the user's browser staying open (docs/webhooks.md).
//
// `createWebhookHandler({secret, onEvent})` is a web-standard
// `(Request) => Promise<Response>`. It checks `X-Hopae-Signature:
// t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>` in constant
// time (Web Crypto's verify), refuses timestamps more than `toleranceSeconds`
// (300) away from now, hands each event to `onEvent` once (event ids are
// remembered for 7 days in the store, memory by default, the same Redis store
// as the verification handler when several instances run), and answers 2xx.
//
// Hopae's docs name events two ways; both are accepted and normalised:
// the AsyncAPI document's `{event: "verification.completed", eventId, data:
// {verificationId, status, …}}` and the older status-based form
// `{type|eventType: "VERIFICATION_COMPLETED" | "completed", id, verificationId,
// status}`. `onEvent` receives `{id, type, verificationId, status, providerId,
// data, payload}` with `type` always in the dotted form.
import { concat, readBytes } from "./body.js";
import { createMemoryStore } from "./store.js";

const MAX_BODY = 256 * 1024;
const WEEK = 7 * 24 * 3600 * 1000;

/**
 * Creates the webhook endpoint. Options: secret (the webhook signing secret,
 * required), onEvent(event, request) (required; return when the event is
 * stored: a throw answers 500 so Hopae retries, and the event id is
 * forgotten), store (default memory), toleranceSeconds (300), now (ms clock,
 * for tests), logger (console).
 */
export function createWebhookHandler(options = {}) {
  const { secret, onEvent } = options;
  if (!secret || typeof onEvent !== "function") throw new Error("hopae-connect-widget/server: createWebhookHandler needs secret and onEvent");
  const store = options.store ?? createMemoryStore();
  const tolerance = options.toleranceSeconds ?? 300;
  const now = options.now ?? (() => Date.now());
  const logger = options.logger ?? console;
  const encoder = new TextEncoder();
  const keyPromise = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);

  const answer = (status, body) => new Response(JSON.stringify(body), { status, headers: { "Content-Type": status >= 400 ? "application/problem+json" : "application/json", "Cache-Control": "no-store" } });
  const refuse = (status, title, detail) => answer(status, { type: "about:blank", title, status, detail });

  async function handler(request) {
    try {
      if (request.method !== "POST") return new Response(null, { status: 405, headers: { Allow: "POST" } });
      const header = request.headers.get("x-hopae-signature") ?? "";
      let t = null;
      const signatures = [];
      for (const part of header.split(",")) {
        const [k, v = ""] = part.trim().split("=", 2);
        if (k === "t" && /^[0-9]{1,12}$/.test(v)) t = Number(v);
        if (k === "v1" && /^[0-9a-f]{64}$/i.test(v)) signatures.push(v);
      }
      if (t === null || signatures.length === 0) return refuse(400, "INVALID_SIGNATURE", "X-Hopae-Signature must be t=<unix seconds>,v1=<hex HMAC-SHA256>");
      if (Math.abs(now() / 1000 - t) > tolerance) return refuse(400, "STALE_SIGNATURE", `The signature's timestamp is more than ${tolerance} s from now`);
      const raw = await readBytes(request.body, MAX_BODY);
      if (raw === null) return refuse(413, "BODY_TOO_LARGE", `The body is larger than ${MAX_BODY} bytes`);
      const signed = concat(encoder.encode(`${t}.`), raw);
      const key = await keyPromise;
      let valid = false;
      for (const hex of signatures) if (await crypto.subtle.verify("HMAC", key, fromHex(hex), signed)) valid = true;
      if (!valid) return refuse(400, "INVALID_SIGNATURE", "The signature does not match the body");

      let payload;
      try {
        payload = JSON.parse(new TextDecoder().decode(raw));
      } catch {
        return refuse(400, "INVALID_JSON", "The body is not JSON");
      }
      const event = eventOf(payload);
      if (!event.id) return refuse(400, "MISSING_EVENT_ID", "The event has no eventId or id");
      const seenKey = `webhook:${event.id}`;
      if (!(await store.setIfAbsent(seenKey, "1", WEEK))) return answer(200, { received: true, duplicate: true });
      try {
        await onEvent(event, request);
      } catch (error) {
        await store.delete(seenKey);
        const requestId = crypto.randomUUID();
        logger.error(`hopae-connect-widget/server: onEvent failed for webhook event ${event.id} (request ${requestId})`, error);
        return refuse(500, "INTERNAL_ERROR", `Internal error (request ${requestId})`);
      }
      return answer(200, { received: true });
    } catch (error) {
      const requestId = crypto.randomUUID();
      logger.error(`hopae-connect-widget/server: webhook handler error (request ${requestId})`, error);
      return refuse(500, "INTERNAL_ERROR", `Internal error (request ${requestId})`);
    }
  }
  handler.store = store;
  return handler;
}

/** The event in one shape, whichever documented naming the payload uses. */
function eventOf(p) {
  const data = p && typeof p.data === "object" && p.data !== null ? p.data : p ?? {};
  const name = p?.event ?? p?.type ?? p?.eventType ?? (typeof data.status === "string" ? data.status : undefined);
  const id = p?.eventId ?? p?.id ?? p?.event_id;
  return {
    id: typeof id === "string" || typeof id === "number" ? String(id).slice(0, 200) : undefined,
    type: normaliseEventType(name),
    verificationId: data.verificationId ?? p?.verificationId,
    status: data.status ?? p?.status,
    providerId: data.providerId ?? p?.providerId,
    data,
    payload: p,
  };
}

/** An event or status name in any documented spelling -> "verification.<what>". */
export function normaliseEventType(name) {
  if (typeof name !== "string" || name === "") return undefined;
  let n = name.trim();
  // "VERIFICATION_COMPLETED" or "COMPLETED" (status-based) -> dotted.
  if (/^[A-Z][A-Z_]*$/.test(n)) n = n.toLowerCase().replace(/^verification_/, "");
  return n.startsWith("verification.") ? n : `verification.${n}`;
}

function fromHex(hex) {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}
