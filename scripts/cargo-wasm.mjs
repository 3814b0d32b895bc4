// Builds the wasm32 library with cargo and returns the path of the .wasm.
//
// The release wasm (profiles `release` and `names`) is built the way
// [package.metadata.wasm-release] in Cargo.toml says: a pinned nightly
// toolchain that rebuilds std itself (-Zbuild-std) with the immediate-abort
// panic strategy, which leaves no panic machinery (messages, locations,
// formatting) in the module. scripts/setup.sh installs that toolchain and its
// rust-src. Tests and clippy keep the stable toolchain of rust-toolchain.toml.
// HOPAE_WASM_STABLE=1 builds with the stable toolchain instead (for comparing).
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { shortenImports } from "./wasm-imports.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const TARGET = "wasm32-unknown-unknown";
/** The first-QR module's stack, bytes (tests/e2e/first-qr.test.mjs paints a version-40 code with it). */
export const FIRST_STACK = 65536;

/** The [package.metadata.wasm-release] table of Cargo.toml (strings and string arrays only). */
export function wasmRelease(cargoToml = readFileSync(join(root, "Cargo.toml"), "utf8")) {
  const section = cargoToml.match(/^\[package\.metadata\.wasm-release\]\n([\s\S]*?)(?=^\[|(?![\s\S]))/m);
  if (!section) return undefined;
  const table = {};
  for (const [, key, value] of section[1].matchAll(/^([\w-]+)\s*=\s*(.+)$/gm)) {
    table[key] = value.trim().startsWith("[") ? [...value.matchAll(/"([^"]*)"/g)].map((m) => m[1]) : value.trim().replace(/^"|"$/g, "");
  }
  return table;
}

/** cargo's command line and environment for a wasm build in `profile`. */
export function cargoCommand(profile = "release", { stable = process.env.HOPAE_WASM_STABLE === "1", first = false } = {}) {
  const meta = stable ? undefined : wasmRelease();
  const args = ["build", "--profile", profile, "--lib", "--target", TARGET];
  const env = { ...process.env };
  if (meta) {
    args.unshift(`+${meta.toolchain}`);
    if (meta["build-std"]) args.push(`-Zbuild-std=${meta["build-std"]}`);
    if (meta["build-std-features"]) args.push(`-Zbuild-std-features=${meta["build-std-features"]}`);
    if (meta.rustflags?.length) env.CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS = meta.rustflags.join(" ");
    // A separate target dir: the nightly std must not evict the stable builds the tests use.
    env.CARGO_TARGET_DIR = join(root, "target/wasm-release");
  }
  // The first-QR module (`--cfg hopae_first`, src/lib.rs) has its own target
  // dir: building one never invalidates the other.
  // Its work (one encode, one paint) needs a small stack: 64 KiB instead of
  // Rust's 1 MiB, so its memory is 2 pages, not 17.
  if (first) {
    env.CARGO_TARGET_DIR = join(env.CARGO_TARGET_DIR ?? join(root, "target"), "first");
    const flags = env.CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS;
    env.CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS = `${flags ? `${flags} ` : ""}--cfg hopae_first -Clink-arg=-zstack-size=${FIRST_STACK}`;
  }
  const dir = env.CARGO_TARGET_DIR ?? join(root, "target");
  return { args, env, wasm: join(dir, TARGET, profile, "hopae_connect_widget.wasm") };
}

/** Builds and returns the path of the built .wasm. */
export function cargoWasm(profile = "release", options) {
  const { args, env, wasm } = cargoCommand(profile, options);
  execFileSync("cargo", args, { cwd: root, stdio: "inherit", env });
  return wasm;
}

/** wasm-opt's flags for the shipped module (measured in bench/RESULTS.md). */
// --low-memory-unused: Rust puts the stack first and data above 1 MiB, so the
// first 1 KiB is never addressed. flatten + rereloop between two -Oz runs
// finds a little more; the strip flags drop sections no browser reads.
export const WASM_OPT_FLAGS = ["-Oz", "--low-memory-unused", "--flatten", "--rereloop", "-Oz", "--converge", "--strip-debug", "--strip-producers", "--strip-target-features"];

/**
 * cargo -> wasm-bindgen (--target web) -> wasm-opt -> short import names into `outDir`: the module
 * hopae_connect_widget_bg.wasm and its glue hopae_connect_widget.js, or with
 * `first` the first-QR module hopae_first_bg.wasm and hopae_first.js (the
 * crate built with `--cfg hopae_first`: src/lib.rs).
 * `names` keeps the function names (profile `names`, wasm-opt -g) for twiggy.
 */
export function buildWasm(outDir, { names = false, first = false, ...options } = {}) {
  const built = cargoWasm(names ? "names" : "release", { first, ...options });
  const out = first ? "hopae_first" : "hopae_connect_widget";
  execFileSync("wasm-bindgen", [built, "--out-dir", outDir, "--out-name", out, "--target", "web", "--omit-default-module-path"], { cwd: root, stdio: "inherit" });
  sharedSnippets(outDir, out);
  const wasm = join(outDir, `${out}_bg.wasm`);
  execFileSync(join(root, "node_modules/.bin/wasm-opt"), [...(names ? [...WASM_OPT_FLAGS.filter((f) => f !== "--strip-debug"), "-g"] : WASM_OPT_FLAGS), wasm, "-o", wasm], { cwd: root, stdio: "inherit" });
  // Short import names in the wasm and the glue (scripts/wasm-imports.mjs).
  if (!names) shortenImports(wasm, join(outDir, `${out}.js`), `./${out}_bg.js`);
  return wasm;
}

/**
 * wasm-bindgen copies a module the Rust imports (`#[wasm_bindgen(module =
 * "/js/events.js")]`) to snippets/<crate>-<hash>/js/ and the glue imports it
 * from there. The package ships each such module once, next to the glue (as
 * scripts/build.mjs copies js/*.js), where the other modules import it too:
 * the glue's import is pointed there and snippets/ removed.
 */
export function sharedSnippets(outDir, out = "hopae_connect_widget") {
  const gluePath = join(outDir, `${out}.js`);
  const glue = readFileSync(gluePath, "utf8").replace(/(["'])\.\/snippets\/[^"'/]+\/js\/([\w-]+\.js)\1/g, '"./$2"');
  if (glue.includes("./snippets/")) throw new Error("cargo-wasm: the glue imports a snippet that is not a js/*.js module");
  writeFileSync(gluePath, glue);
  rmSync(join(outDir, "snippets"), { recursive: true, force: true });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(cargoWasm(process.argv[2] ?? "release"));
