// The Node adapter: turns a web-standard `(Request, info) => Response`
// handler (the reference backend, the simulator) into Node's
// `(req, res, next?)` for `http.createServer`, Express and Connect. The
// handlers themselves stay free of Node APIs; this file is the only place
// that touches Node's request and response objects. It imports nothing
// (no `node:` module, no Buffer) so that server/index.js can re-export it and
// still load on edge runtimes, where it is simply never called.

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
      const path = req.originalUrl ?? req.url ?? "/";
      const refused = refuseTarget(req.method, path);
      if (refused) return sendProblem(res, ...refused);
      const host = req.headers.host || "localhost";
      if (!/^[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]{2,45}\](:[0-9]{1,5})?$/.test(host)) return sendProblem(res, 400, "BAD_HOST", "The Host header is not a host name");
      let url;
      try {
        const secure = req.socket?.encrypted || String(req.headers["x-forwarded-proto"] ?? "").split(",")[0].trim() === "https";
        url = new URL(`${secure ? "https" : "http"}://${host}${path}`);
      } catch {
        return sendProblem(res, 400, "BAD_REQUEST_TARGET", "The Host header or the request target is not valid");
      }
      if (handler.handles && !handler.handles(url.pathname)) {
        if (next) return next();
        return sendProblem(res, 404, "NOT_FOUND", "No such route");
      }
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (value === undefined || name.startsWith(":")) continue;
        for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
      }
      let body;
      if (req.method !== "GET" && req.method !== "HEAD") {
        if (req.body !== undefined && req.body !== null && typeof req.body === "object" && !(req.body instanceof Uint8Array)) {
          body = JSON.stringify(req.body);
          headers.delete("content-length");
        } else {
          body = typeof req.body === "string" || req.body instanceof Uint8Array ? req.body : streamOf(req);
        }
      }
      const response = await handler(new Request(url.href, { method: req.method, headers, body, duplex: "half" }), {
        clientAddress: req.socket?.remoteAddress,
      });
      const out = {};
      response.headers.forEach((value, name) => {
        if (name !== "set-cookie") out[name] = value;
      });
      const cookies = response.headers.getSetCookie();
      if (cookies.length) out["set-cookie"] = cookies;
      const payload = new Uint8Array(await response.arrayBuffer());
      res.writeHead(response.status, out);
      res.end(payload);
    } catch (error) {
      if (next) return next(error);
      console.error("hopae-connect-widget/server: the Node adapter failed", error);
      if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain" });
      res.end("Internal error");
    }
  };
}

/** Request lines no handler should see: [status, title, detail] or null. */
export function refuseTarget(method, target) {
  if (method === "TRACE" || method === "TRACK" || method === "CONNECT") return [405, "METHOD_NOT_ALLOWED", `${method} is not served here`];
  if (typeof target !== "string" || target.length > 8192) return [414, "URI_TOO_LONG", "The request target is too long"];
  if (!target.startsWith("/")) return [400, "BAD_REQUEST_TARGET", "Only origin-form request targets (/path) are served"];
  // "//x" and "/\\x" parse as another host, or as a path other than the one sent.
  if (/^[^?#]*(\/\/|\\)/.test(target)) return [400, "BAD_REQUEST_TARGET", "The request path has an empty segment or a backslash"];
  return null;
}

/** A problem+json answer straight on Node's response. */
export function sendProblem(res, status, title, detail) {
  if (res.headersSent) return res.end();
  const body = new TextEncoder().encode(JSON.stringify({ type: "about:blank", title, status, detail }));
  res.writeHead(status, { "Content-Type": "application/problem+json", "Content-Length": body.byteLength, "Cache-Control": "no-store", ...(status === 405 ? { Allow: "GET, POST, DELETE" } : {}) });
  res.end(body);
}


/** A Node readable (the request) as a web ReadableStream, with backpressure. */
function streamOf(req) {
  const iterator = req[Symbol.asyncIterator]();
  return new ReadableStream({
    async pull(controller) {
      try {
        const { done, value } = await iterator.next();
        if (done) controller.close();
        else controller.enqueue(typeof value === "string" ? new TextEncoder().encode(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
      } catch (error) {
        controller.error(error);
      }
    },
    cancel() {
      iterator.return?.();
      req.destroy?.();
    },
  });
}
