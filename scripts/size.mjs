// `npm run size`: where the bytes are. Prints the brotli total of everything
// loaded until the QR is painted, for the ES module entry (its module graph +
// the .wasm) and for the drop-in script (+ the .wasm), against
// bench/budget.json, and the top items of a names-kept build (profile `names`,
// read with twiggy; `bash scripts/setup.sh --size` installs twiggy).
//   node scripts/size.mjs           totals of dist/ + twiggy top 20
//   node scripts/size.mjs --json    totals of dist/ only, as JSON
// tests/size.test.mjs enforces the same totals.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const dist = join(root, "dist");
export const WASM = "hopae_connect_widget_bg.wasm";
/** The first-QR module, which paints the first code (js/mount.js paintFirst). */
export const FIRST_WASM = "hopae_first_bg.wasm";

export const budget = () => JSON.parse(readFileSync(join(root, "bench/budget.json"), "utf8"));

export const brotli = (bytes) => brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
export const gzip = (bytes) => gzipSync(bytes, { level: 9 }).length;

/** `entry` and every module it imports statically, in `dir` (relative `./x.js` specifiers). */
export function moduleGraph(entry, dir = dist) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(join(dir, file), "utf8");
    // Static imports only, minified or not: `from "./x.js"` and `import "./x.js"`.
    // A dynamic import("./x.js") loads on demand (e.g. only on a failure), not until the QR.
    for (const [, spec] of source.matchAll(/(?:from|import)\s*["'](\.\/[^"']+\.js)["']/g)) visit(spec.slice(2));
  };
  visit(entry);
  return [...seen];
}

/**
 * What each entry loads until the QR: the ES entry's module graph and the
 * first-QR module's glue (js/load.js imports it at once), or the drop-in
 * script; both + the first-QR .wasm. The widget's module, its glue and
 * events.js are requested once the first QR is painted (tests/e2e/first-qr
 * checks that in a browser), and the status worker after the create: `afterQr`.
 */
export function entries(dir = dist) {
  return {
    esEntry: [...new Set([...moduleGraph("index.js", dir), ...moduleGraph("hopae_first.js", dir)]), FIRST_WASM],
    dropIn: ["hopae-verify.js", FIRST_WASM],
    afterQr: [...moduleGraph("hopae_connect_widget.js", dir), WASM, "poll-worker.js"],
  };
}

/** Per entry: the files with raw/gzip/brotli bytes and the totals. */
export function totals(dir = dist) {
  const out = {};
  for (const [name, files] of Object.entries(entries(dir))) {
    const rows = files.map((file) => {
      const bytes = readFileSync(join(dir, file));
      return { file, raw: bytes.length, gzip: gzip(bytes), brotli: brotli(bytes) };
    });
    const sum = (k) => rows.reduce((n, r) => n + r[k], 0);
    out[name] = { files: rows, raw: sum("raw"), gzip: sum("gzip"), brotli: sum("brotli") };
  }
  return out;
}

/** twiggy's top `n` items of a names-kept build (built into target/size-names/; `first`: the first-QR module). */
export async function twiggyTop(n = 20, { first = false } = {}) {
  const out = join(root, first ? "target/size-names-first" : "target/size-names");
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const { buildWasm } = await import("./cargo-wasm.mjs");
  const wasm = buildWasm(out, { names: true, first });
  // The name section itself is not shipped: left out of the rows (still in the total).
  const out_ = execFileSync("twiggy", ["top", "-n", String(n + 1), wasm], { encoding: "utf8" });
  // Readable rows: no crate hashes, long generic names cut at 140 characters.
  return out_
    .split("\n")
    .filter((line) => !line.includes('"function names" subsection'))
    .map((line) => line.replace(/\[[0-9a-f]{12,16}\]/g, "").replace(/::h[0-9a-f]{16}$/, "").replace(/─{100,}/, "─".repeat(100)))
    .map((line) => (line.length > 140 ? `${line.slice(0, 139)}…` : line))
    .join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const t = totals();
  if (process.argv.includes("--json")) {
    console.log(JSON.stringify({ esEntry: t.esEntry.brotli, dropIn: t.dropIn.brotli, afterQr: t.afterQr.brotli, wasm: t.afterQr.files.find((f) => f.file === WASM), first: t.esEntry.files.find((f) => f.file === FIRST_WASM), files: t }, null, 1));
  } else {
    const b = budget();
    const limit = { esEntry: b.esEntryBrotliBytes, dropIn: b.dropInBrotliBytes };
    for (const [name, { files, raw, gzip, brotli }] of Object.entries(t)) {
      if (name === "afterQr") console.log(`afterQr (requested once the first QR is painted): ${brotli} B brotli (${raw} raw, ${gzip} gzip)`);
      else console.log(`${name}: ${brotli} B brotli (${raw} raw, ${gzip} gzip); limit ${limit[name]}, target ${b.target}`);
      for (const f of files) console.log(`  ${f.file.padEnd(32)} ${String(f.raw).padStart(7)} raw ${String(f.gzip).padStart(6)} gzip ${String(f.brotli).padStart(6)} brotli`);
    }
    try {
      execFileSync("twiggy", ["--version"], { stdio: "ignore" });
    } catch {
      console.log("\ntwiggy is missing: bash scripts/setup.sh --size");
      process.exit(0);
    }
    console.log("\ntwiggy top 20 of the widget's module (names-kept build, profile `names`, wasm-opt -g):\n");
    console.log(await twiggyTop(20));
    console.log("\ntwiggy top 10 of the first-QR module (the same, `--cfg hopae_first`):\n");
    console.log(await twiggyTop(10, { first: true }));
  }
}
