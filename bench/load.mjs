// Load: the reference backend (the demo server with a real Hopae
// configuration, no simulator inside) in one process, the Hopae simulator in
// another, and N simulated browsers here, all on loopback.
//
// Open loop: each browser creates a verification, then sends a status poll
// every 3 s on a fixed schedule whether or not the last one has answered
// (arrivals do not slow down when the server does), and starts a new
// verification when one ends; the simulator ends each by itself after
// 5–60 s. Reports requests/s, p50/p99 latency, errors, and the backend's
// RSS before, right after, and after a forced GC (`--expose-gc`).
//
// Closed loop (`knee`): C clients each polling back to back, C doubling,
// until p99 passes 100 ms: the request rate there is the knee.
//
// Used by bench/soak.mjs (`npm run soak`); alone: `node bench/load.mjs 500 20`
// (BENCH_CPU_PROF=<dir> writes a CPU profile of the backend process there).
import { fork } from "node:child_process";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const self = fileURLToPath(import.meta.url);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const TERMINAL = new Set(["completed", "failed", "expired", "cancelled"]);

async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

/** A child process that says its URL on stdout (a line `… http://127.0.0.1:port`). */
function child(path, args, env, execArgv = []) {
  const proc = fork(path, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit", "ipc"], execArgv });
  const url = new Promise((resolve, reject) => {
    let out = "";
    proc.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/(http:\/\/127\.0\.0\.1:\d+)/);
      if (m) resolve(m[1]);
    });
    proc.on("exit", (code) => reject(new Error(`${path} exited with ${code}: ${out}`)));
  });
  const ask = (cmd) =>
    new Promise((resolve) => {
      proc.once("message", resolve);
      proc.send({ cmd });
    });
  const stop = () => new Promise((r) => (proc.exitCode !== null ? r() : (proc.once("exit", r), proc.kill())));
  return { proc, url, ask, stop };
}

/** The simulator (own process) and the backend (own process, --expose-gc). */
export async function startStack() {
  const simPort = await freePort();
  const sim = child(join(root, "server/simulator-cli.js"), [], { SIM_PORT: String(simPort), SIM_HOST: "127.0.0.1" });
  const simUrl = await sim.url;
  const backend = child(self, ["--serve"], { HOPAE_CLIENT_ID: "demo-client", HOPAE_CLIENT_SECRET: "demo-secret", HOPAE_API_BASE: `${simUrl}/connect/v1`, PORT: "0", DEMO_POLL_SHARE_MS: "1000" }, ["--expose-gc", ...(process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [])]);
  const url = await backend.url;
  const control = (path, body) => fetch(`${simUrl}/__sim${path}`, { method: body ? "POST" : "GET", headers: { "Content-Type": "application/json" }, body: body && JSON.stringify(body) }).then((r) => r.json());
  return {
    url,
    control,
    memory: () => backend.ask("memory"),
    gc: () => backend.ask("gc"),
    stop: async () => {
      await backend.stop();
      await sim.stop();
    },
  };
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

function recorder() {
  const latencies = [];
  let errors = 0;
  const errorKinds = {};
  return {
    latencies,
    get errors() {
      return errors;
    },
    errorKinds,
    async call(url, method, cookie, body) {
      const t0 = performance.now();
      try {
        const res = await fetch(url, { method, headers: { ...(cookie ? { Cookie: cookie } : {}), ...(body ? { "Content-Type": "application/json" } : {}) }, body });
        const text = await res.text();
        latencies.push(performance.now() - t0);
        if (!res.ok) {
          errors++;
          errorKinds[res.status] = (errorKinds[res.status] ?? 0) + 1;
          return null;
        }
        return { json: JSON.parse(text), cookie: res.headers.getSetCookie().find((c) => c.startsWith("hopae_"))?.split(";")[0] };
      } catch (error) {
        errors++;
        errorKinds[error.cause?.code ?? error.name] = (errorKinds[error.cause?.code ?? error.name] ?? 0) + 1;
        return null;
      }
    },
  };
}

/** N open-loop browsers for `seconds` against a running stack. */
export async function load(stack, n, seconds = 20) {
  await stack.control("/config", { autoResolve: { minMs: 5000, maxMs: 60000, outcomes: ["completed", "completed", "completed", "failed"] } });
  await stack.gc();
  const memoryBefore = await stack.memory();
  const rec = recorder();
  const started = Date.now();
  const end = started + seconds * 1000;
  let created = 0;
  const inFlight = new Set();

  async function browser(i) {
    await sleep((i / n) * 3000); // arrivals spread over the first 3 s
    let current = null; // {id, cookie, done}
    let tick = Date.now();
    while (tick < end) {
      if (!current || current.done) {
        const p = rec.call(`${stack.url}/api/verifications`, "POST", null, '{"providerId":"bankidse"}');
        inFlight.add(p);
        const c = await p;
        inFlight.delete(p);
        if (c) {
          created++;
          current = { id: c.json.verificationId, cookie: c.cookie, done: false };
        }
      } else {
        // Fire and do not wait: the next poll is due in 3 s regardless.
        const v = current;
        const p = rec.call(`${stack.url}/api/verifications/${v.id}`, "GET", v.cookie).then((r) => {
          if (r && TERMINAL.has(r.json.status)) v.done = true;
        });
        inFlight.add(p);
        p.finally(() => inFlight.delete(p));
      }
      tick += 3000;
      const wait = tick - Date.now();
      if (wait > 0) await sleep(wait);
    }
  }

  await Promise.all(Array.from({ length: n }, (_, i) => browser(i)));
  await Promise.all(inFlight);
  const elapsed = (Date.now() - started) / 1000;
  const memoryAfter = await stack.memory();
  // The binding TTLs and shared reads (1 s) lapse; then a full GC.
  await sleep(1500);
  const memoryAfterGc = await stack.gc();
  rec.latencies.sort((a, b) => a - b);
  return {
    n,
    seconds: elapsed,
    requests: rec.latencies.length + rec.errors,
    rps: (rec.latencies.length + rec.errors) / elapsed,
    p50: percentile(rec.latencies, 50),
    p99: percentile(rec.latencies, 99),
    errors: rec.errors,
    errorKinds: rec.errorKinds,
    created,
    memoryBefore,
    memoryAfter,
    memoryAfterGc,
  };
}

/** Closed loop: C clients polling back to back for `seconds` each, C doubling until p99 > 100 ms. */
export async function knee(stack, { seconds = 3, maxClients = 256 } = {}) {
  const steps = [];
  for (let c = 1; c <= maxClients; c *= 2) {
    const rec = recorder();
    const sessions = [];
    for (let i = 0; i < c; i++) {
      const created = await rec.call(`${stack.url}/api/verifications`, "POST", null, '{"providerId":"bankidse"}');
      if (created) sessions.push(created);
    }
    rec.latencies.length = 0;
    const end = Date.now() + seconds * 1000;
    await Promise.all(
      sessions.map(async (s) => {
        while (Date.now() < end) await rec.call(`${stack.url}/api/verifications/${s.json.verificationId}`, "GET", s.cookie);
      }),
    );
    rec.latencies.sort((a, b) => a - b);
    const step = { clients: c, rps: rec.latencies.length / seconds, p50: percentile(rec.latencies, 50), p99: percentile(rec.latencies, 99), errors: rec.errors };
    steps.push(step);
    if (step.p99 > 100) break;
  }
  const passing = steps.filter((s) => s.p99 <= 100);
  return { steps, knee: passing.length ? passing.at(-1).rps : 0, firstOver: steps.find((s) => s.p99 > 100) ?? null };
}

// ---- the backend process (`node --expose-gc bench/load.mjs --serve`) ----
if (process.argv[1] === self && process.argv[2] === "--serve") {
  const { startDemo } = await import("../server/demo.js");
  const demo = await startDemo({ port: 0, host: "127.0.0.1" });
  const mem = () => ({ rss: process.memoryUsage().rss, heapUsed: process.memoryUsage().heapUsed });
  process.on("message", (m) => {
    if (m.cmd === "gc") {
      globalThis.gc?.();
      globalThis.gc?.();
    }
    process.send(mem());
  });
  // A normal exit on stop, so --cpu-prof writes its profile.
  process.on("SIGTERM", () => process.exit(0));
  console.log(`backend ${demo.url}`);
} else if (process.argv[1] === self) {
  const n = Number(process.argv[2] ?? 500);
  const seconds = Number(process.argv[3] ?? 20);
  const stack = await startStack();
  try {
    console.log(JSON.stringify(await load(stack, n, seconds), null, 2));
  } finally {
    await stack.stop();
  }
}
