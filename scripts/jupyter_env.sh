# Sourced by lab.sh and voila.sh (from the repository root): the repository's Jupyter settings in jupyter/ come
# before the installed ones (a user's own ~/.jupyter still wins): conftest.py hidden from the file browser,
# JupyterLab's news prompt and update check off, Voilà's "kmssim" template (no CDN).
export JUPYTER_CONFIG_PATH="$PWD/jupyter/config${JUPYTER_CONFIG_PATH:+:$JUPYTER_CONFIG_PATH}"
export JUPYTER_PATH="$PWD/jupyter/data${JUPYTER_PATH:+:$JUPYTER_PATH}"
# The environment to run from; KMSSIM_NO_SETUP=1 skips scripts/setup.sh (the tests use it with their own venv).
VENV=${KMSSIM_VENV:-.venv}
if [ "${KMSSIM_NO_SETUP:-0}" != "1" ]; then
  bash scripts/setup.sh
fi
