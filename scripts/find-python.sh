#!/usr/bin/env sh
# Print the path of a Python >= 3.12 interpreter (Django 6 needs it), or explain and fail.
for candidate in "${PYTHON:-}" python3.12 python3.13 python3 \
    "$HOME"/.pyenv/versions/3.12*/bin/python3 "$HOME"/.pyenv/versions/3.13*/bin/python3; do
  [ -n "$candidate" ] || continue
  if "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then
    command -v "$candidate" 2>/dev/null || echo "$candidate"
    exit 0
  fi
done
echo "Actives needs Python 3.12 or newer and none was found." >&2
echo "Install one (e.g. 'pyenv install 3.12') or run: make PYTHON=/path/to/python3.12 ..." >&2
exit 1
