// Layout shift while the widget loads: the wasm and the create request each
// delayed by 1.5 s (so the host is on screen long before its content), the
// cumulative layout-shift score from navigation until the QR state is complete
// (QR painted, countdown shown), for the ES entry and the drop-in; and the
// host's box before the wasm arrives, with the spinner and with the QR (the
// same box each time: no blank 0×0 host, no growing card).
//   node bench/cls.mjs            (dist/ built)
// bench/run.mjs uses measureCls() for its row; tests/e2e/layout.test.mjs
// asserts on it (CLS 0, one box).
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const DELAY_MS = 1500;

/** The host's box, rounded to 1/64 px (layout units), and the text below it. */
const measure = () => {
  const r = document.getElementById("verify").getBoundingClientRect();
  const q = (v) => Math.round(v * 64) / 64;
  return { x: q(r.x), y: q(r.y), width: q(r.width), height: q(r.height), below: q(document.getElementById("below").getBoundingClientRect().top) };
};
/** The widget's spinner is showing (the module is in, the create is not answered). */
const spinning = () => {
  const s = document.getElementById("verify").shadowRoot?.querySelector(".hopae-verify-spinner");
  return Boolean(s && !s.hidden && s.getBoundingClientRect().height > 0);
};
/** The QR state is complete: code painted, countdown shown. */
const qrShown = () => {
  const c = document.getElementById("verify").shadowRoot?.querySelector(".hopae-verify-countdown");
  return Boolean(window.qrAt && c && !c.hidden);
};

/**
 * Opens bench/site/cls-<variant>.html (or, with `html`, that page at its URL)
 * in a fresh context with the wasm and the create held DELAY_MS each (the
 * create also until the spinner has shown, so that state is always seen). The
 * page has the host as #verify, #below after it, /probe.js and
 * /cls-observer.js. `contextOptions` go to browser.newContext (a phone, say). Returns { cls, shifts: [{ value, sources }], boxes:
 * { loading, spinner, qr }, before, after } (before/after: where the text
 * below the widget was while loading and with the QR).
 */
export async function measureCls(browser, baseUrl, variant, html, contextOptions = {}) {
  const context = await browser.newContext({ viewport: { width: 800, height: 900 }, ...contextOptions });
  try {
    const page = await context.newPage();
    if (html) await page.route(`${baseUrl}/cls-${variant}.html`, (route) => route.fulfill({ contentType: "text/html", body: html }));
    const boxes = {};
    let wasmHeld = true;
    const hold = () => new Promise((resolve) => setTimeout(resolve, DELAY_MS));
    await page.route("**/*.wasm", async (route) => {
      await hold();
      wasmHeld = false;
      await route.continue().catch(() => {});
    });
    await page.route("**/api/verifications", async (route) => {
      if (route.request().method() !== "POST") return route.continue();
      const [, seen] = await Promise.all([hold(), page.waitForFunction(spinning, null, { timeout: 20_000, polling: "raf" }).then(() => true, () => false)]);
      if (seen) boxes.spinner = await page.evaluate(measure).catch(() => undefined);
      await route.continue().catch(() => {});
    });
    await page.goto(`${baseUrl}/cls-${variant}.html`);
    // The page has loaded (the wasm is a fetch, not a load-blocking resource).
    boxes.loading = { ...(await page.evaluate(measure)), wasmHeld };
    await page.waitForFunction(qrShown, null, { timeout: 20_000, polling: "raf" });
    boxes.qr = await page.evaluate(measure);
    // Two frames later every shift of the QR state has been reported.
    const { cls, shifts } = await page.evaluate(
      () =>
        new Promise((resolve) =>
          requestAnimationFrame(() =>
            requestAnimationFrame(() => setTimeout(() => {
              window.clsObserver.takeRecords().forEach(window.clsRecord);
              resolve({ cls: window.cls, shifts: window.shifts });
            })),
          ),
        ),
    );
    return { cls, shifts, boxes, before: boxes.loading.below, after: boxes.qr.below };
  } finally {
    await context.close();
  }
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
      const box = (b) => (b ? `${b.width}×${b.height}` : "not seen");
      console.log(`${variant}: CLS ${r.cls.toFixed(4)} (${r.shifts.length} shifts); host ${box(r.boxes.loading)} loading, ${box(r.boxes.spinner)} spinner, ${box(r.boxes.qr)} QR; text below the widget at ${r.before} px while loading, ${r.after} px with the QR`);
      for (const s of r.shifts) console.log(`  ${s.value.toFixed(4)}: ${s.sources.join("; ")}`);
    }
  } finally {
    await browser.close();
    await demo.close();
  }
}
