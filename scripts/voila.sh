#!/usr/bin/env bash
# Set up (only what is missing or changed; offline once set up) and serve the apps in notebooks/ with Voilà on
# http://127.0.0.1:8866 (code hidden, widgets only; nothing loaded from a CDN):
#   http://127.0.0.1:8866/voila/render/cost_calculator.ipynb
#   http://127.0.0.1:8866/voila/render/policy_lab.ipynb
# Usage: bash scripts/voila.sh [extra voila options, e.g. --no-browser --port=9000]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/jupyter_env.sh
echo "voila: the apps are at /voila/render/cost_calculator.ipynb and /voila/render/policy_lab.ipynb"
defaults=(--Voila.ip=127.0.0.1)
case " $* " in *" --port="*|*" --Voila.port="*) ;; *) defaults+=(--port=8866) ;; esac
exec "$VENV/bin/python" -m voila notebooks "${defaults[@]}" "$@"
