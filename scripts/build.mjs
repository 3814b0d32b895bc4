// Builds dist/: cargo (release, wasm32) -> wasm-bindgen (--target web) ->
// wasm-opt -Oz (from the npm binaryen package) -> the ES modules and types,
// and the drop-in script (esbuild bundles the same modules into one classic
// script). Also bundles the React example page of www/.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, transform } from "esbuild";
import { buildWasm } from "./cargo-wasm.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: "inherit" });

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist);
// cargo -> wasm-bindgen -> wasm-opt (scripts/cargo-wasm.mjs: the pinned nightly, build-std).
buildWasm(dist);
// The first-QR module (the crate built with `--cfg hopae_first`): hopae_first_bg.wasm + hopae_first.js.
buildWasm(dist, { first: true });
const JS = ["index.js", "mount.js", "load.js", "events.js", "card.js", "element.js", "define.js", "fallback.js", "react.js"];
const TYPES = ["index.d.ts", "define.d.ts", "react.d.ts", "vue.d.ts", "svelte.d.ts"];
for (const file of [...JS, ...TYPES]) {
  copyFileSync(join(root, "js", file), join(dist, file));
}

// The status worker js/events.js starts beside itself (a classic script).
copyFileSync(join(root, "js/poll-worker.js"), join(dist, "poll-worker.js"));
// What ships is minified (the glue most: wasm-bindgen writes it readable).
for (const file of ["hopae_connect_widget.js", "hopae_first.js", "poll-worker.js", ...JS]) {
  const path = join(dist, file);
  const { code } = await transform(readFileSync(path, "utf8"), { minify: true, format: "esm", target: "es2020", legalComments: "none" });
  writeFileSync(path, code);
}

// The drop-in: a classic script (IIFE) that needs no type="module", bundled
// from the same modules (next to the wasm-bindgen glue in dist/).
copyFileSync(join(root, "js/dropin.js"), join(dist, "dropin.js"));
await build({
  entryPoints: [join(dist, "dropin.js")],
  outfile: join(dist, "hopae-verify.js"),
  bundle: true,
  format: "iife",
  minify: true,
  target: "es2020",
  legalComments: "none",
  logLevel: "warning",
  // import.meta.url is only read when the drop-in did not locate the .wasm itself.
  define: { "import.meta.url": "undefined" },
  // One script: load.js's import() of the glue (and of events.js beside it)
  // is a static import here, without esbuild's lazy-module wrappers.
  plugins: [
    {
      name: "glue-inline",
      setup(b) {
        b.onLoad({ filter: /[\\/]load\.js$/ }, (args) => {
          const source = readFileSync(args.path, "utf8");
          const glue = 'import("./hopae_connect_widget.js")';
          const firstGlue = 'import("./hopae_first.js")';
          for (const g of [glue, firstGlue]) if (!source.includes(g)) throw new Error(`build: ${g} not in dist/load.js`);
          const contents = source
            .replace(glue, "Promise.resolve({ default: init$, mount: mount$ })")
            .replace(firstGlue, "Promise.resolve({ default: first$, firstQr: firstQr$ })")
            .replace('import("./events.js")', "0");
          return {
            contents: `import init$, { mount as mount$ } from "./hopae_connect_widget.js";import first$, { firstQr as firstQr$ } from "./hopae_first.js";${contents}`,
            loader: "js",
          };
        });
      },
    },
  ],
});
rmSync(join(dist, "dropin.js"));

// The entries a page imports are bundled, so a browser fetches the ES entry's
// graph in one round trip: index.js holds mount, the loader and the element;
// the glue (the one wasm instance: bench/site/ours.js and the tests import it
// too), events.js (which the glue imports) and the lazy fallback.js stay
// files (index.js: see eventsBeside). define.js and react.js import mount and the element from index.js,
// so a page that uses several entries still has one loader and one module.
// (load.js keeps `new URL("./hopae_connect_widget_bg.wasm", import.meta.url)`
// literal in index.js, next to the .wasm, for Vite and webpack.)
const SHARED = ["./hopae_connect_widget.js", "./hopae_first.js", "./events.js", "./fallback.js"];
const fromIndex = (specifiers) => ({
  name: "from-index",
  setup(b) {
    b.onResolve({ filter: /^\.\/(mount|element)\.js$/ }, (args) => (specifiers.includes(args.path) ? { path: "./index.js", external: true } : undefined));
  },
});
// index.js inlines events.js (what it uses is stateless, so the glue's own
// copy is harmless: index.js never imports request(), so the status worker
// and its state are only in the glue's copy) and leaves only load.js's
// import("./events.js"), which fetches it beside the glue.
const eventsBeside = {
  name: "events-beside",
  setup(b) {
    b.onResolve({ filter: /^\.\/events\.js$/ }, (args) => (args.kind === "dynamic-import" ? { path: args.path, external: true } : undefined));
  },
};
for (const [entry, external, plugins] of [
  ["index.js", SHARED.filter((f) => f !== "./events.js"), [eventsBeside]],
  ["define.js", SHARED, [fromIndex(["./element.js"])]],
  ["react.js", [...SHARED, "react"], [fromIndex(["./mount.js"])]],
]) {
  await build({ entryPoints: [join(root, "js", entry)], outfile: join(dist, entry), bundle: true, format: "esm", minify: true, target: "es2020", legalComments: "none", logLevel: "warning", external, plugins });
}

// The React example (www/react.html) uses the custom element from a React component.
await build({
  entryPoints: [join(root, "www/react/app.jsx")],
  outfile: join(root, "www/react/app.bundle.js"),
  bundle: true,
  format: "esm",
  minify: true,
  jsx: "automatic",
  external: ["/dist/*"],
  define: { "process.env.NODE_ENV": '"production"' },
  logLevel: "warning",
});

// Subresource Integrity hashes of what a page may load straight from a CDN
// (README: <script src=… integrity=… crossorigin>).
const integrity = {};
for (const file of ["hopae-verify.js", "hopae_connect_widget_bg.wasm", "hopae_connect_widget.js", "hopae_first_bg.wasm", "hopae_first.js", ...JS]) {
  integrity[file] = `sha384-${createHash("sha384").update(readFileSync(join(dist, file))).digest("base64")}`;
}
writeFileSync(join(dist, "integrity.json"), `${JSON.stringify(integrity, null, 2)}\n`);

const row = (file) => {
  const bytes = readFileSync(join(dist, file));
  return `${file.padEnd(32)} ${String(statSync(join(dist, file)).size).padStart(7)} B  gzip ${String(gzipSync(bytes, { level: 9 }).length).padStart(6)} B`;
};
console.log(["built dist/:", ...["hopae_first_bg.wasm", "hopae_first.js", "hopae_connect_widget_bg.wasm", "hopae_connect_widget.js", "index.js", "hopae-verify.js"].map(row)].join("\n  "));
