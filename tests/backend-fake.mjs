// A small fake Hopae for the backend tests: a `fetch` function with
// scripted answers and a log of every call, so a test can say exactly what
// upstream did (slow, huge, stalled, odd fields) and count what reached it.
import { createVerificationHandler } from "../server/index.js";

export function fakeHopae({ createDelayMs = 0, status = {}, userinfo = null } = {}) {
  const calls = [];
  let n = 0;
  const sessions = new Map();
  const hopae = {
    calls,
    sessions,
    /** Overrides the next status answer(s) for an id: (session) => Response. */
    statusAnswer: null,
    async fetch(url, init = {}) {
      const { pathname } = new URL(url);
      const method = init.method ?? "GET";
      calls.push({ method, pathname, body: init.body ? JSON.parse(init.body) : undefined, headers: init.headers });
      if (method === "POST" && pathname.endsWith("/verifications")) {
        if (createDelayMs) await new Promise((r, reject) => {
          const t = setTimeout(r, createDelayMs);
          init.signal?.addEventListener("abort", () => { clearTimeout(t); reject(init.signal.reason); });
        });
        const id = `ver${String(++n).padStart(6, "0")}`;
        const s = { verificationId: id, status: "initiated", providerId: JSON.parse(init.body).providerId, flowType: "qr", flowDetails: { qrData: `bankid.${id}.0.abc` }, expiresAt: new Date(Date.now() + 30 * 60_000).toISOString(), createdAt: new Date().toISOString(), ...status };
        sessions.set(id, s);
        return Response.json(s, { status: 201 });
      }
      const m = pathname.match(/\/verifications\/([^/]+)(\/userinfo)?$/);
      const s = m && sessions.get(m[1]);
      if (!s) return Response.json({ title: "SESSION_NOT_FOUND", status: 404 }, { status: 404 });
      if (m[2]) return Response.json(userinfo ?? { sub: "sub_1", user: { name: "Anders Eriksson", given_name: "Anders", family_name: "Eriksson" }, provider_id: s.providerId });
      if (method === "DELETE") {
        s.status = "cancelled";
        return new Response(null, { status: 204 });
      }
      if (hopae.statusAnswer) return hopae.statusAnswer(s, init);
      return Response.json(s);
    },
  };
  return hopae;
}

/** A handler on a fake Hopae; `site` is the site's origin. */
export function backend(hopae, extra = {}) {
  return createVerificationHandler({ clientId: "id", clientSecret: "secret", apiBase: "https://hopae.test/connect/v1", fetch: hopae.fetch, logger: quietLogger(), ...extra });
}

export function quietLogger() {
  const lines = [];
  const log = (...a) => lines.push(a.map((x) => (x instanceof Error ? `${x.message}\n${x.stack}` : String(x))).join(" "));
  return { lines, warn: log, error: log, info: log, log };
}

/** A browser for web-standard handlers: keeps cookies (honouring Max-Age=0). */
export class Jar {
  constructor(origin = "https://shop.example") {
    this.origin = origin;
    this.cookies = new Map();
  }
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
  async call(handler, method, path, { body, headers = {}, info = { clientAddress: "203.0.113.7" } } = {}) {
    const h = { ...(body !== undefined ? { "Content-Type": "application/json" } : {}), "Sec-Fetch-Site": "same-origin", ...headers };
    const cookie = this.header();
    if (cookie) h.Cookie = cookie;
    const request = new Request(this.origin + path, { method, headers: h, body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body) });
    // info "none": called as Next.js, Hono or Workers call it, with the request alone.
    const res = info === "none" ? await handler(request) : await handler(request, info);
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const i = pair.indexOf("=");
      if (/Max-Age=0(;|$)/.test(c)) this.cookies.delete(pair.slice(0, i));
      else this.cookies.set(pair.slice(0, i), pair.slice(i + 1));
    }
    const text = await res.text();
    let json;
    try { json = JSON.parse(text); } catch { json = undefined; }
    return { status: res.status, headers: res.headers, text, json, setCookies: res.headers.getSetCookie() };
  }
  create(handler, body = { providerId: "bankidse" }, opts = {}) {
    return this.call(handler, "POST", "/api/verifications", { body, ...opts });
  }
  status(handler, id, opts = {}) {
    return this.call(handler, "GET", `/api/verifications/${id}`, opts);
  }
}
