// Where QR encode + paint spends its time: a V8 CPU profile (CDP Profiler) of
// `n` encode + paint calls on each bench page, self time by function.
//   node bench/paint-profile.mjs [n]   (dist/ built; default 2,000 codes)
// For wasm function names, build the names-kept module into dist/ first:
//   node -e 'import("./scripts/cargo-wasm.mjs").then(m => m.buildWasm("dist", { names: true }))'
// (then `npm run build` again before anything else).
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { chromium } from "playwright-core";
import { startDemo } from "../server/demo.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const n = Number(process.argv[2] ?? 2000);

await build({ entryPoints: [join(root, "bench/baseline/baseline.js")], outfile: join(root, "bench/site/baseline.bundle.js"), bundle: true, format: "esm", minify: true, target: "es2020", legalComments: "none", logLevel: "warning" });
const demo = await startDemo({ port: 0, wwwRoot: join(root, "bench/site"), simulator: { qrMode: "bankid" } });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--no-first-run"] });
try {
  for (const impl of ["ours", "baseline"]) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${demo.url}/${impl}.html`);
    await page.waitForFunction(() => window.ready === true);
    await page.evaluate(() => window.encodePaint(200)); // past the first tier-up
    const cdp = await context.newCDPSession(page);
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: 50 });
    await cdp.send("Profiler.start");
    const ms = await page.evaluate((k) => window.encodePaint(k), n);
    const { profile } = await cdp.send("Profiler.stop");
    const self = new Map();
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const dt = new Map();
    for (let i = 0; i < profile.samples.length; i++) dt.set(profile.samples[i], (dt.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0));
    let total = 0;
    for (const [id, us] of dt) {
      const f = byId.get(id).callFrame;
      const name = `${f.functionName || "(anonymous)"} ${f.url ? f.url.split("/").pop() : ""}`.trim();
      self.set(name, (self.get(name) ?? 0) + us);
      total += us;
    }
    console.log(`${impl}: ${ms.toFixed(3)} ms per code; self time, µs per code:`);
    for (const [name, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`  ${(us / n).toFixed(1).padStart(7)}  ${((100 * us) / total).toFixed(1).padStart(5)} %  ${name}`);
    await context.close();
  }
} finally {
  await browser.close();
  await demo.close();
}
