#!/usr/bin/env bash
# Set up what the notebooks, the tests and the classroom need, and only what is missing or out of date:
#   - .venv/ with kmssim (editable) and its `test` and `classroom` extras: installed when .venv is missing or when
#     pyproject.toml changed since the last install (a stamp in .venv holds its SHA-256);
#   - the npm packages of every folder listed in NODE_DIRS that has a package-lock.json: `npm ci` when its
#     node_modules is missing or its lock changed since the last `npm ci` (a stamp in node_modules holds the
#     lock's SHA-256).
# Once set up, a second run installs nothing and needs no network.
# Usage: bash scripts/setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
EXTRAS="test,classroom"
NODE_DIRS=(tests/differential classroom)
VENV_STAMP=.venv/.kmssim-setup.sha256
NODE_STAMP_NAME=.kmssim-lock.sha256

fingerprint() {  # what the Python install depends on: pyproject.toml, the extras, where the checkout is
  { sha256sum pyproject.toml | cut -d' ' -f1; echo "extras=$EXTRAS"; echo "root=$PWD"; } | sha256sum | cut -d' ' -f1
}

# --- Python ---------------------------------------------------------------------------------------------------
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $PYTHON (needs the package index)"
  "$PYTHON" -m venv .venv
  rm -f "$VENV_STAMP"
fi
want=$(fingerprint)
have=$(cat "$VENV_STAMP" 2>/dev/null || true)
if [ "$want" != "$have" ]; then
  if [ -L .venv ]; then  # a link to a virtualenv shared with other checkouts: installing would repoint theirs
    echo "setup: .venv links to $(readlink .venv), shared with other checkouts: not installing into it." \
      "Remove the link to get a .venv of this checkout's own." >&2
    exit 1
  fi
  echo "setup: installing kmssim[$EXTRAS] into .venv (pyproject.toml is new or changed; needs the package index)"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".[$EXTRAS]"
  echo "$want" >"$VENV_STAMP"
fi

# --- Node packages ----------------------------------------------------------------------------------------------
for dir in "${NODE_DIRS[@]}"; do
  lock="$dir/package-lock.json"
  [ -f "$lock" ] || continue
  stamp="$dir/node_modules/$NODE_STAMP_NAME"
  want=$(sha256sum "$lock" | cut -d' ' -f1)
  have=$(cat "$stamp" 2>/dev/null || true)
  if [ "$want" != "$have" ]; then
    if ! command -v npm >/dev/null 2>&1; then
      echo "setup: npm is missing, and $lock needs installing: install Node.js 20 or newer with npm" \
        "(Debian: apt-get install nodejs npm), then run this again" >&2
      exit 1
    fi
    echo "setup: npm ci --prefix $dir ($lock is new or changed; needs the npm registry)"
    npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
    echo "$want" >"$stamp"
  fi
done
