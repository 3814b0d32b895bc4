#!/usr/bin/env node
// The demo server behind `npm start`: the pages in www/, the built widget at
// /dist/, the reference backend at /api/verifications, and (unless a real
// Hopae environment is configured) the Hopae simulator it talks to.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize, dirname, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { createVerificationHandler, toNodeHandler } from "./index.js";
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
  // requireUserData: false until the widget collects userData (Smart-ID needs
  // a registrationId); pass `simulator: {requireUserData: true}` to enforce it.
  const simulator = real ? null : createSimulator({ requireUserData: false, ...simOptions });
  let verifications;
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, "http://demo").pathname;
    if (verifications.handles(path)) return toNodeHandler(verifications)(req, res);
    if (simulator && (await simulator.handle(req, res))) return;
    if (req.method === "GET" || req.method === "HEAD") {
      if (path.startsWith("/dist/") && (await serveFile(res, join(root, "dist"), path.slice(6)))) return;
      if (await serveFile(res, wwwRoot, path.slice(1) || "index.html")) return;
    }
    res.writeHead(404, { "Content-Type": "text/plain" }).end("Not found");
  });
  await new Promise((resolve, reject) => server.once("error", reject).listen(port, host, resolve));
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
    ...backend,
  });
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
