// A local stand-in for the Hopae Connect API, for the demo, the tests, and
// sites that want to test their own integration (`createSimulator()`, the
// `hopae-simulator` bin; docs/simulator.md).
//
// It answers both documented API generations in the shapes of ../shared/hopae:
// - the guide's, under /api/v1: verifiedAttributes in the status body, errors
//   in the older RFC 7807 form with a numeric `code` (300001) and the HTTP
//   statuses the OpenAPI document states;
// - the current OpenAPI's, under /connect/v1: no personal data in the status
//   body (GET …/{id}/userinfo has it), `links`, errors in the newer form with
//   the string code in `title` (SESSION_NOT_FOUND), `instance`, `timestamp`,
//   `context` and `doc_url`, and the HTTP statuses of problem-types.yml.
// Either generation can answer errors in the `{error: {code, message}}`
// envelope instead (config `errorStyle: "envelope"`).
//
// The simulator is a web-standard `(Request) => Promise<Response>` handler
// (`sim.fetch`) with a route table; `sim.listen()` serves it over Node's http
// through the same adapter as the reference backend (server/node.js), behind
// a guard that answers malformed request targets instead of crashing.
//
// Every API call needs HTTP Basic auth. Control routes under /__sim/ (no
// auth; keep the simulator on loopback) move sessions on, inject faults,
// change settings, list webhook deliveries, and serve a "phone" page that
// approves or declines a session as the eID app would.
import { createServer } from "node:http";
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { readBytes } from "./body.js";
import { toNodeHandler } from "./node.js";

/**
 * The providers the simulator knows, with the flow each one uses, the highest
 * level of assurance it reaches (a higher `requestedLoa` is refused with 422,
 * as the create-verification page documents) and the userData it requires
 * (docs.hopae.com/api-reference/verifications/user-data-requirements).
 */
export const PROVIDERS = {
  bankidse: { name: "Swedish BankID", flowType: "qr", countries: ["SE"], enabled: true, maxLoa: 4 },
  frejaid: { name: "Freja eID", flowType: "qr", countries: ["SE"], enabled: true, maxLoa: 3 },
  smartid: { name: "Smart-ID", flowType: "push", countries: ["EE", "LV", "LT"], enabled: true, maxLoa: 4 },
  skmobileid: { name: "SK Mobile-ID", flowType: "push", countries: ["EE", "LT"], enabled: true, maxLoa: 4 },
  audkenni: { name: "Auðkenni", flowType: "push", countries: ["IS"], enabled: true, maxLoa: 4 },
  evrotrust: { name: "Evrotrust", flowType: "push", countries: ["BG"], enabled: true, maxLoa: 3 },
  mitid: { name: "MitID", flowType: "redirect", countries: ["DK"], enabled: true, maxLoa: 4 },
  "us-id-pass": { name: "US Digital ID (Digital Credentials)", flowType: "dc", countries: ["US"], enabled: true, maxLoa: 3 },
  idin: { name: "iDIN", flowType: "redirect", countries: ["NL"], enabled: false, maxLoa: 3 },
};

/**
 * Required userData per provider, from the user-data-requirements page. Each
 * entry is a list of alternatives (Evrotrust: any one group); a group is a
 * list of [field, pattern, hint].
 */
const EVROTRUST_COUNTRIES = "BG|AT|BE|HR|CY|CZ|DK|EE|FI|FR|DE|GR|HU|IE|IT|LV|LT|LU|MT|NL|PL|PT|RO|SI|ES|SE";
export const USER_DATA = {
  smartid: [[["registrationId", /^PNO[A-Z]{2}-[0-9A-Z-]{3,}$/, "Smart-ID registration ID with its country prefix, e.g. PNOEE-38001085718 (at least 8 characters)"]]],
  skmobileid: [[
    ["phoneNumber", /^\+[1-9][0-9]{6,14}$/, "phone number in international format, e.g. +37268000769"],
    ["nationalIdentityNumber", /^[0-9]{6,20}$/, "national identity number, digits only, e.g. 60001017869"],
  ]],
  audkenni: [[["registrationId", /^(?=.{6,}$)[0-9]+-?[0-9]*$/, "Icelandic kennitala, digits and an optional hyphen, e.g. 1201743399"]]],
  evrotrust: [
    [["identificationNumber", /^[0-9A-Za-z]{4,32}$/, "identification number"], ["country", new RegExp(`^(${EVROTRUST_COUNTRIES})$`), "two-letter ISO country code, e.g. BG"]],
    [["email", /^[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}$/, "Evrotrust account email in lowercase"]],
    [["phone", /^\+[1-9][0-9]{6,14}$/, "phone number in E.164 format, e.g. +359881234567"]],
  ],
};

export const STATUSES = ["initiated", "pending", "awaiting_user_action", "authenticating", "processing", "completed", "failed", "expired", "cancelled"];
const TERMINAL = new Set(["completed", "failed", "expired", "cancelled"]);

/**
 * The problems the simulator answers with: numeric code (guide; null where
 * Hopae publishes none), HTTP status per generation [guide, current], title.
 * 200001 is Missing Parameter and 200002 Invalid Parameter (the guide's
 * catalogue). The guide generation follows the OpenAPI's stated statuses (400
 * for a disabled provider or a cancel of an ended session); the current one
 * follows problem-types.yml (403, 409).
 */
const PROBLEMS = {
  AUTH_INVALID_CREDENTIALS: [100001, [401, 401], "Invalid client credentials provided"],
  VALIDATION_MISSING_PARAMETER: [200001, [400, 400], "Required parameter is missing"],
  VALIDATION_INVALID_PARAMETER: [200002, [400, 400], "Parameter value is invalid"],
  // The guide has no numbers for these two: its generation answers with the
  // parameter codes above (the titles are problem-types.yml's).
  VALIDATION_MISSING_USER_DATA: [200001, [400, 400], "Required user data is missing"],
  VALIDATION_INVALID_USER_DATA: [200002, [400, 400], "User data format is invalid"],
  SESSION_NOT_FOUND: [300001, [404, 404], "Session does not exist"],
  SESSION_INVALID_STATUS_TRANSITION: [300003, [400, 409], "Invalid session status transition"],
  PROVIDER_NOT_FOUND: [400001, [404, 404], "Provider not found"],
  PROVIDER_NOT_ENABLED: [400002, [400, 403], "Provider is not enabled for this application"],
  PROVIDER_ERROR: [400004, [502, 502], "Generic provider error"],
  PROVIDER_UNAVAILABLE: [400005, [503, 503], "Provider service is unavailable"],
  SYSTEM_INTERNAL_ERROR: [500001, [500, 500], "Internal server error"],
  IDEMPOTENCY_KEY_CONFLICT: [null, [409, 409], "Duplicate request with a different payload for the same idempotency key"],
  IDEMPOTENCY_REQUEST_IN_PROGRESS: [null, [409, 409], "A matching idempotent request is still processing"],
  // The simulator's own numbers: Hopae publishes 429 and RESOURCE_NOT_FOUND
  // but no numeric code for either.
  RATE_LIMIT_EXCEEDED: [500429, [429, 429], "Too many requests"],
  RESOURCE_NOT_FOUND: [500404, [404, 404], "The requested resource was not found"],
};
/** The problem an injected `http` fault of each status answers with (its status forced). */
const PROBLEM_FOR_STATUS = {
  400: "VALIDATION_INVALID_PARAMETER",
  401: "AUTH_INVALID_CREDENTIALS",
  403: "PROVIDER_NOT_ENABLED",
  404: "SESSION_NOT_FOUND",
  409: "SESSION_INVALID_STATUS_TRANSITION",
  429: "RATE_LIMIT_EXCEEDED",
  500: "SYSTEM_INTERNAL_ERROR",
  502: "PROVIDER_ERROR",
  503: "PROVIDER_UNAVAILABLE",
};

/** Hostile strings for the `hostile` switch: markup that would run if inserted as HTML. */
const HOSTILE_SCRIPT = "window.pwned=(window.pwned||0)+1";
const HOSTILE_MARKUP = `<img src=x onerror="${HOSTILE_SCRIPT}"><script>${HOSTILE_SCRIPT}</script>`;

const USER = {
  name: "Anders Eriksson",
  given_name: "Anders",
  family_name: "Eriksson",
  birthdate: "1985-07-12",
  email: "anders.eriksson@example.com",
};

/**
 * Webhook event names, in the two documented schemes: the AsyncAPI file
 * (api-evangelist/hopae-inc asyncapi/hopae-inc-hconnect-webhooks.yml) and the
 * webhook-config examples (`verification.<status>`). Hopae's docs use both;
 * `webhookEvents` picks one.
 */
const WEBHOOK_EVENTS = {
  asyncapi: { initiated: "verification.created", awaiting_user_action: "verification.requested", authenticating: "verification.user.authentication_started", completed: "verification.completed", failed: "verification.failed", cancelled: "verification.workflow.cancelled", expired: "verification.session.timed_out" },
  status: { initiated: "verification.initiated", awaiting_user_action: "verification.awaiting_user_action", completed: "verification.completed", failed: "verification.failed", cancelled: "verification.cancelled", expired: "verification.expired" },
};

const ACTION_TYPES = ["redirect", "qr", "push", "deeplink", "message"];
const FAULT_KINDS = ["delay", "http", "rate-limit", "reset", "not-json", "wrong-shape", "provider-disabled", "provider-unavailable", "unknown-status", "action"];

// ---- settings and their validation ----------------------------------------

const isInt = (min, max) => (v) => Number.isInteger(v) && v >= min && v <= max;
const oneOf = (...values) => (v) => values.includes(v);
const isUrl = (v) => {
  try {
    return ["http:", "https:"].includes(new URL(v).protocol);
  } catch {
    return false;
  }
};
const isAction = (v) => v && typeof v === "object" && ACTION_TYPES.includes(v.type) && (v.url === undefined || typeof v.url === "string") && (v.message === undefined || typeof v.message === "string");

/** Every setting: [default, check, what a valid value is]. */
const SETTINGS = {
  clientId: ["demo-client", (v) => typeof v === "string" && v.length > 0 && v.length <= 256 && !v.includes(":"), "a non-empty string without ':'"],
  clientSecret: ["demo-secret", (v) => typeof v === "string" && v.length > 0 && v.length <= 256, "a non-empty string"],
  ttlMs: [1_800_000, isInt(1, 86_400_000), "an integer of milliseconds, 1 to 86400000"],
  pollIntervalMs: [3000, isInt(100, 60_000), "an integer of milliseconds, 100 to 60000"],
  qrMode: ["bankid", oneOf("bankid", "phone"), `"bankid" or "phone"`],
  animatedQr: [false, (v) => typeof v === "boolean", "true or false"],
  createStatus: ["initiated", oneOf("initiated", "pending"), `"initiated" or "pending"`],
  errorStyle: ["problem", oneOf("problem", "envelope"), `"problem" or "envelope"`],
  publicUrl: ["", (v) => v === "" || (isUrl(v) && !v.endsWith("/")), "an http(s) URL without a trailing slash, or \"\""],
  hostile: [null, (v) => v === null || ["markup", "javascript-url", "long-qr", "bad-utf16"].includes(v), `null, "markup", "javascript-url", "long-qr" or "bad-utf16"`],
  autoResolve: [null, (v) => v === null || (typeof v === "object" && !Array.isArray(v) && [v.minMs, v.maxMs].every((n) => n === undefined || (Number.isFinite(n) && n >= 0)) && (v.outcomes === undefined || (Array.isArray(v.outcomes) && v.outcomes.length > 0 && v.outcomes.every((o) => TERMINAL.has(o))))), "null or {minMs, maxMs, outcomes: [terminal statuses]}"],
  requireUserData: [true, (v) => typeof v === "boolean", "true or false"],
  action: [null, (v) => v === null || isAction(v), `null or {type: ${ACTION_TYPES.join("|")}, url?, message?}`],
  webhookUrl: [null, (v) => v === null || isUrl(v), "null or an http(s) URL"],
  webhookSecret: ["whsec_simulator", (v) => typeof v === "string" && v.length > 0 && v.length <= 256, "a non-empty string"],
  webhookEvents: ["asyncapi", oneOf("asyncapi", "status"), `"asyncapi" or "status"`],
  webhookFault: [null, (v) => v === null || ["bad-signature", "replay", "stale"].includes(v), `null, "bad-signature", "replay" or "stale"`],
  webhookRetryDelaysMs: [[1000, 5000, 30_000], (v) => Array.isArray(v) && v.length <= 10 && v.every(isInt(0, 600_000)), "an array of at most 10 delays in milliseconds"],
  webhookTimeoutMs: [10_000, isInt(1, 600_000), "an integer of milliseconds, 1 to 600000"],
  requestLogLimit: [10_000, isInt(0, 10_000_000), "an integer, 0 to 10000000"],
  forgetEndedAfterMs: [600_000, isInt(0, 604_800_000), "an integer of milliseconds"],
};
/** Settings POST /__sim/config may not change (the credentials). */
const FIXED = new Set(["clientId", "clientSecret"]);

/** Validates a settings patch; returns the first problem as {field, message}, or null. */
function settingsProblem(patch, allowFixed) {
  if (!patch || typeof patch !== "object" || Array.isArray(patch)) return { field: "", message: "the settings must be a JSON object" };
  for (const [key, value] of Object.entries(patch)) {
    if (!(key in SETTINGS) || (!allowFixed && FIXED.has(key))) return { field: key, message: `unknown setting "${key}"` };
    const [, check, expected] = SETTINGS[key];
    if (!check(value)) return { field: key, message: `${key} must be ${expected}` };
  }
  return null;
}

// ---- small helpers ---------------------------------------------------------

const json = (status, body, headers = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store", ...headers } });

/** Reads a request body as text, up to `limit` bytes; null past it. */
async function readText(request, limit = 64 * 1024) {
  const bytes = await readBytes(request.body, limit);
  return bytes && new TextDecoder().decode(bytes);
}

const parseJson = (text) => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

const hmacHex = (key, text) => createHmac("sha256", key).update(text).digest("hex");

/**
 * Creates a simulator. See docs/simulator.md for the whole surface.
 *
 * Options: every setting in SETTINGS (clientId, clientSecret, ttlMs — 30
 * minutes as Hopae's examples and the dc guide state —, pollIntervalMs,
 * qrMode, animatedQr, createStatus, errorStyle, publicUrl, hostile,
 * autoResolve, requireUserData, action, webhook*, requestLogLimit,
 * forgetEndedAfterMs), plus `now` (a clock, for tests) and `fetch` (what
 * webhooks are delivered with). Invalid options throw a TypeError naming the
 * option.
 */
export function createSimulator(options = {}) {
  const { now = Date.now, fetch: deliver = globalThis.fetch, sleep = (ms) => new Promise((r) => setTimeout(r, ms)), ...settings } = options;
  const problemWith = settingsProblem(settings, true);
  if (problemWith) throw new TypeError(`createSimulator: ${problemWith.message}`);
  const config = Object.fromEntries(Object.entries(SETTINGS).map(([key, [value]]) => [key, structuredClone(value)]));
  Object.assign(config, structuredClone(settings));

  const sessions = new Map();
  /** Injected faults; see `addFault`. */
  let faults = [];
  /** The latest API requests (at most `requestLogLimit`), for tests that count them. */
  const requests = [];
  /** Webhook deliveries (the latest 1,000). */
  const webhooks = [];
  /** Idempotency-Key → {hash, response|undefined, at}. */
  const idempotency = new Map();
  /** Webhook deliveries still being attempted. */
  const pending = new Set();
  let requestCount = 0;
  let lastPrune = now();
  let server = null;

  // ---- answers -------------------------------------------------------------

  /** Answers an error in the generation's form, or the envelope when switched. */
  function problem(ctx, name, detail, { headers = {}, status: forceStatus, context } = {}) {
    const [code, statuses, title] = PROBLEMS[name];
    const gen = ctx.gen ?? "current";
    const status = forceStatus ?? statuses[gen === "guide" ? 0 : 1];
    const instance = ctx.url?.pathname ?? "";
    const timestamp = new Date(now()).toISOString();
    let body;
    if (config.errorStyle === "envelope") {
      body = { error: { code: gen === "guide" ? code ?? name : name, message: detail ?? title, details: context ?? {} } };
    } else if (gen === "guide") {
      body = { type: `urn:org:hopae:problem-type:client/${code ?? name}`, title: name.replace("_", "."), status, detail: detail ?? title, instance, timestamp };
      if (code !== null) body.code = code;
    } else {
      const doc = "https://docs.hopae.com/api-reference/error-codes";
      body = { type: `${doc}#${name.toLowerCase()}`, title: name, status, detail: detail ?? title, instance, timestamp, context: context ?? {}, doc_url: doc };
    }
    return json(status, body, { "Content-Type": config.errorStyle === "envelope" ? "application/json" : "application/problem+json", ...headers });
  }

  function authorised(request) {
    const expected = Buffer.from(`Basic ${Buffer.from(`${config.clientId}:${config.clientSecret}`).toString("base64")}`);
    const given = Buffer.from(request.headers.get("authorization") ?? "");
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /**
   * The QR payload. BankID's animated code is time-based: the number is the
   * whole seconds since the order started and the HMAC is keyed with the
   * qrStartSecret, so the code changes once a second whoever polls.
   */
  function qrData(s) {
    if (config.qrMode === "phone") return `${config.publicUrl}/__sim/phone/${s.verificationId}`;
    const n = s.animatedQr ?? config.animatedQr ? Math.max(0, Math.floor((now() - s.created) / 1000)) : 0;
    return `bankid.${s.qrStartToken}.${n}.${hmacHex(s.qrStartSecret, String(n))}`;
  }

  /** Ends sessions whose time has come (auto-resolve, expiry). */
  function refresh(s) {
    if (!TERMINAL.has(s.status) && s.resolveAt !== undefined && now() >= s.resolveAt) setStatus(s, s.resolveTo);
    if (!TERMINAL.has(s.status) && now() >= s.expires) setStatus(s, "expired", undefined, s.expires);
    return s;
  }

  function setStatus(s, status, error, at = now()) {
    if (s.status === status) return;
    s.status = status;
    if (TERMINAL.has(status)) {
      s.ended = at;
      s.action = undefined;
      clearTimeout(s.expiryTimer);
    }
    if (status === "failed") s.error = error ?? { code: "USER_DECLINED", message: config.hostile === "markup" ? HOSTILE_MARKUP : "The user declined the request in the app." };
    notify(s);
  }

  function flowDetails(s) {
    const hostile = flowHostile(s);
    if (hostile) return hostile;
    let details;
    if (s.flowType === "qr") {
      // BankID also offers starting the app on the same device.
      details = s.providerId === "bankidse" ? { qrData: qrData(s), autoStartToken: s.autoStartToken } : { qrData: qrData(s) };
    } else if (s.flowType === "push") {
      details = { message: `Open ${PROVIDERS[s.providerId].name} on your phone and confirm.`, verificationCode: s.code, pushReference: s.qrStartToken };
    } else if (s.flowType === "dc") {
      details = dcDetails(s);
    } else {
      details = { authorizationUrl: `${config.publicUrl || "http://127.0.0.1"}/__sim/phone/${s.verificationId}?redirect=1` };
    }
    if (details.qrData) s.lastQrData = details.qrData;
    const action = s.action ?? (config.action && !TERMINAL.has(s.status) ? config.action : undefined);
    if (action) details.action = actionBody(s, action);
    return details;
  }

  /** A mid-flow step (e.g. a liveness check) as flowDetails.action; a missing url points at the phone page. */
  function actionBody(s, action) {
    const body = { type: action.type, message: action.message ?? "Please complete the face liveness check." };
    if (action.type !== "message" && action.type !== "push") body.url = action.url ?? `${config.publicUrl || "http://127.0.0.1"}/__sim/phone/${s.verificationId}?redirect=1&step=liveness`;
    return body;
  }

  /**
   * The dc flow (guides/dc-native-integration): with options.mode "native"
   * the wallet request is returned in flowDetails.request, in the platform's
   * format (OpenID4VP JSON for android, ISO mDOC deviceRequest/encryptionInfo
   * for ios); without it, the payload is not returned and the flow falls back
   * to a cross-device link (here: the phone page). The guide elides the path
   * the credential is submitted to ("POST /gateway/.../callback"); the
   * simulator's is /gateway/dc/{verificationId}/callback (its own).
   */
  function dcDetails(s) {
    const link = `${config.publicUrl || "http://127.0.0.1"}/__sim/phone/${s.verificationId}`;
    const opts = s.request.options;
    if (opts?.mode !== "native") return { linkData: link, qrData: link };
    const callback = `${config.publicUrl || "http://127.0.0.1"}/gateway/dc/${s.verificationId}/callback`;
    const data = opts.platform === "ios"
      ? { deviceRequest: Buffer.from(`mdoc-request:${s.verificationId}`).toString("base64url"), encryptionInfo: Buffer.from(`mdoc-enc:${s.qrStartSecret}`).toString("base64url") }
      : {
        response_type: "vp_token",
        response_mode: "dc_api",
        nonce: s.qrStartSecret,
        client_id: `web-origin:${opts.expected_origins[0]}`,
        expected_origins: opts.expected_origins,
        dcql_query: { credentials: [{ id: "id_pass", format: "mso_mdoc", meta: { doctype_value: "org.iso.23220.photoid.1" }, claims: [{ path: ["org.iso.23220.1", "family_name"] }, { path: ["org.iso.23220.1", "given_name"] }, { path: ["org.iso.23220.1", "birth_date"] }] }] },
      };
    return { request: { protocol: opts.platform === "ios" ? "org-iso-mdoc" : "openid4vp-v1-unsigned", data }, callbackUrl: callback };
  }

  /**
   * The `hostile` switch: what an attacker who controls an upstream string
   * would send. "markup": HTML/script in every string that reaches the page;
   * "javascript-url": script URLs as authorizationUrl and deeplink;
   * "long-qr": a qrData of 3,000 bytes; "bad-utf16": lone surrogates.
   */
  function flowHostile(s) {
    switch (config.hostile) {
      case "markup":
        return s.flowType === "qr"
          ? { qrData: qrData(s), deeplink: `javascript:${HOSTILE_SCRIPT}` }
          : { message: HOSTILE_MARKUP, verificationCode: HOSTILE_MARKUP, authorizationUrl: `${config.publicUrl || "http://127.0.0.1"}/__sim/phone/${s.verificationId}?redirect=1` };
      case "javascript-url":
        return { qrData: s.flowType === "qr" ? qrData(s) : undefined, authorizationUrl: `javascript:${HOSTILE_SCRIPT}`, deeplink: `JavaScript:${HOSTILE_SCRIPT}`, linkData: `data:text/html,<script>${HOSTILE_SCRIPT}</script>` };
      case "long-qr":
        return { qrData: "x".repeat(3000) };
      case "bad-utf16":
        return { qrData: s.flowType === "qr" ? qrData(s) : undefined, message: "Confirm \ud800 in the app \udfff", verificationCode: "12\ud83d34" };
      default:
        return null;
    }
  }

  const iso = (t) => new Date(t).toISOString();
  const links = (s) => `/connect/v1/verifications/${s.verificationId}`;

  function createBody(s, gen) {
    const body = {
      verificationId: s.verificationId,
      status: s.status,
      providerId: config.hostile === "markup" ? HOSTILE_MARKUP : s.providerId,
      flowType: s.flowType,
      flowDetails: flowDetails(s),
      polling: { recommendedInterval: config.pollIntervalMs, maxDuration: s.expires - s.created },
      createdAt: iso(s.created),
      expiresAt: iso(s.expires),
    };
    if (gen === "current") {
      body.status = s.status === "pending" ? "initiated" : s.status;
      body.links = links(s);
      body.providerInfo = { name: PROVIDERS[s.providerId].name, transactionId: s.qrStartToken };
      body.verification_model = "disclosure";
    }
    return body;
  }

  function statusBody(s, gen) {
    const body = {
      verificationId: s.verificationId,
      status: s.status,
      providerId: s.providerId,
      flowType: s.flowType,
      createdAt: iso(s.created),
      expiresAt: iso(s.expires),
    };
    if (!TERMINAL.has(s.status)) body.flowDetails = flowDetails(s);
    if (gen === "guide") {
      if (s.status === "completed") {
        body.verifiedAt = iso(s.ended);
        body.verifiedAttributes = { sub: s.sub, ...USER, eid: s.providerId, provider_id: "198507124567" };
        body.authorizationCode = s.authorizationCode;
      }
      if (s.status === "failed") body.error = { code: s.error.code, message: s.error.message };
      return body;
    }
    if (body.status === "pending") body.status = "initiated";
    body.links = links(s);
    if (body.flowDetails?.action) body.action = body.flowDetails.action;
    if (typeof s.request.referenceId === "string") body.referenceId = s.request.referenceId;
    if (s.status === "completed") {
      body.verifiedAt = iso(s.ended);
      body.acr = "urn:hopae:loa:high";
      body.hopae_loa = 4;
      body.hopae_loa_label = "high";
    }
    if (s.status === "failed") {
      body.failedAt = iso(s.ended);
      body.error = { type: "provider_error", code: s.error.code, message: s.error.message, occurredAt: iso(s.ended) };
    }
    if (s.status === "cancelled") body.cancelledAt = iso(s.ended);
    return body;
  }

  function userinfoBody(s) {
    return {
      sub: s.sub,
      acr: "urn:hopae:loa:high",
      hopae_loa: 4,
      amr: { methods: [s.providerId] },
      missing_claims: [],
      user: { ...USER },
      provenance: { presentation: { provider: s.providerId, credentials: [{ type: s.providerId, claims: { personalNumber: "198507124567", givenName: USER.given_name, surname: USER.family_name } }] } },
      provider_id: s.providerId,
      verification_model: "disclosure",
    };
  }

  function providersBody() {
    return Object.entries(PROVIDERS).map(([id, p]) => ({
      id,
      name: p.name,
      description: `${p.name} (${p.flowType} flow, simulated)`,
      logoUrl: `https://assets.hopae.com/providers/${id}.svg`,
      countries: p.countries,
      status: p.enabled ? "activated" : "deactivated",
    }));
  }

  /** GET /providers/{id}/configuration (ProviderConfigurationDto). */
  function configurationBody(id) {
    const groups = USER_DATA[id] ?? [];
    const field = ([name, pattern, hint], required) => ({ field: name, type: "text", required, label: name, description: hint, pattern: pattern.source });
    const body = {
      providerId: id,
      // Alternatives (Evrotrust) are all optional here: any one group will do.
      requiredUserData: groups.length === 1 ? groups[0].map((f) => field(f, true)) : [],
      optionalUserData: groups.length > 1 ? groups.flat().map((f) => field(f, false)) : [],
      flowTypes: [PROVIDERS[id].flowType],
      lastUpdated: "2026-01-01T00:00:00.000Z",
    };
    return body;
  }

  // ---- webhooks ------------------------------------------------------------

  /** Queues the webhook for a status change, when one is configured. */
  function notify(s) {
    const url = s.request?.webhookUrl ?? config.webhookUrl;
    const event = WEBHOOK_EVENTS[config.webhookEvents][s.status];
    if (!url || !event) return;
    const at = now();
    const payload = {
      event,
      eventId: `evt_${randomBytes(12).toString("hex")}`,
      timestamp: iso(at),
      apiVersion: "v1",
      clientId: config.clientId,
      data: { verificationId: s.verificationId, status: s.status, providerId: s.providerId, sessionExpiresAt: iso(s.expires), createdAt: iso(s.created), updatedAt: iso(at) },
    };
    if (s.status === "failed") payload.data.error = { code: s.error.code, message: s.error.message };
    const delivery = deliverWebhook(url, payload).catch(() => {});
    pending.add(delivery);
    void delivery.finally(() => pending.delete(delivery));
  }

  /**
   * Delivers one event: signed `X-Hopae-Signature: t=<unix>,v1=<hex
   * HMAC-SHA256(secret, "<t>.<body>")>`, each attempt with a timeout, retried
   * on failure after each of `webhookRetryDelaysMs` (1 s, 5 s, 30 s: Hopae's
   * "3 attempts, exponential backoff at 1s / 5s / 30s", read as three
   * retries). Faults: "bad-signature" signs with another secret, "replay"
   * sends the same delivery twice, "stale" dates it 10 minutes back.
   */
  async function deliverWebhook(url, payload) {
    const body = JSON.stringify(payload);
    const fault = config.webhookFault;
    const delays = [0, ...config.webhookRetryDelaysMs];
    for (let attempt = 1; attempt <= delays.length; attempt++) {
      if (delays[attempt - 1]) await sleep(delays[attempt - 1]);
      const t = Math.floor(now() / 1000) - (fault === "stale" ? 600 : 0);
      const secret = fault === "bad-signature" ? `${config.webhookSecret}-wrong` : config.webhookSecret;
      const signature = `t=${t},v1=${hmacHex(secret, `${t}.${body}`)}`;
      const record = { eventId: payload.eventId, event: payload.event, verificationId: payload.data.verificationId, url, attempt, signature, body, status: null, error: null };
      remember(webhooks, record, 1000);
      try {
        const send = () => deliver(url, { method: "POST", headers: { "Content-Type": "application/json", "X-Hopae-Signature": signature, "User-Agent": "hopae-simulator" }, body, signal: AbortSignal.timeout(config.webhookTimeoutMs) });
        const res = await send();
        record.status = res.status;
        await res.body?.cancel();
        if (fault === "replay") {
          const again = await send();
          remember(webhooks, { ...record, replay: true, status: again.status }, 1000);
          await again.body?.cancel();
        }
        if (res.ok) return;
      } catch (error) {
        record.error = String(error?.message ?? error);
      }
    }
  }

  function remember(list, entry, limit) {
    list.push(entry);
    if (list.length > limit) list.splice(0, list.length - limit);
  }

  // ---- faults --------------------------------------------------------------

  /**
   * A fault: {op, kind, times?, probability?, verificationId?, status?,
   * retryAfter?, delayMs?, value?}. `op` is create, status, cancel, userinfo,
   * providers or any; `kind` is one of FAULT_KINDS. Kind "action" gives the
   * session a mid-flow action (`value`: {type, url?, message?}) and answers
   * normally.
   */
  function addFault(fault) {
    if (!fault || typeof fault !== "object" || !FAULT_KINDS.includes(fault.kind)) throw new TypeError(`a fault needs a kind: one of ${FAULT_KINDS.join(", ")}`);
    if (fault.kind === "action" && fault.value !== undefined && !isAction(fault.value)) throw new TypeError(`an action fault's value is {type: ${ACTION_TYPES.join("|")}, url?, message?}`);
    faults.push({ op: "any", times: Infinity, probability: 1, ...fault });
  }

  /** Applies a matching fault, if any; resolves to a Response when it answered. */
  async function injectFault(op, ctx, verificationId) {
    const i = faults.findIndex((f) => (f.op === op || f.op === "any") && (!f.verificationId || f.verificationId === verificationId));
    if (i < 0) return null;
    const fault = faults[i];
    if (fault.probability < 1 && Math.random() >= fault.probability) return null;
    if (--fault.times <= 0) faults.splice(i, 1);
    if (fault.delayMs) await sleep(fault.delayMs);
    switch (fault.kind) {
      case "http": {
        const status = fault.status ?? 500;
        return problem(ctx, PROBLEM_FOR_STATUS[status] ?? (status >= 500 ? "SYSTEM_INTERNAL_ERROR" : "VALIDATION_INVALID_PARAMETER"), "Injected fault", { status });
      }
      case "rate-limit":
        return problem(ctx, "RATE_LIMIT_EXCEEDED", "Slow down", { headers: { "Retry-After": String(fault.retryAfter ?? 1) } });
      case "provider-disabled":
        return problem(ctx, "PROVIDER_NOT_ENABLED", "Provider is not enabled for this application");
      case "provider-unavailable":
        return problem(ctx, "PROVIDER_UNAVAILABLE", "The eID provider is temporarily unavailable");
      case "not-json":
        return new Response("<html><body><h1>502 Bad Gateway</h1></body></html>", { status: fault.status ?? 200, headers: { "Content-Type": "text/html" } });
      case "wrong-shape":
        return json(200, { data: { id: verificationId ?? "x" }, ok: true });
      case "unknown-status": {
        const s = sessions.get(verificationId);
        return json(200, { ...(s ? statusBody(s, ctx.gen) : { verificationId }), status: fault.value ?? "teleporting" });
      }
      case "action": {
        const s = sessions.get(verificationId);
        if (s && !TERMINAL.has(s.status)) {
          s.action = fault.value ?? { type: "redirect" };
          setStatus(s, "awaiting_user_action");
        }
        return null;
      }
      case "reset":
        // Under Node (listen/handle) the socket is destroyed; as a plain
        // fetch handler the body errors, which a server turns into an abort.
        ctx.info?.reset?.();
        return new Response(new ReadableStream({ start: (c) => c.error(new Error("connection reset (injected)")) }), { status: 200 });
      default:
        return null;
    }
  }

  // ---- the API -------------------------------------------------------------

  /** Forgets sessions ended `forgetEndedAfterMs` ago or more, and idempotency keys over 24 h old. */
  function prune(force = false) {
    const t = now();
    // At most once a second: a pass visits every session.
    if (!force && t - lastPrune < 1000) return;
    lastPrune = t;
    for (const [id, s] of sessions) if (TERMINAL.has(refresh(s).status) && t - s.ended >= config.forgetEndedAfterMs) sessions.delete(id);
    for (const [key, entry] of idempotency) if (t - entry.at > 86_400_000) idempotency.delete(key);
  }

  function session(ctx) {
    return sessions.get(ctx.params[0]);
  }

  const API = [
    ["GET", /^\/providers$/, async (ctx) => (await injectFault("providers", ctx)) ?? json(200, providersBody())],
    ["GET", /^\/providers\/([^/]+)\/configuration$/, (ctx) => {
      const id = ctx.params[0];
      if (!PROVIDERS[id]) return problem(ctx, "PROVIDER_NOT_FOUND", `Unknown provider ${id}`, { context: { providerId: id } });
      return json(200, configurationBody(id));
    }],
    ["POST", /^\/verifications$/, (ctx) => createWithIdempotency(ctx)],
    ["GET", /^\/verifications\/([^/]+)$/, async (ctx) => {
      const fault = await injectFault("status", ctx, ctx.params[0]);
      if (fault) return fault;
      const s = session(ctx);
      if (!s) return problem(ctx, "SESSION_NOT_FOUND", undefined, { context: { verificationId: ctx.params[0] } });
      refresh(s);
      s.polls += 1;
      return json(200, statusBody(s, ctx.gen));
    }],
    ["DELETE", /^\/verifications\/([^/]+)$/, async (ctx) => {
      const fault = await injectFault("cancel", ctx, ctx.params[0]);
      if (fault) return fault;
      const s = session(ctx);
      if (!s) return problem(ctx, "SESSION_NOT_FOUND", undefined, { context: { verificationId: ctx.params[0] } });
      if (TERMINAL.has(refresh(s).status)) return problem(ctx, "SESSION_INVALID_STATUS_TRANSITION", `The verification is already ${s.status}`, { context: { verificationId: s.verificationId, status: s.status } });
      setStatus(s, "cancelled");
      return new Response(null, { status: 204, headers: { "Cache-Control": "no-store" } });
    }],
    ["GET", /^\/verifications\/([^/]+)\/userinfo$/, async (ctx) => {
      if (ctx.gen === "guide") return problem(ctx, "RESOURCE_NOT_FOUND", `No route GET ${ctx.url.pathname}`);
      const fault = await injectFault("userinfo", ctx, ctx.params[0]);
      if (fault) return fault;
      const s = session(ctx);
      if (!s) return problem(ctx, "SESSION_NOT_FOUND", undefined, { context: { verificationId: ctx.params[0] } });
      if (refresh(s).status !== "completed") {
        return json(400, { error: { code: "verification_not_completed", message: "Verification must be completed to fetch userinfo", details: { status: s.status, verificationId: s.verificationId } } });
      }
      return json(200, userinfoBody(s));
    }],
  ];

  /**
   * Idempotency-Key on create. Hopae documents the header for its Workspace
   * API (create app: 24 h, replay with `Idempotency-Replayed: true`, 409
   * IDEMPOTENCY_KEY_CONFLICT for another body, IDEMPOTENCY_REQUEST_IN_PROGRESS
   * while the first is running) but not for create verification; the
   * simulator applies the same rules there, so the backend's key can be tested.
   */
  async function createWithIdempotency(ctx) {
    const key = ctx.request.headers.get("idempotency-key");
    if (key === null) return create(ctx, await readText(ctx.request));
    if (!key || key.length > 255) return problem(ctx, "VALIDATION_INVALID_PARAMETER", "Idempotency-Key must be 1 to 255 characters", { context: { field: "Idempotency-Key" } });
    const text = await readText(ctx.request);
    const hash = createHash("sha256").update(`${ctx.gen}\n${text}`).digest("hex");
    const known = idempotency.get(key);
    if (known) {
      if (known.hash !== hash) return problem(ctx, "IDEMPOTENCY_KEY_CONFLICT", "This Idempotency-Key was used with another request body", { context: { field: "Idempotency-Key" } });
      if (!known.response) return problem(ctx, "IDEMPOTENCY_REQUEST_IN_PROGRESS", "A request with this Idempotency-Key is still being processed", { context: { field: "Idempotency-Key" } });
      return new Response(known.response.body, { status: known.response.status, headers: { ...known.response.headers, "Idempotency-Replayed": "true" } });
    }
    const entry = { hash, response: undefined, at: now() };
    idempotency.set(key, entry);
    try {
      const response = await create(ctx, text);
      if (response.status >= 500) {
        idempotency.delete(key);
        return response;
      }
      const body = await response.text();
      entry.response = { status: response.status, body, headers: Object.fromEntries(response.headers) };
      return new Response(body, { status: response.status, headers: response.headers });
    } catch (error) {
      idempotency.delete(key);
      throw error;
    }
  }

  /** Validates a create body; returns a problem Response or null. */
  function validateCreate(ctx, body) {
    const invalid = (field, message) => problem(ctx, "VALIDATION_INVALID_PARAMETER", message, { context: { field } });
    if (!body || typeof body !== "object" || Array.isArray(body)) return invalid("", "The body must be a JSON object");
    if (body.providerId === undefined || body.providerId === null || body.providerId === "") return problem(ctx, "VALIDATION_MISSING_PARAMETER", "providerId is required", { context: { field: "providerId" } });
    if (typeof body.providerId !== "string") return invalid("providerId", "providerId must be a string");
    const provider = PROVIDERS[body.providerId];
    if (!provider) return problem(ctx, "PROVIDER_NOT_FOUND", `Unknown provider ${body.providerId}`, { context: { providerId: body.providerId } });
    if (!provider.enabled) return problem(ctx, "PROVIDER_NOT_ENABLED", `Provider ${body.providerId} is not enabled for this application`, { context: { providerId: body.providerId } });
    for (const field of ["redirectUri", "webhookUrl", "purpose", "referenceId", "locale", "flowType", "initiationMethod", "loaStrategy"]) {
      if (body[field] !== undefined && (typeof body[field] !== "string" || body[field].length > 2048)) return invalid(field, `${field} must be a string of at most 2048 characters`);
    }
    for (const field of ["redirectUri", "webhookUrl"]) if (body[field] !== undefined && !isUrl(body[field])) return invalid(field, `${field} must be an http(s) URL`);
    for (const field of ["metadata", "userData", "returnContext", "matchData", "options", "uiCustomization"]) {
      if (body[field] !== undefined && (body[field] === null || typeof body[field] !== "object" || Array.isArray(body[field]))) return invalid(field, `${field} must be an object`);
    }
    if (body.requestedClaims !== undefined && (!Array.isArray(body.requestedClaims) || !body.requestedClaims.every((c) => typeof c === "string"))) return invalid("requestedClaims", "requestedClaims must be an array of strings");
    if (body.requestedLoa !== undefined) {
      if (!Number.isInteger(body.requestedLoa) || body.requestedLoa < 1 || body.requestedLoa > 5) return invalid("requestedLoa", "requestedLoa must be an integer from 1 to 5");
      // create-verification: "Returns HTTP 422 if the provider cannot meet this
      // level". Hopae names no problem for it; the parameter code is used.
      if (body.requestedLoa > provider.maxLoa) return problem(ctx, "VALIDATION_INVALID_PARAMETER", `${provider.name} cannot meet level of assurance ${body.requestedLoa} (at most ${provider.maxLoa})`, { status: 422, context: { field: "requestedLoa", maxLoa: provider.maxLoa } });
    }
    if (provider.flowType === "dc" && body.options?.mode === "native") {
      const o = body.options;
      if (o.platform === undefined) return problem(ctx, "VALIDATION_MISSING_PARAMETER", "options.platform is required in native mode", { context: { field: "options.platform" } });
      if (!["android", "ios"].includes(o.platform)) return invalid("options.platform", `options.platform must be "android" or "ios"`);
      if (o.expected_origins === undefined) return problem(ctx, "VALIDATION_MISSING_PARAMETER", "options.expected_origins is required in native mode", { context: { field: "options.expected_origins" } });
      if (!Array.isArray(o.expected_origins) || o.expected_origins.length === 0 || !o.expected_origins.every(isUrl)) return invalid("options.expected_origins", "options.expected_origins must be a non-empty array of origins");
    }
    if (config.requireUserData && USER_DATA[body.providerId]) return validateUserData(ctx, body.providerId, body.userData ?? {});
    return null;
  }

  /** The documented 400s for missing or malformed userData. */
  function validateUserData(ctx, providerId, userData) {
    const groups = USER_DATA[providerId];
    const present = (f) => typeof userData[f] === "string" && userData[f].trim() !== "";
    // A group counts as chosen when any of its fields is given.
    const chosen = groups.find((g) => g.some(([f]) => present(f))) ?? groups[0];
    const missing = chosen.filter(([f]) => !present(f));
    if (!groups.some((g) => g.some(([f]) => present(f))) || missing.length) {
      const names = (groups.length > 1 && !groups.some((g) => g.some(([f]) => present(f))) ? groups.map((g) => g.map(([f]) => f).join(" + ")).join(" or ") : missing.map(([f]) => f).join(", "));
      return problem(ctx, "VALIDATION_MISSING_USER_DATA", `${PROVIDERS[providerId].name} requires userData: ${names}`, { context: { field: `userData.${(missing[0] ?? chosen[0])[0]}`, required: chosen.map(([f]) => f) } });
    }
    for (const [field, pattern, hint] of chosen) {
      if (!pattern.test(userData[field])) return problem(ctx, "VALIDATION_INVALID_USER_DATA", `userData.${field} must be a ${hint}`, { context: { field: `userData.${field}` } });
    }
    return null;
  }

  async function create(ctx, text) {
    const fault = await injectFault("create", ctx);
    if (fault) return fault;
    if (text === null) return problem(ctx, "VALIDATION_INVALID_PARAMETER", "The request body is too large", { status: 413 });
    const body = parseJson(text);
    if (body === undefined) return problem(ctx, "VALIDATION_INVALID_PARAMETER", "The body is not valid JSON", { context: { field: "" } });
    const refused = validateCreate(ctx, body);
    if (refused) return refused;
    const provider = PROVIDERS[body.providerId];
    prune();
    const t = now();
    const s = {
      verificationId: randomUUID().replaceAll("-", ""),
      generation: ctx.gen,
      providerId: body.providerId,
      flowType: provider.flowType,
      status: config.createStatus,
      created: t,
      expires: t + config.ttlMs,
      ended: undefined,
      sub: `sub_${randomBytes(8).toString("hex")}`,
      qrStartToken: randomUUID(),
      autoStartToken: randomUUID(),
      qrStartSecret: randomBytes(16).toString("hex"),
      code: String(1000 + Math.floor(Math.random() * 9000)),
      authorizationCode: randomBytes(12).toString("hex"),
      request: body,
      polls: 0,
      animatedQr: undefined,
      action: undefined,
      lastQrData: undefined,
    };
    if (config.autoResolve) {
      const { minMs = 5000, maxMs = 60000, outcomes = ["completed"] } = config.autoResolve;
      s.resolveAt = t + minMs + Math.random() * Math.max(0, maxMs - minMs);
      s.resolveTo = outcomes[Math.floor(Math.random() * outcomes.length)];
    }
    sessions.set(s.verificationId, s);
    if (s.request.webhookUrl ?? config.webhookUrl) {
      notify(s);
      // Hopae reports a timeout without anyone polling; so does the simulator.
      s.expiryTimer = setTimeout(() => refresh(s), config.ttlMs + 5);
      s.expiryTimer.unref?.();
    }
    return json(201, createBody(s, ctx.gen));
  }

  // ---- control -------------------------------------------------------------

  const MOVES = { complete: "completed", fail: "failed", expire: "expired", cancel: "cancelled", scan: "awaiting_user_action", authenticate: "authenticating", process: "processing" };
  const controlError = (status, error) => json(status, { error });
  const readJson = async (request) => {
    const text = await readText(request);
    if (text === null) return { error: "the body is too large" };
    if (text.trim() === "") return { value: {} };
    const value = parseJson(text);
    return value === undefined ? { error: "the body is not valid JSON" } : { value };
  };
  const configView = () => ({ ...config, clientSecret: undefined, webhookSecret: undefined });

  /** Moves a session on; returns an error string or null. */
  function move(id, to, error) {
    const s = sessions.get(id);
    if (!s) return "no such verification";
    // Unknown statuses are allowed on purpose: a client must survive new ones.
    if (!/^[a-z_]{1,64}$/.test(to)) return "a status is 1 to 64 of a-z and _";
    if (TERMINAL.has(refresh(s).status)) return `already ${s.status}`;
    if (to === "failed" && error !== undefined && (typeof error !== "object" || typeof error.code !== "string")) return "error must be {code, message?}";
    setStatus(s, to, to === "failed" && error ? { code: error.code, message: error.message ?? error.code } : undefined);
    return null;
  }

  const CONTROL = [
    ["GET", /^\/phone\.css$/, () => new Response(PHONE_CSS, { headers: { "Content-Type": "text/css", "Cache-Control": "no-store" } })],
    ["GET", /^\/faults$/, () => json(200, { faults })],
    ["POST", /^\/faults$/, async ({ request }) => {
      const { value, error } = await readJson(request);
      if (error) return controlError(400, error);
      try {
        addFault(value);
      } catch (e) {
        return controlError(400, e.message);
      }
      return json(200, { faults });
    }],
    ["DELETE", /^\/faults$/, () => {
      faults = [];
      return json(200, { faults });
    }],
    ["GET", /^\/config$/, () => json(200, configView())],
    ["POST", /^\/config$/, async ({ request }) => {
      const { value, error } = await readJson(request);
      if (error) return controlError(400, error);
      const bad = settingsProblem(value, false);
      if (bad) return json(400, { type: "about:blank", title: "Invalid setting", status: 400, detail: bad.message, field: bad.field }, { "Content-Type": "application/problem+json" });
      Object.assign(config, structuredClone(value));
      return json(200, configView());
    }],
    ["POST", /^\/reset$/, () => {
      for (const s of sessions.values()) clearTimeout(s.expiryTimer);
      sessions.clear();
      idempotency.clear();
      faults = [];
      requests.length = 0;
      webhooks.length = 0;
      return json(200, {});
    }],
    ["GET", /^\/requests$/, () => json(200, { requests, total: requestCount })],
    ["GET", /^\/webhooks$/, () => json(200, { webhooks })],
    ["GET", /^\/verifications$/, () => json(200, { verifications: [...sessions.values()].map((s) => view(refresh(s))) })],
    ["GET", /^\/summary$/, () => {
      const byStatus = {};
      for (const s of sessions.values()) byStatus[refresh(s).status] = (byStatus[s.status] ?? 0) + 1;
      return json(200, { sessions: sessions.size, byStatus, requests: requestCount, memory: process.memoryUsage() });
    }],
    ["GET", /^\/verifications\/([^/]+)$/, (ctx) => {
      const s = session(ctx);
      return s ? json(200, view(refresh(s))) : controlError(404, "no such verification");
    }],
    ["POST", /^\/verifications\/([^/]+)\/([a-z]+)$/, async (ctx) => {
      const s = session(ctx);
      if (!s) return controlError(404, "no such verification");
      const { value: body, error } = await readJson(ctx.request);
      if (error) return controlError(400, error);
      const verb = ctx.params[1];
      if (verb === "config") {
        if ("animatedQr" in body) s.animatedQr = Boolean(body.animatedQr);
        return json(200, view(s));
      }
      if (verb === "action") {
        if (!isAction(body)) return controlError(400, `an action is {type: ${ACTION_TYPES.join("|")}, url?, message?}`);
        if (TERMINAL.has(refresh(s).status)) return json(409, { error: `already ${s.status}`, ...view(s) });
        s.action = body;
        setStatus(s, "awaiting_user_action");
        return json(200, view(s));
      }
      const to = verb === "status" ? body.status : MOVES[verb];
      if (typeof to !== "string") return controlError(400, `unknown action ${verb}; use ${Object.keys(MOVES).join(", ")}, status, action or config`);
      const refused = move(s.verificationId, to, body.error);
      if (refused) return json(refused.startsWith("already") ? 409 : 400, { error: refused, ...view(s) });
      return json(200, view(s));
    }],
    ["GET", /^\/phone\/([^/]+)$/, (ctx) => phonePage(ctx, undefined)],
    ["POST", /^\/phone\/([^/]+)\/(approve|decline)$/, (ctx) => phonePage(ctx, ctx.params[1])],
  ];

  /** What tests read: the guide-shaped status, the last qrData served, the poll count. */
  function view(s) {
    const served = s.lastQrData;
    const body = statusBody(s, "guide");
    s.lastQrData = served; // looking is not serving
    const qr = s.flowType === "qr" && !TERMINAL.has(s.status) ? served ?? qrData(s) : undefined;
    return { ...body, generation: s.generation, qrData: qr, polls: s.polls, request: s.request };
  }

  /**
   * A page that stands in for the eID app (or, with ?redirect=1, the
   * provider's web login): approve or decline one session. In redirect mode
   * it then sends the browser back to the create request's redirectUri with
   * the verificationId, as a provider's login page would.
   */
  function phonePage(ctx, action) {
    const id = ctx.params[0];
    const s = sessions.get(id);
    const redirect = ctx.url.searchParams.get("redirect") === "1";
    let note = "";
    if (s && action) {
      if (TERMINAL.has(refresh(s).status)) note = `This verification is already ${s.status}.`;
      else {
        if (s.action && action === "approve") s.action = undefined;
        setStatus(s, action === "approve" ? "completed" : "failed");
        note = action === "approve" ? "Approved." : "Declined.";
      }
      const back = s.request?.redirectUri;
      if (redirect && typeof back === "string" && /^https?:\/\//.test(back)) {
        const target = new URL(back);
        target.searchParams.set("verificationId", id);
        return new Response(null, { status: 303, headers: { Location: target.href, "Cache-Control": "no-store" } });
      }
    } else if (s && !action && ["initiated", "pending"].includes(refresh(s).status)) {
      setStatus(s, "awaiting_user_action");
    }
    const esc = (t) => String(t).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    const base = `/__sim/phone/${encodeURIComponent(id)}`;
    const open = s && !TERMINAL.has(s.status);
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Simulated eID app</title>
<link rel="icon" href="data:,"><link rel="stylesheet" href="/__sim/phone.css"></head><body><main>
<h1>Simulated eID app</h1>
${s ? `<p>${esc(PROVIDERS[s.providerId]?.name ?? s.providerId)} verification <code>${esc(id.slice(0, 8))}…</code> is <strong>${esc(s.status)}</strong>.</p>
${s.flowType === "push" && open ? `<p>Verification code: <strong>${esc(s.code)}</strong></p>` : ""}
${note ? `<p role="status">${esc(note)}</p>` : ""}
${open ? `<form method="post" action="${base}/approve${redirect ? "?redirect=1" : ""}"><button>Approve as ${esc(USER.name)}</button></form>
<form method="post" action="${base}/decline${redirect ? "?redirect=1" : ""}"><button class="secondary">Decline</button></form>` : ""}` : "<p>No such verification.</p>"}
</main></body></html>`;
    return new Response(html, {
      status: s ? 200 : 404,
      headers: {
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": "default-src 'self'; style-src 'self'; img-src data:; form-action 'self' http: https:",
        "Cache-Control": "no-store",
      },
    });
  }

  /** The dc flow's credential submission (see dcDetails): completes the session. */
  async function dcCallback(ctx) {
    const s = session(ctx);
    if (!s || s.flowType !== "dc") return problem(ctx, "SESSION_NOT_FOUND", undefined, { context: { verificationId: ctx.params[0] } });
    const { value, error } = await readJson(ctx.request);
    if (error || typeof value?.credential !== "object" || value.credential === null) return problem(ctx, "VALIDATION_MISSING_PARAMETER", "credential is required", { context: { field: "credential" } });
    if (TERMINAL.has(refresh(s).status)) return problem(ctx, "SESSION_INVALID_STATUS_TRANSITION", `The verification is already ${s.status}`);
    s.dcResponse = value.credential;
    setStatus(s, "completed");
    return json(200, { status: "success" });
  }

  const PHONE_CSS = `body{font:16px/1.5 system-ui,sans-serif;margin:0;padding:1.5rem;background:#f6f7f9;color:#111}
main{max-width:26rem;margin:auto;background:#fff;border-radius:12px;padding:1.5rem;box-shadow:0 1px 4px #0002}
button{font:inherit;width:100%;padding:.8rem;margin:.4rem 0;border:0;border-radius:8px;background:#1f6feb;color:#fff}
button.secondary{background:#e5e7eb;color:#111}`;

  // ---- routing -------------------------------------------------------------

  const PREFIXES = [["/api/v1", "guide"], ["/connect/v1", "current"]];
  /** Whether a path is one of the simulator's (for sharing a server). */
  const handles = (path) => PREFIXES.some(([p]) => path.startsWith(`${p}/`)) || path.startsWith("/__sim/") || path.startsWith("/gateway/dc/");

  function route(table, method, path) {
    let allowed = false;
    for (const [m, pattern, handler] of table) {
      const match = pattern.exec(path);
      if (!match) continue;
      if (m === method || (m === "GET" && method === "HEAD")) return { handler, params: match.slice(1).map(decodeURIComponent) };
      allowed = true;
    }
    return { allowed };
  }

  /** The web-standard handler: `(Request, info?) => Promise<Response>`. */
  async function fetchHandler(request, info = {}) {
    let url;
    try {
      url = new URL(request.url);
    } catch {
      return controlError(400, "bad request URL");
    }
    const path = url.pathname;
    const method = request.method.toUpperCase();
    const prefix = PREFIXES.find(([p]) => path.startsWith(`${p}/`));
    try {
      if (prefix) {
        const [base, gen] = prefix;
        const sub = path.slice(base.length);
        const ctx = { request, url, gen, info, params: [] };
        remember(requests, { method, path: sub, generation: gen, at: now() }, config.requestLogLimit);
        requestCount++;
        if (!authorised(request)) return problem(ctx, "AUTH_INVALID_CREDENTIALS");
        const found = route(API, method, sub);
        if (!found.handler) return problem(ctx, "RESOURCE_NOT_FOUND", `No route ${method} ${path}`);
        return await found.handler({ ...ctx, params: found.params });
      }
      if (path.startsWith("/gateway/dc/")) {
        const m = /^\/gateway\/dc\/([^/]+)\/callback$/.exec(path);
        const ctx = { request, url, gen: "current", info, params: m ? [m[1]] : [] };
        if (!m || method !== "POST") return problem(ctx, "RESOURCE_NOT_FOUND", `No route ${method} ${path}`);
        return await dcCallback(ctx);
      }
      if (path.startsWith("/__sim/")) {
        const found = route(CONTROL, method, path.slice("/__sim".length));
        if (!found.handler) return controlError(found.allowed ? 405 : 404, found.allowed ? `method ${method} not allowed here` : "no such control route");
        return await found.handler({ request, url, gen: null, info, params: found.params });
      }
      return controlError(404, "not a simulator route");
    } catch (error) {
      return json(500, { title: "SYSTEM_INTERNAL_ERROR", status: 500, detail: String(error?.message ?? error) }, { "Content-Type": "application/problem+json" });
    }
  }
  fetchHandler.handles = handles;

  /** A Node `(req, res)` listener for the simulator, with the bad-target guard. */
  function nodeListener(req, res) {
    if (!guardTarget(req, res)) return;
    const adapter = toNodeHandler(Object.assign((request, info) => fetchHandler(request, { ...info, reset: () => req.socket.destroy() }), { handles }));
    return adapter(req, res);
  }

  const sim = {
    config,
    sessions,
    requests,
    webhooks,
    get requestCount() {
      return requestCount;
    },
    fetch: fetchHandler,
    handles,
    addFault,
    clearFaults() {
      faults = [];
    },
    /**
     * Answers the simulator's routes on a Node request; resolves to false for
     * any other path, so it can share a server (the demo's).
     */
    async handle(req, res) {
      let path;
      try {
        path = new URL(req.url.replace(/^[/\\]+/, "/"), "http://simulator").pathname;
      } catch {
        return false;
      }
      if (!handles(path)) return false;
      await nodeListener(req, res);
      return true;
    },
    /** The Node listener (`http.createServer(sim.nodeListener)`). */
    nodeListener,
    /** Starts an HTTP server on 127.0.0.1 (`port` 0: any free one); resolves to the simulator. */
    async listen(port = 0, host = "127.0.0.1") {
      if (server) throw new Error("the simulator is already listening");
      server = createServer(nodeListener);
      // Node hands CONNECT to a separate event; without a listener it drops the socket.
      server.on("connect", (req, socket) => socket.end("HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, POST, DELETE\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
      // A backlog above Node's 511, so a burst of new connections is not dropped.
      await new Promise((resolve, reject) => server.once("error", reject).listen({ port, host, backlog: 4096 }, resolve));
      const address = server.address();
      sim.url = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;
      if (!config.publicUrl) config.publicUrl = sim.url;
      return sim;
    },
    /** Stops the server, the webhook timers and forgets every session. */
    async close() {
      for (const s of sessions.values()) clearTimeout(s.expiryTimer);
      if (!server) return;
      const s = server;
      server = null;
      s.closeAllConnections();
      await new Promise((resolve) => s.close(resolve));
    },
    /** The base URL once listening (e.g. http://127.0.0.1:8090). */
    url: undefined,
    /** The current generation's API root (what the backend's `apiBase` takes). */
    get apiBase() {
      return sim.url && `${sim.url}/connect/v1`;
    },
    /** The guide generation's API root. */
    get guideApiBase() {
      return sim.url && `${sim.url}/api/v1`;
    },
    complete: (id) => controlMove(id, "completed"),
    fail: (id, code = "USER_DECLINED", message) => controlMove(id, "failed", { code, message }),
    expire: (id) => controlMove(id, "expired"),
    cancel: (id) => controlMove(id, "cancelled"),
    setStatus: (id, status) => controlMove(id, status),
    /** Gives a session a mid-flow action ({type, url?, message?}). */
    action(id, action) {
      if (!isAction(action)) throw new TypeError(`an action is {type: ${ACTION_TYPES.join("|")}, url?, message?}`);
      const s = sessions.get(id);
      if (!s) throw new Error(`no such verification ${id}`);
      s.action = action;
      setStatus(s, "awaiting_user_action");
      return view(s);
    },
    /** The session as the control route shows it, or undefined. */
    get: (id) => (sessions.has(id) ? view(refresh(sessions.get(id))) : undefined),
    /** Changes settings (validated as POST /__sim/config is); throws a TypeError naming the setting. */
    configure(patch) {
      const bad = settingsProblem(patch, false);
      if (bad) throw new TypeError(bad.message);
      Object.assign(config, structuredClone(patch));
      return configView();
    },
    /** Resolves once every webhook delivery under way has succeeded or given up. */
    async webhooksSettled() {
      while (pending.size) await Promise.all([...pending]);
    },
    /** Forgets ended sessions now (otherwise on a create, at most once a second). */
    prune: () => prune(true),
  };

  function controlMove(id, status, error) {
    const refused = move(id, status, error);
    if (refused) throw new Error(`${id}: ${refused}`);
    return view(sessions.get(id));
  }

  return sim;
}

/**
 * Answers request targets a web server must not crash on (issue 10 item 6)
 * and normalises the rest in place: over-long targets → 414; TRACE, TRACK and
 * CONNECT → 405; a Host header that is not a host → 400; absolute-form
 * targets become their path; leading `//` and `\` collapse to `/`. Returns
 * false when it answered.
 */
export function guardTarget(req, res) {
  const refuse = (status, detail, headers = {}) => {
    res.writeHead(status, { "Content-Type": "application/problem+json", "Cache-Control": "no-store", Connection: "close", ...headers });
    res.end(JSON.stringify({ type: "about:blank", title: detail, status }));
    return false;
  };
  let target = String(req.url ?? "");
  if (target.length > 8192) return refuse(414, "URI Too Long");
  if (["TRACE", "TRACK", "CONNECT"].includes(String(req.method).toUpperCase())) return refuse(405, "Method Not Allowed", { Allow: "GET, POST, DELETE" });
  const host = req.headers.host;
  if (host !== undefined && !/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?$/.test(host)) return refuse(400, "Bad Host header");
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
    try {
      const u = new URL(target);
      target = u.pathname + u.search;
    } catch {
      return refuse(400, "Bad request target");
    }
  }
  if (!target.startsWith("/") && !target.startsWith("\\")) return refuse(400, "Bad request target");
  const q = target.indexOf("?");
  const [path, query] = q < 0 ? [target, ""] : [target.slice(0, q), target.slice(q)];
  target = path.replaceAll("\\", "/").replace(/^\/+/, "/") + query;
  try {
    new URL(target, "http://localhost");
  } catch {
    return refuse(400, "Bad request target");
  }
  req.url = target;
  return true;
}
