// Main-thread cost while a verification polls, from a Chromium trace: each
// page's renderer main thread, top-level tasks (RunTask) in ms per minute, and
// what they spent it on (the direct children of those tasks, by name; and the
// self time of every nested event, by name).
//   node bench/idle-trace.mjs [seconds]   (dist/ built; default 30 s)
// Both pages poll and are traced in the same window (one trace, split by
// renderer process), so the machine's load hits them alike.
// bench/run.mjs uses traceIdle() for its idle row.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline", "toplevel", "v8.execute", "blink", "blink.user_timing"].join(",");

/**
 * Traces `pages` (already polling, each in its own browser context, so its
 * own renderer) together for `seconds`; per page: tasks ms/min and breakdowns.
 */
export async function traceIdle(pages, seconds) {
  const cdp = await pages[0].context().browser().newBrowserCDPSession();
  const events = [];
  cdp.on("Tracing.dataCollected", ({ value }) => events.push(...value));
  const done = new Promise((resolve) => cdp.once("Tracing.tracingComplete", resolve));
  await cdp.send("Tracing.start", { traceConfig: { includedCategories: CATEGORIES.split(","), recordMode: "recordContinuously" }, transferMode: "ReportEvents" });
  const t0 = Date.now();
  // A user-timing mark in each page tells its renderer in the trace.
  for (const [i, page] of pages.entries()) await page.evaluate((name) => performance.mark(name), `idle-trace-${i}`);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  await cdp.send("Tracing.end");
  await done;
  const elapsedMin = (Date.now() - t0) / 60_000;
  await cdp.detach();
  return pages.map((page, i) => breakdownOf(events, events.find((e) => e.name === `idle-trace-${i}`)?.pid, elapsedMin));
}

function breakdownOf(events, pid, elapsedMin) {
  if (pid === undefined) throw new Error("idle-trace: a page's mark is not in the trace");
  const main = events.find((e) => e.ph === "M" && e.name === "thread_name" && e.args?.name === "CrRendererMain" && e.pid === pid);
  if (!main) throw new Error("idle-trace: no renderer main thread in the trace");
  const own = events.filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === "X" && typeof e.dur === "number");
  const tasks = own.filter((e) => e.name === "RunTask" || e.name === "ThreadControllerImpl::RunTask");
  const taskMs = tasks.reduce((n, e) => n + e.dur, 0) / 1000;
  // The same tasks' CPU time (thread duration): what a busy machine's
  // preemption does not inflate.
  const cpuMs = tasks.reduce((n, e) => n + (e.tdur ?? e.dur), 0) / 1000;
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
  // Self time by event name over every event nested in the tasks (its
  // duration less its direct children's): where the time goes.
  const selfByName = {};
  const stack = [];
  for (const e of [...own].sort((a, b) => a.ts - b.ts || b.dur - a.dur)) {
    while (stack.length && stack[stack.length - 1].ts + stack[stack.length - 1].dur <= e.ts) stack.pop();
    const parent = stack[stack.length - 1];
    if (parent) selfByName[parent.name] = (selfByName[parent.name] ?? 0) - e.dur / 1000;
    selfByName[e.name] = (selfByName[e.name] ?? 0) + e.dur / 1000;
    stack.push(e);
  }
  const selfBreakdown = Object.entries(selfByName).map(([name, ms]) => [name, perMinute(ms)]).sort((a, b) => b[1] - a[1]).slice(0, 12);
  return { tasksPerMinute: perMinute(taskMs), cpuPerMinute: perMinute(cpuMs), tasks: tasks.length / elapsedMin, breakdown, selfBreakdown };
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
    const impls = ["ours", "baseline"];
    const pages = [];
    for (const impl of impls) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${demo.url}/${impl}.html`);
      await page.waitForFunction(() => window.ready === true && typeof window.mountOne === "function");
      await page.evaluate(() => window.mountOne());
      pages.push(page);
    }
    await new Promise((r) => setTimeout(r, 1000));
    const results = await traceIdle(pages, seconds);
    results.forEach((r, i) => {
      console.log(`${impls[i]}: ${r.tasksPerMinute.toFixed(1)} ms/min of tasks, ${r.cpuPerMinute.toFixed(1)} ms/min of CPU (${r.tasks.toFixed(0)} tasks/min): ${formatBreakdown(r.breakdown)}`);
      console.log(`  self time by event (ms/min): ${formatBreakdown(r.selfBreakdown)}`);
    });
  } finally {
    await browser.close();
    await demo.close();
  }
}
