// The size budget: everything loaded until the QR is painted, brotli-
// compressed, for the ES module entry (its module graph + the .wasm) and for
// the drop-in script (+ the .wasm), must stay within bench/budget.json.
// `npm run size` prints the same totals and where the bytes are.
import { test } from "node:test";
import assert from "node:assert/strict";
import { budget, entries, totals } from "../scripts/size.mjs";

const { esEntryBrotliBytes, dropInBrotliBytes, target } = budget();
const sizes = totals();
const detail = (entry) => entry.files.map((f) => `${f.file}: ${f.brotli}`).join(", ");

test("the ES entry's module graph is what a page loads: index.js (mount, loader, element: one bundle), the glue, the event details and the wasm", () => {
  const files = entries().esEntry;
  for (const file of ["index.js", "hopae_connect_widget.js", "events.js", "hopae_connect_widget_bg.wasm"]) assert.ok(files.includes(file), `${file} not in ${files.join(", ")}`);
});

test(`the ES module entry stays within ${esEntryBrotliBytes} bytes of brotli (target ${target})`, () => {
  const { brotli } = sizes.esEntry;
  assert.ok(brotli <= esEntryBrotliBytes, `ES entry is ${brotli} bytes of brotli, over the limit of ${esEntryBrotliBytes} (${detail(sizes.esEntry)})`);
});

test(`the drop-in script stays within ${dropInBrotliBytes} bytes of brotli (target ${target})`, () => {
  const { brotli } = sizes.dropIn;
  assert.ok(brotli <= dropInBrotliBytes, `drop-in is ${brotli} bytes of brotli, over the limit of ${dropInBrotliBytes} (${detail(sizes.dropIn)})`);
});

test("the budget records the issue's target of 24 KiB, and no limit below it", () => {
  assert.equal(target, 24576);
  assert.ok(esEntryBrotliBytes >= target && dropInBrotliBytes >= target);
});
