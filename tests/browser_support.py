"""Helpers for the browser tests: Debian's Chromium under Playwright, and Jupyter servers on loopback.

Every wait here is bounded. Servers run in their own process group, log to a file (never to a pipe, which could
fill up and leak), and are stopped by their own process-group id.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")

#: How Chromium runs here: headless, as root, and with nothing that reaches for the (closed) network.
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium_executable() -> str:
    """Debian's Chromium, or an explanation of how to get it (the browser tests never download a browser)."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        raise RuntimeError(
            f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium and never download one. "
            "Install it with `apt-get install chromium` (scripts/test.sh does this when run as root or with sudo)."
        )
    return str(CHROMIUM)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(home: Path) -> dict[str, str]:
    """The environment for a Jupyter server: this working tree's kmssim first on PYTHONPATH, and Jupyter's
    per-user directories in ``home``, so a test run neither reads nor writes the user's Jupyter settings."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        path = home / name.lower()
        path.mkdir(parents=True, exist_ok=True)
        env[name] = str(path)
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    return env


@dataclass
class Server:
    """A server process on 127.0.0.1:``port``, started by :meth:`start` and stopped by :meth:`stop`."""

    argv: Sequence[str]
    port: int
    log_path: Path
    env: Mapping[str, str]
    cwd: Path = ROOT
    process: subprocess.Popen[bytes] | None = None
    _log: IO[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, ready_path: str = "/", timeout: float = 30.0) -> None:
        """Start the process and wait until ``ready_path`` answers HTTP (any status), at most ``timeout`` s."""
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            list(self.argv),
            cwd=self.cwd,
            env=dict(self.env),
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{' '.join(self.argv[:3])} exited with {self.process.returncode}:\n{self.log_tail()}"
                )
            try:
                with urllib.request.urlopen(self.url + ready_path, timeout=2):
                    return
            except urllib.error.HTTPError:
                return  # it answers: up
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"{self.url}{ready_path} did not answer within {timeout:.0f} s:\n{self.log_tail()}"
                )
            time.sleep(0.25)

    def stop(self, timeout: float = 10.0) -> None:
        """Terminate the server and whatever it started (its kernels), by process group; then close the log."""
        proc, self.process = self.process, None
        if proc is not None:
            pgid = proc.pid  # start_new_session: the server leads its own process group
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=timeout)
            for sig in (signal.SIGTERM, signal.SIGKILL):  # kernels the server left behind
                try:
                    os.killpg(pgid, sig)
                except ProcessLookupError:
                    break
                time.sleep(0.5)
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_tail(self, lines: int = 40) -> str:
        if self._log is not None:
            self._log.flush()
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])


def python_module(module: str, *args: str) -> list[str]:
    """argv running ``python -m module`` with this interpreter."""
    return [sys.executable, "-m", module, *args]
