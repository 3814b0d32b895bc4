// Layout shift while the widget loads: the wasm and the create request each
// delayed by 1.5 s (so the host is on screen long before its content), the
// cumulative layout-shift score until 1 s after the QR is painted, for the ES
// entry and the drop-in. Also whether the host had its final size before the
// wasm arrived (no blank 0×0 box).
//   node bench/cls.mjs            (dist/ built)
// bench/run.mjs uses measureCls() for its row.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const DELAY_MS = 1500;

/** Opens bench/site/cls-<variant>.html in a fresh context; returns { cls, shifts, before, after }. */
export async function measureCls(browser, baseUrl, variant) {
  const context = await browser.newContext({ viewport: { width: 800, height: 900 } });
  const page = await context.newPage();
  const later = (route) => setTimeout(() => route.continue().catch(() => {}), DELAY_MS);
  await page.route("**/*.wasm", later);
  await page.route("**/api/verifications", (route) => (route.request().method() === "POST" ? later(route) : route.continue()));
  await page.goto(`${baseUrl}/cls-${variant}.html`);
  // Before the wasm has arrived: where the text below the widget is.
  await page.waitForTimeout(DELAY_MS / 2); // a point in the delay window, not a wait for a condition: the delay is ours
  const before = await page.evaluate(() => document.getElementById("below").getBoundingClientRect().top);
  await page.waitForFunction(() => window.qrAt, null, { timeout: 20_000, polling: 50 });
  await page.waitForTimeout(1000);
  const { cls, shifts, after } = await page.evaluate(() => ({ cls: window.cls, shifts: window.shifts, after: document.getElementById("below").getBoundingClientRect().top }));
  await context.close();
  return { cls, shifts, before, after };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = join(dirname(fileURLToPath(import.meta.url)), "..");
  const { chromium } = await import("playwright-core");
  const { startDemo } = await import("../server/demo.js");
  const demo = await startDemo({ port: 0, wwwRoot: join(root, "bench/site"), simulator: { qrMode: "bankid" } });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-quic"] });
  try {
    for (const variant of ["es", "dropin"]) {
      const r = await measureCls(browser, demo.url, variant);
      console.log(`${variant}: CLS ${r.cls.toFixed(4)} (${r.shifts.length} shifts); text below the widget at ${r.before.toFixed(0)} px while loading, ${r.after.toFixed(0)} px with the QR`);
    }
  } finally {
    await browser.close();
    await demo.close();
  }
}
