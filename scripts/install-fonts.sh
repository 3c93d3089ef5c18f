#!/usr/bin/env sh
# What PDF reports need from the system: a font that renders Korean (Noto Sans CJK, Debian's
# fonts-noto-cjk) and HarfBuzz's font subsetter (libharfbuzz-subset0; without it WeasyPrint
# falls back to a slower subsetter). Only Debian packages, never a font downloaded from
# elsewhere. Without root or apt-get it says how to install them and exits 0: PDFs are then made
# without Korean glyphs and say so (CI=true makes a missing Korean font an error).
set -u
has_korean() { command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=ko family 2>/dev/null)" ]; }
has_subset() { ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset; }
if has_korean && has_subset; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's fonts-noto-cjk and libharfbuzz-subset0 for PDF reports…"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    fonts-noto-cjk fontconfig libharfbuzz-subset0 >/dev/null && exit 0
fi
if ! has_korean; then
  if [ "${CI:-}" = "true" ]; then
    echo "ERROR: no font with Korean glyphs and it could not be installed (fonts-noto-cjk)." >&2
    exit 1
  fi
  echo "NOTE: no font with Korean glyphs is installed, so Korean text in PDF reports will not render." >&2
  echo "      Install one with: sudo apt-get install fonts-noto-cjk" >&2
fi
has_subset || echo "NOTE: for faster PDF reports: sudo apt-get install libharfbuzz-subset0" >&2
exit 0
