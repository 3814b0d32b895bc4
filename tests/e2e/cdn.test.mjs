// Hosting as users do it: the package under a CDN-like path (a bare package
// URL that redirects to the drop-in, a full versioned URL, a self-hosted copy
// elsewhere with data-wasm / wasmUrl), a .wasm served as
// application/octet-stream, a .wasm that does not load at all (a visible,
// localised error with Try again and `wasm_load_failed`), and the skeleton
// that keeps the page from shifting while the wasm and the create are slow.
import { after, afterEach, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { extractBlocks } from "../docs-blocks.mjs";
import { installDeepQuery, setup, waitForEvent } from "./helpers.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const PKG = "/npm/hopae-connect-widget@0.1.0";
const DIRECT = "/direct/npm/hopae-connect-widget@0.1.0";
const EVENTS = `window.demoEvents=[];["hopae-initiated","hopae-completed","hopae-failed","hopae-cancelled"].forEach(function(n){document.addEventListener(n,function(e){window.demoEvents.push({type:e.type,detail:e.detail})})});`;

/** The site: pages from `pages`, the package under PKG, everything else to the demo (backend + simulator). */
function site(demo) {
  const held = new Set();
  /** Waits `ms`, or until release(). */
  const hold = (ms) =>
    new Promise((resolve) => {
      const done = () => (clearTimeout(timer), held.delete(done), resolve());
      const timer = setTimeout(done, ms);
      held.add(done);
    });
  const release = () => [...held].forEach((done) => done());
  const state = { wasmType: "application/wasm", wasmMissing: false, wasmDelayMs: 0, createDelayMs: 0, pages: {}, files: {}, requests: [] };
  const forward = demo.server.listeners("request")[0];
  const server = createServer(async (req, res) => {
    let path = new URL(req.url, "http://site").pathname;
    state.requests.push(`${req.method} ${path}`);
    if (state.pages[path]) {
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": "default-src 'self'; script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; connect-src 'self'" });
      return res.end(state.pages[path]);
    }
    if (state.files[path]) return res.writeHead(200, { "Content-Type": "text/javascript" }).end(state.files[path]);
    if (path === "/events.js") return res.writeHead(200, { "Content-Type": "text/javascript" }).end(EVENTS);
    if (path === PKG) return res.writeHead(302, { Location: `${PKG}/dist/hopae-verify.js` }).end();
    // A CDN that serves the package's main file at its bare URL, without a redirect.
    if (path === DIRECT) return res.writeHead(200, { "Content-Type": "text/javascript" }).end(await readFile(join(root, "dist", "hopae-verify.js")));
    if (path.startsWith(`${DIRECT}/dist/`)) path = `${PKG}${path.slice(DIRECT.length)}`;
    const file = path.startsWith(`${PKG}/dist/`) ? path.slice(`${PKG}/dist/`.length) : path.startsWith("/self-hosted/") ? path.slice("/self-hosted/".length) : null;
    if (file === "widget.wasm" || file === "hopae_connect_widget_bg.wasm") {
      if (state.wasmDelayMs) await hold(state.wasmDelayMs);
      if (state.wasmMissing || (file === "widget.wasm") !== path.startsWith("/self-hosted/")) return res.writeHead(404).end("Not found");
      const body = await readFile(join(root, "dist", "hopae_connect_widget_bg.wasm"));
      return res.writeHead(200, { "Content-Type": state.wasmType }).end(body);
    }
    if (file === "hopae_first_bg.wasm" || (file === "first.wasm" && path.startsWith("/self-hosted/"))) {
      if (state.wasmMissing) return res.writeHead(404).end("Not found");
      return res.writeHead(200, { "Content-Type": state.wasmType }).end(await readFile(join(root, "dist", "hopae_first_bg.wasm")));
    }
    if (file && /^[\w.-]+\.js$/.test(file)) {
      try {
        const body = await readFile(join(root, "dist", file));
        return res.writeHead(200, { "Content-Type": "text/javascript" }).end(body);
      } catch {
        return res.writeHead(404).end("Not found");
      }
    }
    if (req.method === "POST" && path === "/api/verifications" && state.createDelayMs) await hold(state.createDelayMs);
    forward(req, res);
  });
  return { state, server, release };
}

const page = (body, head = "") => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>cdn</title><link rel="icon" href="data:,"><script src="/events.js"></script>${head}</head><body>${body}</body></html>`;

describe("hosting the widget from a CDN or a static host", () => {
  let env;
  let s;
  let base;
  before(async () => {
    env = await setup();
    s = site(env.demo);
    await new Promise((r) => s.server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${s.server.address().port}`;
  });
  afterEach(async () => {
    await env.closePages();
    s.release();
    Object.assign(s.state, { wasmType: "application/wasm", wasmMissing: false, wasmDelayMs: 0, createDelayMs: 0, pages: {}, files: {}, requests: [] });
  });
  after(async () => {
    s.release();
    s.server.closeAllConnections();
    await new Promise((r) => s.server.close(r));
    await env.close();
  });

  async function open(path, body, head) {
    s.state.pages[path] = page(body, head);
    const context = await env.browser.newContext();
    env.contexts.add(context);
    const p = await context.newPage();
    const warnings = [];
    p.on("console", (m) => m.type() === "warning" && warnings.push(m.text()));
    await installDeepQuery(p);
    await p.goto(`${base}${path}`);
    return { page: p, warnings };
  }

  const dropIn = (src, extra = "") => `<div data-hopae-verify data-endpoint="/api/verifications" data-provider="bankidse" data-poll-interval="300"></div><script src="${src}" ${extra} defer></script>`;

  test("the drop-in from a bare package URL that redirects finds its .wasm, served as application/octet-stream", async () => {
    s.state.wasmType = "application/octet-stream";
    const { page: p } = await open("/bare.html", dropIn(PKG));
    const started = await waitForEvent(p, "hopae-initiated");
    assert.ok(s.state.requests.includes(`GET ${PKG}/dist/hopae_connect_widget_bg.wasm`), s.state.requests.join("\n"));
    assert.ok(s.state.requests.includes(`GET ${PKG}/dist/hopae_first_bg.wasm`), s.state.requests.join("\n"));
    assert.ok(!s.state.requests.some((r) => r === "GET /npm/hopae_connect_widget_bg.wasm"), "no guess next to the bare URL");
    await env.control(`/verifications/${started.verificationId}/complete`);
    const completed = await waitForEvent(p, "hopae-completed");
    assert.equal(completed.verificationId, started.verificationId);
  });

  test("the drop-in from a bare package URL that serves the file without a redirect finds dist/'s .wasm", async () => {
    const { page: p } = await open("/direct.html", dropIn(DIRECT));
    await waitForEvent(p, "hopae-initiated");
    assert.ok(s.state.requests.includes(`GET ${DIRECT}/dist/hopae_connect_widget_bg.wasm`), s.state.requests.join("\n"));
  });

  test("the drop-in from a full versioned URL, and from a self-hosted copy with data-wasm", async () => {
    const full = await open("/full.html", dropIn(`${PKG}/dist/hopae-verify.js`));
    await waitForEvent(full.page, "hopae-initiated");
    const self = await open("/self.html", dropIn(`${PKG}/dist/hopae-verify.js`, 'data-wasm="/self-hosted/widget.wasm"'));
    await waitForEvent(self.page, "hopae-initiated");
    assert.ok(s.state.requests.includes("GET /self-hosted/widget.wasm"));
    assert.ok(s.state.requests.includes("GET /self-hosted/hopae_first_bg.wasm"), "the first-QR module next to it");
    // Renamed (a content hash, say): data-first-wasm.
    const renamed = await open("/renamed.html", dropIn(`${PKG}/dist/hopae-verify.js`, 'data-wasm="/self-hosted/widget.wasm" data-first-wasm="/self-hosted/first.wasm"'));
    await waitForEvent(renamed.page, "hopae-initiated");
    assert.ok(s.state.requests.includes("GET /self-hosted/first.wasm"), s.state.requests.join("\n"));
    assert.equal(s.state.requests.filter((r) => r === "GET /self-hosted/hopae_first_bg.wasm").length, 1, "not looked for next to data-wasm");
  });

  test("the ES entry takes a wasmUrl, and `await verification.done` gives the outcome", async () => {
    const from = s.state.requests.length;
    const { page: p, warnings } = await open(
      "/es.html",
      `<div id="v"></div><script type="module">
import { mount } from "${PKG}/dist/index.js";
const v = await mount(document.getElementById("v"), { endpoint: "/api/verifications", providerId: "bankidse", pollInterval: 300, wasmUrl: "/self-hosted/widget.wasm", onCompleted: () => {}, pollIntervall: 1 });
window.outcome = null;
v.done.then((o) => (window.outcome = o));
</script>`,
    );
    const started = await waitForEvent(p, "hopae-initiated");
    assert.ok(s.state.requests.includes("GET /self-hosted/widget.wasm"));
    // The first-QR module loaded at import, next to index.js, is kept: not fetched again next to wasmUrl.
    assert.deepEqual(s.state.requests.slice(from).filter((r) => r.endsWith("hopae_first_bg.wasm")), [`GET ${PKG}/dist/hopae_first_bg.wasm`]);
    await env.control(`/verifications/${started.verificationId}/complete`);
    const outcome = await (await p.waitForFunction(() => window.outcome, null, { timeout: 20_000 })).jsonValue();
    assert.equal(outcome.type, "hopae-completed");
    assert.equal(outcome.detail.verificationId, started.verificationId);
    // Unknown options: one warning, naming what was probably meant.
    assert.equal(warnings.filter((w) => w.includes("unknown option")).length, 1, warnings.join("\n"));
    assert.match(warnings.find((w) => w.includes("unknown option")), /"pollIntervall" \(did you mean "pollInterval"\?\).*|"onCompleted".*addEventListener\("hopae-completed"/);
  });

  test("a .wasm that cannot load shows a localised error with Try again, and hopae-failed says what to check", async () => {
    s.state.wasmMissing = true;
    const { page: p } = await open("/missing.html", `<div lang="sv">${dropIn(`${PKG}/dist/hopae-verify.js`)}</div>`);
    const failed = await waitForEvent(p, "hopae-failed");
    assert.equal(failed.code, "wasm_load_failed");
    assert.equal(failed.retryable, true);
    assert.match(failed.message, /hopae_connect_widget_bg\.wasm: the server answered HTTP 404/);
    assert.match(failed.message, /application\/wasm/);
    assert.match(failed.message, /'wasm-unsafe-eval'/);
    const shown = await p.waitForFunction(() => {
      const box = window.deepQuery(".hopae-verify-load-failed");
      return box && box.getBoundingClientRect().height > 0 && { text: box.querySelector("p").textContent, button: box.querySelector("button").textContent };
    });
    assert.deepEqual(await shown.jsonValue(), { text: "Verifieringen kunde inte laddas.", button: "Försök igen" });
    // The host fixes it; Try again loads the module and starts the verification.
    s.state.wasmMissing = false;
    await p.evaluate(() => window.deepQuery(".hopae-verify-load-failed button").click());
    await waitForEvent(p, "hopae-initiated");
    assert.equal(await p.evaluate(() => window.deepQuery(".hopae-verify-load-failed")), null);
  });

  test("no layout shift around the widget while the wasm and the create are slow (1.5 s each)", async () => {
    s.state.wasmDelayMs = 1500;
    s.state.createDelayMs = 1500;
    const { page: p } = await open(
      "/cls.html",
      `<p>Above</p><div id="v" data-hopae-verify data-endpoint="/api/verifications" data-provider="bankidse"></div><p id="below">Below</p>`,
      `<script src="${PKG}/dist/hopae-verify.js"></script>` +
        `<script>window.shifts=[];new PerformanceObserver((l)=>{for(const e of l.getEntries())window.shifts.push({value:e.value,light:e.sources.some((s)=>s.node&&s.node.isConnected&&s.node.getRootNode()===document),src:e.sources.map((s)=>(s.node&&(s.node.id||s.node.nodeName))+JSON.stringify(s.previousRect)+JSON.stringify(s.currentRect))})}).observe({type:"layout-shift",buffered:true});</script>`,
    );
    const early = await p.evaluate(() => document.getElementById("v").getBoundingClientRect().toJSON());
    await waitForEvent(p, "hopae-initiated");
    await p.waitForFunction(() => {
      const c = window.deepQuery(".hopae-verify-qr");
      return c && !c.hidden && c.width > 0;
    });
    const late = await p.evaluate(() => document.getElementById("v").getBoundingClientRect().toJSON());
    assert.ok(early.height > 100, `the host has the card's size before the wasm arrives: ${JSON.stringify(early)}`);
    assert.deepEqual({ w: Math.round(early.width), h: Math.round(early.height) }, { w: Math.round(late.width), h: Math.round(late.height) });
    const shifts = await p.evaluate(() => window.shifts);
    // Nothing moves, around the widget or inside its card (tests/e2e/layout.test.mjs has more).
    assert.deepEqual(shifts, [], JSON.stringify(shifts));
  });

  test("--hopae-qr-size and the size option size the skeleton", async () => {
    s.state.wasmMissing = true; // the skeleton stays until the load fails; hold it there
    s.state.wasmDelayMs = 60_000;
    const { page: p } = await open(
      "/sizes.html",
      `<div id="a" style="--hopae-qr-size:300px" data-hopae-verify data-endpoint="/api/verifications" data-provider="bankidse"></div><div id="b" data-hopae-verify data-endpoint="/api/verifications" data-provider="bankidse" data-size="320"></div>`,
      `<script src="${PKG}/dist/hopae-verify.js" defer></script>`,
    );
    const sizes = await (
      await p.waitForFunction(() => {
        const box = (id) => document.getElementById(id).shadowRoot?.querySelector(".hopae-verify-skeleton")?.getBoundingClientRect();
        const a = box("a");
        const b = box("b");
        return a && b && { a: [a.width, a.height], b: [b.width, b.height] };
      })
    ).jsonValue();
    assert.deepEqual({ a: sizes.a.map(Math.round), b: sizes.b.map(Math.round) }, { a: [372, 562], b: [372, 582] });
  });
  test("the README's CDN line loads with its Subresource Integrity; a tampered file does not run", async () => {
    const readme = extractBlocks(await readFile(join(root, "README.md"), "utf8"));
    const line = readme.find((b) => b.lang === "html" && b.code.includes("integrity=")).code.replaceAll("https://cdn.jsdelivr.net", base);
    const good = await open("/sri.html", line.replace('data-provider="bankidse"', 'data-provider="bankidse" data-poll-interval="300"'));
    await waitForEvent(good.page, "hopae-initiated");
    const tampered = await open("/sri-bad.html", line.replace(/integrity="sha384-[^"]+"/, `integrity="sha384-${Buffer.alloc(48).toString("base64")}"`));
    await tampered.page.waitForLoadState("load");
    assert.equal(await tampered.page.evaluate(() => customElements.get("hopae-verify") === undefined && window.demoEvents.length === 0), true);
  });

  test("the React component under StrictMode starts one verification and calls onCompleted with the detail", async () => {
    const { outputFiles } = await build({
      stdin: {
        contents: `import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { HopaeVerify } from "./dist/react.js";
window.completed = null;
createRoot(document.getElementById("root")).render(
  <StrictMode><HopaeVerify endpoint="/api/verifications" providerId="bankidse" pollInterval={300} className="verify" onCompleted={(detail) => (window.completed = detail)} /></StrictMode>,
);`,
        resolveDir: root,
        loader: "jsx",
      },
      bundle: true, write: false, format: "esm", jsx: "automatic", define: { "process.env.NODE_ENV": '"production"' }, logLevel: "silent",
    });
    s.state.files[`${PKG}/dist/react-app.js`] = outputFiles[0].contents;
    const { page: p } = await open("/react.html", `<div id="root"></div><script type="module" src="${PKG}/dist/react-app.js"></script>`);
    const started = await waitForEvent(p, "hopae-initiated");
    assert.equal(await p.evaluate(() => document.querySelector("#root > div.hopae-verify-host.verify") !== null), true);
    await env.control(`/verifications/${started.verificationId}/complete`);
    const completed = await (await p.waitForFunction(() => window.completed, null, { timeout: 20_000 })).jsonValue();
    assert.equal(completed.verificationId, started.verificationId);
    assert.equal(s.state.requests.filter((r) => r === "POST /api/verifications").length, 1, "StrictMode's double mount creates one verification");
  });
});
