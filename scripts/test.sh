#!/usr/bin/env bash
# Every test, in three levels: native Rust, the wasm shell in headless
# Chromium, and end-to-end in Chromium against the reference backend and the
# Hopae simulator. `npm test` builds dist/ first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test

echo "== lint: cargo fmt --check, clippy (no unwrap/expect/panic/indexing in src/)"
cargo fmt --check
cargo clippy --quiet --target wasm32-unknown-unknown --lib -- -D warnings
cargo clippy --quiet --all-targets -- -D warnings

echo "== 1/3 native: cargo test (property tests: PROPTEST_CASES=20000 for a long run)"
cargo test

echo "== 2/3 browser: wasm-bindgen-test in headless Chromium"
CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown --test web

echo "== 3/3 end-to-end: node --test (playwright-core + Chromium)"
# Most tests wait on timers and the browser, not the CPU: two files at a time.
node --test --test-concurrency=2 tests/
