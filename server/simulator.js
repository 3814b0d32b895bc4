// A local stand-in for the Hopae Connect API, for the demo and the tests.
//
// It answers both documented API generations in the shapes of ../shared/hopae:
// - the guide's, under /api/v1: verifiedAttributes in the status body, errors
//   in the older RFC 7807 form with a numeric `code` (300001) and the HTTP
//   statuses the OpenAPI document states;
// - the current OpenAPI's, under /connect/v1: no personal data in the status
//   body (GET …/{id}/userinfo has it), `links`, errors in the newer form with
//   the string code in `title` (SESSION_NOT_FOUND) and the HTTP statuses of
//   problem-types.yml.
// Either generation can answer errors in the `{error: {code, message}}`
// envelope instead (config `errorStyle: "envelope"`).
//
// Every call needs HTTP Basic auth. Control routes under /__sim/ (no auth;
// keep the simulator on loopback) move sessions on, inject faults, change
// settings, and serve a "phone" page that approves or declines a session as
// the eID app would. Node standard library only.
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { parseJson, readBody, sendJson } from "./http-util.js";

/** The providers the simulator knows, with the flow each one uses. */
export const PROVIDERS = {
  bankidse: { name: "Swedish BankID", flowType: "qr", countries: ["SE"], enabled: true },
  frejaid: { name: "Freja eID", flowType: "qr", countries: ["SE"], enabled: true },
  smartid: { name: "Smart-ID", flowType: "push", countries: ["EE", "LV", "LT"], enabled: true },
  mitid: { name: "MitID", flowType: "redirect", countries: ["DK"], enabled: true },
  idin: { name: "iDIN", flowType: "redirect", countries: ["NL"], enabled: false },
};

export const STATUSES = ["initiated", "pending", "awaiting_user_action", "authenticating", "processing", "completed", "failed", "expired", "cancelled"];
const TERMINAL = new Set(["completed", "failed", "expired", "cancelled"]);

/**
 * The problems the simulator answers with: numeric code (guide), string code
 * (problem-types.yml), HTTP status per generation [guide, current], detail.
 * The guide generation follows the OpenAPI's stated statuses (400 for a
 * disabled provider or a cancel of an ended session); the current one follows
 * problem-types.yml (403, 409).
 */
const PROBLEMS = {
  AUTH_INVALID_CREDENTIALS: [100001, [401, 401], "Invalid client credentials provided"],
  VALIDATION_INVALID_PARAMETER: [200001, [400, 400], "Parameter value is invalid"],
  VALIDATION_MISSING_PARAMETER: [200002, [400, 400], "Required parameter is missing"],
  SESSION_NOT_FOUND: [300001, [404, 404], "Session does not exist"],
  SESSION_INVALID_STATUS_TRANSITION: [300003, [400, 409], "Invalid session status transition"],
  PROVIDER_NOT_FOUND: [400001, [404, 404], "Provider not found"],
  PROVIDER_NOT_ENABLED: [400002, [400, 403], "Provider is not enabled for this application"],
  PROVIDER_ERROR: [400004, [502, 502], "Generic provider error"],
  PROVIDER_UNAVAILABLE: [400005, [503, 503], "Provider service is unavailable"],
  SYSTEM_INTERNAL_ERROR: [500001, [500, 500], "Internal server error"],
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
 * Creates a simulator. `handle(req, res)` answers the simulator's routes and
 * resolves to `false` for any other path, so it can share a server.
 *
 * Options (all changeable later through POST /__sim/config):
 * - clientId, clientSecret: the Basic credentials it accepts.
 * - ttlMs: session lifetime (default 300000, the guide's 5 minutes).
 * - pollIntervalMs: the `polling.recommendedInterval` it advertises (3000).
 * - qrMode: "bankid" (BankID-style payloads) or "phone" (the URL of the
 *   session's phone page, so a real phone can scan and approve).
 * - animatedQr: qrData changes on every status poll, as BankID's does.
 * - createStatus: "initiated" or the guide's legacy "pending".
 * - errorStyle: "problem" (RFC 7807) or "envelope" ({error:{code,message}}).
 * - publicUrl: base of the phone page URLs.
 * - now: a clock (for tests).
 */
export function createSimulator(options = {}) {
  const config = {
    clientId: options.clientId ?? "demo-client",
    clientSecret: options.clientSecret ?? "demo-secret",
    ttlMs: options.ttlMs ?? 300_000,
    pollIntervalMs: options.pollIntervalMs ?? 3000,
    qrMode: options.qrMode ?? "bankid",
    animatedQr: options.animatedQr ?? false,
    createStatus: options.createStatus ?? "initiated",
    errorStyle: options.errorStyle ?? "problem",
    publicUrl: options.publicUrl ?? "",
    hostile: options.hostile ?? null,
    // {minMs, maxMs, outcomes}: each new session ends by itself at a random
    // time in [minMs, maxMs) with a random one of `outcomes` (load and soak runs).
    autoResolve: options.autoResolve ?? null,
  };
  const now = options.now ?? Date.now;
  const sessions = new Map();
  /** Injected faults; see `addFault`. */
  let faults = [];
  /** Every API request, for tests that count them. */
  const requests = [];
  let created = 0;

  // ---- answers -------------------------------------------------------------

  /** Answers an error in the generation's form, or the envelope when switched. */
  function problem(res, gen, name, detail, headers = {}, forceStatus = undefined) {
    const [code, statuses, title] = PROBLEMS[name];
    const status = forceStatus ?? statuses[gen === "guide" ? 0 : 1];
    let body;
    if (config.errorStyle === "envelope") {
      body = { error: { code: gen === "guide" ? code : name, message: detail ?? title, details: {} } };
    } else if (gen === "guide") {
      const dotted = name.replace("_", ".");
      body = { type: `urn:org:hopae:problem-type:client/${code}`, title: dotted, status, detail: detail ?? title, instance: "", code, timestamp: new Date(now()).toISOString() };
    } else {
      body = { type: `https://docs.hopae.com/api-reference/error-codes#${name.toLowerCase()}`, title: name, status, detail: detail ?? title, instance: "", timestamp: new Date(now()).toISOString(), doc_url: "https://docs.hopae.com/api-reference/error-codes" };
    }
    sendJson(res, status, body, { "Content-Type": config.errorStyle === "envelope" ? "application/json" : "application/problem+json", ...headers });
  }

  function authorised(req) {
    const expected = Buffer.from(`Basic ${Buffer.from(`${config.clientId}:${config.clientSecret}`).toString("base64")}`);
    const given = Buffer.from(req.headers.authorization ?? "");
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  function qrData(s) {
    if (config.qrMode === "phone") return `${config.publicUrl}/__sim/phone/${s.verificationId}`;
    const n = s.animatedQr ?? config.animatedQr ? s.polls : 0;
    const auth = createHmac("sha256", s.qrStartSecret).update(String(n)).digest("hex");
    return `bankid.${s.qrStartToken}.${n}.${auth}`;
  }

  /** Sessions expire by the clock at expiresAt. */
  function refresh(s) {
    if (!TERMINAL.has(s.status) && s.resolveAt !== undefined && now() >= s.resolveAt) end(s, s.resolveTo);
    if (!TERMINAL.has(s.status) && now() >= s.expires) end(s, "expired");
    return s;
  }

  function end(s, status, error) {
    s.status = status;
    if (TERMINAL.has(status)) s.ended = now();
    if (status === "failed") s.error = error ?? { code: "USER_DECLINED", message: config.hostile === "markup" ? HOSTILE_MARKUP : "The user declined the request in the app." };
  }

  function flowDetails(s) {
    const hostile = flowHostile(s);
    if (hostile) return hostile;
    if (s.flowType === "qr") {
      // BankID also offers starting the app on the same device.
      return s.providerId === "bankidse" ? { qrData: qrData(s), autoStartToken: s.autoStartToken } : { qrData: qrData(s) };
    }
    if (s.flowType === "push") return { message: `Open ${PROVIDERS[s.providerId].name} on your phone and confirm.`, verificationCode: s.code, pushReference: s.qrStartToken };
    return { authorizationUrl: `${config.publicUrl || "http://127.0.0.1"}/__sim/phone/${s.verificationId}?redirect=1` };
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
      polling: { recommendedInterval: config.pollIntervalMs, maxDuration: config.ttlMs },
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
      provenance: { presentation: { provider: s.providerId } },
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

  // ---- faults --------------------------------------------------------------

  /**
   * A fault: {op, kind, times?, probability?, verificationId?, status?,
   * retryAfter?, delayMs?, value?}. `op` is create, status, cancel, userinfo,
   * providers or any; `kind` is one of FAULT_KINDS.
   */
  const FAULT_KINDS = ["delay", "http", "rate-limit", "reset", "not-json", "wrong-shape", "provider-disabled", "provider-unavailable", "unknown-status"];

  function addFault(fault) {
    if (!fault || !FAULT_KINDS.includes(fault.kind)) throw new Error(`a fault needs a kind: one of ${FAULT_KINDS.join(", ")}`);
    faults.push({ op: "any", times: Infinity, probability: 1, ...fault });
  }

  /** Applies a matching fault, if any; resolves to true when it answered. */
  async function injectFault(op, gen, verificationId, req, res) {
    const i = faults.findIndex((f) => (f.op === op || f.op === "any") && (!f.verificationId || f.verificationId === verificationId));
    if (i < 0) return false;
    const fault = faults[i];
    if (fault.probability < 1 && Math.random() >= fault.probability) return false;
    if (--fault.times <= 0) faults.splice(i, 1);
    if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
    switch (fault.kind) {
      case "delay":
        return false;
      case "http": {
        const status = fault.status ?? 500;
        problem(res, gen, PROBLEM_FOR_STATUS[status] ?? (status >= 500 ? "SYSTEM_INTERNAL_ERROR" : "VALIDATION_INVALID_PARAMETER"), "Injected fault", {}, status);
        return true;
      }
      case "rate-limit":
        problem(res, gen, "RATE_LIMIT_EXCEEDED", "Slow down", { "Retry-After": String(fault.retryAfter ?? 1) });
        return true;
      case "provider-disabled":
        problem(res, gen, "PROVIDER_NOT_ENABLED", "Provider is not enabled for this application");
        return true;
      case "provider-unavailable":
        problem(res, gen, "PROVIDER_UNAVAILABLE", "The eID provider is temporarily unavailable");
        return true;
      case "not-json":
        res.writeHead(fault.status ?? 200, { "Content-Type": "text/html" });
        res.end("<html><body><h1>502 Bad Gateway</h1></body></html>");
        return true;
      case "wrong-shape":
        sendJson(res, 200, { data: { id: verificationId ?? "x" }, ok: true });
        return true;
      case "unknown-status": {
        const s = sessions.get(verificationId);
        sendJson(res, 200, { ...(s ? statusBody(s, gen) : { verificationId }), status: fault.value ?? "teleporting" });
        return true;
      }
      case "reset":
        req.socket.destroy();
        return true;
    }
    return false;
  }

  // ---- the API -------------------------------------------------------------

  function prune() {
    // Forget sessions that ended over an hour ago, so a long run stays small.
    if (++created % 256) return;
    for (const [id, s] of sessions) if (TERMINAL.has(refresh(s).status) && now() - s.ended > 3_600_000) sessions.delete(id);
  }

  async function api(req, res, gen, path) {
    requests.push({ method: req.method, path, generation: gen, at: now() });
    if (!authorised(req)) return problem(res, gen, "AUTH_INVALID_CREDENTIALS");
    if (path === "/providers" && req.method === "GET") {
      if (await injectFault("providers", gen, undefined, req, res)) return;
      return sendJson(res, 200, providersBody());
    }
    if (path === "/verifications" && req.method === "POST") return create(req, res, gen);
    const m = path.match(/^\/verifications\/([^/]+)(\/userinfo)?$/);
    if (!m) return problem(res, gen, "RESOURCE_NOT_FOUND", `No route ${req.method} ${path}`);
    const [, id, userinfo] = m;
    if (userinfo) {
      if (gen === "guide" || req.method !== "GET") return problem(res, gen, "RESOURCE_NOT_FOUND", `No route ${req.method} ${path}`);
      if (await injectFault("userinfo", gen, id, req, res)) return;
      const s = sessions.get(id);
      if (!s) return problem(res, gen, "SESSION_NOT_FOUND");
      if (refresh(s).status !== "completed") {
        return sendJson(res, 400, { error: { code: "verification_not_completed", message: "Verification must be completed to fetch userinfo", details: { status: s.status, verificationId: id } } });
      }
      return sendJson(res, 200, userinfoBody(s));
    }
    if (req.method === "GET") {
      if (await injectFault("status", gen, id, req, res)) return;
      const s = sessions.get(id);
      if (!s) return problem(res, gen, "SESSION_NOT_FOUND");
      refresh(s);
      s.polls += 1;
      return sendJson(res, 200, statusBody(s, gen));
    }
    if (req.method === "DELETE") {
      if (await injectFault("cancel", gen, id, req, res)) return;
      const s = sessions.get(id);
      if (!s) return problem(res, gen, "SESSION_NOT_FOUND");
      if (TERMINAL.has(refresh(s).status)) return problem(res, gen, "SESSION_INVALID_STATUS_TRANSITION", `The verification is already ${s.status}`);
      end(s, "cancelled");
      res.writeHead(204, { "Cache-Control": "no-store" }).end();
      return;
    }
    return problem(res, gen, "RESOURCE_NOT_FOUND", `No route ${req.method} ${path}`);
  }

  async function create(req, res, gen) {
    if (await injectFault("create", gen, undefined, req, res)) return;
    let body;
    try {
      body = parseJson(await readBody(req));
    } catch (e) {
      return problem(res, gen, "VALIDATION_INVALID_PARAMETER", e.message);
    }
    if (!body || typeof body !== "object" || Array.isArray(body)) return problem(res, gen, "VALIDATION_INVALID_PARAMETER", "The body must be a JSON object");
    if (typeof body.providerId !== "string" || !body.providerId) return problem(res, gen, "VALIDATION_MISSING_PARAMETER", "providerId is required");
    const provider = PROVIDERS[body.providerId];
    if (!provider) return problem(res, gen, "PROVIDER_NOT_FOUND", `Unknown provider ${body.providerId}`);
    if (!provider.enabled) return problem(res, gen, "PROVIDER_NOT_ENABLED", `Provider ${body.providerId} is not enabled for this application`);
    prune();
    const t = now();
    const s = {
      verificationId: randomUUID().replaceAll("-", ""),
      generation: gen,
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
    };
    if (config.autoResolve) {
      const { minMs = 5000, maxMs = 60000, outcomes = ["completed"] } = config.autoResolve;
      s.resolveAt = t + minMs + Math.random() * (maxMs - minMs);
      s.resolveTo = outcomes[Math.floor(Math.random() * outcomes.length)];
    }
    sessions.set(s.verificationId, s);
    return sendJson(res, 201, createBody(s, gen));
  }

  // ---- control -------------------------------------------------------------

  const MOVES = { complete: "completed", fail: "failed", expire: "expired", cancel: "cancelled", scan: "awaiting_user_action", authenticate: "authenticating", process: "processing" };

  async function control(req, res, path, url) {
    const post = req.method === "POST";
    if (path === "/faults" && post) {
      try {
        addFault(parseJson(await readBody(req)));
      } catch (e) {
        return sendJson(res, 400, { error: e.message });
      }
      return sendJson(res, 200, { faults });
    }
    if (path === "/faults" && req.method === "DELETE") {
      faults = [];
      return sendJson(res, 200, { faults });
    }
    if (path === "/faults" && req.method === "GET") return sendJson(res, 200, { faults });
    if (path === "/config" && post) {
      const patch = parseJson(await readBody(req)) ?? {};
      for (const key of ["ttlMs", "pollIntervalMs", "qrMode", "animatedQr", "createStatus", "errorStyle", "hostile", "autoResolve"]) if (key in patch) config[key] = patch[key];
      return sendJson(res, 200, { ...config, clientSecret: undefined });
    }
    if (path === "/config" && req.method === "GET") return sendJson(res, 200, { ...config, clientSecret: undefined });
    if (path === "/reset" && post) {
      sessions.clear();
      faults = [];
      requests.length = 0;
      return sendJson(res, 200, {});
    }
    if (path === "/requests" && req.method === "GET") return sendJson(res, 200, { requests });
    if (path === "/verifications" && req.method === "GET") {
      return sendJson(res, 200, { verifications: [...sessions.values()].map((s) => view(refresh(s))) });
    }
    if (path === "/summary" && req.method === "GET") {
      const byStatus = {};
      for (const s of sessions.values()) byStatus[refresh(s).status] = (byStatus[s.status] ?? 0) + 1;
      return sendJson(res, 200, { sessions: sessions.size, byStatus, memory: process.memoryUsage() });
    }
    const m = path.match(/^\/verifications\/([^/]+)(?:\/([a-z]+))?$/);
    if (m) {
      const s = sessions.get(m[1]);
      if (!s) return sendJson(res, 404, { error: "no such verification" });
      const action = m[2];
      if (!action) return sendJson(res, 200, view(refresh(s)));
      if (!post) return sendJson(res, 405, { error: "use POST" });
      const body = parseJson(await readBody(req)) ?? {};
      if (action === "config") {
        if ("animatedQr" in body) s.animatedQr = Boolean(body.animatedQr);
        return sendJson(res, 200, view(s));
      }
      const to = action === "status" ? body.status : MOVES[action];
      if (typeof to !== "string") return sendJson(res, 400, { error: `unknown action ${action}; use ${Object.keys(MOVES).join(", ")}, status or config` });
      if (TERMINAL.has(refresh(s).status)) return sendJson(res, 409, { error: `already ${s.status}`, ...view(s) });
      end(s, to, body.error);
      return sendJson(res, 200, view(s));
    }
    const phone = path.match(/^\/phone\/([^/]+)(?:\/(approve|decline))?$/);
    if (phone) return phonePage(req, res, phone[1], phone[2], url);
    return sendJson(res, 404, { error: "no such control route" });
  }

  /** What tests read: the guide-shaped status, the current qrData, the poll count. */
  function view(s) {
    return { ...statusBody(s, "guide"), generation: s.generation, qrData: s.flowType === "qr" && !TERMINAL.has(s.status) ? qrData(s) : undefined, polls: s.polls, request: s.request };
  }

  /**
   * A page that stands in for the eID app (or, with ?redirect=1, the
   * provider's web login): approve or decline one session. In redirect mode
   * it then sends the browser back to the create request's redirectUri with
   * the verificationId, as a provider's login page would.
   */
  function phonePage(req, res, id, action, url) {
    const s = sessions.get(id);
    const redirect = url.searchParams.get("redirect") === "1";
    let note = "";
    if (s && action && req.method === "POST") {
      if (TERMINAL.has(refresh(s).status)) note = `This verification is already ${s.status}.`;
      else {
        end(s, action === "approve" ? "completed" : "failed");
        note = action === "approve" ? "Approved." : "Declined.";
      }
      const back = s.request?.redirectUri;
      if (redirect && typeof back === "string" && /^https?:\/\//.test(back)) {
        const target = new URL(back);
        target.searchParams.set("verificationId", id);
        res.writeHead(303, { Location: target.href, "Cache-Control": "no-store" }).end();
        return;
      }
    } else if (s && !action && ["initiated", "pending"].includes(refresh(s).status)) {
      end(s, "awaiting_user_action");
    }
    const esc = (t) => String(t).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    const base = `/__sim/phone/${encodeURIComponent(id)}`;
    const open = s && !TERMINAL.has(s.status);
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Simulated eID app</title>
<link rel="icon" href="data:,"><link rel="stylesheet" href="/__sim/phone.css"></head><body><main>
<h1>Simulated eID app</h1>
${s ? `<p>${esc(PROVIDERS[s.providerId]?.name ?? s.providerId)} verification <code>${esc(id.slice(0, 8))}…</code> is <strong>${esc(s.status)}</strong>.</p>
${note ? `<p role="status">${esc(note)}</p>` : ""}
${open ? `<form method="post" action="${base}/approve${redirect ? "?redirect=1" : ""}"><button>Approve as ${esc(USER.name)}</button></form>
<form method="post" action="${base}/decline${redirect ? "?redirect=1" : ""}"><button class="secondary">Decline</button></form>` : ""}` : "<p>No such verification.</p>"}
</main></body></html>`;
    res.writeHead(s ? 200 : 404, {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy": "default-src 'self'; style-src 'self'; img-src data:",
      "Cache-Control": "no-store",
    });
    res.end(html);
  }

  const PHONE_CSS = `body{font:16px/1.5 system-ui,sans-serif;margin:0;padding:1.5rem;background:#f6f7f9;color:#111}
main{max-width:26rem;margin:auto;background:#fff;border-radius:12px;padding:1.5rem;box-shadow:0 1px 4px #0002}
button{font:inherit;width:100%;padding:.8rem;margin:.4rem 0;border:0;border-radius:8px;background:#1f6feb;color:#fff}
button.secondary{background:#e5e7eb;color:#111}`;

  return {
    config,
    sessions,
    requests,
    addFault,
    clearFaults() {
      faults = [];
    },
    /** Answers simulator routes; resolves to false for any other path. */
    async handle(req, res) {
      const path = new URL(req.url, "http://simulator").pathname;
      const gen = path.startsWith("/api/v1/") ? "guide" : path.startsWith("/connect/v1/") ? "current" : null;
      try {
        if (gen) {
          await api(req, res, gen, path.slice(gen === "guide" ? "/api/v1".length : "/connect/v1".length));
          return true;
        }
        if (path === "/__sim/phone.css") {
          res.writeHead(200, { "Content-Type": "text/css" }).end(PHONE_CSS);
          return true;
        }
        if (path.startsWith("/__sim/")) {
          await control(req, res, path.slice("/__sim".length), new URL(req.url, "http://simulator"));
          return true;
        }
      } catch (error) {
        if (!res.headersSent) sendJson(res, 500, { title: "SYSTEM_INTERNAL_ERROR", status: 500, detail: String(error?.message ?? error) });
        return true;
      }
      return false;
    },
  };
}
