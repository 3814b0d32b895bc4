// Shared set-up for the end-to-end tests: the demo server (reference backend +
// Hopae simulator) on a free loopback port, Debian's Chromium through
// playwright-core (which launches it with a fresh temporary profile), and reading the QR back from the canvas pixels.
import { after, afterEach, before } from "node:test";
import { chromium } from "playwright-core";
import jsQR from "jsqr";
import { startDemo } from "../../server/demo.js";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Starts a demo server and a browser; `close()` stops both. */
export async function setup(simulator = {}, demoOptions = {}) {
  const demo = await startDemo({ port: 0, simulator: { qrMode: "bankid", ...simulator }, ...demoOptions });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
    ],
  });
  return {
    demo,
    browser,
    sim: demo.simulator,
    /** Open browser contexts; `closePages()` closes them (call it after each test). */
    contexts: new Set(),
    async closePages() {
      await Promise.all([...this.contexts].map((c) => c.close()));
    },
    /** POSTs to a simulator control route. */
    async control(path, body) {
      const res = await fetch(`${demo.url}/__sim${path}`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body ?? {}),
      });
      return res.json();
    },
    async close() {
      await browser.close();
      await this.demo.close();
    },
  };
}

/**
 * The environment of one test file: set up before its tests, pages closed and
 * injected faults cleared after each test, everything stopped after the last.
 * The returned object is filled in by the `before` hook.
 */
export function sharedEnv(simulator = {}) {
  const env = {};
  before(async () => {
    Object.assign(env, await setup(simulator));
  });
  afterEach(async () => {
    await env.closePages?.();
    if (env.demo) await fetch(`${env.demo.url}/__sim/faults`, { method: "DELETE" });
  });
  after(async () => {
    await env.close?.();
  });
  return env;
}

/**
 * Opens the demo page with the given query options in a fresh context, with
 * the HTTP cache disabled (so requests to one URL are neither merged nor
 * serialised) and every uncaught page error and CSP violation recorded.
 */
/** Gives the page `window.deepQuery(selector)`: the first match, looking inside open shadow roots too. */
export function installDeepQuery(page) {
  return page.addInitScript(() => {
    window.deepQuery = (selector, root = document) => {
      const hit = root.querySelector(selector);
      if (hit) return hit;
      for (const el of root.querySelectorAll("*")) {
        const inner = el.shadowRoot && window.deepQuery(selector, el.shadowRoot);
        if (inner) return inner;
      }
      return null;
    };
  });
}

/**
 * A page in a fresh context (closed by env.closePages()), with
 * window.deepQuery and the HTTP cache disabled, so requests to one URL are
 * neither merged nor served from the cache; nothing loaded yet.
 */
export async function freshPage(env, contextOptions = {}) {
  const context = await env.browser.newContext(contextOptions);
  env.contexts.add(context);
  context.on("close", () => env.contexts.delete(context));
  const page = await context.newPage();
  await installDeepQuery(page);
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  return { context, page, cdp };
}

export async function openDemo(env, query = {}, contextOptions = {}, path = "/") {
  const { context, page } = await freshPage(env, contextOptions);
  const problems = [];
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      (window.cspViolations ??= []).push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  const search = new URLSearchParams(query).toString();
  await page.goto(`${env.demo.url}${path}${search ? `?${search}` : ""}`);
  return { page, context, problems };
}

/** Waits until the page has seen an event of `type`; returns its detail. */
export async function waitForEvent(page, type, timeout = 20_000) {
  const handle = await page.waitForFunction(
    (t) => window.demoEvents?.find((e) => e.type === t)?.detail,
    type,
    { timeout, polling: 50 },
  );
  return handle.jsonValue();
}

/** The events of `type` the page has seen so far. */
export function eventsOf(page, type) {
  return page.evaluate((t) => window.demoEvents.filter((e) => e.type === t).map((e) => e.detail), type);
}

/**
 * Reads the QR canvas's pixels (`selector`: the widget's canvas unless
 * given; as base64, which is fast) and decodes them
 * with jsQR. Returns {text, width, height, cssWidth, greys}: `greys` counts
 * pixels that are neither pure black nor pure white (anti-aliasing).
 */
export async function readQr(page, selector = ".hopae-verify-qr") {
  const { b64, width, height, cssWidth } = await page.evaluate((selector) => {
    const canvas = window.deepQuery(selector);
    if (!canvas || canvas.hidden || !canvas.width) return { b64: "", width: 0, height: 0, cssWidth: 0 };
    const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    let binary = "";
    for (let i = 0; i < data.length; i += 0x8000) binary += String.fromCharCode.apply(null, data.subarray(i, i + 0x8000));
    return { b64: btoa(binary), width: canvas.width, height: canvas.height, cssWidth: canvas.getBoundingClientRect().width };
  }, selector);
  if (!width) return null;
  const pixels = new Uint8ClampedArray(Buffer.from(b64, "base64"));
  let greys = 0;
  for (let i = 0; i < pixels.length; i += 4) {
    const v = pixels[i];
    if (!((v === 0 || v === 255) && pixels[i + 1] === v && pixels[i + 2] === v && pixels[i + 3] === 255)) greys++;
  }
  const code = jsQR(pixels, width, height);
  return { text: code?.data ?? null, width, height, cssWidth, greys };
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Waits until `condition()` (sync or async) is truthy, checking every 20 ms; fails after `timeout` ms. */
export async function until(condition, timeout = 5_000, what = String(condition)) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await sleep(20);
  }
}
