#!/usr/bin/env bash
# Runs the whole test suite: unit and integration tests (real SQLite file and
# tantivy index per test), then the end-to-end journeys in Chromium against the
# release build.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
export PATH="$HOME/.cargo/bin:$PWD/end2end/node_modules/.bin:$PATH"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "release build (server and WebAssembly)"
scripts/build.sh

step "unit and integration tests"
# Same profile and the same LEPTOS_OUTPUT_NAME as the build above, so the tests reuse
# its compiled dependencies instead of building them again.
LEPTOS_OUTPUT_NAME=portal cargo test --release -p app -p server --features app/ssr --no-run
# The tests commit with fsync (synchronous=FULL). Right after a cold build the disk
# still has gigabytes of build output to write back, and an fsync can wait behind it
# for longer than the portal's 30 s request timeout (seen once on a fresh machine).
sync
LEPTOS_OUTPUT_NAME=portal cargo test --release -p app -p server --features app/ssr

step "end-to-end tests in Chromium"
sync
export PORTAL_SERVER_BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/server"
(cd end2end && npx playwright test)
