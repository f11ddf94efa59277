"""JupyterHub for a kmssim training room: one machine, a shared room password, a server per learner.

Start it (after ``bash scripts/setup.sh``, which installs JupyterHub and configurable-http-proxy) with::

    KMSSIM_ROOM_PASSWORD='a room password' bash classroom/hub.sh

Settings, all from the environment (the defaults suit a room; the benchmark and the tests set their own):

================================ ======================================================================= ==========
variable                         what                                                                    default
================================ ======================================================================= ==========
KMSSIM_ROOM_PASSWORD             the shared password every learner types (at least 8 characters)          required
KMSSIM_TRAINER_PASSWORD          the trainer's (admin ``trainer``) password, at least 32 characters        no admin
KMSSIM_HUB_URL                   where learners connect (JupyterHub's ``bind_url``)                       http://:8000
KMSSIM_HUB_API_PORT              the hub's internal API port, on 127.0.0.1                                8081
KMSSIM_PROXY_API_PORT            the proxy's REST API port, on 127.0.0.1                                  8001
KMSSIM_HUB_STATE                 the hub's database, cookie secret and proxy pid                          classroom/state
KMSSIM_HUB_HOMES                 one folder per learner, each with their own copy of notebooks/           classroom/homes
KMSSIM_MEM_LIMIT                 memory per learner (enforced by spawners that can; see README)           1G
KMSSIM_CPU_LIMIT                 CPUs per learner (idem)                                                  1
KMSSIM_IDLE_TIMEOUT              seconds of inactivity before a learner's server is stopped              3600
KMSSIM_SPAWNER                   ``simple`` (one Unix user, no limits) or ``systemd`` (needs root and     simple
                                 jupyterhub-systemdspawner: Unix users, memory and CPU limits)
KMSSIM_HUB_SERVICE_TOKEN         when set: a ``room-admin`` service holding this API token, allowed to    unset
                                 create users, start and stop servers and use them (the benchmark)
================================ ======================================================================= ==========

Facts used (JupyterHub 5.3+/6): SharedPasswordAuthenticator (``allow_all`` lets a learner's first login create
their user); SimpleLocalProcessSpawner needs no system users but enforces no ``mem_limit``; the idle culler runs
as a hub-managed service with a role. Sources: ../shared reference, section C, and JupyterHub's docs.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
VENV_BIN = Path(sys.executable).parent
NOTEBOOKS = REPO / "notebooks"
#: Files of notebooks/ a learner's copy leaves out: the test set-up, checkpoints, caches.
NOT_COPIED = ("conftest.py", ".ipynb_checkpoints", "__pycache__", "*.pyc")

c: Any = get_config()  # type: ignore[name-defined]  # noqa: F821 - JupyterHub's config loader provides it


def setting(name: str, default: str) -> str:
    return os.environ.get(name, "").strip() or default


state = Path(setting("KMSSIM_HUB_STATE", str(HERE / "state")))
homes = Path(setting("KMSSIM_HUB_HOMES", str(HERE / "homes")))
state.mkdir(parents=True, exist_ok=True)
homes.mkdir(parents=True, exist_ok=True)

# --- Network: learners on KMSSIM_HUB_URL; the hub's API and the proxy's API on loopback only ----------------------
c.JupyterHub.bind_url = setting("KMSSIM_HUB_URL", "http://:8000")
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{setting('KMSSIM_HUB_API_PORT', '8081')}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{setting('KMSSIM_PROXY_API_PORT', '8001')}"
c.ConfigurableHTTPProxy.command = [str(HERE / "node_modules" / ".bin" / "configurable-http-proxy")]
c.ConfigurableHTTPProxy.pid_file = str(state / "jupyterhub-proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")

# --- Who may log in: one room password; a learner's first login creates their user ------------------------------
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = os.environ.get("KMSSIM_ROOM_PASSWORD", "")
if not c.SharedPasswordAuthenticator.user_password:
    raise SystemExit(
        "classroom: set KMSSIM_ROOM_PASSWORD (at least 8 characters), the password learners type"
    )
c.Authenticator.allow_all = True
trainer_password = os.environ.get("KMSSIM_TRAINER_PASSWORD", "")
if trainer_password:
    c.Authenticator.admin_users = {"trainer"}
    c.SharedPasswordAuthenticator.admin_password = trainer_password

# --- Each learner: their own server, their own copy of the notebooks ----------------------------------------------
spawner = setting("KMSSIM_SPAWNER", "simple")
if spawner == "simple":
    # No system users, no isolation, no memory or CPU caps (mem_limit below is not enforced by it).
    c.JupyterHub.spawner_class = "simple"
    c.SimpleLocalProcessSpawner.home_dir_template = str(homes / "{username}")
elif spawner == "systemd":
    # jupyterhub-systemdspawner (pip install jupyterhub-systemdspawner; the hub runs as root under systemd): a Unix
    # user per learner (jupyter-<name>) and a transient systemd unit enforcing mem_limit and cpu_limit.
    c.JupyterHub.spawner_class = "systemdspawner.SystemdSpawner"
    c.SystemdSpawner.dynamic_users = True
    c.SystemdSpawner.unit_extra_properties = {"MemorySwapMax": "0"}
else:
    raise SystemExit(f"classroom: KMSSIM_SPAWNER={spawner!r}: use 'simple' or 'systemd'")

c.Spawner.cmd = [str(VENV_BIN / "jupyterhub-singleuser")]
if spawner == "simple" and os.getuid() == 0:
    c.Spawner.args = ["--allow-root"]  # the simple spawner runs servers as the hub's own user (root in CI)
c.Spawner.notebook_dir = "~/notebooks"
c.Spawner.default_url = "/lab/tree/00_start_here.ipynb"
c.Spawner.mem_limit = setting("KMSSIM_MEM_LIMIT", "1G")
c.Spawner.cpu_limit = float(setting("KMSSIM_CPU_LIMIT", "1"))
c.Spawner.start_timeout = 180  # a whole room starts at once (the defaults are 60 s and 30 s)
c.Spawner.http_timeout = 120
c.Spawner.environment = {
    # The repository's kmssim and its Jupyter settings (no news prompt, Voilà without a CDN).
    "PYTHONPATH": str(REPO),
    "JUPYTER_CONFIG_PATH": str(REPO / "jupyter" / "config"),
    "JUPYTER_PATH": str(REPO / "jupyter" / "data"),
    "PATH": os.pathsep.join([str(VENV_BIN), os.environ.get("PATH", "/usr/bin:/bin")]),
}


def copy_notebooks(spawner: Any) -> None:
    """Before a learner's server starts: give them their own copy of notebooks/, once. An existing copy is never
    overwritten, so a learner who comes back finds their work (for updates during a course, see nbgitpuller in
    classroom/README.md)."""
    home = Path(getattr(spawner, "home_dir", "") or homes / spawner.user.name)
    target = home / "notebooks"
    if not target.exists():
        home.mkdir(parents=True, exist_ok=True)
        shutil.copytree(NOTEBOOKS, target, ignore=shutil.ignore_patterns(*NOT_COPIED))


c.Spawner.pre_spawn_hook = copy_notebooks

# --- Idle culling: a server idle for KMSSIM_IDLE_TIMEOUT seconds is stopped (its files stay) ------------------------
idle_timeout = int(setting("KMSSIM_IDLE_TIMEOUT", "3600"))
c.JupyterHub.services = [
    {
        "name": "idle-culler",
        "command": [
            sys.executable,
            "-m",
            "jupyterhub_idle_culler",
            f"--timeout={idle_timeout}",
            f"--cull-every={max(60, idle_timeout // 6)}",
        ],
    }
]
c.JupyterHub.load_roles = [
    {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    }
]

# --- Optional: an API service for scripts (the room benchmark) ----------------------------------------------------
service_token = os.environ.get("KMSSIM_HUB_SERVICE_TOKEN", "")
if service_token:
    c.JupyterHub.services.append({"name": "room-admin", "api_token": service_token})
    c.JupyterHub.load_roles.append(
        {
            "name": "room-admin",
            "scopes": ["admin:users", "admin:servers", "access:servers", "list:users", "read:users"],
            "services": ["room-admin"],
        }
    )

# A room's hub stops every learner's server when it stops (JupyterHub's default, stated for the reader).
c.JupyterHub.cleanup_servers = True
