#!/usr/bin/env bash
# Set up (only what is missing or changed; offline once set up) and start JupyterLab on the training notebooks,
# with the repository's settings in jupyter/ (no news prompt, conftest.py hidden).
# Usage: bash scripts/lab.sh [extra jupyter-lab options]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/jupyter_env.sh
extra=()
if [ "$(id -u)" -eq 0 ]; then extra+=(--allow-root); fi  # JupyterLab refuses root without it
exec "$VENV/bin/python" -m jupyterlab --notebook-dir=notebooks "${extra[@]}" "$@"
