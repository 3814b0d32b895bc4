// Builds dist/: cargo (release, wasm32) -> wasm-bindgen (--target web) ->
// wasm-opt -Oz (from the npm binaryen package) -> the ES module entry and types.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: "inherit" });

run("cargo", ["build", "--release", "--lib", "--target", "wasm32-unknown-unknown"]);
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist);
run("wasm-bindgen", [
  "target/wasm32-unknown-unknown/release/hopae_connect_widget.wasm",
  "--out-dir", "dist",
  "--target", "web",
  "--omit-default-module-path",
]);
const wasm = join(dist, "hopae_connect_widget_bg.wasm");
run(join(root, "node_modules/.bin/wasm-opt"), ["-Oz", wasm, "-o", wasm]);
for (const file of ["index.js", "index.d.ts"]) copyFileSync(join(root, "js", file), join(dist, file));

const row = (file) => {
  const bytes = readFileSync(join(dist, file));
  return `${file.padEnd(32)} ${String(statSync(join(dist, file)).size).padStart(7)} B  gzip ${String(gzipSync(bytes, { level: 9 }).length).padStart(6)} B`;
};
console.log(["built dist/:", ...["hopae_connect_widget_bg.wasm", "hopae_connect_widget.js", "index.js"].map(row)].join("\n  "));
writeFileSync(join(dist, ".gitignore"), "*\n");
