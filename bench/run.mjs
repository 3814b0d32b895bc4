// `npm run bench`: our widget against the plain-JS approach of the guide
// (its polling snippet + the `qrcode` package), side by side in one run, in
// Debian's Chromium against the simulator on loopback. Prints one markdown
// table (medians, min–max) and writes it to bench/RESULTS.md.
//
// Measures: bytes until the QR is painted (raw, gzip -9, brotli), time to QR
// (cold and warm, 30 runs each, alternating), QR encode + paint (1,000 codes),
// main-thread busy time while polling, memory after 1,000 mount/destroy
// cycles, and requests per verification over 60 s and after destroy.
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem, platform, release } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { build } from "esbuild";
import { chromium } from "playwright-core";
import { startDemo } from "../server/demo.js";
import { formatBreakdown, traceIdle } from "./idle-trace.mjs";
import { measureCls } from "./cls.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const CODES = Number(process.env.BENCH_CODES ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const CHUNKS = Number(process.env.BENCH_CHUNKS ?? 10);
const CYCLES = Number(process.env.BENCH_CYCLES ?? 1000);
const WINDOW_S = Number(process.env.BENCH_REQUEST_SECONDS ?? 60);
const IDLE_S = Number(process.env.BENCH_IDLE_SECONDS ?? 30);
const IDLE_ROUNDS = Number(process.env.BENCH_IDLE_ROUNDS ?? 5);
const log = (...a) => console.error("bench:", ...a);
// BENCH_ONLY=paint,idle runs just those parts (bytes, cold, mount, paint, idle,
// memory, cls), prints their rows and leaves bench/RESULTS.md alone; the
// default is the full run, which rewrites the table in bench/RESULTS.md.
const PARTS = ["bytes", "cold", "mount", "paint", "idle", "memory", "cls"];
const ONLY = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(",").map((s) => s.trim()).filter(Boolean) : PARTS;
for (const part of ONLY) if (!PARTS.includes(part)) throw new Error(`BENCH_ONLY: unknown part ${part} (parts: ${PARTS.join(", ")})`);
const FULL = PARTS.every((part) => ONLY.includes(part));
const runs = (part) => ONLY.includes(part);

// ---- the baseline, built the same way as ours --------------------------------
await build({
  entryPoints: [join(root, "bench/baseline/baseline.js")],
  outfile: join(root, "bench/site/baseline.bundle.js"),
  bundle: true,
  format: "esm",
  minify: true,
  target: "es2020",
  legalComments: "none",
  logLevel: "warning",
});

const demo = await startDemo({ port: 0, wwwRoot: join(root, "bench/site"), simulator: { qrMode: "bankid" } });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic", "--js-flags=--expose-gc"],
});
const chromiumVersion = browser.version();

async function open(impl) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  const loaded = [];
  page.on("response", (r) => loaded.push(new URL(r.url()).pathname));
  await page.goto(`${demo.url}/${impl}.html`);
  await page.waitForFunction(() => window.ready === true && typeof window.timeToQr === "function");
  return { page, context, cdp, loaded };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const stats = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });
const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "–");
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const range = (s, digits = 1, unit = "") => `${fmt(s.median, digits)}${unit} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`;

function sizes(files) {
  let raw = 0, gzip = 0, brotli = 0;
  for (const file of files) {
    const bytes = readFileSync(file);
    raw += bytes.length;
    gzip += gzipSync(bytes, { level: 9 }).length;
    brotli += brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  }
  return { raw, gzip, brotli };
}

const results = {};
try {
  // 1. Bytes: what each page loads until its first QR is painted.
  if (runs("bytes")) {
  log("bytes");
  const bytes = {};
  // Ours: the files of dist/ a cold page requested before its first QR pixels
  // (resource timing start ≤ window.qrAt, bench/site/probe.js), and what it
  // requests after (the widget's module, once the first QR is painted).
  for (const [impl, file] of [["ours", "cold-es.html"], ["dropin", "cold-dropin.html"]]) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
    await page.goto(`${demo.url}/${file}`);
    await page.waitForFunction(() => window.qrAt, null, { timeout: 20_000, polling: 100 });
    // (Once the widget has taken over: its card's canvas is painted.)
    await page.waitForFunction(() => document.querySelector("#verify, [data-hopae-verify]")?.shadowRoot?.querySelector(".hopae-verify-qr:not([hidden])"), null, { timeout: 20_000, polling: 100 });
    const entries = await page.evaluate(() => performance.getEntriesByType("resource").map((e) => [new URL(e.name).pathname, e.startTime <= window.qrAt]));
    const dist = (early) => [...new Set(entries.filter(([p, before]) => p.startsWith("/dist/") && before === early).map(([p]) => p.slice(6)))];
    bytes[impl] = { ...sizes(dist(true).map((f) => join(root, "dist", f))), files: dist(true), after: { ...sizes(dist(false).map((f) => join(root, "dist", f))), files: dist(false) } };
    await context.close();
  }
  {
    const { page, context, loaded } = await open("baseline");
    await page.evaluate(() => window.timeToQr());
    const files = [...new Set(loaded)].filter((p) => p === "/baseline.bundle.js").map((p) => join(root, "bench/site", p.slice(1)));
    bytes.baseline = { ...sizes(files), files: files.map((f) => f.split("/").pop()) };
    await context.close();
  }
  results.bytes = bytes;
  }

  // 2a. Time to QR, cold: a fresh context (nothing cached or compiled) opens a
  // page that mounts at once; ms from navigation start to the first QR pixels
  // (bench/site/probe.js records it at the draw call). The three pages take
  // turns in each round, so machine noise hits them alike.
  if (runs("cold")) {
  log(`time to QR cold, ${RUNS} rounds of ES entry / drop-in / plain JS`);
  const coldPages = { es: "cold-es.html", dropin: "cold-dropin.html", baseline: "cold-baseline.html" };
  const coldRuns = { es: [], dropin: [], baseline: [] };
  const coldCard = {};
  const order = Object.keys(coldPages);
  for (let i = 0; i < RUNS; i++) {
    for (let k = 0; k < order.length; k++) {
      const impl = order[(i + k) % order.length];
      const context = await browser.newContext();
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send("Network.enable");
      await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
      await page.goto(`${demo.url}/${coldPages[impl]}`);
      const handle = await page.waitForFunction(() => window.qrAt, null, { timeout: 20_000, polling: 100 });
      coldRuns[impl].push(await handle.jsonValue());
      if (impl !== "baseline") {
        const card = await page.waitForFunction(() => window.cardAt, null, { timeout: 20_000, polling: 100 });
        (coldCard[impl] ??= []).push(await card.jsonValue());
      }
      await context.close();
    }
  }
  results.coldNav = Object.fromEntries(order.map((impl) => [impl, stats(coldRuns[impl])]));
  results.coldCard = Object.fromEntries(Object.entries(coldCard).map(([impl, xs]) => [impl, stats(xs)]));
  }

  // 2b. mount() -> QR with the modules already imported (the wasm loads on
  // first use: cold), then again (warm).
  if (runs("mount")) {
  log(`mount -> QR, ${RUNS} runs each`);
  const cold = { ours: [], baseline: [] };
  const warm = { ours: [], baseline: [] };
  for (let i = 0; i < RUNS; i++) {
    for (const impl of i % 2 ? ["baseline", "ours"] : ["ours", "baseline"]) {
      const { page, context } = await open(impl);
      cold[impl].push(await page.evaluate(() => window.timeToQr()));
      warm[impl].push(await page.evaluate(() => window.timeToQr()));
      await context.close();
    }
  }
  results.cold = { ours: stats(cold.ours), baseline: stats(cold.baseline) };
  results.warm = { ours: stats(warm.ours), baseline: stats(warm.baseline) };
  }

  // 3. Encode + paint: ROUNDS rounds of CODES / ROUNDS codes per side (both
  // pages open), after one untimed warm-up round; within a round the two take
  // turns in CHUNKS slices, so a burst of machine load lands on both: the
  // median of the rounds, and the smallest per-round ratio.
  if (runs("paint")) {
  log(`encode + paint, ${ROUNDS} interleaved rounds (${CHUNKS} turns each), ${CODES} codes each side`);
  const encodePages = { ours: await open("ours"), baseline: await open("baseline") };
  const perRound = { ours: [], baseline: [], ratio: [] };
  const per = Math.max(1, Math.round(CODES / ROUNDS));
  const slice = Math.max(1, Math.round(per / CHUNKS));
  const round = async (i) => {
    const ms = { ours: 0, baseline: 0 };
    for (let c = 0; c < CHUNKS; c++) {
      for (const impl of (i + c) % 2 ? ["baseline", "ours"] : ["ours", "baseline"]) ms[impl] += await encodePages[impl].page.evaluate((n) => window.encodePaint(n), slice);
    }
    return { ours: ms.ours / CHUNKS, baseline: ms.baseline / CHUNKS };
  };
  // One untimed round first, the same for both: the first codes measure the
  // engines compiling (the wasm's optimizing tier, qrcode's JIT), not the work.
  const warm = await round(0);
  log(`encode + paint warm-up round (not counted; ms per code, ours / baseline): ${warm.ours.toFixed(3)} / ${warm.baseline.toFixed(3)} = ${(warm.baseline / warm.ours).toFixed(2)}×`);
  for (let i = 0; i < ROUNDS; i++) {
    const ms = await round(i);
    perRound.ours.push(ms.ours);
    perRound.baseline.push(ms.baseline);
    perRound.ratio.push(ms.baseline / ms.ours);
  }
  for (const { context } of Object.values(encodePages)) await context.close();
  results.encode = { ours: median(perRound.ours), baseline: median(perRound.baseline), ratio: stats(perRound.ratio) };
  log(`encode + paint per round (ms per code, ours / baseline = ratio): ${perRound.ratio.map((x, i) => `${perRound.ours[i].toFixed(3)} / ${perRound.baseline[i].toFixed(3)} = ${x.toFixed(2)}×`).join(", ")}`);
  }

  // 4 + 6. Idle cost and requests: one verification per page, polling every 3 s.
  if (runs("idle")) {
  log(`idle cost over ${IDLE_S} s in ${IDLE_ROUNDS} rounds and requests over ${WINDOW_S} s`);
  // Rounds of fresh page pairs (the mount order alternating), each measured
  // over the same IDLE_S window; the row is each side's median over the
  // rounds. One window of ten polls swung 1.1x-1.5x run to run on an idle
  // machine (first polls on cold code, a GC landing in one page's window).
  // The last round's pages go on to the request window and the trace.
  const perRound = { ours: [], baseline: [] };
  let pages, idOf, t0;
  for (let round = 0; round < IDLE_ROUNDS; round++) {
    const order = round % 2 ? ["baseline", "ours"] : ["ours", "baseline"];
    pages = {};
    idOf = {};
    for (const impl of order) {
      pages[impl] = await open(impl);
      await pages[impl].cdp.send("Performance.enable");
    }
    for (const impl of order) {
      const known = new Set(demo.simulator.sessions.keys());
      await pages[impl].page.evaluate(() => window.mountOne());
      while (!idOf[impl]) {
        idOf[impl] = [...demo.simulator.sessions.keys()].find((id) => !known.has(id));
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    await new Promise((r) => setTimeout(r, 1000));
    const metric = async (impl) => Object.fromEntries((await pages[impl].cdp.send("Performance.getMetrics")).metrics.map((m) => [m.name, m.value]));
    const before = {};
    for (const impl of order) before[impl] = await metric(impl);
    t0 = Date.now();
    await new Promise((r) => setTimeout(r, IDLE_S * 1000));
    for (const impl of order) {
      const after = await metric(impl);
      const perMinute = 60 / ((Date.now() - t0) / 1000);
      // TaskDuration is wall-clock time: a task preempted by another process
      // (this machine is shared) grows. ThreadTime is the main thread's CPU
      // time over the same window, which that load does not inflate.
      perRound[impl].push({
        task: (after.TaskDuration - before[impl].TaskDuration) * 1000 * perMinute,
        script: (after.ScriptDuration - before[impl].ScriptDuration) * 1000 * perMinute,
        cpu: (after.ThreadTime - before[impl].ThreadTime) * 1000 * perMinute,
      });
    }
    log(`idle round ${round + 1} (tasks / CPU ms per minute, ours vs baseline): ${perRound.ours.at(-1).task.toFixed(1)} / ${perRound.ours.at(-1).cpu.toFixed(1)} vs ${perRound.baseline.at(-1).task.toFixed(1)} / ${perRound.baseline.at(-1).cpu.toFixed(1)}`);
    if (round < IDLE_ROUNDS - 1) {
      for (const impl of order) {
        await pages[impl].page.evaluate(() => window.kept.destroy());
        await pages[impl].context.close();
      }
    }
  }
  results.idle = {};
  for (const impl of ["ours", "baseline"]) {
    const of = (key) => median(perRound[impl].map((r) => r[key]));
    results.idle[impl] = { task: of("task"), script: of("script"), cpu: of("cpu") };
  }
  await new Promise((r) => setTimeout(r, Math.max(0, WINDOW_S * 1000 - (Date.now() - t0))));
  const windowEnd = Date.now();
  const count = (id, from, to) => demo.simulator.requests.filter((r) => r.method === "GET" && r.path.endsWith(id) && r.at >= from && r.at < to).length;
  results.requests = {};
  for (const impl of ["ours", "baseline"]) results.requests[impl] = { window: count(idOf[impl], t0, windowEnd) };
  // The same pages, traced together after the window (bench/idle-trace.mjs).
  const traced = await traceIdle([pages.ours.page, pages.baseline.page], Math.min(IDLE_S, 20));
  results.trace = { ours: traced[0], baseline: traced[1] };
  for (const impl of ["ours", "baseline"]) log(`idle trace, ${impl}: self time by event (ms per minute): ${formatBreakdown(results.trace[impl].selfBreakdown)}`);
  for (const impl of ["ours", "baseline"]) await pages[impl].page.evaluate(() => window.kept.destroy());
  const destroyedAt = Date.now();
  await new Promise((r) => setTimeout(r, 10_000));
  for (const impl of ["ours", "baseline"]) {
    results.requests[impl].afterDestroy = count(idOf[impl], destroyedAt, Date.now());
    await pages[impl].context.close();
  }
  // The status worker's start, once per page after its first create answers
  // (outside the windows above, which begin 1 s after mount): main-thread
  // CPU and tasks from `new Worker` until it says it is ready, less the same
  // page's idle cost over as long, in fresh pages.
  const starts = { cpu: [], task: [], ready: [] };
  for (let i = 0; i < 5; i++) {
    const { page, context, cdp } = await open("ours");
    await cdp.send("Performance.enable");
    await new Promise((r) => setTimeout(r, 1000));
    const metric = async () => Object.fromEntries((await cdp.send("Performance.getMetrics")).metrics.map((m) => [m.name, m.value]));
    // The idle interval has the same shape: an evaluate round trip, then the rest of 500 ms.
    const idle0 = await metric();
    const i0 = Date.now();
    await page.evaluate(() => 0);
    await new Promise((r) => setTimeout(r, 500 - (Date.now() - i0)));
    const before = await metric();
    const t0 = Date.now();
    const idleMs = t0 - i0;
    starts.ready.push(await page.evaluate(() => new Promise((resolve) => {
      const t0 = performance.now();
      const worker = new Worker("/dist/poll-worker.js");
      worker.onmessage = () => resolve(performance.now() - t0);
    })));
    await new Promise((r) => setTimeout(r, 500 - (Date.now() - t0)));
    const after = await metric();
    // Less the page's idle cost, scaled to this interval's length.
    const scale = (Date.now() - t0) / idleMs;
    starts.cpu.push((after.ThreadTime - before.ThreadTime - (before.ThreadTime - idle0.ThreadTime) * scale) * 1000);
    starts.task.push((after.TaskDuration - before.TaskDuration - (before.TaskDuration - idle0.TaskDuration) * scale) * 1000);
    await context.close();
  }
  results.workerStart = { cpu: median(starts.cpu), task: median(starts.task), ready: median(starts.ready) };
  }

  // 5. Memory: JS heap (after a forced GC) and wasm memory, after 10 and after 1,000 cycles.
  if (runs("memory")) {
  log(`memory, ${CYCLES} mount/destroy cycles`);
  results.memory = {};
  for (const impl of ["ours", "baseline"]) {
    const { page, context, cdp } = await open(impl);
    const heap = async () => {
      await cdp.send("HeapProfiler.collectGarbage");
      return (await cdp.send("Runtime.getHeapUsage")).usedSize;
    };
    // Until no request is in flight, twice in a row 200 ms apart (a cancel follows a create's answer).
    const settled = async () => {
      await page.waitForFunction(() => window.inflight === 0, null, { timeout: 60_000, polling: 50 });
      await page.waitForFunction(() => { const idle = window.inflight === 0 && window.wasIdle; window.wasIdle = window.inflight === 0; return idle; }, null, { timeout: 60_000, polling: 200 });
      return { heap: await heap(), wasm: await page.evaluate(() => window.impl.memoryBytes()) };
    };
    await page.evaluate(() => window.cycles(10));
    const at10 = await settled();
    await page.evaluate((n) => window.cycles(n), CYCLES - 10);
    const atEnd = await settled();
    await page.evaluate((n) => window.cycles(n), CYCLES);
    const atDouble = await settled();
    results.memory[impl] = { at10, atEnd, atDouble };
    await context.close();
  }
  }

  // 7. Layout shift with the wasm and the create request each delayed 1.5 s (bench/cls.mjs).
  if (runs("cls")) {
  log("layout shift");
  results.cls = { es: await measureCls(browser, demo.url, "es"), dropin: await measureCls(browser, demo.url, "dropin") };
  }
} finally {
  await browser.close();
  await demo.close();
}

// ---- report -------------------------------------------------------------------
const r = results;
const ratio = (a, b) => (b ? `${(a / b).toFixed(2)}×` : "–");
const expected = Math.ceil(WINDOW_S / 3);
const rows = [
  ["bytes", () => ["Bytes until QR, ES module (raw / gzip / brotli)", `${kb(r.bytes.ours.raw)} / ${kb(r.bytes.ours.gzip)} / ${kb(r.bytes.ours.brotli)}`, `${kb(r.bytes.baseline.raw)} / ${kb(r.bytes.baseline.gzip)} / ${kb(r.bytes.baseline.brotli)}`, `≤ 24 KB brotli: ${r.bytes.ours.brotli <= 24 * 1024 ? "met" : "missed"}`]],
  ["bytes", () => ["Bytes until QR, drop-in (raw / gzip / brotli)", `${kb(r.bytes.dropin.raw)} / ${kb(r.bytes.dropin.gzip)} / ${kb(r.bytes.dropin.brotli)}`, `${kb(r.bytes.baseline.raw)} / ${kb(r.bytes.baseline.gzip)} / ${kb(r.bytes.baseline.brotli)}`, `≤ 24 KB brotli: ${r.bytes.dropin.brotli <= 24 * 1024 ? "met" : "missed"}`]],
  ["bytes", () => [`Bytes after the first QR, the widget's module (raw / gzip / brotli: ${r.bytes.ours.after.files.join(", ")})`, `${kb(r.bytes.ours.after.raw)} / ${kb(r.bytes.ours.after.gzip)} / ${kb(r.bytes.ours.after.brotli)}`, "–", ""]],
  ["cold", () => [`Time to QR cold, ES entry: navigation → QR (ms, median (min–max), ${RUNS} rounds)`, range(r.coldNav.es), range(r.coldNav.baseline), `≤ 1.0× baseline: ${ratio(r.coldNav.es.median, r.coldNav.baseline.median)} ${r.coldNav.es.median <= r.coldNav.baseline.median ? "met" : "missed"}`]],
  ["cold", () => [`Time to QR cold, drop-in: navigation → QR (ms, median (min–max), ${RUNS} rounds)`, range(r.coldNav.dropin), range(r.coldNav.baseline), `≤ 1.0× baseline: ${ratio(r.coldNav.dropin.median, r.coldNav.baseline.median)} ${r.coldNav.dropin.median <= r.coldNav.baseline.median ? "met" : "missed"}`]],
  ["cold", () => [`Time to the widget's card (its own QR painted, texts, buttons, polling), cold: navigation → card (ms, median (min–max); ES / drop-in)`, `${range(r.coldCard.es)} / ${range(r.coldCard.dropin)}`, "–", ""]],
  ["mount", () => [`mount() → QR, modules imported, wasm on first use (ms, ${RUNS} runs)`, range(r.cold.ours), range(r.cold.baseline), ratio(r.cold.ours.median, r.cold.baseline.median)]],
  ["mount", () => [`mount() → QR, warm (ms, median (min–max), ${RUNS} runs)`, range(r.warm.ours), range(r.warm.baseline), `≤ 1.0× baseline: ${ratio(r.warm.ours.median, r.warm.baseline.median)} ${r.warm.ours.median <= r.warm.baseline.median ? "met" : "missed"}`]],
  ["paint", () => [`QR encode + paint (ms per code, median of ${ROUNDS} interleaved rounds of ${Math.round(CODES / ROUNDS)}, taking ${CHUNKS} turns each, after a warm-up round)`, fmt(r.encode.ours, 3), fmt(r.encode.baseline, 3), `≥ 3× faster in every round: median ${r.encode.ratio.median.toFixed(2)}×, lowest ${r.encode.ratio.min.toFixed(2)}× ${r.encode.ratio.min >= 3 ? "met" : "missed"}`]],
  ["idle", () => [`Main-thread busy while polling (ms per minute: tasks / script, Performance metrics, median of ${IDLE_ROUNDS} rounds of ${IDLE_S} s)`, `${fmt(r.idle.ours.task)} / ${fmt(r.idle.ours.script)}`, `${fmt(r.idle.baseline.task)} / ${fmt(r.idle.baseline.script)}`, `≤ 1.0× baseline: ${ratio(r.idle.ours.task, r.idle.baseline.task)} ${r.idle.ours.task <= r.idle.baseline.task ? "met" : "missed"}`]],
  ["idle", () => [`Main-thread CPU while polling (ms per minute, Performance metrics ThreadTime, same ${IDLE_ROUNDS} windows)`, fmt(r.idle.ours.cpu), fmt(r.idle.baseline.cpu), `≤ 1.0× baseline: ${ratio(r.idle.ours.cpu, r.idle.baseline.cpu)} ${r.idle.ours.cpu <= r.idle.baseline.cpu ? "met" : "missed"}`]],
  ["idle", () => ["Main thread while polling, trace (tasks ms per minute, wall / CPU; largest parts)", `${fmt(r.trace.ours.tasksPerMinute)} / ${fmt(r.trace.ours.cpuPerMinute)} (${formatBreakdown(r.trace.ours.breakdown.slice(0, 3))})`, `${fmt(r.trace.baseline.tasksPerMinute)} / ${fmt(r.trace.baseline.cpuPerMinute)} (${formatBreakdown(r.trace.baseline.breakdown.slice(0, 3))})`, `≤ 1.0× baseline: ${ratio(r.trace.ours.tasksPerMinute, r.trace.baseline.tasksPerMinute)} ${r.trace.ours.tasksPerMinute <= r.trace.baseline.tasksPerMinute ? "met" : "missed"} (CPU ${ratio(r.trace.ours.cpuPerMinute, r.trace.baseline.cpuPerMinute)})`]],
  ["cls", () => ["Layout shift, wasm and create each delayed 1.5 s (CLS; text below: px while loading → with QR)", `ES ${r.cls.es.cls.toFixed(4)} (${r.cls.es.before.toFixed(0)} → ${r.cls.es.after.toFixed(0)}), drop-in ${r.cls.dropin.cls.toFixed(4)} (${r.cls.dropin.before.toFixed(0)} → ${r.cls.dropin.after.toFixed(0)})`, "–", `0: ${r.cls.es.cls === 0 && r.cls.dropin.cls === 0 ? "met" : "missed"}`]],
  ["memory", () => [`JS heap after 10 → ${CYCLES} → ${2 * CYCLES} mount/destroy cycles, requests settled (after GC)`, `${kb(r.memory.ours.at10.heap)} → ${kb(r.memory.ours.atEnd.heap)} → ${kb(r.memory.ours.atDouble.heap)}`, `${kb(r.memory.baseline.at10.heap)} → ${kb(r.memory.baseline.atEnd.heap)} → ${kb(r.memory.baseline.atDouble.heap)}`, `growth ≤ 1 MB: ${r.memory.ours.atDouble.heap - r.memory.ours.at10.heap <= 1024 * 1024 ? "met" : "missed"}`]],
  ["memory", () => [`Wasm memory after 10 → ${CYCLES} → ${2 * CYCLES} cycles, requests settled`, `${kb(r.memory.ours.at10.wasm)} → ${kb(r.memory.ours.atEnd.wasm)} → ${kb(r.memory.ours.atDouble.wasm)}`, "–", `no growth over the second ${CYCLES}: ${r.memory.ours.atDouble.wasm <= r.memory.ours.atEnd.wasm ? "met" : "missed"}`]],
  ["idle", () => [`Status requests in ${WINDOW_S} s at a 3 s interval`, String(r.requests.ours.window), String(r.requests.baseline.window), `${expected} ± 1: ${Math.abs(r.requests.ours.window - expected) <= 1 ? "met" : "missed"}`]],
  ["idle", () => ["Starting the status worker, once per page after the create answers, not in the windows above (main-thread CPU / tasks ms, and ms until ready; median of 5 pages)", `${fmt(r.workerStart.cpu)} / ${fmt(r.workerStart.task)} (ready after ${fmt(r.workerStart.ready)})`, "–", ""]],
  ["idle", () => ["Requests in 10 s after destroy", String(r.requests.ours.afterDestroy), String(r.requests.baseline.afterDestroy), `zero: ${r.requests.ours.afterDestroy === 0 ? "met" : "missed"}`]],
];
const machine = `${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${platform()} ${release()}, Node ${process.version}, Chromium ${chromiumVersion}`;
const table = [
  "| measure | hopae-connect-widget | guide snippet + qrcode 1.5.4 | target |",
  "| --- | --- | --- | --- |",
  ...rows.filter(([part]) => runs(part)).map(([, row]) => `| ${row().join(" | ")} |`),
].join("\n");
const report = `# Benchmark results

Run on ${new Date().toISOString().slice(0, 10)}: ${machine}.
Command: \`${FULL ? "npm run bench" : `BENCH_ONLY=${ONLY.join(",")} node bench/run.mjs`}\`.${r.bytes ? ` Until the QR, ES module files: ${r.bytes.ours.files.join(", ")}; drop-in: ${r.bytes.dropin.files.join(", ")}; baseline: ${r.bytes.baseline.files.join(", ")}.` : ""}

${table}
`;
console.log(report);
if (!FULL) {
  log(`BENCH_ONLY=${ONLY.join(",")}: bench/RESULTS.md left as it is`);
  process.exit(0);
}
// Keep the sections after the table (size steps, load and soak): written by
// hand or by `npm run soak`, not by this run.
const resultsPath = join(root, "bench/RESULTS.md");
let soak = "";
try {
  const previous = readFileSync(resultsPath, "utf8");
  const at = previous.indexOf("\n## ");
  if (at >= 0) soak = previous.slice(at);
} catch {}
writeFileSync(resultsPath, report + soak);
