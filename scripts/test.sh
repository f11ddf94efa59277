#!/usr/bin/env bash
# Set up (first run only) and run every check: lint, types, unit and property tests, the notebooks under
# nbval, and the browser tests in headless Chromium.
# Usage: bash scripts/test.sh [extra pytest options]
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian's Chromium for the browser tests (a test tool's own browser download cannot work offline).
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

bash scripts/setup.sh
export PYTHONHASHSEED=0 MPLBACKEND=agg
.venv/bin/ruff check kmssim tests benchmarks
.venv/bin/ruff format --check kmssim tests benchmarks
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
