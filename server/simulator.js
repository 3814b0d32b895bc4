// A local stand-in for the Hopae Connect API, for the demo and the tests.
//
// It answers in the shapes of ../shared/hopae (the integration guide and the
// OpenAPI subset): POST/GET/DELETE /api/v1/verifications[/{id}] with HTTP
// Basic auth. Control endpoints under /__sim/ (no auth; bind to loopback)
// complete, fail or expire a session, inject faults, and serve a small
// "phone" page that approves or declines a session like the eID app would.
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { parseJson, readBody, sendJson } from "./http-util.js";

/** The providers the simulator knows, with the flow each one uses. */
export const PROVIDERS = {
  bankidse: { name: "Swedish BankID", flowType: "qr", enabled: true },
  frejaid: { name: "Freja eID", flowType: "qr", enabled: true },
  smartid: { name: "Smart-ID", flowType: "push", enabled: true },
  mitid: { name: "MitID", flowType: "redirect", enabled: true },
  idin: { name: "iDIN", flowType: "redirect", enabled: false },
};

const TERMINAL = new Set(["completed", "failed", "expired", "cancelled"]);
const PROBLEM_TYPE = "urn:org:hopae:problem-type:client/";

const ATTRIBUTES = {
  sub: "pairwise-user-identifier",
  name: "Anders Eriksson",
  given_name: "Anders",
  family_name: "Eriksson",
  birthdate: "1985-07-12",
  email: "anders.eriksson@example.com",
  eid: "bankidse",
  provider_id: "198507124567",
};

/**
 * Creates a simulator. `handle(req, res)` answers the simulator's routes and
 * resolves to `false` for any other path, so it can share a server.
 *
 * Options: clientId, clientSecret, ttlMs (session lifetime, default 300000),
 * pollIntervalMs (the `polling.recommendedInterval` it advertises, default 3000),
 * qrMode ("bankid": BankID-style animated-QR payloads; "phone": the URL of the
 * session's phone page, so a real phone can scan and approve), animatedQr
 * (qrData changes every second, like BankID's), publicUrl (base of phone URLs),
 * now (a clock, for tests).
 */
export function createSimulator(options = {}) {
  const config = {
    clientId: options.clientId ?? "demo-client",
    clientSecret: options.clientSecret ?? "demo-secret",
    ttlMs: options.ttlMs ?? 300_000,
    pollIntervalMs: options.pollIntervalMs ?? 3000,
    qrMode: options.qrMode ?? "bankid",
    animatedQr: options.animatedQr ?? false,
    publicUrl: options.publicUrl ?? "",
  };
  const now = options.now ?? Date.now;
  const sessions = new Map();
  /** Faults to inject: {op: "create"|"status"|"any", kind, times, verificationId?, status?, delayMs?}. */
  let faults = [];
  /** Every API request, for tests that count them. */
  const requests = [];

  function problem(res, status, code, title, detail) {
    const body = { type: PROBLEM_TYPE + code, title, status, detail, instance: "", code, timestamp: new Date(now()).toISOString() };
    sendJson(res, status, body, { "Content-Type": "application/problem+json" });
  }

  function authorised(req) {
    const header = req.headers.authorization ?? "";
    const expected = Buffer.from(`Basic ${Buffer.from(`${config.clientId}:${config.clientSecret}`).toString("base64")}`);
    const given = Buffer.from(header);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  function qrData(s) {
    if (config.qrMode === "phone") return `${config.publicUrl}/__sim/phone/${s.verificationId}`;
    const seconds = config.animatedQr ? Math.floor((now() - s.created) / 1000) : 0;
    const auth = createHmac("sha256", s.qrStartSecret).update(String(seconds)).digest("hex");
    return `bankid.${s.qrStartToken}.${seconds}.${auth}`;
  }

  /** Sessions expire by the clock. */
  function refresh(s) {
    if (!TERMINAL.has(s.status) && now() >= s.expires) s.status = "expired";
    return s;
  }

  function flowDetails(s) {
    if (s.flowType === "qr") return { qrData: qrData(s) };
    if (s.flowType === "push") return { message: `Open ${PROVIDERS[s.providerId].name} and confirm.`, verificationCode: s.code };
    return { authorizationUrl: `${config.publicUrl}/__sim/phone/${s.verificationId}?redirect=1` };
  }

  function createBody(s) {
    return {
      verificationId: s.verificationId,
      status: s.status,
      providerId: s.providerId,
      flowType: s.flowType,
      flowDetails: flowDetails(s),
      polling: { recommendedInterval: config.pollIntervalMs, maxDuration: config.ttlMs },
      createdAt: new Date(s.created).toISOString(),
      expiresAt: new Date(s.expires).toISOString(),
    };
  }

  function statusBody(s) {
    const body = {
      verificationId: s.verificationId,
      status: s.status,
      providerId: s.providerId,
      flowType: s.flowType,
      expiresAt: new Date(s.expires).toISOString(),
    };
    if (!TERMINAL.has(s.status)) body.flowDetails = flowDetails(s);
    if (s.status === "completed") {
      body.verifiedAt = new Date(s.ended).toISOString();
      body.verifiedAttributes = { ...ATTRIBUTES, eid: s.providerId };
      body.authorizationCode = s.authorizationCode;
    }
    if (s.status === "failed") body.error = s.error;
    return body;
  }

  /** Applies a matching fault, if any; returns true when it answered. */
  async function injectFault(op, verificationId, req, res) {
    const i = faults.findIndex((f) => (f.op === op || f.op === "any") && (!f.verificationId || f.verificationId === verificationId));
    if (i < 0) return false;
    const fault = faults[i];
    if (--fault.times <= 0) faults.splice(i, 1);
    if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
    switch (fault.kind) {
      case "delay":
        return false;
      case "http":
        problem(res, fault.status ?? 500, 500001, "SYSTEM_INTERNAL_ERROR", "Injected fault");
        return true;
      case "not-json":
        res.writeHead(fault.status ?? 200, { "Content-Type": "text/html" });
        res.end("<html><body>Bad gateway (not JSON)</body></html>");
        return true;
      case "wrong-shape":
        sendJson(res, 200, { hello: "world" });
        return true;
      case "unknown-status": {
        const s = sessions.get(verificationId);
        sendJson(res, 200, { ...(s ? statusBody(s) : {}), verificationId, status: fault.value ?? "teleporting" });
        return true;
      }
      case "reset":
        req.socket.destroy();
        return true;
      default:
        return false;
    }
  }

  function transition(s, to, error) {
    refresh(s);
    if (TERMINAL.has(s.status)) return false;
    s.status = to;
    if (TERMINAL.has(to)) s.ended = now();
    if (to === "failed") s.error = error ?? { code: "USER_DECLINED", message: "The user declined the request in the app." };
    return true;
  }

  async function api(req, res, path) {
    requests.push({ method: req.method, path, at: now() });
    if (!authorised(req)) return problem(res, 401, 100001, "AUTH.INVALID_CREDENTIALS", "Invalid client credentials provided");
    const [, id, extra] = path.match(/^\/verifications(?:\/([^/]+))?(\/.*)?$/) ?? [];
    if (path.match(/^\/verifications\/?$/) && req.method === "POST") {
      if (await injectFault("create", undefined, req, res)) return;
      let body;
      try {
        body = parseJson(await readBody(req));
      } catch (e) {
        return problem(res, e.status ?? 400, 200001, "VALIDATION.INVALID_PARAMETER", e.message);
      }
      if (!body || typeof body !== "object") return problem(res, 400, 200001, "VALIDATION.INVALID_PARAMETER", "The body must be a JSON object");
      if (typeof body.providerId !== "string" || !body.providerId) return problem(res, 400, 200002, "VALIDATION.MISSING_PARAMETER", "providerId is required");
      const provider = PROVIDERS[body.providerId];
      if (!provider) return problem(res, 404, 400001, "PROVIDER.NOT_FOUND", `Unknown provider ${body.providerId}`);
      if (!provider.enabled) return problem(res, 400, 400002, "PROVIDER.NOT_ENABLED", `Provider ${body.providerId} is not enabled for this application`);
      const created = now();
      const s = {
        verificationId: randomUUID().replaceAll("-", ""),
        providerId: body.providerId,
        flowType: provider.flowType,
        status: "initiated",
        created,
        expires: created + config.ttlMs,
        qrStartToken: randomUUID(),
        qrStartSecret: randomBytes(16).toString("hex"),
        code: String(1000 + Math.floor(Math.random() * 9000)),
        authorizationCode: randomBytes(12).toString("hex"),
        request: body,
        polls: 0,
      };
      sessions.set(s.verificationId, s);
      return sendJson(res, 201, createBody(s));
    }
    if (id && !extra && (req.method === "GET" || req.method === "DELETE")) {
      if (await injectFault(req.method === "GET" ? "status" : "cancel", id, req, res)) return;
      const s = sessions.get(id);
      if (!s) return problem(res, 404, 300001, "SESSION.NOT_FOUND", "Session does not exist");
      refresh(s);
      if (req.method === "GET") {
        s.polls += 1;
        return sendJson(res, 200, statusBody(s));
      }
      if (!transition(s, "cancelled")) return problem(res, 400, 300003, "SESSION.INVALID_STATUS_TRANSITION", `Session is already ${s.status}`);
      res.writeHead(204).end();
      return;
    }
    return problem(res, 404, 500404, "RESOURCE.NOT_FOUND", "No such route");
  }

  async function control(req, res, path, url) {
    if (path === "/faults" && req.method === "POST") {
      const fault = parseJson(await readBody(req));
      if (!fault || typeof fault.kind !== "string") return sendJson(res, 400, { error: "a fault needs a kind" });
      faults.push({ op: "any", times: Infinity, ...fault });
      return sendJson(res, 200, { faults });
    }
    if (path === "/faults" && req.method === "DELETE") {
      faults = [];
      return sendJson(res, 200, { faults });
    }
    if (path === "/config" && req.method === "POST") {
      const patch = parseJson(await readBody(req)) ?? {};
      for (const key of ["ttlMs", "pollIntervalMs", "qrMode", "animatedQr"]) if (key in patch) config[key] = patch[key];
      return sendJson(res, 200, { ...config, clientSecret: undefined });
    }
    if (path === "/reset" && req.method === "POST") {
      sessions.clear();
      faults = [];
      requests.length = 0;
      return sendJson(res, 200, {});
    }
    if (path === "/requests" && req.method === "GET") return sendJson(res, 200, { requests });
    if (path === "/verifications" && req.method === "GET") {
      return sendJson(res, 200, { verifications: [...sessions.values()].map((s) => ({ ...statusBody(refresh(s)), polls: s.polls })) });
    }
    const m = path.match(/^\/verifications\/([^/]+)(?:\/(complete|fail|expire|scan))?$/);
    if (m) {
      const s = sessions.get(m[1]);
      if (!s) return sendJson(res, 404, { error: "no such verification" });
      if (!m[2]) return sendJson(res, 200, { ...statusBody(refresh(s)), qrData: s.flowType === "qr" ? qrData(s) : undefined, polls: s.polls });
      if (req.method !== "POST") return sendJson(res, 405, { error: "use POST" });
      const to = { complete: "completed", fail: "failed", expire: "expired", scan: "authenticating" }[m[2]];
      const ok = transition(s, to, parseJson(await readBody(req))?.error);
      return sendJson(res, ok ? 200 : 409, statusBody(s));
    }
    const phone = path.match(/^\/phone\/([^/]+)(?:\/(approve|decline))?$/);
    if (phone) return phonePage(req, res, phone[1], phone[2], url);
    return sendJson(res, 404, { error: "no such control route" });
  }

  /** A page that stands in for the eID app: approve or decline one session. */
  function phonePage(req, res, id, action, url) {
    const s = sessions.get(id);
    let note = "";
    if (s && action && req.method === "POST") {
      note = transition(s, action === "approve" ? "completed" : "failed") ? (action === "approve" ? "Approved." : "Declined.") : `This verification is already ${s.status}.`;
    } else if (s && !action && !TERMINAL.has(refresh(s).status) && s.status === "initiated") {
      transition(s, "awaiting_user_action");
    }
    const esc = (t) => String(t).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    const status = s ? refresh(s).status : "unknown";
    const base = `/__sim/phone/${encodeURIComponent(id)}`;
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Simulated eID app</title>
<link rel="stylesheet" href="/__sim/phone.css"></head><body><main>
<h1>Simulated eID app</h1>
${s ? `<p>${esc(PROVIDERS[s.providerId]?.name ?? s.providerId)} verification <code>${esc(id.slice(0, 8))}…</code> is <strong>${esc(status)}</strong>.</p>
${note ? `<p role="status">${esc(note)}</p>` : ""}
${TERMINAL.has(status) ? "" : `<form method="post" action="${base}/approve"><button>Approve as Anders Eriksson</button></form>
<form method="post" action="${base}/decline"><button class="secondary">Decline</button></form>`}` : "<p>No such verification.</p>"}
</main></body></html>`;
    res.writeHead(s ? 200 : 404, {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy": "default-src 'self'; style-src 'self'",
      "Cache-Control": "no-store",
    });
    res.end(html);
    void url;
  }

  const PHONE_CSS = `body{font:16px/1.5 system-ui,sans-serif;margin:0;padding:1.5rem;background:#f6f7f9;color:#111}
main{max-width:26rem;margin:auto;background:#fff;border-radius:12px;padding:1.5rem;box-shadow:0 1px 4px #0002}
button{font:inherit;width:100%;padding:.8rem;margin:.4rem 0;border:0;border-radius:8px;background:#1f6feb;color:#fff}
button.secondary{background:#e5e7eb;color:#111}`;

  return {
    config,
    sessions,
    requests,
    /** Answers simulator routes; resolves to false for any other path. */
    async handle(req, res) {
      const url = new URL(req.url, "http://simulator");
      const path = url.pathname;
      try {
        if (path.startsWith("/api/v1/")) {
          await api(req, res, path.slice("/api/v1".length));
          return true;
        }
        if (path === "/__sim/phone.css") {
          res.writeHead(200, { "Content-Type": "text/css" }).end(PHONE_CSS);
          return true;
        }
        if (path.startsWith("/__sim/")) {
          await control(req, res, path.slice("/__sim".length), url);
          return true;
        }
      } catch (error) {
        if (!res.headersSent) problem(res, 500, 500001, "SYSTEM.INTERNAL_ERROR", String(error?.message ?? error));
        return true;
      }
      return false;
    },
  };
}
