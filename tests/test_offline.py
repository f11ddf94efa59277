"""Offline once set up: ``scripts/setup.sh`` (run by ``lab.sh``, ``voila.sh`` and ``test.sh``) installs only what is
missing or changed, so the README's commands work with no network after the first run.

Each test runs the real ``setup.sh`` in a temporary copy of the repository's set-up files, with a dead package
index and npm registry, a ``.venv/bin/python`` that records every call (and pretends ``pip`` succeeded), and an
``npm`` that records its calls: the test sees exactly which installs the script attempts, and none reaches a
network. (The same check with a real ``.venv``: clone the repository, run ``bash scripts/setup.sh`` once, then
``PIP_INDEX_URL=http://127.0.0.1:9/simple npm_config_registry=http://127.0.0.1:9/ bash scripts/test.sh``.)
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEAD_INDEX = {"PIP_INDEX_URL": "http://127.0.0.1:9/simple", "npm_config_registry": "http://127.0.0.1:9/"}
#: What setup.sh needs from the system besides bash (the temporary PATH holds only these, and maybe a fake npm).
TOOLS = ("sha256sum", "cut", "cat", "rm", "dirname", "basename", "mkdir", "readlink")
RECORDER = """#!/bin/bash
# Records its arguments; a pretend pip or npm that "succeeds" without any network.
printf '%s %s\\n' "$(basename "$0")" "$*" >>"$CALLS"
if [ "$(basename "$0")" = npm ]; then
  while [ $# -gt 0 ]; do
    if [ "$1" = --prefix ]; then mkdir -p "$2/node_modules"; fi
    shift
  done
fi
exit 0
"""


@dataclass
class Checkout:
    root: Path
    calls: Path
    tools: Path  # PATH without npm
    tools_npm: Path  # PATH with the recording npm

    def setup(self, *, npm: bool = True) -> subprocess.CompletedProcess[str]:
        """Run the real scripts/setup.sh here, with no reachable index or registry; return what it did."""
        self.calls.write_text("")
        env = {
            "HOME": str(self.root),
            "CALLS": str(self.calls),
            "PATH": os.pathsep.join([str(self.tools_npm if npm else self.tools)]),
            **DEAD_INDEX,
        }
        return subprocess.run(
            [shutil.which("bash") or "/bin/bash", "scripts/setup.sh"],
            cwd=self.root,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    def installs(self) -> list[str]:
        return self.calls.read_text().splitlines()


@pytest.fixture
def checkout(tmp_path: Path) -> Checkout:
    root = tmp_path / "repo"
    (root / "scripts").mkdir(parents=True)
    shutil.copy2(ROOT / "scripts" / "setup.sh", root / "scripts" / "setup.sh")
    shutil.copy2(ROOT / "pyproject.toml", root / "pyproject.toml")
    # The classroom's real lock, and one for the differential tests (another folder setup.sh serves).
    (root / "classroom").mkdir()
    shutil.copy2(ROOT / "classroom" / "package-lock.json", root / "classroom" / "package-lock.json")
    (root / "tests" / "differential").mkdir(parents=True)
    (root / "tests" / "differential" / "package-lock.json").write_text('{"lockfileVersion": 3}\n')
    venv_bin = root / ".venv" / "bin"
    venv_bin.mkdir(parents=True)
    (venv_bin / "python").write_text(RECORDER)
    (venv_bin / "python").chmod(0o755)
    tools, tools_npm = tmp_path / "tools", tmp_path / "tools-npm"
    for folder in (tools, tools_npm):
        folder.mkdir()
        for tool in TOOLS:
            found = shutil.which(tool)
            assert found, f"{tool} is missing on this machine"
            (folder / tool).symlink_to(found)
    (tools_npm / "npm").write_text(RECORDER)
    (tools_npm / "npm").chmod(0o755)
    return Checkout(root, tmp_path / "calls.log", tools, tools_npm)


def pip_installs(calls: list[str]) -> list[str]:
    return [c for c in calls if c.startswith("python -m pip install")]


def npm_cis(calls: list[str]) -> list[str]:
    return [c for c in calls if c.startswith("npm ci")]


def test_first_run_installs_everything_then_nothing(checkout: Checkout) -> None:
    first = checkout.setup()
    assert first.returncode == 0, first.stderr
    calls = checkout.installs()
    assert "python -m pip install --quiet -e .[test,classroom]" in pip_installs(calls)
    assert sorted(npm_cis(calls)) == [
        "npm ci --prefix classroom --no-audit --no-fund --loglevel=error",
        "npm ci --prefix tests/differential --no-audit --no-fund --loglevel=error",
    ]

    second = checkout.setup()
    assert second.returncode == 0, second.stderr
    assert checkout.installs() == [], "an up-to-date checkout must install nothing (and so need no network)"
    assert second.stdout == ""


def test_a_changed_pyproject_reinstalls_python_only(checkout: Checkout) -> None:
    assert checkout.setup().returncode == 0
    pyproject = checkout.root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n# a new dependency would go here\n")
    run = checkout.setup()
    assert run.returncode == 0, run.stderr
    assert pip_installs(checkout.installs()) and not npm_cis(checkout.installs())
    assert "pyproject.toml is new or changed" in run.stdout
    assert checkout.setup().returncode == 0 and checkout.installs() == []


def test_a_changed_lock_or_missing_node_modules_runs_npm_ci_there_only(checkout: Checkout) -> None:
    assert checkout.setup().returncode == 0
    lock = checkout.root / "tests" / "differential" / "package-lock.json"
    lock.write_text('{"lockfileVersion": 3, "packages": {}}\n')
    assert checkout.setup().returncode == 0
    assert checkout.installs() == ["npm ci --prefix tests/differential --no-audit --no-fund --loglevel=error"]

    shutil.rmtree(checkout.root / "classroom" / "node_modules")
    assert checkout.setup().returncode == 0
    assert checkout.installs() == ["npm ci --prefix classroom --no-audit --no-fund --loglevel=error"]
    assert checkout.setup().returncode == 0 and checkout.installs() == []


def test_a_folder_without_a_lock_needs_no_npm(checkout: Checkout) -> None:
    (checkout.root / "tests" / "differential" / "package-lock.json").unlink()
    (checkout.root / "classroom" / "package-lock.json").unlink()
    run = checkout.setup(npm=False)
    assert run.returncode == 0, run.stderr
    assert not npm_cis(checkout.installs())


def test_npm_missing_when_a_lock_needs_it_fails_clearly(checkout: Checkout) -> None:
    run = checkout.setup(npm=False)
    assert run.returncode == 1
    assert "npm is missing" in run.stderr and "package-lock.json" in run.stderr
    assert not npm_cis(checkout.installs())

    assert checkout.setup().returncode == 0  # with npm back, it installs; then it is up to date without npm
    assert checkout.setup(npm=False).returncode == 0 and checkout.installs() == []


@pytest.mark.parametrize("script", ["lab.sh", "voila.sh", "test.sh"])
def test_the_readme_commands_install_only_through_setup(script: str) -> None:
    text = (ROOT / "scripts" / script).read_text()
    assert "pip install" not in text and "npm ci" not in text and "npm install" not in text
    assert "scripts/setup.sh" in text or "scripts/jupyter_env.sh" in text


def test_a_linked_shared_venv_is_never_installed_into(checkout: Checkout, tmp_path: Path) -> None:
    """A worktree whose .venv links to a virtualenv shared with other checkouts: an install would repoint theirs."""
    shared = tmp_path / "shared-venv"
    (checkout.root / ".venv").rename(shared)
    (checkout.root / ".venv").symlink_to(shared)
    run = checkout.setup()
    assert run.returncode == 1
    assert "shared with other checkouts" in run.stderr
    assert not pip_installs(checkout.installs())
