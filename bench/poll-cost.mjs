// Main-thread CPU per status request, measured two ways (the bench's idle
// rows measure a whole 30 s window; this isolates one poll):
//   1. the widget polling every 250 ms (its status worker on, as by default,
//      and `pollInWorker: false`) against the guide's loop polling every
//      250 ms, pages taking turns, CPU (Performance metrics ThreadTime) and
//      script time per request over SECONDS (default 20) per round;
//   2. one request made back to back in one page, by variant: a bare
//      `fetch(url).then(r => r.json())`, js/events.js request() as the widget
//      calls it, XMLHttpRequest, and the same fetch in a dedicated Worker
//      (bench/site/floor-worker.js) answering with a postMessage.
//   node bench/poll-cost.mjs     (dist/ built; ROUNDS=3, N=150, SECONDS=20)
// For an A/B of two trees, run it on each tree's dist/ in turn (FLOOR=0: part
// 1 only, for a tree whose events.js request() takes other arguments).
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { startDemo } from "../server/demo.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const SECONDS = Number(process.env.SECONDS ?? 20);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const N = Number(process.env.N ?? 150);
const demo = await startDemo({ port: 0, wwwRoot: join(root, "bench/site"), simulator: { qrMode: "bankid" } });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
});
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const metrics = async (cdp) => Object.fromEntries((await cdp.send("Performance.getMetrics")).metrics.map((m) => [m.name, m.value]));

async function openPage(file) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  await cdp.send("Performance.enable");
  await page.goto(`${demo.url}/${file}`);
  await page.waitForFunction(() => window.ready === true);
  return { context, page, cdp };
}

/** Part 1: per request while polling every 250 ms. */
async function polling(impl) {
  const { context, page, cdp } = await openPage(`${impl === "baseline" ? "baseline" : "ours"}.html`);
  await page.evaluate(async (impl) => {
    const el = document.createElement("div");
    document.body.append(el);
    if (impl !== "baseline") {
      const { mount } = await import("/dist/index.js");
      window.kept = await mount(el, { endpoint: "/api/verifications", providerId: "bankidse", pollInterval: 250, pollInWorker: impl === "ours" });
    } else {
      // The guide's loop (bench/baseline/baseline.js) at the same interval.
      const r = await fetch("/api/verifications", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ providerId: "bankidse" }) });
      const data = await r.json();
      window.timer = setInterval(async () => { const res = await fetch(`/api/verifications/${data.verificationId}`); window.last = (await res.json()).status; }, 250);
    }
  }, impl);
  await new Promise((r) => setTimeout(r, 3000)); // past the first polls (cold code)
  const before = [await metrics(cdp), demo.simulator.requests.length];
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const after = [await metrics(cdp), demo.simulator.requests.length];
  await context.close();
  const requests = after[1] - before[1];
  return { cpu: ((after[0].ThreadTime - before[0].ThreadTime) * 1e6) / requests, script: ((after[0].ScriptDuration - before[0].ScriptDuration) * 1e6) / requests, requests };
}

/** Part 2: one request back to back, by variant. */
async function floor() {
  const { context, page, cdp } = await openPage("ours.html");
  await page.evaluate(async () => {
    const r = await fetch("/api/verifications", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ providerId: "bankidse" }) });
    const url = `/api/verifications/${(await r.json()).verificationId}`;
    const events = await import("/dist/events.js");
    const worker = new Worker("/floor-worker.js");
    window.variants = {
      "bare fetch + json()": async () => (await fetch(url)).json(),
      "events.js request()": () => new Promise((resolve) => events.request(url, 0, undefined, "same-origin", undefined, undefined, new AbortController().signal, undefined, (w, t, value) => resolve(value), 1, 2)),
      XMLHttpRequest: () => new Promise((resolve, reject) => { const x = new XMLHttpRequest(); x.open("GET", url); x.onload = () => resolve(JSON.parse(x.responseText)); x.onerror = reject; x.send(); }),
      "fetch in a Worker": () => new Promise((resolve) => { worker.onmessage = (e) => resolve(e.data); worker.postMessage(url); }),
    };
  });
  const names = await page.evaluate(() => Object.keys(window.variants));
  const per = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of names) {
      await page.evaluate(async (name) => { for (let i = 0; i < 20; i++) await window.variants[name](); }, name);
      const a = await metrics(cdp);
      // 5 ms apart, like polls: each request starts from an idle loop.
      await page.evaluate(async ({ name, N }) => { for (let i = 0; i < N; i++) { await window.variants[name](); await new Promise((r) => setTimeout(r, 5)); } }, { name, N });
      const b = await metrics(cdp);
      per[name].push(((b.ThreadTime - a.ThreadTime) * 1e6) / N);
    }
  }
  await context.close();
  return per;
}

try {
  const IMPLS = ["ours", "ours-page", "baseline"];
  const rounds = Object.fromEntries(IMPLS.map((impl) => [impl, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const impl of round % 2 ? [...IMPLS].reverse() : IMPLS) rounds[impl].push(await polling(impl));
  }
  console.log(`Polling every 250 ms, ${ROUNDS} rounds of ${SECONDS} s (µs per request, main thread; each round, then the mean):`);
  for (const impl of IMPLS) {
    const r = rounds[impl];
    console.log(`  ${impl.padEnd(9)} CPU ${r.map((x) => x.cpu.toFixed(0)).join(" / ")} = ${mean(r.map((x) => x.cpu)).toFixed(0)}; script ${r.map((x) => x.script.toFixed(0)).join(" / ")} = ${mean(r.map((x) => x.script)).toFixed(0)}`);
  }
  if (process.env.FLOOR !== "0") {
    const per = await floor();
    console.log(`One request, back to back, ${N} per variant in ${ROUNDS} rounds (µs of main-thread CPU per request):`);
    for (const [name, xs] of Object.entries(per)) console.log(`  ${name.padEnd(22)} ${xs.map((x) => x.toFixed(0)).join(" / ")} = ${mean(xs).toFixed(0)}`);
  }
} finally {
  await browser.close();
  await demo.close();
}
