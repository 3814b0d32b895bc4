// The size budget: everything the ES module entry loads until the QR is
// painted (its module graph and the .wasm), brotli-compressed, must stay
// within bench/budget.json. `npm run bench` reports the details.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const { esEntryBrotliBytes } = JSON.parse(readFileSync(join(root, "bench/budget.json"), "utf8"));

/** dist/index.js and every module it imports, statically, in dist/. */
function moduleGraph(entry) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(join(dist, file), "utf8");
    // `from "./x.js"` and `import "./x.js"`, minified or not.
    for (const [, spec] of source.matchAll(/(?:from|import)\s*["'](\.\/[^"']+\.js)["']/g)) visit(spec.slice(2));
  };
  visit(entry);
  return [...seen];
}

test(`the ES module entry stays within ${esEntryBrotliBytes} bytes of brotli`, () => {
  const files = [...moduleGraph("index.js"), "hopae_connect_widget_bg.wasm"];
  assert.ok(files.includes("hopae_connect_widget.js") && files.includes("element.js"), files.join(", "));
  let total = 0;
  const rows = [];
  for (const file of files) {
    const bytes = brotliCompressSync(readFileSync(join(dist, file)), { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
    total += bytes;
    rows.push(`${file}: ${bytes}`);
  }
  assert.ok(total <= esEntryBrotliBytes, `ES entry is ${total} bytes of brotli, over the budget of ${esEntryBrotliBytes} (${rows.join(", ")})`);
});
