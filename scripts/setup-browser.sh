#!/usr/bin/env bash
# Debian's Chromium for the browser tests (driven by playwright-core with
# executablePath; no browser download). Skips it when it is there.
set -euo pipefail
if [ ! -x /usr/bin/chromium ]; then
  [ -f /tmp/.permiso-apt-updated ] || { apt-get update -qq && touch /tmp/.permiso-apt-updated; }
  echo "installing chromium from Debian"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
