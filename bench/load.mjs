// Load: the reference backend (the demo server with a real Hopae
// configuration, no simulator inside) in one process, the Hopae simulator in
// another, and N simulated browsers here, all on loopback.
//
// Open loop: each browser creates a verification, then sends a status poll
// every 3 s on a fixed schedule whether or not the last one has answered
// (arrivals do not slow down when the server does), and starts a new
// verification when one ends; the simulator ends each by itself after
// 5–60 s. Browsers arrive evenly over `rampSeconds`. Reports requests/s,
// p50/p99 latency (all, and creates and polls apart), errors, the backend's
// RSS and heap before, right after, and after a forced GC (`--expose-gc`),
// and what keeps the figures honest: the generator's own event-loop lag and
// how late it sent requests against their schedule, each process's CPU, the
// machine's load average, and the kernel's accept-queue overflows and SYN
// retransmissions (a dropped handshake costs the client 1 s, then 3 s).
//
// Closed loop (`knee`): C clients each polling back to back, C doubling,
// until p99 passes 100 ms: the request rate there is the knee. Run it on a
// stack started with `pollShareMs: 0`, or every poll after the first in a
// second is answered from the shared read and never reaches the simulator.
//
// Used by bench/soak.mjs (`npm run soak`); alone: `node bench/load.mjs 500 20 5`
// (browsers, seconds, ramp seconds; BENCH_CPU_PROF=<dir> writes a CPU profile
// of the backend process there).
import { fork } from "node:child_process";
import { createServer } from "node:net";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import v8 from "node:v8";
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

/** Linux TCP counters (/proc/net/netstat): accept-queue overflows and SYN retransmissions so far. */
function tcpCounters() {
  try {
    const [names, values] = readFileSync("/proc/net/netstat", "utf8").split("\n").filter((l) => l.startsWith("TcpExt:")).map((l) => l.split(" "));
    const get = (name) => Number(values[names.indexOf(name)]);
    return { listenOverflows: get("ListenOverflows"), synRetransmits: get("TCPSynRetrans") };
  } catch {
    return { listenOverflows: NaN, synRetransmits: NaN };
  }
}

/** Microseconds so far during which some runnable task waited for a CPU (Linux PSI; NaN elsewhere). */
function cpuStall() {
  try {
    return Number(readFileSync("/proc/pressure/cpu", "utf8").match(/^some .*total=(\d+)/)[1]);
  } catch {
    return NaN;
  }
}

/** CPU seconds (user + system) a process has used so far (Linux /proc; NaN elsewhere). */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return NaN;
  }
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
  return { proc, url, ask, stop, cpu: () => cpuSeconds(proc.pid) };
}

/** The simulator (own process) and the backend (own process, --expose-gc). */
export async function startStack({ pollShareMs = 1000 } = {}) {
  const simPort = await freePort();
  const sim = child(join(root, "server/simulator-cli.js"), [], { SIM_PORT: String(simPort), SIM_HOST: "127.0.0.1" });
  const simUrl = await sim.url;
  const backend = child(self, ["--serve"], { HOPAE_CLIENT_ID: "demo-client", HOPAE_CLIENT_SECRET: "demo-secret", HOPAE_API_BASE: `${simUrl}/connect/v1`, PORT: "0", DEMO_POLL_SHARE_MS: String(pollShareMs) }, ["--expose-gc", ...(process.env.BENCH_BACKEND_FLAGS ? process.env.BENCH_BACKEND_FLAGS.split(" ") : []), ...(process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [])]);
  const url = await backend.url;
  const control = (path, body) => fetch(`${simUrl}/__sim${path}`, { method: body ? "POST" : "GET", headers: { "Content-Type": "application/json" }, body: body && JSON.stringify(body) }).then((r) => r.json());
  return {
    url,
    control,
    memory: () => backend.ask("memory"),
    /** CPU seconds used so far by each process. */
    cpu: () => {
      const own = process.cpuUsage();
      return { generator: (own.user + own.system) / 1e6, backend: backend.cpu(), simulator: sim.cpu() };
    },
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
  const byKind = { create: [], poll: [] };
  let errors = 0;
  const errorKinds = {};
  return {
    latencies,
    byKind,
    get errors() {
      return errors;
    },
    errorKinds,
    async call(url, method, cookie, body, kind = method === "POST" ? "create" : "poll") {
      const t0 = performance.now();
      try {
        const res = await fetch(url, { method, headers: { ...(cookie ? { Cookie: cookie } : {}), ...(body ? { "Content-Type": "application/json" } : {}) }, body });
        const text = await res.text();
        latencies.push(performance.now() - t0);
        byKind[kind].push(performance.now() - t0);
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
export async function load(stack, n, seconds = 20, { rampSeconds = 3 } = {}) {
  const loadAverage = [loadavg()[0]];
  await stack.control("/config", { autoResolve: { minMs: 5000, maxMs: 60000, outcomes: ["completed", "completed", "completed", "failed"] } });
  await stack.gc();
  const memoryBefore = await stack.memory();
  const rec = recorder();
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const cpuBefore = stack.cpu();
  const tcpBefore = tcpCounters();
  const stallBefore = cpuStall();
  const late = []; // ms between a request's scheduled time and its sending
  const started = Date.now();
  const end = started + seconds * 1000;
  let created = 0;
  const inFlight = new Set();

  async function browser(i) {
    let tick = started + (i / n) * rampSeconds * 1000; // arrivals spread over the ramp
    await sleep(tick - Date.now());
    let current = null; // {id, cookie, done}
    while (tick < end) {
      late.push(Date.now() - tick);
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
  lag.disable();
  const cpuAfter = stack.cpu();
  const tcpAfter = tcpCounters();
  const cpuWaiting = ((cpuStall() - stallBefore) / 1e6 / elapsed) * 100;
  loadAverage.push(loadavg()[0]);
  const cpu = Object.fromEntries(Object.keys(cpuAfter).map((k) => [k, ((cpuAfter[k] - cpuBefore[k]) / elapsed) * 100]));
  late.sort((a, b) => a - b);
  const kinds = {};
  for (const [k, l] of Object.entries(rec.byKind)) {
    l.sort((a, b) => a - b);
    kinds[k] = { count: l.length, p50: percentile(l, 50), p90: percentile(l, 90), p99: percentile(l, 99), max: l.at(-1) ?? NaN };
  }
  const memoryAfter = await stack.memory();
  // "After the load" means after the browsers left: their keep-alive
  // connections (thousands of sockets, parsers and buffers) close once idle
  // for the server's keepAliveTimeout (5 s), and the shared reads (1 s)
  // lapse; then a full GC. Bounded at 15 s.
  const leaving = Date.now();
  let open = memoryAfter.connections;
  while ((open > 0 || Date.now() - leaving < 1100) && Date.now() - leaving < 15_000) {
    await sleep(250);
    open = (await stack.memory()).connections;
  }
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
    rampSeconds,
    cpu, // % of one core per process over the run
    tcp: { listenOverflows: tcpAfter.listenOverflows - tcpBefore.listenOverflows, synRetransmits: tcpAfter.synRetransmits - tcpBefore.synRetransmits }, // whole machine's namespace
    loadAverage, // 1-minute load average at the start and end
    cpuWaiting, // % of the run during which some task on the machine waited for a CPU (PSI)
    kinds,
    generator: { lagP99: lag.percentile(99) / 1e6, lagMax: lag.max / 1e6, lateP99: percentile(late, 99), lateMax: late.at(-1) ?? NaN },
    memoryBefore,
    memoryAfter,
    memoryAfterGc,
    connectionsLeft: open, // backend connections still open when the after-GC figure was taken
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
  const mem = () => {
    const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
    // heapTotal: what V8 holds from the OS for its heap (used or not); the
    // rest of the RSS is native memory (sockets, buffers, code, malloc).
    return { rss, heapUsed, heapTotal, external, newSpace: v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space")?.space_size ?? NaN };
  };
  process.on("message", (m) => {
    if (m.cmd === "gc") {
      globalThis.gc?.();
      globalThis.gc?.();
    }
    demo.server.getConnections((error, connections) => process.send({ ...mem(), connections: error ? NaN : connections }));
  });
  // A normal exit on stop, so --cpu-prof writes its profile.
  process.on("SIGTERM", () => process.exit(0));
  console.log(`backend ${demo.url}`);
} else if (process.argv[1] === self) {
  const n = Number(process.argv[2] ?? 500);
  const seconds = Number(process.argv[3] ?? 20);
  const rampSeconds = Number(process.argv[4] ?? 3);
  const stack = await startStack();
  try {
    console.log(JSON.stringify(await load(stack, n, seconds, { rampSeconds }), null, 2));
  } finally {
    await stack.stop();
  }
}
