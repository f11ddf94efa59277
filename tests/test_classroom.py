"""The classroom's real JupyterHub (classroom/jupyterhub_config.py) with configurable-http-proxy, end to end: the
room password, a learner's own server with their own copy of the notebooks, a notebook run over the kernel
websocket, and everything stopped afterwards.

Facts checked (JupyterHub 5.3+/6, see classroom/README.md): SharedPasswordAuthenticator accepts only the room
password and creates a user at first login (``allow_all``); a server is started with ``POST
/hub/api/users/{name}/server``; a user's server is reached at ``/user/{name}/`` through the proxy.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from benchmarks import bench_classroom as room

ROOT = Path(__file__).resolve().parent.parent
PROXY = ROOT / "classroom" / "node_modules" / ".bin" / "configurable-http-proxy"

TINY = {
    "nbformat": 4,
    "nbformat_minor": 5,
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": "# a check"},
        {
            "cell_type": "code",
            "metadata": {},
            "execution_count": None,
            "outputs": [],
            "source": "import kmssim\nsim = kmssim.Simulator(seed=1)\nkey = sim.client('kms').create_key()",
        },
        {
            "cell_type": "code",
            "metadata": {"tags": ["raises-exception"]},
            "execution_count": None,
            "outputs": [],
            "source": "sim.client('kms').describe_key(KeyId='alias/missing')",
        },
        {
            "cell_type": "code",
            "metadata": {"tags": ["nbval-skip"]},
            "execution_count": None,
            "outputs": [],
            "source": "1/0",
        },
    ],
}


def test_code_cells_follow_nbval_tags() -> None:
    cells = room.code_cells(TINY)
    assert [(c.index, c.raises) for c in cells] == [(2, False), (3, True)]  # the skipped 1/0 is not run


def test_a_learner_in_the_room(tmp_path: Path) -> None:
    if not PROXY.exists():
        pytest.fail(
            f"{PROXY.relative_to(ROOT)} is missing: run `bash scripts/setup.sh` (npm ci in classroom/)"
        )
    learner = room.Learner("learner01")
    with room.room(tmp_path) as hub:
        intruder = room.Learner("intruder")
        with pytest.raises(room.RoomError, match="HTTP 403"):
            intruder.jar.clear()
            wrong = room.Hub(hub.workdir, port=hub.port, password="not-the-room-password")
            room.login(wrong, intruder)
        _, users = hub.api("/users")
        assert [u["name"] for u in users] == []  # a refused login creates nobody

        room.login(hub, learner)
        _, users = hub.api("/users")
        assert [u["name"] for u in users] == ["learner01"]  # created at first login
        try:
            room.start_server(hub, learner)
            room.wait_ready(hub, [learner], time.monotonic() + 180)
            # Their own copy of notebooks/, without the test set-up.
            _, listing = room._request(f"{hub.url}/user/learner01/api/contents/", token=hub.token)
            names = {item["name"] for item in listing["content"]}
            assert {"00_start_here.ipynb", "cost_calculator.ipynb"} <= names and "conftest.py" not in names
            assert (tmp_path / "homes" / "learner01" / "notebooks" / "00_start_here.ipynb").is_file()

            room.run_notebook(hub, learner, "tiny.ipynb", TINY, threading.Barrier(1))
            assert learner.errors == []
            assert len(learner.latencies) == 2
            room.measure_memory(hub, [learner])
            assert learner.memory_bytes > 20 * 2**20  # a Jupyter server and a kernel, measured
        finally:
            room.stop_servers(hub, [learner])
        _, user = hub.api("/users/learner01")
        assert user["servers"] == {}
        copy = json.loads((tmp_path / "homes" / "learner01" / "notebooks" / "tiny.ipynb").read_text())
        assert "".join(copy["cells"][1]["source"]) == TINY["cells"][1]["source"]
    assert hub.process is None
    for pid in hub.seen_pids:  # the proxy, the server, the kernel, the culler: all gone
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()
