// The Node adapter: turns a web-standard `(Request, info) => Response`
// handler (the reference backend, the simulator) into Node's
// `(req, res, next?)` for `http.createServer`, Express and Connect. The
// handlers themselves stay free of Node APIs; this file is the only place
// that touches Node's request and response objects.
import { Readable } from "node:stream";

/**
 * Adapts a web-standard handler to Node's `(req, res, next?)`: plain
 * `http.createServer`, Express and Connect. Requests outside
 * `handler.handles` go to `next` (or get a 404 when there is none). Under
 * Express, `req.originalUrl` is used, so `app.use(toNodeHandler(h))` and
 * `app.use("/api/verifications", toNodeHandler(h))` both work; a body already
 * parsed by `express.json()` is used as is.
 */
export function toNodeHandler(handler) {
  return async function nodeHandler(req, res, next) {
    try {
      const path = req.originalUrl ?? req.url;
      if (handler.handles && !handler.handles(new URL(path, "http://local").pathname)) {
        if (next) return next();
        res.writeHead(404, { "Content-Type": "text/plain" }).end("Not found");
        return;
      }
      const secure = req.socket?.encrypted || String(req.headers["x-forwarded-proto"] ?? "").split(",")[0].trim() === "https";
      const url = `${secure ? "https" : "http"}://${req.headers.host ?? "localhost"}${path}`;
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (value === undefined || name.startsWith(":")) continue;
        for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
      }
      let body;
      if (req.method !== "GET" && req.method !== "HEAD") {
        if (req.body !== undefined && typeof req.body === "object" && !Buffer.isBuffer(req.body)) {
          body = JSON.stringify(req.body);
          headers.delete("content-length");
        } else {
          body = typeof req.body === "string" || Buffer.isBuffer(req.body) ? req.body : Readable.toWeb(req);
        }
      }
      const response = await handler(new Request(url, { method: req.method, headers, body, duplex: "half" }), {
        clientAddress: req.socket?.remoteAddress,
      });
      const out = {};
      response.headers.forEach((value, name) => {
        if (name !== "set-cookie") out[name] = value;
      });
      const cookies = response.headers.getSetCookie();
      if (cookies.length) out["set-cookie"] = cookies;
      const payload = Buffer.from(await response.arrayBuffer());
      res.writeHead(response.status, out);
      res.end(payload);
    } catch (error) {
      if (next) return next(error);
      if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain" });
      res.end("Internal error");
    }
  };
}

