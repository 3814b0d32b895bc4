// The create request does not wait for the wasm (issue 13): mount() (and the
// drop-in) start the first create at once and the widget adopts it when it is
// exactly the request it would send. With the wasm response held back until
// the backend has seen the create (at most 1.5 s), the create must arrive
// first; the QR still decodes; one verification, one Idempotency-Key. A
// started create the widget does not adopt (superseded, rejected options,
// options changed while loading) is cancelled once it answers: none is left open.
import { after, afterEach, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import { freshPage, readQr, setup, until } from "./helpers.mjs";

const HOLD_MS = 1500;
const OPEN = new Set(["initiated", "pending", "awaiting_user_action", "authenticating", "processing"]);

/** Idempotency-Keys of the creates the backend forwarded to the simulator, in order. */
const upstreamKeys = [];
let env;
before(async () => {
  env = await setup({}, {
    backend: {
      fetch: (url, init) => {
        if (init?.method === "POST" && String(url).endsWith("/verifications")) upstreamKeys.push(init.headers?.["Idempotency-Key"]);
        return globalThis.fetch(url, init);
      },
    },
  });
});
afterEach(async () => {
  await env.closePages();
});
after(async () => {
  await env.close();
});

const creates = () => env.sim.requests.filter((r) => r.method === "POST" && r.path === "/verifications").length;
const summary = async () => (await fetch(`${env.demo.url}/__sim/summary`)).json();
const openCount = (s) => Object.entries(s.byStatus).filter(([status]) => OPEN.has(status)).reduce((n, [, c]) => n + c, 0);

const PAGES = {
  es: `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script type="module">import { mount } from "/dist/index.js"; window.mount = mount;
if (location.hash === "#auto") window.handle = mount(document.getElementById("verify"), { endpoint: "/api/verifications", providerId: "bankidse" });</script>
</head><body><div id="verify"></div></body></html>`,
  dropin: `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script src="/dist/hopae-verify.js" defer></script>
</head><body><div data-hopae-verify data-endpoint="/api/verifications" data-provider="bankidse"></div></body></html>`,
};

/**
 * Opens one of PAGES with the wasm response held back until `release()` or,
 * by default, until the backend has seen a create (at most HOLD_MS). Records
 * every POST the page sends to the backend with its Idempotency-Key.
 */
async function open(name, { hash = "", gate, wasmStatus } = {}) {
  await fetch(`${env.demo.url}/__sim/reset`, { method: "POST" });
  upstreamKeys.length = 0;
  const { page } = await freshPage(env);
  const problems = [];
  page.on("pageerror", (e) => problems.push(e.message));
  const posts = [];
  page.on("request", (r) => {
    if (r.method() === "POST" && new URL(r.url()).pathname === "/api/verifications") posts.push(r.headers()["idempotency-key"]);
  });
  const wasm = { sent: false, createdFirst: undefined };
  let release;
  const released = new Promise((resolve) => (release = resolve));
  await page.route("**/*.wasm", async (route) => {
    if (gate) await released;
    if (wasmStatus) return route.fulfill({ status: wasmStatus, body: "gone" });
    if (!gate) wasm.createdFirst = await until(() => creates() > 0, HOLD_MS).then(() => true, () => false);
    wasm.sent = true;
    await route.continue().catch(() => {});
  });
  await page.route(`${env.demo.url}/prefetch-${name}.html`, (route) => route.fulfill({ contentType: "text/html", body: PAGES[name] }));
  await page.goto(`${env.demo.url}/prefetch-${name}.html${hash}`);
  return { page, posts, wasm, release, problems };
}

const qrText = async (page) => (await until(() => readQr(page).then((qr) => qr?.text), 10_000, "a QR that decodes"));

/** Every verification the simulator created ends cancelled (or is `live`). */
async function noneLeftOpen(live = 0) {
  let s;
  await until(async () => openCount((s = await summary())) === live, 10_000, `${live} verification(s) open`).catch(() => {});
  assert.equal(openCount(s), live, JSON.stringify(s.byStatus));
  return s;
}

describe("the first create does not wait for the wasm", () => {
  for (const name of ["es", "dropin"]) {
    test(`${name}: the create reaches the backend before the wasm is sent; one verification, one key`, { timeout: 30_000 }, async () => {
      const { page, posts, wasm, problems } = await open(name, { hash: "#auto" });
      const text = await qrText(page);
      assert.match(text, /^bankid\./);
      assert.equal(wasm.createdFirst, true, "the create waited for the wasm");
      const s = await summary();
      assert.equal(s.sessions, 1, "exactly one verification");
      assert.equal(posts.length, 1, `one create from the page: ${posts}`);
      assert.match(posts[0], /^[0-9a-f]{32}$/);
      assert.deepEqual(upstreamKeys, [posts[0]], "the backend forwarded that key");
      assert.deepEqual(problems, []);
    });
  }
});

describe("a started create the widget does not adopt is cancelled", () => {
  const OPTIONS = { endpoint: "/api/verifications", providerId: "bankidse" };

  test("mount() again on the element while the wasm loads (superseded)", { timeout: 30_000 }, async () => {
    const { page, wasm, release } = await open("es", { gate: true });
    await page.waitForFunction(() => window.mount);
    await page.evaluate((o) => void (window.first = window.mount(document.getElementById("verify"), o)), OPTIONS);
    await until(() => creates() === 1, 5_000, "the first create");
    await page.evaluate((o) => void (window.second = window.mount(document.getElementById("verify"), o)), OPTIONS);
    await until(() => creates() === 2, 5_000, "the second create");
    assert.equal(wasm.sent, false);
    release();
    assert.equal(await page.evaluate(() => window.first.then((h) => h.superseded)), true);
    await qrText(page);
    await noneLeftOpen(1); // the second one's, on screen
    assert.equal((await summary()).byStatus.cancelled, 1);
    await page.evaluate(() => window.second.then((h) => h.destroy()));
    const s = await noneLeftOpen(0);
    assert.equal(s.sessions, 2);
  });

  test("options the widget rejects: mount() rejects, the started create is cancelled", { timeout: 30_000 }, async () => {
    const { page, release } = await open("es", { gate: true });
    await page.waitForFunction(() => window.mount);
    await page.evaluate((o) => void (window.first = window.mount(document.getElementById("verify"), o).catch((e) => e.message)), { ...OPTIONS, pollInterval: "soon" });
    await until(() => creates() === 1, 5_000, "the started create");
    release();
    assert.match(await page.evaluate(() => window.first), /pollInterval/);
    const s = await noneLeftOpen(0);
    assert.deepEqual([s.sessions, s.byStatus.cancelled], [1, 1]);
  });

  test("the body option changed while the wasm loads: the widget sends its own create", { timeout: 30_000 }, async () => {
    const { page, posts, release } = await open("es", { gate: true });
    await page.waitForFunction(() => window.mount);
    await page.evaluate((o) => {
      window.options = { ...o, body: { purpose: "login" } };
      window.first = window.mount(document.getElementById("verify"), window.options);
    }, OPTIONS);
    await until(() => creates() === 1, 5_000, "the started create");
    await page.evaluate(() => (window.options.body.purpose = "signup"));
    release();
    await qrText(page);
    await noneLeftOpen(1);
    assert.equal(posts.length, 2);
    assert.notEqual(posts[0], posts[1], "its own Idempotency-Key");
    await page.evaluate(() => window.first.then((h) => h.destroy()));
    await noneLeftOpen(0);
  });

  test("the wasm does not load: the started create is cancelled, hopae-failed says wasm_load_failed", { timeout: 30_000 }, async () => {
    const { page, release } = await open("es", { gate: true, wasmStatus: 404 });
    await page.waitForFunction(() => window.mount);
    await page.evaluate((o) => {
      const el = document.getElementById("verify");
      el.addEventListener("hopae-failed", (e) => (window.failed = e.detail.code));
      window.mount(el, o);
    }, OPTIONS);
    await until(() => creates() === 1, 5_000, "the started create");
    release();
    await page.waitForFunction(() => window.failed);
    assert.equal(await page.evaluate(() => window.failed), "wasm_load_failed");
    const s = await noneLeftOpen(0);
    assert.deepEqual([s.sessions, s.byStatus.cancelled], [1, 1]);
  });

  test("drop-in: the element removed while the wasm loads", { timeout: 30_000 }, async () => {
    const { page, release } = await open("dropin", { gate: true });
    await until(() => creates() === 1, 5_000, "the started create");
    await page.evaluate(() => document.querySelector("[data-hopae-verify]").remove());
    release();
    const s = await noneLeftOpen(0);
    assert.deepEqual([s.sessions, s.byStatus.cancelled], [1, 1]);
  });

  test("no create is started where the widget would not create at once: resume, the user-data form", { timeout: 30_000 }, async () => {
    const { page, posts, release } = await open("es", { gate: true });
    await page.waitForFunction(() => window.mount);
    await page.evaluate((o) => {
      const events = (window.events = []);
      for (const [id, extra] of [["a", { resume: "v-unknown" }], ["b", { providerId: "smartid" }]]) {
        const el = document.body.appendChild(document.createElement("div"));
        el.id = id;
        el.addEventListener("hopae-failed", () => events.push(id));
        window.mount(el, { ...o, ...extra });
      }
    }, OPTIONS);
    release();
    // The resumed one is polled (404: failed); Smart-ID shows its form.
    await page.waitForFunction(() => window.events.includes("a") && document.getElementById("b").shadowRoot?.querySelector("form:not([hidden])"));
    assert.deepEqual(posts, []);
    assert.equal(creates(), 0);
  });

  test("js/mount.js holds back the create for the providers of the Rust table of user-data providers", () => {
    const js = readFileSync(new URL("../../js/mount.js", import.meta.url), "utf8");
    const rust = readFileSync(new URL("../../src/core/userdata.rs", import.meta.url), "utf8");
    const listed = JSON.parse(js.match(/const FORM_PROVIDERS = (\[[^\]]*\]);/)[1]);
    const table = rust.match(/pub fn fields\(provider_id: &str\)[\s\S]*?\n}/)[0];
    const inRust = [...table.matchAll(/"([\w.-]+)" =>/g)].map((m) => m[1]);
    assert.ok(inRust.length > 0);
    assert.deepEqual([...listed].sort(), [...inRust].sort());
  });
});
