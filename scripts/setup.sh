#!/usr/bin/env bash
# Installs what the build (and, with --test, the tests) need and is missing.
# Quick when everything is there; safe to run again. Runs on Debian 12 as root
# (CI) or as a developer with the same tools.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*"; }

command -v cargo >/dev/null || { say "Rust is missing: install it with rustup (https://rustup.rs)"; exit 1; }
command -v node >/dev/null || { say "Node.js >= 20 is missing"; exit 1; }

# The toolchain and wasm target pinned in rust-toolchain.toml.
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# The release wasm's pinned nightly and its rust-src (-Zbuild-std), named in
# Cargo.toml's [package.metadata.wasm-release] (scripts/cargo-wasm.mjs).
nightly=$(sed -n '/^\[package.metadata.wasm-release\]/,/^\[/s/^toolchain = "\([^"]*\)".*/\1/p' Cargo.toml)
if [ -n "$nightly" ]; then
  sysroot=$(rustc "+$nightly" --print sysroot 2>/dev/null || true)
  if [ -z "$sysroot" ] || [ ! -d "$sysroot/lib/rustlib/src/rust/library" ]; then
    say "installing the $nightly toolchain with rust-src (for the release wasm's -Zbuild-std)"
    rustup toolchain install "$nightly" --profile minimal --component rust-src --no-self-update
  fi
fi

# wasm-bindgen-cli must be exactly the version of the wasm-bindgen crate.
want=$(sed -n 's/^wasm-bindgen = "=\([^"]*\)".*/\1/p' Cargo.toml)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ] || ! command -v wasm-bindgen-test-runner >/dev/null; then
  say "installing wasm-bindgen-cli $want (found: ${have:-none}); this takes a few minutes"
  cargo install wasm-bindgen-cli --version "$want" --locked --force \
    || cargo install wasm-bindgen-cli --version "=$want" --force
fi

# npm dev dependencies (binaryen's wasm-opt, playwright-core, jsqr), as locked.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dev dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi

# Options: --test (Chromium and its driver), --size (twiggy, for `npm run size`).
want_test=; want_size=
for arg in "$@"; do
  case "$arg" in
    --test) want_test=1 ;;
    --size) want_size=1 ;;
    *) say "unknown option $arg (use --test, --size)"; exit 2 ;;
  esac
done

# twiggy reads the names-kept build for `npm run size`; only when asked.
if [ -n "$want_size" ] && ! command -v twiggy >/dev/null; then
  say "installing twiggy (cargo install; only for npm run size)"
  cargo install twiggy --locked
fi

# Tests drive Debian's Chromium; no tool may download a browser of its own.
if [ -n "$want_test" ]; then
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    if [ "$(id -u)" = 0 ]; then
      say "installing chromium and chromium-driver from Debian"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq
      apt-get install -y -qq chromium chromium-driver >/dev/null
    else
      say "the tests need /usr/bin/chromium and /usr/bin/chromedriver: sudo apt-get install chromium chromium-driver"
      exit 1
    fi
  fi
  # tests/redis-store.test.mjs starts its own redis-server (skipped, with a message, without one).
  if ! command -v redis-server >/dev/null; then
    if [ "$(id -u)" = 0 ]; then
      say "installing redis-server from Debian"
      apt-get install -y -qq redis-server >/dev/null || { apt-get update -qq && apt-get install -y -qq redis-server >/dev/null; }
    else
      say "tests/redis-store.test.mjs needs redis-server (sudo apt-get install redis-server); it is skipped without it"
    fi
  fi
fi
