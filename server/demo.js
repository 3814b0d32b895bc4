#!/usr/bin/env node
// The demo server behind `npm start`: the pages in www/, the built widget at
// /dist/, the reference backend at /api/verifications, and (unless a real
// Hopae environment is configured) the Hopae simulator it talks to.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize, dirname, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { createVerificationHandler, toNodeHandler } from "./index.js";
import { refuseTarget, sendProblem } from "./node.js";
import { createSimulator } from "./simulator.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".ts": "text/plain; charset=utf-8",
  ".png": "image/png",
  ".svg": "image/svg+xml",
};
/** The strictest policy the widget runs under; the demo pages are served with it. */
export const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self'; img-src 'self' data:";

async function serveFile(res, dir, relative) {
  const path = normalize(join(dir, relative));
  if (path !== dir && !path.startsWith(dir + sep)) return false;
  try {
    const body = await readFile(path.endsWith("/") ? join(path, "index.html") : path);
    const type = TYPES[extname(path.endsWith("/") ? "index.html" : path)] ?? "application/octet-stream";
    res.writeHead(200, { "Content-Type": type, "Content-Security-Policy": CSP, "Cache-Control": "no-cache" });
    res.end(body);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts the demo. Options: port (0 for any), host, env (HOPAE_CLIENT_ID,
 * HOPAE_CLIENT_SECRET and HOPAE_API_BASE select a real Hopae environment),
 * generation ("current": the simulator's /connect/v1, the default; "guide":
 * its /api/v1), simulator (options for the simulator), backend (extra options
 * for the reference backend), wwwRoot (the pages to serve, default www/).
 * Resolves to {server, url, simulator, close}.
 */
export async function startDemo({ port = 8080, host = "127.0.0.1", env = process.env, generation = env.SIM_API ?? "current", simulator: simOptions = {}, backend = {}, wwwRoot = join(root, "www") } = {}) {
  const real = env.HOPAE_CLIENT_ID && env.HOPAE_CLIENT_SECRET && env.HOPAE_API_BASE;
  // The simulator refuses a create without the user data a provider needs, as
  // Hopae does; the widget's form (or the backend's userData option below)
  // supplies it.
  const simulator = real ? null : createSimulator(simOptions);
  let verifications;
  let nodeVerifications;
  // Every request gets an answer and none can stop the server: odd targets
  // (`//`, `/\`, absolute-form, over-long), TRACE and errors anywhere below.
  const server = createServer(async (req, res) => {
    try {
      const refused = refuseTarget(req.method, req.url);
      if (refused) return sendProblem(res, ...refused);
      let path;
      try {
        path = new URL(`http://demo${req.url}`).pathname;
      } catch {
        return sendProblem(res, 400, "BAD_REQUEST_TARGET", "The request target is not valid");
      }
      if (verifications.handles(path)) return await nodeVerifications(req, res);
      if (simulator && (await simulator.handle(req, res))) return;
      if (req.method === "GET" || req.method === "HEAD") {
        if (path.startsWith("/dist/") && (await serveFile(res, join(root, "dist"), path.slice(6)))) return;
        if (await serveFile(res, wwwRoot, path.slice(1) || "index.html")) return;
      }
      res.writeHead(404, { "Content-Type": "text/plain" }).end("Not found");
    } catch (error) {
      console.error("demo: request failed", error);
      if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain" });
      res.end("Internal error");
    }
  });
  // A listen backlog above Node's 511: a burst of new connections (many
  // browsers arriving at once) otherwise overflows the accept queue, and each
  // dropped handshake costs the browser a 1 s (then 3 s) SYN retransmission.
  await new Promise((resolve, reject) => server.once("error", reject).listen({ port, host, backlog: 4096 }, resolve));
  const base = `http://${host}:${server.address().port}`;
  if (simulator && !simOptions.publicUrl) simulator.config.publicUrl = env.SIM_PUBLIC_URL ?? base;
  verifications = createVerificationHandler({
    clientId: real ? env.HOPAE_CLIENT_ID : simulator.config.clientId,
    clientSecret: real ? env.HOPAE_CLIENT_SECRET : simulator.config.clientSecret,
    apiBase: real ? env.HOPAE_API_BASE : `${base}${generation === "guide" ? "/api/v1" : "/connect/v1"}`,
    basePath: "/api/verifications",
    // Where a redirect flow's provider sends the browser back (the demo page resumes).
    redirectUri: real ? env.HOPAE_REDIRECT_URI : `${base}/`,
    // A local demo and its tests start many verifications from one address.
    rateLimit: { max: Number(env.DEMO_RATE_LIMIT ?? 100_000), windowMs: 60_000 },
    // The demo's tests poll faster than once a second (pollInterval 300) and
    // count every poll at the simulator, so the demo shares only concurrent
    // reads; a production backend keeps the default (one read a second).
    pollIntervalMs: Number(env.DEMO_POLL_SHARE_MS ?? 0),
    // Smart-ID needs the user's registrationId at creation: the demo fills in
    // the simulator's test identity when the page did not ask the user for it
    // (a real site would read it from its own user record here).
    userData: (request, { providerId, userData }) => userData ?? (providerId === "smartid" && !real ? { registrationId: "PNOEE-30303039914" } : undefined),
    ...backend,
  });
  nodeVerifications = toNodeHandler(verifications);
  return {
    server,
    url: base,
    simulator,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const demo = await startDemo({
    port: Number(process.env.PORT ?? 8080),
    host: process.env.HOST ?? "127.0.0.1",
    simulator: { qrMode: process.env.SIM_QR_MODE ?? "phone" },
  });
  console.log(`Demo: ${demo.url}/  (${demo.simulator ? "Hopae simulator at /connect/v1 and /api/v1, control at /__sim/" : `Hopae at ${process.env.HOPAE_API_BASE}`})`);
}
