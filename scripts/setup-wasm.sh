#!/usr/bin/env bash
# Installs what the wasm build needs, skipping what is already there:
# a wasm32 standard library (rustup's target if installed, else Debian's
# rustc-web + rust-web-src to build std ourselves) and wasm-bindgen-cli of
# the exact crate version. (wasm-opt comes from npm: see wasm/build.sh.)
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = { version = "=\([0-9.]*\)".*/\1/p' Cargo.toml)
: "${WASM_BINDGEN_VERSION:?could not read the wasm-bindgen version from Cargo.toml}"

apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]} from Debian"
    if [ ! -f /tmp/.permiso-apt-updated ]; then
      apt-get update -qq && touch /tmp/.permiso-apt-updated
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

if rustup target list --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown$'; then
  echo "wasm32: rustup target installed"
else
  apt_install rustc-web cargo-web rust-web-src lld-16
  echo "wasm32: Debian rustc-web ($(/usr/bin/rustc --version)) building std from source"
fi

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  echo "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes, once)"
  cargo install --quiet wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi
echo "wasm-bindgen $(wasm-bindgen --version | awk '{print $2}')"
