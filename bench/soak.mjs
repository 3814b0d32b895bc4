// `npm run soak`: the load runs (N = 500 and N = 2,000 browsers, 2 minutes
// each, against the reference backend + simulator) and a fault soak in
// Chromium (50 widgets on one page for 2 minutes, 20 % transient faults).
// Prints the figures and writes them into bench/RESULTS.md.
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { startDemo } from "../server/demo.js";
import { load } from "./load.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const SECONDS = Number(process.env.SOAK_SECONDS ?? 120);
const SIZES = (process.env.LOAD_SIZES ?? "500,2000").split(",").map(Number);
const log = (...a) => console.error("soak:", ...a);
const mb = (b) => `${(b / 2 ** 20).toFixed(1)} MB`;

const loads = [];
for (const n of SIZES) {
  log(`load: ${n} browsers for ${SECONDS} s`);
  loads.push(await load(n, SECONDS));
}

log(`fault soak: 50 widgets for ${SECONDS} s, 20 % transient faults`);
const demo = await startDemo({ port: 0, wwwRoot: join(root, "bench/site"), simulator: { qrMode: "bankid" } });
const sim = demo.simulator;
sim.config.autoResolve = { minMs: 5000, maxMs: (SECONDS - 10) * 1000, outcomes: ["completed", "failed", "expired"] };
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
const deadline = Date.now() + (SECONDS + 30) * 1000;
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

const report = `## Load and fault soak

Run on ${new Date().toISOString().slice(0, 10)} with \`npm run soak\` (reference backend + simulator in one Node process on loopback; browsers simulated with Node's fetch, each polling every 3 s and starting a new verification when one ends; the simulator ends each by itself after 5–60 s, completed three times in four).

| browsers | duration | verifications | requests/s | p50 / p99 latency | errors | completed by the simulator / unseen by their browser | server memory before → after (RSS, heap used) |
| --- | --- | --- | --- | --- | --- | --- | --- |
${loads.map((l) => `| ${l.n} | ${l.seconds.toFixed(0)} s | ${l.created} | ${l.rps.toFixed(0)} | ${l.p50.toFixed(1)} / ${l.p99.toFixed(1)} ms | ${l.errors} | ${l.completed} / ${l.unseen} | ${mb(l.memoryBefore.rss)} → ${mb(l.memoryAfter.rss)}, ${mb(l.memoryBefore.heapUsed)} → ${mb(l.memoryAfter.heapUsed)} |`).join("\n")}

Fault soak in Chromium: 50 widgets on one page for up to ${SECONDS + 30} s, the simulator failing ~20 % of all requests (5 % each: HTTP 503, HTTP 500, connection reset, 429 with Retry-After, plus 5 % delayed 1.5 s) and ending each verification as completed, failed or expired at a random time. ${requestCount} API requests. Outcomes: ${Object.entries(outcomes).map(([k, v]) => `${v} ${k}`).join(", ")}. Problems (widgets without exactly one terminal event, with the wrong one, or with requests after it): ${problems.length ? problems.join("; ") : "none"}. Uncaught page errors: ${pageErrors.length ? pageErrors.join("; ") : "none"}.
`;
console.log(report);
const path = join(root, "bench/RESULTS.md");
const current = existsSync(path) ? readFileSync(path, "utf8") : "";
const kept = current.split("## Load and fault soak")[0].trimEnd();
writeFileSync(path, `${kept}\n\n${report}`);
if (problems.length || pageErrors.length || loads.some((l) => l.unseen)) process.exitCode = 1;
