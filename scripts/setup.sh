#!/usr/bin/env bash
# Installs what building, serving and testing the portal need, when missing.
# Idempotent: each step checks first and does nothing when the right version is there.
#
#   scripts/setup.sh          tools to build and serve
#   scripts/setup.sh --test   also what the tests need (Debian's Chromium, and
#                             ClamAV's daemon, which the tests start themselves)
#
# Pinned versions: cargo-leptos 0.3.10 (the last that builds on Rust 1.95),
# wasm-bindgen-cli exactly as Cargo.lock has wasm-bindgen, and the npm packages of
# end2end/package-lock.json (binaryen's wasm-opt, Playwright, axe-core).
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.10
with_browser=false
[ "${1:-}" = "--test" ] && with_browser=true

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

export PATH="$HOME/.cargo/bin:$PWD/end2end/node_modules/.bin:$PATH"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(cargo leptos --version 2>/dev/null)" != "cargo-leptos $CARGO_LEPTOS_VERSION" ]; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 20 minutes on 2 cores)"
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads --force
fi

wasm_bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $wasm_bindgen_version" ]; then
  say "installing wasm-bindgen-cli $wasm_bindgen_version (about 3 minutes)"
  # --locked fails here (a locked dependency is missing from the registry); the
  # fallback resolver picks versions that build on this Rust.
  CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS=fallback \
    cargo install wasm-bindgen-cli --version "$wasm_bindgen_version" --force
fi

lock_sum=$(sha256sum end2end/package-lock.json | cut -d' ' -f1)
if [ "$(cat end2end/node_modules/.installed-from 2>/dev/null)" != "$lock_sum" ]; then
  say "installing the npm packages of end2end/ (wasm-opt, Playwright, axe-core)"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
  echo "$lock_sum" > end2end/node_modules/.installed-from
fi

if $with_browser && ! [ -x /usr/bin/chromium ]; then
  say "installing Debian's chromium"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium >/dev/null
fi

# The virus-scanning tests start a throwaway clamd of their own, in a temporary
# folder with a local test signature; the system's service and its signature
# downloads are not wanted, so they are switched off where systemd runs.
if $with_browser && ! [ -x /usr/sbin/clamd ]; then
  say "installing Debian's clamav-daemon (for the tests only)"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends clamav-daemon >/dev/null
  if command -v systemctl >/dev/null; then
    as_root systemctl disable --now clamav-daemon.service clamav-daemon.socket \
      clamav-freshclam.service >/dev/null 2>&1 || true
  fi
fi

# The mail tests start a throwaway SMTP server of their own (aiosmtpd, run by Debian's
# /usr/bin/python3) that stores what it receives in a Maildir.
if $with_browser && ! /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null; then
  say "installing Debian's python3-aiosmtpd (for the tests only)"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends python3-aiosmtpd >/dev/null
fi

# The inbound mail tests start a throwaway Dovecot of their own (a configuration, a
# user and a Maildir in a temporary folder); the system's IMAP service is not wanted.
if $with_browser && ! [ -x /usr/sbin/dovecot ]; then
  say "installing Debian's dovecot-imapd (for the tests only)"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends dovecot-imapd >/dev/null
  if command -v systemctl >/dev/null; then
    as_root systemctl disable --now dovecot.service dovecot.socket >/dev/null 2>&1 || true
  fi
  # Without systemd, the package's script may have started it: stop it.
  if [ -x /etc/init.d/dovecot ]; then
    as_root /etc/init.d/dovecot stop >/dev/null 2>&1 || true
  fi
fi
