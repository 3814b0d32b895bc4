// Main-thread cost while a verification polls, from a Chromium trace: the
// page's renderer main thread, top-level tasks (RunTask) in ms per minute, and
// what they spent it on (the direct children of those tasks, by name).
//   node bench/idle-trace.mjs [seconds]   (dist/ built; default 30 s each)
// bench/run.mjs uses traceIdle() for its idle row.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline", "toplevel", "v8.execute", "blink"].join(",");

/** Traces `page` for `seconds` (it must already be polling); tasks ms/min and a breakdown. */
export async function traceIdle(page, seconds) {
  const cdp = await page.context().newCDPSession(page);
  const events = [];
  cdp.on("Tracing.dataCollected", ({ value }) => events.push(...value));
  const done = new Promise((resolve) => cdp.once("Tracing.tracingComplete", resolve));
  await cdp.send("Tracing.start", { traceConfig: { includedCategories: CATEGORIES.split(","), recordMode: "recordContinuously" }, transferMode: "ReportEvents" });
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  await cdp.send("Tracing.end");
  await done;
  const elapsedMin = (Date.now() - t0) / 60_000;
  await cdp.detach();

  // The page's renderer: the process of its main frame (TracingStartedInBrowser), its CrRendererMain thread.
  const started = events.find((e) => e.name === "TracingStartedInBrowser");
  const url = page.url();
  const pid = started?.args?.data?.frames?.find((f) => f.url === url && !f.parent)?.processId;
  const main = events.find((e) => e.ph === "M" && e.name === "thread_name" && e.args?.name === "CrRendererMain" && (pid === undefined || e.pid === pid));
  if (!main) throw new Error("idle-trace: no renderer main thread in the trace");
  const own = events.filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === "X" && typeof e.dur === "number");
  const tasks = own.filter((e) => e.name === "RunTask" || e.name === "ThreadControllerImpl::RunTask");
  const taskMs = tasks.reduce((n, e) => n + e.dur, 0) / 1000;
  // Children of each task: the largest named events inside it (not nested in each other).
  const byName = {};
  const sorted = own.filter((e) => !tasks.includes(e)).sort((a, b) => a.ts - b.ts);
  for (const task of tasks) {
    let end = -Infinity;
    for (const e of sorted) {
      if (e.ts < task.ts || e.ts + e.dur > task.ts + task.dur) continue;
      if (e.ts < end) continue; // nested in the previous child
      end = e.ts + e.dur;
      byName[e.name] = (byName[e.name] ?? 0) + e.dur / 1000;
    }
  }
  const perMinute = (ms) => ms / elapsedMin;
  const breakdown = Object.entries(byName).map(([name, ms]) => [name, perMinute(ms)]).sort((a, b) => b[1] - a[1]).slice(0, 6);
  return { tasksPerMinute: perMinute(taskMs), tasks: tasks.length / elapsedMin, breakdown };
}

export const formatBreakdown = (b) => b.map(([name, ms]) => `${name} ${ms.toFixed(1)}`).join(", ");

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const seconds = Number(process.argv[2] ?? 30);
  const root = join(dirname(fileURLToPath(import.meta.url)), "..");
  const { build } = await import("esbuild");
  await build({ entryPoints: [join(root, "bench/baseline/baseline.js")], outfile: join(root, "bench/site/baseline.bundle.js"), bundle: true, format: "esm", minify: true, target: "es2020", legalComments: "none", logLevel: "warning" });
  const { chromium } = await import("playwright-core");
  const { startDemo } = await import("../server/demo.js");
  const demo = await startDemo({ port: 0, wwwRoot: join(root, "bench/site"), simulator: { qrMode: "bankid" } });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"] });
  try {
    for (const impl of ["ours", "baseline"]) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${demo.url}/${impl}.html`);
      await page.waitForFunction(() => window.ready === true && typeof window.mountOne === "function");
      await page.evaluate(() => window.mountOne());
      await new Promise((r) => setTimeout(r, 1000));
      const r = await traceIdle(page, seconds);
      console.log(`${impl}: ${r.tasksPerMinute.toFixed(1)} ms/min of tasks (${r.tasks.toFixed(0)} tasks/min): ${formatBreakdown(r.breakdown)}`);
      await context.close();
    }
  } finally {
    await browser.close();
    await demo.close();
  }
}
