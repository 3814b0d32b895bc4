// Every fenced block of README.md and docs/*.md is exercised, so the docs
// cannot drift: TypeScript/JavaScript/TSX type-checked (strict) against the
// package's declarations; Vue and Svelte compiled with their compilers; HTML
// checked against the options the element and the drop-in know, the files
// dist/ ships and their SRI hashes; CSS parsed, its custom properties and
// parts checked against the widget's; shell syntax-checked, its npm scripts
// and bins looked up, and the simulator commands run against a simulator.
// ```text blocks are exempt. The pages of other owners (production, backend,
// webhooks, simulator) are exercised by their own tests.
//
// UPDATE_SRI=1 node --test tests/docs.test.mjs rewrites every integrity="…" of
// a dist/ file in the docs from dist/integrity.json (run it after a build
// that changed the shipped files).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { transform } from "esbuild";
import { extractBlocks } from "./docs-blocks.mjs";
import { createSimulator } from "../server/simulator.js";

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const OTHERS = ["production.md", "backend.md", "webhooks.md", "simulator.md"];
const FILES = ["README.md", ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md") && !OTHERS.includes(f)).sort().map((f) => `docs/${f}`)];
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const integrity = JSON.parse(readFileSync(join(root, "dist/integrity.json"), "utf8"));
const CHECKED = new Set(["ts", "tsx", "js", "jsx", "html", "css", "sh", "vue", "svelte", "json", "text"]);

if (process.env.UPDATE_SRI) {
  for (const file of FILES) {
    const path = join(root, file);
    const before = readFileSync(path, "utf8");
    const after = before.replace(/(src="[^"]*\/dist\/([\w.-]+)"[^>]*integrity=")sha384-[^"]*"/g, (all, head, name) => (integrity[name] ? `${head}${integrity[name]}"` : all));
    if (after !== before) writeFileSync(path, after);
  }
}

const blocks = FILES.flatMap((file) => extractBlocks(readFileSync(join(root, file), "utf8")).map((b) => ({ ...b, file, where: `${file}:${b.line}` })));
const of = (...langs) => blocks.filter((b) => langs.includes(b.lang));

/** What the widget knows: attributes, data-* options, parts, custom properties. */
const source = (path) => readFileSync(join(root, path), "utf8");
const ELEMENT_ATTRIBUTES = Object.keys(Function(`return ${source("js/element.js").match(/const ATTRIBUTES = (\{[\s\S]*?\});/)[1]}`)());
const DATA_KEYS = ELEMENT_ATTRIBUTES.map((a) => `data-${a}`);
const WIDGET_TEXT = [source("src/web/dom.rs"), source("src/web/style.css"), ...readdirSync(join(root, "js")).filter((f) => f.endsWith(".js")).map((f) => source(`js/${f}`))].join("\n");

describe("the docs", () => {
  test("every block has a language the harness exercises (```text for what is not code)", () => {
    const unknown = blocks.filter((b) => !CHECKED.has(b.lang)).map((b) => `${b.where} \`\`\`${b.lang || "(none)"}`);
    assert.deepEqual(unknown, []);
    assert.ok(blocks.length >= 20, `found ${blocks.length} blocks in ${FILES.join(", ")}`);
  });

  test("TypeScript, JavaScript and TSX blocks type-check under strict against the package's declarations", () => {
    const dir = join(root, "node_modules/.cache/hopae-docs");
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const names = new Map();
    const add = (b, code, ext) => {
      const name = `${b.file.replace(/\W/g, "_")}_${b.line}.${ext}`;
      names.set(name, b.where);
      // Each block is a module of its own.
      writeFileSync(join(dir, name), `${code}\nexport {};\n`);
    };
    for (const b of of("ts", "tsx", "js", "jsx")) add(b, b.code, { ts: "ts", tsx: "tsx", js: "js", jsx: "jsx" }[b.lang]);
    // Inline module scripts of HTML blocks too.
    for (const b of of("html")) {
      for (const [, code] of b.code.matchAll(/<script type="module">([\s\S]*?)<\/script>/g)) add(b, code, "js");
    }
    const paths = {
      "hopae-connect-widget": [join(root, "dist/index.d.ts")],
      "hopae-connect-widget/define": [join(root, "dist/define.d.ts")],
      "hopae-connect-widget/react": [join(root, "dist/react.d.ts")],
      "hopae-connect-widget/vue": [join(root, "dist/vue.d.ts")],
      "hopae-connect-widget/svelte": [join(root, "dist/svelte.d.ts")],
      "hopae-connect-widget/server": [join(root, "server/index.d.ts")],
    };
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true, noEmit: true, target: "ES2022", module: "ESNext", moduleResolution: "Bundler",
          lib: ["ES2023", "DOM", "DOM.Iterable"], jsx: "react-jsx", allowJs: true, checkJs: true,
          skipLibCheck: true, types: ["node"], paths, noUnusedLocals: false,
        },
        include: ["*.ts", "*.tsx", "*.js", "*.jsx"],
      }),
    );
    try {
      execFileSync(join(root, "node_modules/.bin/tsc"), ["-p", join(dir, "tsconfig.json")], { encoding: "utf8", stdio: "pipe" });
    } catch (error) {
      const report = `${error.stdout}${error.stderr}`.replace(/[\w.]+\.(tsx?|jsx?)(?=\(\d+)/g, (name) => names.get(name) ?? name);
      assert.fail(`tsc reported, in the docs' blocks (file:line of the fence, then the line within the block + 1):\n${report}`);
    }
  });

  test("Vue and Svelte blocks compile", async () => {
    const { parse, compileScript, compileTemplate } = await import("vue/compiler-sfc");
    for (const b of of("vue")) {
      const { descriptor, errors } = parse(b.code, { filename: `${b.where}.vue` });
      assert.deepEqual(errors, [], b.where);
      const script = compileScript(descriptor, { id: "docs" });
      const template = compileTemplate({
        source: descriptor.template.content, filename: `${b.where}.vue`, id: "docs",
        compilerOptions: { isCustomElement: (tag) => tag === "hopae-verify", bindingMetadata: script.bindings },
      });
      assert.deepEqual(template.errors, [], b.where);
      assert.match(template.code, /"hopae-verify"/, `${b.where}: <hopae-verify> stays a custom element`);
    }
    const { compile } = await import("svelte/compiler");
    for (const b of of("svelte")) {
      const result = compile(b.code, { filename: `${b.where}.svelte`, generate: "client" });
      assert.ok(result.js.code.includes("hopae-verify"), b.where);
    }
    assert.ok(of("vue").length && of("svelte").length, "the docs show Vue and Svelte");
  });

  test("HTML blocks use attributes the widget knows, files dist/ ships, and current SRI hashes", () => {
    for (const b of of("html")) {
      for (const [, tag, attrs] of b.code.matchAll(/<(div|hopae-verify|script)\b([^>]*)>/g)) {
        const names = [...attrs.matchAll(/([\w-]+)(?:="([^"]*)")?/g)].map((m) => ({ name: m[1], value: m[2] }));
        if (tag === "hopae-verify") {
          for (const { name } of names) assert.ok(ELEMENT_ATTRIBUTES.includes(name) || ["id", "class"].includes(name), `${b.where}: <hopae-verify ${name}> is not an attribute it reads`);
        }
        if (names.some((n) => n.name === "data-hopae-verify")) {
          for (const { name } of names) {
            if (name.startsWith("data-") && name !== "data-hopae-verify") assert.ok(DATA_KEYS.includes(name), `${b.where}: ${name} is not an option of the drop-in`);
          }
        }
        const src = names.find((n) => n.name === "src")?.value;
        if (tag === "script") {
          // The drop-in's own data-* attributes: the ones js/dropin.js reads (script.dataset.x).
          const read = [...readFileSync(join(root, "js/dropin.js"), "utf8").matchAll(/script\?\.dataset\.(\w+)/g)].map((m) => `data-${m[1].replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
          assert.ok(read.includes("data-wasm") && read.includes("data-first-wasm"), String(read));
          for (const { name } of names) if (name.startsWith("data-")) assert.ok(read.includes(name), `${b.where}: ${name} is not read by the drop-in script`);
        }
        if (tag === "script" && src) {
          const file = src.match(/\/([\w.-]+)$/)?.[1];
          assert.ok(file && existsSync(join(root, "dist", file)), `${b.where}: dist/${file} is shipped`);
          const cdn = src.match(/^https:\/\/[\w.-]+\/npm\/hopae-connect-widget@([\w.-]+)\/dist\/([\w.-]+)$/);
          if (cdn) {
            assert.equal(cdn[1], pkg.version, `${b.where}: the CDN URL names this version`);
            const sri = names.find((n) => n.name === "integrity")?.value;
            assert.equal(sri, integrity[cdn[2]], `${b.where}: the integrity of dist/${cdn[2]} (run UPDATE_SRI=1 node --test tests/docs.test.mjs)`);
            assert.ok(names.some((n) => n.name === "crossorigin"), `${b.where}: SRI across origins needs crossorigin`);
          }
        }
      }
    }
  });

  test("CSS blocks parse and use the widget's custom properties and parts", async () => {
    for (const b of of("css")) {
      const { warnings } = await transform(b.code, { loader: "css" });
      assert.deepEqual(warnings.map((w) => w.text), [], b.where);
      for (const [, name] of b.code.matchAll(/(--hopae-[\w-]+)\s*:/g)) assert.ok(WIDGET_TEXT.includes(name), `${b.where}: ${name} is read by the widget`);
      for (const [, part] of b.code.matchAll(/::part\(([\w-]+)\)/g)) assert.ok(WIDGET_TEXT.includes(`"${part}"`), `${b.where}: ::part(${part}) exists`);
    }
  });

  test("JSON blocks parse", () => {
    for (const b of of("json")) assert.doesNotThrow(() => JSON.parse(b.code), b.where);
  });

  test("shell blocks parse, and name npm scripts and bins that exist", () => {
    for (const b of of("sh")) {
      execFileSync("bash", ["-n"], { input: b.code });
      for (const [, script] of b.code.matchAll(/\bnpm (?:run ([\w:-]+)|(start|test)\b)/g)) {
        const name = script ?? b.code.match(/\bnpm (start|test)\b/)[1];
        assert.ok(pkg.scripts[name], `${b.where}: npm script ${name}`);
      }
      for (const [, bin] of b.code.matchAll(/\bnpx ([\w-]+)/g)) {
        // The simulator's bin lands with the simulator's branch; until then its script.
        const declared = typeof pkg.bin === "object" ? Object.keys(pkg.bin) : [];
        assert.ok(declared.includes(bin) || (bin === "hopae-simulator" && existsSync(join(root, "server/simulator-cli.js"))), `${b.where}: npx ${bin} is a bin of the package`);
      }
    }
  });

  test("the README's simulator commands complete a verification", async () => {
    const commands = of("sh").filter((b) => b.code.includes("/__sim/"));
    assert.ok(commands.length, "the README shows how to complete a verification from a script");
    const sim = createSimulator({ clientId: "demo-client", clientSecret: "demo-secret" });
    const { createServer } = await import("node:http");
    // The simulator's own listen() where it has one, else its Node handler on a server.
    const server = typeof sim.handle === "function" ? createServer((req, res) => sim.handle(req, res).then((handled) => handled || res.writeHead(404).end())) : null;
    let port;
    if (server) {
      await new Promise((r) => server.listen(0, "127.0.0.1", r));
      port = server.address().port;
    } else {
      await sim.listen(0, "127.0.0.1");
      port = new URL(sim.url).port;
    }
    try {
      const api = `http://127.0.0.1:${port}/connect/v1`;
      const created = await fetch(`${api}/verifications`, {
        method: "POST",
        headers: { Authorization: `Basic ${btoa("demo-client:demo-secret")}`, "Content-Type": "application/json" },
        body: JSON.stringify({ providerId: "bankidse" }),
      }).then((r) => r.json());
      for (const b of commands) {
        await run("bash", ["-e", "-c", b.code.replaceAll("127.0.0.1:8090", `127.0.0.1:${port}`)], { timeout: 10_000 });
      }
      const after = await fetch(`${api}/verifications/${created.verificationId}`, { headers: { Authorization: `Basic ${btoa("demo-client:demo-secret")}` } }).then((r) => r.json());
      assert.equal(after.status, "completed");
    } finally {
      if (server) {
        server.closeAllConnections();
        await new Promise((r) => server.close(r));
      }
      await sim.close?.(); // its timers too
    }
  });
});

/** The members of a string-literal union `export type Name = | "a" | "b";` in a declaration file. */
const union = (text, name) => {
  const body = text.match(new RegExp(`export type ${name} =([^;]*);`))?.[1];
  assert.ok(body, `export type ${name} is declared`);
  return [...body.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
};
const sorted = (list) => [...new Set(list)].sort();

describe("the declarations and the reference match the widget", () => {
  const declarations = source("js/index.d.ts");
  const reference = source("docs/widget.md");
  // Every part the widget sets: element(…, "part") in dom.rs, setAttribute("part", …) in js/.
  const PARTS = sorted([
    ...[...source("src/web/dom.rs").matchAll(/(?:element|html)\(&document, "[\w-]+", "[\w-]+", "([\w-]+)"\)/g)].map((m) => m[1]),
    ...[...source("src/web/dom.rs").matchAll(/button\(&document, "[\w-]+", "([\w-]+)"\)/g)].map((m) => m[1]),
    ...readdirSync(join(root, "js")).filter((f) => f.endsWith(".js")).flatMap((f) => [...source(`js/${f}`).matchAll(/setAttribute\("part", "([\w-]+)"\)/g)].map((m) => m[1])),
  ]);

  test("MessageKey is exactly the Rust core's list of message keys", () => {
    // One string of keys split at spaces (`"title \<newline> qrLabel \ …"`).
    const keys = source("src/core/messages.rs").match(/const KEYS: &str = "([\s\S]*?)";/)[1];
    const list = keys.split(/[\s\\]+/).filter(Boolean);
    assert.ok(list.length >= 30, list.join());
    assert.deepEqual(sorted(union(declarations, "MessageKey")), sorted(list));
  });

  test("HopaePart and the reference's list of parts are exactly the parts the widget sets", () => {
    assert.ok(PARTS.includes("code-value") && PARTS.includes("submit-button") && PARTS.includes("skeleton"), PARTS.join());
    assert.deepEqual(sorted(union(declarations, "HopaePart")), PARTS);
    const listed = reference.match(/^Parts: ([\s\S]*?)\(the `HopaePart` type/m)?.[1];
    assert.ok(listed, "docs/widget.md lists the parts");
    assert.deepEqual(sorted([...listed.matchAll(/`([\w-]+)`/g)].map((m) => m[1])), PARTS);
  });

  test("the element's typings and the reference name every attribute it reads, and no other", () => {
    // One list of attributes, in index.d.ts; the React, Vue and Svelte typings extend it.
    const shared = declarations.match(/export interface HopaeVerifyElementAttributes \{([\s\S]*?)\n\}/)[1];
    const names = sorted([...shared.matchAll(/^\s+("?)([a-z][\w-]*)\1\?: /gm)].map((m) => m[2]));
    assert.deepEqual(names, sorted(ELEMENT_ATTRIBUTES), "HopaeVerifyElementAttributes");
    for (const file of ["js/react.d.ts", "js/vue.d.ts", "js/svelte.d.ts"]) {
      assert.match(source(file), /extends [^{]*\bHopaeVerifyElementAttributes, HopaeEventProps\b/, file);
    }
    const listed = declarations.match(/Attributes: ([\s\S]*?)\n \* Removing/)[1];
    assert.deepEqual(sorted([...listed.matchAll(/\b([a-z][a-z-]+)(?=[,\s(]|$)/g)].map((m) => m[1]).filter((a) => ELEMENT_ATTRIBUTES.includes(a))), sorted(ELEMENT_ATTRIBUTES));
    const element = reference.match(/Its attributes mirror the options in kebab-case \(([\s\S]*?)\);/)[1];
    assert.deepEqual(sorted([...element.matchAll(/`([\w-]+)`/g)].map((m) => m[1])), sorted(ELEMENT_ATTRIBUTES));
    const dropin = reference.match(/from its `data-\*`\nattributes \(([\s\S]*?)\),/)[1];
    assert.deepEqual(sorted([...dropin.matchAll(/`([\w-]+)`/g)].map((m) => m[1])), sorted(DATA_KEYS));
  });

  test("mount() has no `provider` option: not in the declarations, not in the reference's options", () => {
    const options = declarations.match(/export interface MountOptions \{([\s\S]*?)\n\}/)[1];
    assert.doesNotMatch(options, /^\s+provider\??:/m);
    const table = reference.match(/\| option \| default \|[\s\S]*?\n\n/)[0];
    assert.doesNotMatch(table, /\| `provider` \|/);
    for (const option of ["userData", "requireUserData", "requestTimeout"]) assert.match(table, new RegExp(`\\| \`${option}\` \\|`), option);
    assert.match(table, /\| `requestTimeout` \| 15000 \|/);
    assert.match(source("src/core/config.rs"), /DEFAULT_REQUEST_TIMEOUT: u64 = 15_000;/, "the default the docs state");
  });
});
