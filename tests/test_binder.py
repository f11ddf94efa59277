"""binder/ agrees with pyproject.toml, so a Binder launch runs what the tests run.

repo2docker reads only binder/ when it exists (https://repo2docker.readthedocs.io/en/latest/usage/repository.html):
requirements.txt is installed first as a cached image layer, runtime.txt picks the Python, postBuild runs once
after, start at every launch and must end with ``exec "$@"``
(https://repo2docker.readthedocs.io/en/latest/configuration/actions.html).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
BINDER = ROOT / "binder"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def pins() -> dict[str, Version]:
    found: dict[str, Version] = {}
    for line in (BINDER / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        req = Requirement(line)
        (spec,) = req.specifier  # exactly one specifier: a pin
        assert spec.operator == "==", f"{line}: pin it with == (a cached, reproducible layer)"
        found[canonicalize_name(req.name)] = Version(spec.version)
    return found


def test_every_dependency_is_pinned_within_pyprojects_range() -> None:
    pinned = pins()
    for dependency in PYPROJECT["project"]["dependencies"]:
        req = Requirement(dependency)
        name = canonicalize_name(req.name)
        assert name in pinned, f"{req.name} (a kmssim dependency) is not in binder/requirements.txt"
        assert req.specifier.contains(pinned[name]), (
            f"{name}=={pinned[name]} is outside pyproject's {req.specifier}"
        )


def test_voila_is_there_for_the_app_links() -> None:
    """The README's Voilà badges open /voila/render/...: Voilà's server extension must be installed."""
    test_extra = {
        canonicalize_name(Requirement(r).name): Requirement(r)
        for r in PYPROJECT["project"]["optional-dependencies"]["test"]
    }
    assert test_extra["voila"].specifier.contains(pins()["voila"])


def test_nothing_local_in_requirements_so_content_commits_reuse_the_layer() -> None:
    text = (BINDER / "requirements.txt").read_text()
    assert not re.search(r"^\s*(-e|\.|file:)", text, re.MULTILINE)


def test_runtime_is_a_python_kmssim_supports() -> None:
    runtime = (BINDER / "runtime.txt").read_text().strip()
    match = re.fullmatch(r"python-(3\.\d+)", runtime)
    assert match, runtime
    assert SpecifierSet(PYPROJECT["project"]["requires-python"]).contains(Version(match.group(1)))


def test_postbuild_installs_kmssim_only() -> None:
    text = (BINDER / "postBuild").read_text()
    assert text.startswith("#!") and "set -e" in text  # repo2docker: errors stop the build only with set -e
    assert "pip install --no-cache-dir --no-deps ." in text
    assert "jupyter lab build" not in text  # nothing slow at build time


def test_start_only_exports_the_repository_settings() -> None:
    lines = [
        ln for ln in (BINDER / "start").read_text().splitlines() if ln.strip() and not ln.startswith("#")
    ]
    assert lines[-1] == 'exec "$@"'
    assert all(ln.startswith(("here=", "export ", "exec ")) for ln in lines)
    assert (BINDER / "start").stat().st_mode & 0o111
    for folder in ("jupyter/config", "jupyter/data"):
        assert folder in (BINDER / "start").read_text() and (ROOT / folder).is_dir()
