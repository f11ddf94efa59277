#!/usr/bin/env bash
# Start the room's JupyterHub (classroom/jupyterhub_config.py) after setting up what is missing (scripts/setup.sh
# installs JupyterHub, the idle culler and configurable-http-proxy; offline once set up).
# Usage: KMSSIM_ROOM_PASSWORD='...' bash classroom/hub.sh [extra jupyterhub options]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${KMSSIM_NO_SETUP:-0}" != "1" ]; then bash scripts/setup.sh; fi
VENV=${KMSSIM_VENV:-.venv}
exec "$VENV/bin/python" -m jupyterhub -f classroom/jupyterhub_config.py "$@"
