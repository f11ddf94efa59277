"""Notebooks a learner opens stay as they are: metadata as the kernel reports it, apps stored as a short note.

JupyterLab writes the connected kernel's ``language_info`` and ``kernelspec`` into a notebook and marks it modified
unless the stored values are deep-equal (see ``kmssim.course.notebook_metadata``); a stored app that is not live
shows its ``text/plain`` output. Every notebook in ``notebooks/`` is covered, including ones added later.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import kmssim
from kmssim.apps import CostCalculatorApp, PolicyLabApp, TimeMachineApp
from kmssim.apps._base import NOT_RUNNING_NOTE
from kmssim.course import notebook_metadata

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks() -> None:
    assert len(NOTEBOOKS) >= 8


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_metadata_is_what_the_kernel_reports(path: Path) -> None:
    metadata = json.loads(path.read_text(encoding="utf-8"))["metadata"]
    assert notebook_metadata.problems(metadata) == [], (
        f"{path.name}: re-execute it with nbconvert, or run python -m kmssim.course.notebook_metadata {path}"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_stored_output_is_a_raw_widget_repr(path: Path) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            text = "".join(output.get("data", {}).get("text/plain", ""))
            if "application/vnd.jupyter.widget-view+json" in output.get("data", {}):
                assert not text.startswith(("VBox(", "HBox(")), f"{path.name}: {text[:60]}"


def test_expected_metadata_matches_the_kernel_spec() -> None:
    want = notebook_metadata.expected_metadata()
    assert want["kernelspec"]["name"] == notebook_metadata.KERNEL_NAME
    assert want["language_info"]["name"] == "python" and want["language_info"]["version"]


def test_fix_rewrites_only_the_metadata(tmp_path: Path) -> None:
    copy = tmp_path / "n.ipynb"
    shutil.copy(NOTEBOOKS[0], copy)
    nb = json.loads(copy.read_text(encoding="utf-8"))
    nb["metadata"]["language_info"].pop("version", None)
    nb["metadata"]["widgets"] = {"state": {}}
    copy.write_text(json.dumps(nb, indent=1), encoding="utf-8")
    problems = notebook_metadata.problems(nb["metadata"])
    assert any("language_info" in p for p in problems) and any("widgets" in p for p in problems)

    assert notebook_metadata.fix(copy) is True
    fixed = json.loads(copy.read_text(encoding="utf-8"))
    assert notebook_metadata.problems(fixed["metadata"]) == []
    assert fixed["cells"] == nb["cells"]
    assert notebook_metadata.fix(copy) is False  # already right: untouched
    assert notebook_metadata.main([str(copy)]) == 0
    assert notebook_metadata.main([]) == 2


@pytest.mark.parametrize(
    "make", [lambda: TimeMachineApp(kmssim.Simulator(seed=1)), CostCalculatorApp, PolicyLabApp]
)
def test_an_app_not_running_shows_a_note(make: object) -> None:
    app = make()  # type: ignore[operator]
    bundle = app._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert data["text/plain"] == NOT_RUNNING_NOTE.format(name=type(app).__name__)
    assert "run this cell to start the app" in data["text/plain"]
    # The live view is still there, for the front end that has the widget.
    assert data["application/vnd.jupyter.widget-view+json"]["model_id"] == app.widget.model_id


#: Every numbered notebook (issue 9: each opens with its goals and time and has a checked exercise).
CHECKED = sorted(p.stem for p in NOTEBOOKS[0].parent.glob("[0-9][0-9]_*.ipynb"))


def test_at_least_ten_numbered_notebooks() -> None:
    assert len(CHECKED) >= 10, CHECKED


@pytest.mark.parametrize("name", CHECKED)
def test_numbered_notebook_has_goals_time_and_a_checked_exercise(name: str) -> None:
    nb = json.loads((NOTEBOOKS[0].parent / f"{name}.ipynb").read_text(encoding="utf-8"))
    cells = nb["cells"]
    opening = "".join(cells[0]["source"])
    assert "You will be able to" in opening and "minutes" in opening
    exercises = [i for i, c in enumerate(cells) if "exercise" in c["metadata"].get("tags", [])]
    assert exercises, f"{name} has no cell tagged exercise"
    for i in exercises:
        assert cells[i]["cell_type"] == "markdown"
        solution = next(
            c
            for c in cells[i + 1 :]
            if c["cell_type"] == "code" and "solution" in c["metadata"].get("tags", [])
        )
        assert solution["metadata"]["jupyter"]["source_hidden"] is True
        assert solution["execution_count"] is not None  # stored executed, so nbval runs it
        at = cells.index(solution)
        check = next(c for c in cells[at + 1 :] if c["cell_type"] == "code")
        assert "check_" in "".join(check["source"])
        assert "".join(check["outputs"][0]["data"]["text/plain"]).startswith("Right: ")
