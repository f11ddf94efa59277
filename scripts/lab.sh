#!/usr/bin/env bash
# Set up (first run only) and start JupyterLab on the training notebooks.
# Usage: bash scripts/lab.sh [extra jupyter-lab options]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
extra=()
if [ "$(id -u)" -eq 0 ]; then extra+=(--allow-root); fi  # JupyterLab refuses root without it
exec .venv/bin/jupyter lab --notebook-dir=notebooks "${extra[@]}" "$@"
