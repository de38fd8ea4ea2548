#!/usr/bin/env bash
# Builds the portal (release) and serves it with demo content on an embedded SQLite
# database. Settings (see README): LEPTOS_SITE_ADDR (default 127.0.0.1:3000),
# PORTAL_DATA_DIR (default ./data), PORTAL_LOG, PORTAL_PUBLIC_URL, PORTAL_DEMO.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PWD/end2end/node_modules/.bin:$PATH"

scripts/build.sh

export LEPTOS_OUTPUT_NAME=portal
export LEPTOS_SITE_ROOT="$PWD/target/site"
export LEPTOS_SITE_PKG_DIR=pkg
export LEPTOS_SITE_ADDR="${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"
export PORTAL_DATA_DIR="${PORTAL_DATA_DIR:-$PWD/data}"
exec "${CARGO_TARGET_DIR:-$PWD/target}/release/server"
