"""In real JupyterLab (headless Chromium): opening a course notebook and connecting its kernel leaves it unmodified.

JupyterLab writes the kernel's ``language_info`` into the notebook on connecting; stored exactly as the kernel
reports it (``kmssim.course.notebook_metadata``), the write changes nothing and the tab is not marked dirty. The
control proves the test can fail: the same notebook without ``language_info.version`` turns dirty.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

import pytest

from .test_browser import NOTEBOOKS, RENDER_TIMEOUT_MS, browser, lab, page  # noqa: F401  (fixtures)

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from .browser_support import Server

pytestmark = pytest.mark.browser

SETTLE_MS = 3_000  # after the kernel is idle: JupyterLab's metadata write and autosave come within this


def _dirty_after_kernel_connects(server: Server, tab: Page, name: str) -> bool:
    from playwright.sync_api import expect

    # ?reset: a fresh workspace, so the notebook is the only document open.
    tab.goto(server.url + f"/lab/tree/{name}?reset", wait_until="domcontentloaded")
    notebook = tab.locator(".jp-NotebookPanel:visible .jp-Notebook")
    expect(notebook.locator(".jp-Cell").first).to_be_visible(timeout=RENDER_TIMEOUT_MS)
    expect(tab.locator("#jp-main-statusbar")).to_contain_text("Idle", timeout=RENDER_TIMEOUT_MS)
    tab.wait_for_timeout(SETTLE_MS)
    title = tab.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text=name)
    expect(title).to_have_count(1)
    return "jp-mod-dirty" in (title.get_attribute("class") or "").split()


@pytest.mark.parametrize(
    "name",
    # Two notebooks keep the browser tier short; tests/test_notebook_hygiene.py holds every notebook to the rule.
    ["00_start_here.ipynb", "03_time_rotation_and_deletion.ipynb"],
)
def test_opening_a_notebook_does_not_modify_it(lab: Server, page: Page, name: str) -> None:  # noqa: F811
    path = NOTEBOOKS / name
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    assert not _dirty_after_kernel_connects(lab, page, name), f"JupyterLab marked {name} modified on open"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_control_a_notebook_without_the_version_turns_dirty(lab: Server, page: Page) -> None:  # noqa: F811
    control = NOTEBOOKS / "_hygiene_control.ipynb"
    nb = json.loads((NOTEBOOKS / "00_start_here.ipynb").read_text(encoding="utf-8"))
    nb["metadata"]["language_info"].pop("version")
    try:
        control.write_text(json.dumps(nb, indent=1), encoding="utf-8")
        assert _dirty_after_kernel_connects(lab, page, control.name)
    finally:
        control.unlink(missing_ok=True)  # the lab keeps its checkpoints outside the repository
