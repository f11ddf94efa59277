"""A room of learners on one machine: the classroom's real JupyterHub, N learners, one notebook run by all at once.

    python benchmarks/bench_classroom.py --learners 6

What it does, on 127.0.0.1 only:
1. starts JupyterHub with ``classroom/jupyterhub_config.py`` (configurable-http-proxy, the shared-password
   authenticator, SimpleLocalProcessSpawner, the idle culler) in a temporary state folder, on free ports;
2. logs N learners in through the hub's login form with the room password, as a browser would (each first login
   creates the user), then starts every learner's server through the hub's REST API, all at once;
3. uploads the notebook to every learner's server (contents API), opens a session (sessions API), and runs its
   code cells in every learner's kernel at the same time over the kernel websocket (the Jupyter messaging
   protocol, as JupyterLab does), checking that every cell ran without error (a cell tagged
   ``raises-exception`` must raise, one tagged ``nbval-skip`` is skipped, as under nbval);
4. measures the memory of every learner's server and kernel (resident set size), stops every server and the hub,
   and removes the temporary folder.

Every wait is bounded; the whole run has a deadline (``--timeout``). The exit status is non-zero on any failure.
The last line printed is the summary: learners, time to all-ready, p95 cell latency, memory per learner.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "classroom" / "jupyterhub_config.py"
DEFAULT_NOTEBOOK = ROOT / "notebooks" / "00_start_here.ipynb"
HTTP_TIMEOUT = 30.0  # one HTTP request
HUB_START_TIMEOUT = 60.0  # the hub answering its API
CELL_TIMEOUT = 300.0  # one cell in one kernel (a loaded machine is slow, not broken)


class RoomError(RuntimeError):
    """Something in the room failed: the message says who and what."""


@dataclass
class Learner:
    name: str
    jar: CookieJar = field(default_factory=CookieJar)
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    memory_bytes: int = 0


@dataclass
class RoomResult:
    learners: int
    all_ready_s: float
    cell_latencies: list[float]
    memory_per_learner_mib: float
    machine_memory_per_learner_mib: float
    errors: list[str]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def p95_cell_s(self) -> float:
        if not self.cell_latencies:
            return float("nan")
        ordered = sorted(self.cell_latencies)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]

    def summary(self) -> str:
        return (
            f"learners={self.learners} all_ready_s={self.all_ready_s:.1f} p95_cell_s={self.p95_cell_s:.2f} "
            f"memory_per_learner_mib={self.memory_per_learner_mib:.0f} "
            f"(machine: {self.machine_memory_per_learner_mib:.0f}) {'PASS' if self.ok else 'FAIL'}"
        )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a 302 is an answer to read, not to follow (following /hub/spawn would start a server)


def _opener(jar: CookieJar | None = None) -> urllib.request.OpenerDirector:
    handlers: list[Any] = [_NoRedirect()]
    if jar is not None:
        handlers.append(urllib.request.HTTPCookieProcessor(jar))
    return urllib.request.build_opener(*handlers)


def _request(
    url: str,
    *,
    method: str = "GET",
    token: str | None = None,
    body: Any = None,
    form: dict[str, str] | None = None,
    jar: CookieJar | None = None,
    expect: tuple[int, ...] = (200,),
) -> tuple[int, Any]:
    """One HTTP request; returns (status, parsed JSON or None). A status outside ``expect`` is a RoomError."""
    headers = {}
    data = None
    if token:
        headers["Authorization"] = f"token {token}"
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with _opener(jar).open(req, timeout=HTTP_TIMEOUT) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    if status not in expect:
        raise RoomError(f"{method} {url}: HTTP {status} (expected {expect}): {raw[:300]!r}")
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, None


@dataclass
class Hub:
    """The classroom's JupyterHub on loopback, in a temporary folder, started and stopped by this script."""

    workdir: Path
    port: int = field(default_factory=free_port)
    token: str = field(default_factory=lambda: secrets.token_hex(32))
    password: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    process: subprocess.Popen[bytes] | None = None
    seen_pids: set[int] = field(default_factory=set)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.workdir / "jupyterhub.log"

    def start(self) -> None:
        env = dict(os.environ)
        env.update(
            KMSSIM_ROOM_PASSWORD=self.password,
            KMSSIM_HUB_SERVICE_TOKEN=self.token,
            KMSSIM_HUB_URL=self.url,
            KMSSIM_HUB_API_PORT=str(free_port()),
            KMSSIM_PROXY_API_PORT=str(free_port()),
            KMSSIM_HUB_STATE=str(self.workdir / "state"),
            KMSSIM_HUB_HOMES=str(self.workdir / "homes"),
        )
        env.pop("JUPYTERHUB_API_TOKEN", None)
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "jupyterhub", "-f", str(CONFIG)],
                cwd=self.workdir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + HUB_START_TIMEOUT
        while True:
            if self.process.poll() is not None:
                raise RoomError(f"jupyterhub exited with {self.process.returncode}:\n{self.log_tail()}")
            with contextlib.suppress(RoomError, OSError):
                _request(self.url + "/hub/api/", expect=(200,))
                return
            if time.monotonic() > deadline:
                raise RoomError(
                    f"the hub did not answer within {HUB_START_TIMEOUT:.0f} s:\n{self.log_tail()}"
                )
            time.sleep(0.25)

    def api(self, path: str, **kwargs: Any) -> tuple[int, Any]:
        return _request(self.url + "/hub/api" + path, token=self.token, **kwargs)

    def remember_processes(self) -> None:
        """Note every process the hub started so far (proxy, servers, kernels), to be sure to stop them all."""
        import psutil

        if self.process is None:
            return
        with contextlib.suppress(psutil.Error):
            for child in psutil.Process(self.process.pid).children(recursive=True):
                self.seen_pids.add(child.pid)

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the hub (it stops the proxy and, with cleanup_servers, every server), then anything left over."""
        import psutil

        self.remember_processes()
        proc, self.process = self.process, None
        if proc is not None:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=10)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
        for pid in sorted(self.seen_pids):  # a server or kernel in a process group of its own
            with contextlib.suppress(psutil.Error):
                leftover = psutil.Process(pid)
                leftover.kill()
                leftover.wait(timeout=5)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def login(hub: Hub, learner: Learner) -> None:
    """The hub's login form, as a browser fills it: GET for the _xsrf cookie, POST the room password."""
    _request(hub.url + "/hub/login", jar=learner.jar)
    xsrf = next((c.value for c in learner.jar if c.name == "_xsrf"), "")
    status, _ = _request(
        hub.url + "/hub/login?next=",
        method="POST",
        form={"username": learner.name, "password": hub.password, "_xsrf": xsrf},
        jar=learner.jar,
        expect=(302, 303),
    )
    if not any(
        c.name.startswith("jupyterhub-session-id") or c.name == "jupyterhub-hub-login" for c in learner.jar
    ):
        raise RoomError(f"{learner.name}: the login answered {status} but set no hub login cookie")


def start_server(hub: Hub, learner: Learner) -> None:
    hub.api(f"/users/{learner.name}/server", method="POST", body={}, expect=(201, 202))


def wait_ready(hub: Hub, learners: list[Learner], deadline: float) -> None:
    waiting = {learner.name for learner in learners}
    while waiting:
        for name in sorted(waiting):
            _, user = hub.api(f"/users/{name}")
            server = (user.get("servers") or {}).get("")
            if server and server.get("ready"):
                waiting.discard(name)
        if not waiting:
            return
        if time.monotonic() > deadline:
            raise RoomError(f"servers not ready in time: {sorted(waiting)}\n{hub.log_tail()}")
        hub.remember_processes()
        time.sleep(0.5)


@dataclass
class Cell:
    index: int
    source: str
    raises: bool


def code_cells(notebook: dict[str, Any]) -> list[Cell]:
    """The notebook's code cells as nbval runs them: ``nbval-skip`` skipped, ``raises-exception`` must raise."""
    cells = []
    for index, cell in enumerate(notebook.get("cells", []), start=1):
        if cell.get("cell_type") != "code":
            continue
        source = "".join(cell.get("source", ""))
        tags = set(cell.get("metadata", {}).get("tags", []))
        if "nbval-skip" in tags or "# NBVAL_SKIP" in source or not source.strip():
            continue
        raises = (
            bool(tags & {"raises-exception", "nbval-raises-exception"})
            or "# NBVAL_RAISES_EXCEPTION" in source
        )
        cells.append(Cell(index, source, raises))
    return cells


def _message(msg_type: str, content: dict[str, Any], session: str) -> dict[str, Any]:
    return {
        "header": {
            "msg_id": uuid.uuid4().hex,
            "msg_type": msg_type,
            "username": "bench",
            "session": session,
            "version": "5.3",
            "date": "",
        },
        "parent_header": {},
        "metadata": {},
        "content": content,
        "channel": "shell",
        "buffers": [],
    }


class KernelSocket:
    """A kernel's websocket through the proxy: /user/<name>/api/kernels/<id>/channels (the legacy JSON protocol)."""

    def __init__(self, hub: Hub, learner: Learner, kernel_id: str) -> None:
        import websocket

        self.session = uuid.uuid4().hex
        url = f"ws://127.0.0.1:{hub.port}/user/{learner.name}/api/kernels/{kernel_id}/channels?session_id={self.session}"
        self.ws = websocket.create_connection(
            url, header=[f"Authorization: token {hub.token}"], timeout=CELL_TIMEOUT
        )

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.ws.close()

    def request(
        self, msg_type: str, content: dict[str, Any], timeout: float
    ) -> tuple[dict[str, Any], list[str]]:
        """Send one shell request; return its reply and any iopub error, once the kernel is idle again."""
        msg = _message(msg_type, content, self.session)
        msg_id = msg["header"]["msg_id"]
        self.ws.send(json.dumps(msg))
        reply: dict[str, Any] | None = None
        idle = False
        errors: list[str] = []
        deadline = time.monotonic() + timeout
        while reply is None or not idle:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RoomError(f"{msg_type}: no reply within {timeout:.0f} s")
            self.ws.settimeout(remaining)
            frame = json.loads(self.ws.recv())
            if frame.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = frame.get("msg_type") or frame.get("header", {}).get("msg_type")
            if frame.get("channel") == "shell" and kind.endswith("_reply"):
                reply = frame
            elif kind == "error":
                errors.append(f"{frame['content'].get('ename')}: {frame['content'].get('evalue')}")
            elif kind == "status" and frame["content"].get("execution_state") == "idle":
                idle = True
        return reply, errors


def run_notebook(
    hub: Hub, learner: Learner, name: str, notebook: dict[str, Any], start: threading.Barrier
) -> None:
    """Upload the notebook, open a session on it, and run its cells when every learner is ready to."""
    base = f"{hub.url}/user/{learner.name}/api"
    _request(
        f"{base}/contents/{urllib.parse.quote(name)}",
        method="PUT",
        token=hub.token,
        body={"type": "notebook", "format": "json", "content": notebook},
        expect=(200, 201),
    )
    _, session = _request(
        f"{base}/sessions",
        method="POST",
        token=hub.token,
        body={"path": name, "type": "notebook", "name": name, "kernel": {"name": "python3"}},
        expect=(201,),
    )
    socket_ = KernelSocket(hub, learner, session["kernel"]["id"])
    try:
        socket_.request("kernel_info_request", {}, timeout=CELL_TIMEOUT)
        try:
            start.wait(timeout=CELL_TIMEOUT)
        except threading.BrokenBarrierError as exc:
            raise RoomError(f"{learner.name}: another learner failed before the cells started") from exc
        for cell in code_cells(notebook):
            content = {
                "code": cell.source,
                "silent": False,
                "store_history": True,
                "user_expressions": {},
                "allow_stdin": False,
                "stop_on_error": True,
            }
            sent = time.perf_counter()
            reply, errors = socket_.request("execute_request", content, timeout=CELL_TIMEOUT)
            learner.latencies.append(time.perf_counter() - sent)
            failed = reply["content"].get("status") == "error"
            if failed and not cell.raises:
                learner.errors.append(
                    f"{learner.name}: cell {cell.index} failed: {'; '.join(errors) or reply}"
                )
                return
            if cell.raises and not failed:
                learner.errors.append(
                    f"{learner.name}: cell {cell.index} should raise (raises-exception) but ran"
                )
                return
    finally:
        socket_.close()
        with contextlib.suppress(RoomError, OSError):
            _request(f"{base}/sessions/{session['id']}", method="DELETE", token=hub.token, expect=(204,))


def measure_memory(hub: Hub, learners: list[Learner]) -> None:
    """Each learner's resident memory: their single-user server plus its kernels (found by JUPYTERHUB_USER)."""
    import psutil

    by_name = {learner.name: learner for learner in learners}
    assert hub.process is not None
    for proc in psutil.Process(hub.process.pid).children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if "jupyterhub-singleuser" not in " ".join(proc.cmdline()):
                continue
            learner = by_name.get(proc.environ().get("JUPYTERHUB_USER", ""))
            if learner is None:
                continue
            total = proc.memory_info().rss
            for child in proc.children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    total += child.memory_info().rss
            learner.memory_bytes = total


def stop_servers(hub: Hub, learners: list[Learner], timeout: float = 60.0) -> None:
    for learner in learners:
        with contextlib.suppress(RoomError, OSError):
            hub.api(f"/users/{learner.name}/server", method="DELETE", expect=(202, 204, 400, 404))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        running = []
        for learner in learners:
            with contextlib.suppress(RoomError, OSError):
                _, user = hub.api(f"/users/{learner.name}")
                if user.get("servers"):
                    running.append(learner.name)
        if not running:
            return
        time.sleep(0.5)


@contextlib.contextmanager
def room(workdir: Path) -> Iterator[Hub]:
    hub = Hub(workdir)
    try:
        hub.start()
        yield hub
    finally:
        hub.stop()


def run_room(
    learners: int, notebook_path: Path = DEFAULT_NOTEBOOK, timeout: float = 900.0, hub_log: Path | None = None
) -> RoomResult:
    """The whole benchmark; raises nothing for a failure in the room (it is in ``errors``), stops all it started."""
    import psutil

    notebook = json.loads(notebook_path.read_text(encoding="utf-8"))
    people = [Learner(f"learner{i:02d}") for i in range(1, learners + 1)]
    errors: list[str] = []
    all_ready = float("nan")
    machine_before = psutil.virtual_memory().used
    machine_after = machine_before
    workdir = Path(tempfile.mkdtemp(prefix="kmssim-room-"))
    deadline = time.monotonic() + timeout
    try:
        with room(workdir) as hub, ThreadPoolExecutor(max_workers=max(1, learners)) as pool:
            t0 = time.perf_counter()
            try:
                list(pool.map(lambda learner: login(hub, learner), people))
                list(pool.map(lambda learner: start_server(hub, learner), people))
                wait_ready(hub, people, min(deadline, time.monotonic() + 180 + 5 * learners))
                all_ready = time.perf_counter() - t0
                hub.remember_processes()
                start = threading.Barrier(learners)
                futures = [
                    pool.submit(run_notebook, hub, learner, notebook_path.name, notebook, start)
                    for learner in people
                ]
                for future in futures:
                    try:
                        future.result(timeout=max(1.0, deadline - time.monotonic()))
                    except Exception as exc:
                        start.abort()
                        errors.append(f"{type(exc).__name__}: {exc}")
                hub.remember_processes()
                measure_memory(hub, people)
                machine_after = psutil.virtual_memory().used
            except Exception as exc:
                errors.append(
                    f"{type(exc).__name__}: {exc}\n--- the hub's log, last lines:\n{hub.log_tail()}"
                )
            finally:
                stop_servers(hub, people)
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        if hub_log is not None:
            with contextlib.suppress(OSError):
                shutil.copyfile(workdir / "jupyterhub.log", hub_log)
        shutil.rmtree(workdir, ignore_errors=True)
    for learner in people:
        errors.extend(learner.errors)
    measured = [learner.memory_bytes for learner in people if learner.memory_bytes]
    if not errors and len(measured) != learners:
        errors.append(f"memory measured for {len(measured)} of {learners} learners' servers")
    return RoomResult(
        learners=learners,
        all_ready_s=all_ready,
        cell_latencies=[t for learner in people for t in learner.latencies],
        memory_per_learner_mib=(statistics.fmean(measured) / 2**20) if measured else float("nan"),
        machine_memory_per_learner_mib=max(0, machine_after - machine_before) / 2**20 / max(1, learners),
        errors=errors,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--learners", type=int, default=6, help="how many learners log in at once (default 6)"
    )
    parser.add_argument(
        "--notebook", type=Path, default=DEFAULT_NOTEBOOK, help="the notebook every learner runs"
    )
    parser.add_argument("--timeout", type=float, default=900.0, help="deadline for the whole run, in seconds")
    parser.add_argument(
        "--hub-log", type=Path, help="keep the hub's log (servers' logs included) in this file"
    )
    args = parser.parse_args(argv)
    if args.learners < 1:
        parser.error("--learners must be at least 1")
    load_before = os.getloadavg()[0]
    result = run_room(args.learners, args.notebook, args.timeout, args.hub_log)
    print(
        f"machine: {os.cpu_count()} cores, load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after"
    )
    cells = len(code_cells(json.loads(args.notebook.read_text(encoding="utf-8"))))
    print(
        f"notebook: {args.notebook.name}, {cells} code cells per learner, {len(result.cell_latencies)} cells run"
    )
    if result.cell_latencies:
        print(
            f"cell latency: median {statistics.median(result.cell_latencies):.2f} s, "
            f"max {max(result.cell_latencies):.2f} s"
        )
    for error in result.errors:
        print(f"FAILED: {error}")
    print(result.summary())
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
