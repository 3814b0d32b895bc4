// The package as a newcomer gets it: `npm pack`, then fresh projects outside
// this repository that install the tarball (offline: the tarball and the local
// npm cache only) and follow the README's quickstart as written: its blocks
// type-check under TypeScript strict with React's types (bundler and NodeNext
// resolution), its Express server serves its static page and completes a
// verification in Chromium against the simulator, and its Hono server (a
// plain (Request) => Response) creates and reads one. The Vite app build is
// in tests/package.test.mjs.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { transformSync } from "esbuild";
import { chromium } from "playwright-core";
import { extractBlocks } from "./docs-blocks.mjs";
import { createSimulator } from "../server/simulator.js";
import { CHROMIUM } from "./e2e/helpers.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const readme = extractBlocks(readFileSync(join(root, "README.md"), "utf8"));
const block = (lang, marker) => {
  const found = readme.find((b) => b.lang === lang && b.code.includes(marker));
  assert.ok(found, `the README has a ${lang} block with ${marker}`);
  return found.code;
};
const devVersion = (name) => JSON.parse(readFileSync(join(root, "package.json"), "utf8")).devDependencies[name];
const DEPS = ["react", "react-dom", "@types/react", "@types/react-dom", "@types/node", "express", "@types/express", "hono", "@hono/node-server", "typescript"];

/** A free loopback port. */
async function freePort() {
  const server = createServer();
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

/** Starts `node file` in `cwd` with `env`; resolves once it printed `ready` (a regex). */
function start(file, cwd, env, ready) {
  const child = spawn(process.execPath, [file], { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const started = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${file} did not start:\n${output}`)), 20_000);
    const seen = (chunk) => {
      output += chunk;
      if (ready.test(output)) clearTimeout(timer), resolve();
    };
    child.stdout.on("data", seen);
    child.stderr.on("data", seen);
    child.on("exit", (code) => (clearTimeout(timer), reject(new Error(`${file} exited ${code}:\n${output}`))));
  });
  return { child, started, output: () => output };
}

describe("the packed tarball in fresh projects", () => {
  let work;
  let app;
  let sim;
  let simServer;
  let api;
  const children = [];
  before(async () => {
    work = mkdtempSync(join(tmpdir(), "hopae-tarball-"));
    const [packed] = JSON.parse(execFileSync("npm", ["pack", "--json", "--pack-destination", work], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }));
    app = join(work, "app");
    mkdirSync(app);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "newcomer", private: true, type: "module" }));
    execFileSync(
      "npm",
      ["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts", join(work, packed.filename), ...DEPS.map((d) => `${d}@${devVersion(d)}`)],
      { cwd: app, stdio: "pipe" },
    );
    // The simulator the quickstart points the backend at.
    sim = createSimulator({ clientId: "demo-client", clientSecret: "demo-secret", qrMode: "bankid" });
    if (typeof sim.handle === "function") {
      simServer = createServer((req, res) => sim.handle(req, res).then((handled) => handled || res.writeHead(404).end()));
      await new Promise((r) => simServer.listen(0, "127.0.0.1", r));
      api = `http://127.0.0.1:${simServer.address().port}`;
    } else {
      await sim.listen(0, "127.0.0.1");
      api = sim.url;
    }
  });
  after(async () => {
    for (const child of children) child.kill();
    if (simServer) {
      simServer.closeAllConnections();
      await new Promise((r) => simServer.close(r));
    }
    await sim?.close?.(); // its timers too
    rmSync(work, { recursive: true, force: true });
  });

  test("the installed package holds its licences and changelog", () => {
    const installed = join(app, "node_modules/hopae-connect-widget");
    for (const file of ["LICENSE-MIT", "LICENSE-APACHE", "CHANGELOG.md", "dist/integrity.json", "server/index.d.ts"]) {
      assert.ok(readFileSync(join(installed, file)).length > 0, file);
    }
  });

  test("TypeScript strict: the README's blocks, React JSX and the server type-check (bundler and NodeNext)", () => {
    const src = join(app, "src");
    mkdirSync(src, { recursive: true });
    const files = readme.filter((b) => ["ts", "tsx", "js"].includes(b.lang));
    files.forEach((b, i) => writeFileSync(join(src, `readme-${i}.${b.lang === "js" ? "js" : b.lang}`), `${b.code}\nexport {};\n`));
    writeFileSync(join(src, "events.ts"), `document.addEventListener("hopae-completed", (e) => console.log(e.detail.verifiedAttributes));\nwindow.addEventListener("hopae-failed", (e) => console.log(e.detail.code));\nimport "hopae-connect-widget";\nexport {};\n`);
    writeFileSync(join(src, "element.tsx"), `import "hopae-connect-widget/react";\nimport "hopae-connect-widget/define";\nexport const V = () => <hopae-verify endpoint="/api/verifications" provider="bankidse" onhopae-completed={(e) => console.log(e.detail.providerId)} />;\n`);
    // (The declarations themselves are checked with skipLibCheck off by tests/types.)
    const options = { strict: true, noEmit: true, target: "ES2022", lib: ["ES2023", "DOM", "DOM.Iterable"], jsx: "react-jsx", allowJs: true, checkJs: true, skipLibCheck: true, types: ["node"] };
    writeFileSync(join(app, "tsconfig.json"), JSON.stringify({ compilerOptions: { ...options, module: "ESNext", moduleResolution: "Bundler" }, include: ["src"] }));
    // Node's own resolution, for the server blocks (a plain Node project, no bundler).
    const serverFiles = files.map((b, i) => (/hopae-connect-widget\/server/.test(b.code) ? `src/readme-${i}.${b.lang === "js" ? "js" : b.lang}` : null)).filter(Boolean);
    assert.ok(serverFiles.length >= 3, "Express, Next.js and Hono");
    writeFileSync(join(app, "tsconfig.node.json"), JSON.stringify({ compilerOptions: { ...options, module: "NodeNext", moduleResolution: "NodeNext" }, files: serverFiles }));
    const tsc = join(app, "node_modules/.bin/tsc");
    for (const config of ["tsconfig.json", "tsconfig.node.json"]) {
      try {
        execFileSync(tsc, ["-p", config], { cwd: app, encoding: "utf8", stdio: "pipe" });
      } catch (error) {
        assert.fail(`${config}: tsc reported:\n${error.stdout}${error.stderr}`);
      }
    }
  });

  test("the README's Express server serves its static page, and the widget completes a verification in Chromium", async () => {
    const port = await freePort();
    writeFileSync(join(app, "server.js"), block("js", 'from "express"').replace("app.listen(3000,", "app.listen(Number(process.env.PORT), \"127.0.0.1\","));
    const site = join(app, "public");
    mkdirSync(site, { recursive: true });
    cpSync(join(app, "node_modules/hopae-connect-widget/dist"), join(site, "hopae"), { recursive: true });
    writeFileSync(join(site, "events.js"), `window.demoEvents=[];["hopae-initiated","hopae-completed","hopae-failed"].forEach(function(n){document.addEventListener(n,function(e){window.demoEvents.push({type:e.type,detail:e.detail})})});`);
    writeFileSync(join(site, "index.html"), `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Quickstart</title><link rel="icon" href="data:,"><script src="/events.js"></script></head><body>\n${block("html", "/hopae/hopae-verify.js")}\n</body></html>`);
    const server = start("server.js", app, { PORT: String(port), HOPAE_API_BASE: `${api}/connect/v1` }, /localhost:\d+/);
    children.push(server.child);
    await server.started;
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu"] });
    try {
      const page = await browser.newPage();
      const problems = [];
      page.on("pageerror", (e) => problems.push(e.message));
      await page.goto(`http://127.0.0.1:${port}/`);
      const started = await (await page.waitForFunction(() => window.demoEvents.find((e) => e.type === "hopae-initiated")?.detail, null, { timeout: 20_000 })).jsonValue();
      await fetch(`${api}/__sim/verifications/${started.verificationId}/complete`, { method: "POST" });
      const completed = await (await page.waitForFunction(() => window.demoEvents.find((e) => e.type === "hopae-completed")?.detail, null, { timeout: 20_000 })).jsonValue();
      assert.equal(completed.verificationId, started.verificationId);
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
    }
  });

  test("the README's Hono server, a plain (Request) => Response, creates and reads a verification", async () => {
    const port = await freePort();
    const source = block("ts", 'from "hono"').replace("port: 3000", "port: Number(process.env.PORT), hostname: \"127.0.0.1\"");
    // Ready when the README's own callback says so: the socket is bound then.
    writeFileSync(join(app, "hono.mjs"), transformSync(source, { loader: "ts", format: "esm" }).code);
    const server = start("hono.mjs", app, { PORT: String(port), HOPAE_API_BASE: `${api}/connect/v1` }, /Listening on/);
    children.push(server.child);
    await server.started;
    const base = `http://127.0.0.1:${port}/api/verifications`;
    const created = await fetch(base, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ providerId: "bankidse" }) });
    assert.equal(created.status, 201, await created.clone().text());
    const { verificationId } = await created.json();
    const cookie = created.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    await fetch(`${api}/__sim/verifications/${verificationId}/complete`, { method: "POST" });
    const status = await fetch(`${base}/${verificationId}`, { headers: { Cookie: cookie } }).then((r) => r.json());
    assert.equal(status.status, "completed");
  });
});
