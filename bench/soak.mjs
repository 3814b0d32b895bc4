// `npm run soak`: the load runs (N = 500, 2,000 and 5,000 open-loop browsers
// arriving at ARRIVALS_PER_S (100/s), then SOAK_SECONDS (20) steady, against
// the reference backend and the simulator, each in its own process), a flash
// crowd (2,000 browsers arriving within 3 s), the closed-loop knee (on a
// backend that shares no reads, so every poll reaches the simulator), and a
// fault soak in Chromium (50 widgets on one page, 20 % transient faults,
// FAULT_SECONDS (60)). Prints the figures and writes the "Load and soak"
// section of bench/RESULTS.md. Bounded: about 6 minutes in all.
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cpus, totalmem, loadavg } from "node:os";
import { chromium } from "playwright-core";
import { startDemo } from "../server/demo.js";
import { startStack, load, knee } from "./load.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const SECONDS = Number(process.env.SOAK_SECONDS ?? 20);
const FAULT_SECONDS = Number(process.env.FAULT_SECONDS ?? 60);
const SIZES = (process.env.LOAD_SIZES ?? "500,2000,5000").split(",").map(Number);
const ARRIVALS = Number(process.env.ARRIVALS_PER_S ?? 100);
const log = (...a) => console.error("soak:", ...a);
const mb = (b) => `${(b / 2 ** 20).toFixed(1)} MB`;

const loadAtStart = loadavg()[0];
const stack = await startStack();
const loads = [];
let flash;
let kneeResult;
try {
  // Warm-up (JIT, connections, keys), not recorded.
  await load(stack, 50, 3);
  for (const n of SIZES) {
    const rampSeconds = n / ARRIVALS;
    log(`load: ${n} browsers arriving over ${rampSeconds} s, then ${SECONDS} s`);
    loads.push(await load(stack, n, rampSeconds + SECONDS, { rampSeconds }));
    log(JSON.stringify(loads.at(-1)));
  }
  log("flash crowd: 2000 browsers arriving within 3 s");
  flash = await load(stack, 2000, 15, { rampSeconds: 3 });
  log(JSON.stringify(flash));
} finally {
  await stack.stop();
}
// The knee on a backend that shares no reads: one client polls one
// verification back to back, and with the default 1 s sharing all but the
// first poll in a second would be answered without reaching the simulator.
const unshared = await startStack({ pollShareMs: 0 });
try {
  log("closed-loop knee");
  await load(unshared, 50, 3);
  kneeResult = await knee(unshared);
} finally {
  await unshared.stop();
}

log(`fault soak: 50 widgets for ${FAULT_SECONDS} s, 20 % transient faults`);
// 50 widgets polling at once on one page: more bindings than the default 16 per browser.
const demo = await startDemo({ port: 0, wwwRoot: join(root, "bench/site"), simulator: { qrMode: "bankid" }, backend: { maxBindings: 64 } });
const sim = demo.simulator;
sim.config.autoResolve = { minMs: 5000, maxMs: (FAULT_SECONDS - 10) * 1000, outcomes: ["completed", "failed", "expired"] };
for (const fault of [
  { kind: "http", status: 503 },
  { kind: "http", status: 500 },
  { kind: "reset" },
  { kind: "delay", delayMs: 1500 },
  { kind: "rate-limit", retryAfter: 1 },
]) sim.addFault({ op: "any", probability: 0.05, ...fault });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"] });
const context = await browser.newContext();
const page = await context.newPage();
const pageErrors = [];
page.on("pageerror", (e) => pageErrors.push(e.message));
const cdp = await context.newCDPSession(page);
await cdp.send("Network.enable");
await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
await page.goto(`${demo.url}/soak.html`);
await page.waitForFunction(() => window.ready === true);
const deadline = Date.now() + (FAULT_SECONDS + 30) * 1000;
while (Date.now() < deadline) {
  const done = await page.evaluate(() => window.widgets.every((w) => w.events.some((e) => e.type !== "hopae-initiated")));
  if (done) break;
  await new Promise((r) => setTimeout(r, 2000));
}
await new Promise((r) => setTimeout(r, 4000)); // anything after a terminal event would show now
const widgets = await page.evaluate(() => window.widgets.map((w) => w.events.map(({ type, detail, at }) => ({ type, id: detail.verificationId, code: detail.code, at }))));
const EXPECTED = { completed: "hopae-completed", failed: "hopae-failed", expired: "hopae-expired" };
const problems = [];


widgets.forEach((events, i) => {
  const terminal = events.filter((e) => e.type !== "hopae-initiated");
  if (terminal.length !== 1) return problems.push(`widget ${i}: ${terminal.length} terminal events`);
  const [end] = terminal;
  const id = events.find((e) => e.type === "hopae-initiated")?.id;
  const session = id && sim.sessions.get(id);
  if (!session) return problems.push(`widget ${i}: ended with ${end.type} (${end.code}) before a verification existed`);
  const want = EXPECTED[session.status];
  if (end.type !== want) problems.push(`widget ${i}: ${end.type} (${end.code ?? ""}) but the verification is ${session.status}`);
  else if (want === "hopae-failed" && end.code !== "USER_DECLINED") problems.push(`widget ${i}: failed with ${end.code}, not the verification's own USER_DECLINED`);
  const late = sim.requests.filter((r) => r.path.endsWith(id) && r.at > end.at).length;
  if (late) problems.push(`widget ${i}: ${late} requests after its terminal event`);
});
const requestCount = sim.requests.length;

await browser.close();
await demo.close();
const outcomes = widgets.map((e) => e.find((x) => x.type !== "hopae-initiated")?.type ?? "none").reduce((m, t) => ({ ...m, [t]: (m[t] ?? 0) + 1 }), {});

const within = (l, k = "rss") => ((l.memoryAfterGc[k] - l.memoryBefore[k]) / l.memoryBefore[k]) * 100;
const pct = (v) => `${v >= 0 ? "+" : ""}${v.toFixed(0)} %`;
const ms = (v) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
const at2000 = loads.find((l) => l.n === 2000);
const row = (l, label) =>
  `| ${label} | ${l.rps.toFixed(0)} | ${ms(l.p50)} / ${ms(l.p99)} | ${ms(l.kinds.create.p50)} / ${ms(l.kinds.create.p99)} | ${ms(l.kinds.poll.p50)} / ${ms(l.kinds.poll.p99)} | ${l.errors}${l.errors ? ` (${Object.entries(l.errorKinds).map(([k, v]) => `${v}× ${k}`).join(", ")})` : ""} | ${l.created} | ${l.cpu.backend.toFixed(0)} / ${l.cpu.simulator.toFixed(0)} / ${l.cpu.generator.toFixed(0)} % | ${ms(l.generator.lagP99)} / ${ms(l.generator.lateP99)} | ${l.loadAverage.map((v) => v.toFixed(1)).join(" → ")}, ${l.cpuWaiting.toFixed(0)} % | ${l.tcp.listenOverflows} / ${l.tcp.synRetransmits} | ${mb(l.memoryBefore.rss)} → ${mb(l.memoryAfter.rss)} → ${mb(l.memoryAfterGc.rss)} (${pct(within(l))}) | ${mb(l.memoryBefore.heapUsed)} → ${mb(l.memoryAfter.heapUsed)} → ${mb(l.memoryAfterGc.heapUsed)} (${pct(within(l, "heapUsed"))}) |`;
const report = `## Load and soak

Run on ${new Date().toISOString().slice(0, 10)} with \`npm run soak\` on ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, 1-minute load average ${loadAtStart.toFixed(1)} at the start and ${loadavg()[0].toFixed(1)} at the end (other work shared the machine): the reference backend (demo server configured for a "real" Hopae, \`--expose-gc\`) and the Hopae simulator each in their own process, the simulated browsers in a third, all on loopback. Open loop: each browser creates a verification, then polls every 3 s on a fixed schedule (without waiting for the previous answer) and starts a new one when it ends; the simulator ends each after 5–60 s. Browsers arrive at ${ARRIVALS} a second (so 2,000 arrive over 20 s), then ${SECONDS} s more; latency is counted over the whole run; a 3 s warm-up run first. The flash-crowd row has 2,000 browsers arriving within 3 s (667 creates a second), 15 s in all. Memory is the backend process's: before the run (after GC), right after it, and after a forced GC.

Columns: CPU is each process's share of one core over the run (backend / simulator / load generator); "gen. lag / late" is the generator's own event-loop delay p99 and how late it sent requests against their schedule (p99), so a slow generator shows; "machine" is the 1-minute load average at the start → end of the row and the share of the run during which some task on the machine waited for a CPU (Linux PSI); "overflows / SYN rtx" are the kernel's accept-queue overflows and SYN retransmissions during the row.

| browsers | req/s | p50 / p99 ms | create p50 / p99 | poll p50 / p99 | errors | verifications | CPU b / s / g | gen. lag / late ms | machine | overflows / SYN rtx | RSS before → after → after GC | heap used before → after → after GC |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${loads.map((l) => row(l, String(l.n))).join("\n")}
${row(flash, "2000, flash crowd")}

Targets: 2,000 browsers with p99 < 50 ms and 0 errors: ${at2000 ? (at2000.p99 < 50 && at2000.errors === 0 ? `met (p99 ${ms(at2000.p99)} ms, 0 errors)` : `missed (p99 ${ms(at2000.p99)} ms, ${at2000.errors} errors)`) : "not run"}. Memory back within 20 % of the start after each load: heap used ${loads.every((l) => within(l, "heapUsed") <= 20) ? "met" : `missed (${loads.filter((l) => within(l, "heapUsed") > 20).map((l) => `${l.n}: ${pct(within(l, "heapUsed"))}`).join(", ")})`}; RSS ${loads.every((l) => within(l) <= 20) ? "met" : `missed (${loads.filter((l) => within(l) > 20).map((l) => `${l.n}: ${pct(within(l))}`).join(", ")})`}.

Closed loop (C clients each polling its own verification back to back, 3 s per step, on a backend that shares no reads, so every poll is a read at the simulator): ${kneeResult.steps.map((s) => `C=${s.clients}: ${s.rps.toFixed(0)} req/s, p99 ${s.p99.toFixed(1)} ms`).join("; ")}. Knee (highest rate with p99 ≤ 100 ms): ${kneeResult.knee.toFixed(0)} req/s${kneeResult.firstOver ? `; p99 passes 100 ms at ${kneeResult.firstOver.rps.toFixed(0)} req/s (C=${kneeResult.firstOver.clients})` : " (p99 stayed under 100 ms up to C=256)"}.

Fault soak in Chromium: 50 widgets on one page for up to ${FAULT_SECONDS + 30} s, the simulator failing ~20 % of all requests (5 % each: HTTP 503, HTTP 500, connection reset, 429 with Retry-After, plus 5 % delayed 1.5 s) and ending each verification as completed, failed or expired at a random time. ${requestCount} API requests. Outcomes: ${Object.entries(outcomes).map(([k, v]) => `${v} ${k}`).join(", ")}. Problems (widgets without exactly one terminal event, with the wrong one, or with requests after it): ${problems.length ? problems.join("; ") : "none"}. Uncaught page errors: ${pageErrors.length ? pageErrors.join("; ") : "none"}.
`;
console.log(report);
const path = join(root, "bench/RESULTS.md");
const current = existsSync(path) ? readFileSync(path, "utf8") : "";
const [kept, section = ""] = current.split(/\n## Load and (?:fault )?soak\n/);
// The hand-written "### Findings" under the table (the investigation behind it) stays.
const findings = section.match(/\n### Findings\n[\s\S]*?(?=\n## |$)/)?.[0].trimEnd() ?? "";
writeFileSync(path, `${kept.trimEnd()}\n\n${report}${findings ? `${findings}\n` : ""}`);
if (problems.length || pageErrors.length) process.exitCode = 1;
