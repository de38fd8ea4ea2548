#!/usr/bin/env bash
# The release build of the portal: the server binary and the WebAssembly bundle.
#
# `--split` cuts the code of lazy islands (`#[island(lazy)]`, such as the logging
# form) out of the bundle every page loads, into chunks fetched only by the pages
# that show them: the home page then carries only the search box and the notice
# banner (docs/BENCHMARKS.md has the figures).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/end2end/node_modules/.bin:$PATH"
exec cargo leptos build --release --split "$@"
