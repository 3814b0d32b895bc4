// The package as users get it: importable in Node (SSR), types that
// type-check, and a tarball from `npm pack` that a fresh project installs and
// builds with Vite, and that then works in Chromium.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { openDemo, readQr, setup, waitForEvent } from "./e2e/helpers.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => join(root, "node_modules", ".bin", name);

describe("server-side rendering", () => {
  test("importing the entry points in Node neither throws nor touches window", async () => {
    assert.equal(typeof globalThis.window, "undefined");
    const main = await import("../dist/index.js");
    assert.equal(typeof main.mount, "function");
    assert.equal(typeof main.HopaeVerifyElement, "function");
    const define = await import("../dist/define.js");
    assert.equal(typeof define.define, "function");
    define.define();
    const server = await import("../server/index.js");
    assert.equal(typeof server.createVerificationHandler, "function");
  });
});

describe("TypeScript", () => {
  test("the declarations type-check real usage and catch misuse", () => {
    try {
      execFileSync(bin("tsc"), ["-p", join(root, "tests/types/tsconfig.json")], { encoding: "utf8", stdio: "pipe" });
    } catch (error) {
      assert.fail(`tsc --noEmit reported:\n${error.stdout}${error.stderr}`);
    }
  });
});

describe("npm pack", () => {
  let work;
  let tarball;
  let env;
  before(async () => {
    work = mkdtempSync(join(tmpdir(), "hopae-pack-"));
    const [packed] = JSON.parse(execFileSync("npm", ["pack", "--json", "--pack-destination", work], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }));
    tarball = { path: join(work, packed.filename), files: packed.files.map((f) => f.path) };
  });
  after(async () => {
    await env?.close();
    rmSync(work, { recursive: true, force: true });
  });

  test("the tarball holds the built widget, its types and the server, and nothing else", () => {
    for (const file of ["package.json", "README.md", "dist/index.js", "dist/index.d.ts", "dist/define.js", "dist/define.d.ts", "dist/hopae-verify.js", "dist/hopae_connect_widget_bg.wasm", "dist/hopae_connect_widget.js", "dist/hopae_first_bg.wasm", "dist/hopae_first.js", "dist/events.js", "dist/fallback.js", "dist/react.js", "dist/react.d.ts", "dist/vue.d.ts", "dist/svelte.d.ts", "dist/integrity.json", "server/index.js", "server/index.d.ts", "LICENSE-MIT", "LICENSE-APACHE", "CHANGELOG.md"]) {
      assert.ok(tarball.files.includes(file), `${file} is packed`);
    }
    assert.deepEqual(tarball.files.filter((f) => !/^(dist|server)\//.test(f) && !["package.json", "README.md", "LICENSE-MIT", "LICENSE-APACHE", "CHANGELOG.md"].includes(f)), []);
  });

  test("a fresh Vite project installs the tarball, builds, and the widget works", async () => {
    const app = join(work, "app");
    mkdirSync(app);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "fresh-app", private: true, type: "module" }));
    writeFileSync(join(app, "index.html"), `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>app</title><link rel="icon" href="data:,">
<script src="/events.js"></script><script type="module" src="/main.js"></script></head>
<body><main><div id="widget"></div><hopae-verify id="element" endpoint="/api/verifications" provider="frejaid" poll-interval="300"></hopae-verify></main></body></html>`);
    mkdirSync(join(app, "public"));
    writeFileSync(join(app, "public", "events.js"), `window.demoEvents=[];["hopae-initiated","hopae-completed","hopae-failed"].forEach(function(n){document.addEventListener(n,function(e){window.demoEvents.push({type:e.type,detail:e.detail})})});`);
    writeFileSync(join(app, "main.js"), `import { mount } from "hopae-connect-widget";
import "hopae-connect-widget/define";
window.demoHandle = await mount(document.getElementById("widget"), { endpoint: "/api/verifications", providerId: "bankidse", pollInterval: 300 });
`);
    execFileSync("npm", ["install", tarball.path, "--no-audit", "--no-fund", "--ignore-scripts"], { cwd: app, stdio: "pipe" });
    execFileSync(process.execPath, [join(root, "node_modules/vite/bin/vite.js"), "build", "--logLevel", "warn"], { cwd: app, stdio: "pipe" });
    const built = readdirSync(join(app, "dist", "assets"));
    for (const name of ["hopae_first_bg", "hopae_connect_widget_bg"]) assert.ok(built.some((f) => f.startsWith(name) && f.endsWith(".wasm")), `Vite emitted ${name}.wasm: ${built}`);

    env = await setup({}, { wwwRoot: join(app, "dist") });
    const { page, problems } = await openDemo(env);
    await page.waitForFunction(() => window.demoEvents.filter((e) => e.type === "hopae-initiated").length === 2);
    // Both modules, as Vite rewrote their URLs: the first-QR module first.
    const wasm = await page.evaluate(() => performance.getEntriesByType("resource").map((e) => e.name).filter((n) => n.endsWith(".wasm")).map((n) => n.split("/").pop()));
    assert.equal(wasm.length, 2, String(wasm));
    assert.match(wasm[0], /^hopae_first_bg/);
    const started = await waitForEvent(page, "hopae-initiated");
    const qr = await readQr(page);
    const state = await (await fetch(`${env.demo.url}/__sim/verifications/${started.verificationId}`)).json();
    assert.equal(qr.text, state.qrData);
    await fetch(`${env.demo.url}/__sim/verifications/${started.verificationId}/complete`, { method: "POST" });
    await waitForEvent(page, "hopae-completed");
    assert.deepEqual(problems, []);
    assert.equal(await page.evaluate(() => window.cspViolations), undefined, "the Vite build runs under the strict CSP");
  });
});
