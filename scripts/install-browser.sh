#!/usr/bin/env sh
# Make Debian's Chromium (and a Korean font) available for the browser tests.
# Never downloads a browser build: only Debian packages. With CI=true a missing browser is an error.
set -u
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium, chromium-driver and fonts-noto-cjk for the browser tests…"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    chromium chromium-driver fonts-noto-cjk >/dev/null && exit 0
fi
if [ "${CI:-}" = "true" ]; then
  echo "ERROR: /usr/bin/chromium is missing and could not be installed; browser tests are required in CI." >&2
  exit 1
fi
echo "NOTE: /usr/bin/chromium is not installed, so the browser tests will be SKIPPED." >&2
echo "      Install it with: sudo apt-get install chromium chromium-driver fonts-noto-cjk" >&2
exit 0
