// The size budget: everything loaded until the QR is painted, brotli-
// compressed, for the ES module entry (its module graph, the first-QR glue
// and the first-QR .wasm) and for the drop-in script (+ the first-QR .wasm),
// must stay within bench/budget.json: the 24 KiB. What loads after
// the first QR (the widget's module, its glue, events.js) has its own limit,
// the tree + ~1 %, so it cannot grow unnoticed either.
// tests/e2e/first-qr.test.mjs checks in a browser that these are the files a
// page requests until its QR. `npm run size` prints the same totals and where
// the bytes are.
import { test } from "node:test";
import assert from "node:assert/strict";
import { budget, entries, totals } from "../scripts/size.mjs";

const { esEntryBrotliBytes, dropInBrotliBytes, afterQrBrotliBytes, target } = budget();
const sizes = totals();
const detail = (entry) => entry.files.map((f) => `${f.file}: ${f.brotli}`).join(", ");

test("the ES entry's graph until the QR: index.js (mount, loader, element: one bundle), the first-QR glue and the first-QR wasm", () => {
  const files = entries().esEntry;
  assert.deepEqual([...files].sort(), ["hopae_first.js", "hopae_first_bg.wasm", "index.js"]);
});

test(`the ES module entry stays within ${esEntryBrotliBytes} bytes of brotli until the QR (target ${target})`, () => {
  const { brotli } = sizes.esEntry;
  assert.ok(brotli <= esEntryBrotliBytes, `ES entry is ${brotli} bytes of brotli, over the limit of ${esEntryBrotliBytes} (${detail(sizes.esEntry)})`);
});

test(`the drop-in script stays within ${dropInBrotliBytes} bytes of brotli until the QR (target ${target})`, () => {
  const { brotli } = sizes.dropIn;
  assert.ok(brotli <= dropInBrotliBytes, `drop-in is ${brotli} bytes of brotli, over the limit of ${dropInBrotliBytes} (${detail(sizes.dropIn)})`);
});

test(`what loads after the first QR stays within ${afterQrBrotliBytes} bytes of brotli`, () => {
  const { brotli } = sizes.afterQr;
  assert.ok(brotli <= afterQrBrotliBytes, `after the QR: ${brotli} bytes of brotli, over the limit of ${afterQrBrotliBytes} (${detail(sizes.afterQr)})`);
});

test("the budget until the QR is the issue's target of 24 KiB", () => {
  assert.equal(target, 24576);
  assert.equal(esEntryBrotliBytes, target);
  assert.equal(dropInBrotliBytes, target);
});
