// Load: N simulated browsers against the reference backend + simulator (one
// child process, `node server/demo.js`, on loopback). Each browser keeps its
// cookies, creates a verification, polls every 3 s until it ends, then starts
// the next one, for the whole window; the simulator completes (or fails) each
// verification by itself after a random 5–60 s. Reports requests/s,
// p50/p99 latency, errors, the verifications completed by the simulator but
// never seen completed by their browser (must be 0), and the server's memory.
// Used by bench/soak.mjs (`npm run soak`); alone: `node bench/load.mjs 500`.
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts the demo server in its own process; resolves to {url, stop}. */
export async function startServer() {
  const child = spawn(process.execPath, [join(root, "server/demo.js")], {
    env: { ...process.env, PORT: "0", SIM_QR_MODE: "bankid", HOPAE_CLIENT_ID: "", HOPAE_CLIENT_SECRET: "", HOPAE_API_BASE: "" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/Demo: (http:\/\/[\d.:]+)\//);
      if (m) resolve(m[1]);
    });
    child.on("exit", (code) => reject(new Error(`demo server exited with ${code}`)));
  });
  return { url, stop: () => new Promise((r) => { child.once("exit", r); child.kill(); }) };
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

/** Runs N browsers for `seconds`; resolves to the figures. */
export async function load(n, seconds = 120) {
  const server = await startServer();
  const control = (path, body) => fetch(`${server.url}/__sim${path}`, { method: body ? "POST" : "GET", headers: { "Content-Type": "application/json" }, body: body && JSON.stringify(body) }).then((r) => r.json());
  await control("/config", { autoResolve: { minMs: 5000, maxMs: 60000, outcomes: ["completed", "completed", "completed", "failed"] } });
  const memoryBefore = (await control("/summary")).memory;
  const latencies = [];
  let requests = 0;
  let errors = 0;
  const seen = new Map(); // verificationId -> last status seen by its browser
  const started = Date.now();
  const end = started + seconds * 1000;

  async function call(method, path, cookie, body) {
    const t0 = performance.now();
    requests++;
    try {
      const res = await fetch(server.url + path, {
        method,
        headers: { ...(cookie ? { Cookie: cookie } : {}), ...(body ? { "Content-Type": "application/json" } : {}) },
        body,
      });
      const text = await res.text();
      latencies.push(performance.now() - t0);
      if (!res.ok) {
        errors++;
        return null;
      }
      return { json: JSON.parse(text), cookie: res.headers.getSetCookie()[0]?.split(";")[0] };
    } catch {
      errors++;
      return null;
    }
  }

  /** One user after another at one browser slot, until the window ends. */
  async function browser(i) {
    await sleep((i / n) * 3000); // arrivals spread over the first 3 s
    while (Date.now() < end) {
      const created = await call("POST", "/api/verifications", null, '{"providerId":"bankidse"}');
      if (!created) {
        await sleep(3000);
        continue;
      }
      const id = created.json.verificationId;
      seen.set(id, created.json.status);
      while (Date.now() < end) {
        await sleep(3000);
        const status = await call("GET", `/api/verifications/${id}`, created.cookie);
        if (status) seen.set(id, status.json.status);
        if (["completed", "failed", "expired", "cancelled"].includes(seen.get(id))) break;
      }
    }
  }

  await Promise.all(Array.from({ length: n }, (_, i) => browser(i)));
  const elapsed = (Date.now() - started) / 1000;
  const { verifications } = await control("/verifications");
  // Completed at least one poll interval (plus slack) before the browsers stopped: each must have been seen.
  const completedBySimulator = verifications.filter((v) => v.status === "completed" && Date.parse(v.verifiedAt) < end - 3500);
  const unseen = completedBySimulator.filter((v) => seen.get(v.verificationId) !== "completed").length;
  const memoryAfter = (await control("/summary")).memory;
  await server.stop();
  latencies.sort((a, b) => a - b);
  return {
    n,
    seconds: elapsed,
    requests,
    rps: requests / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors,
    created: verifications.length,
    completed: completedBySimulator.length,
    unseen,
    memoryBefore,
    memoryAfter,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const n = Number(process.argv[2] ?? 500);
  const seconds = Number(process.argv[3] ?? 120);
  console.log(JSON.stringify(await load(n, seconds), null, 2));
}
