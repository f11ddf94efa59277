"""Browser tests: the Voilà cost calculator and policy lab, and JupyterLab on the training path, in Debian's
headless Chromium.

Playwright's sync API drives /usr/bin/chromium (never a downloaded browser). Each server runs on a free port of
127.0.0.1 with its own Jupyter directories, and is stopped in fixture teardown. Every wait is bounded.

The cost calculator's DOM contract (CSS classes the app adds to its widgets): inputs ``kmssim-keys``,
``kmssim-requests``, ``kmssim-region``, ``kmssim-free-tier``; outputs ``kmssim-total`` (a dollar total such as
``$1,234.56``) and ``kmssim-error``.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

import kmssim

from .browser_support import (
    CHROMIUM_ARGS,
    ROOT,
    Server,
    chromium_executable,
    free_port,
    server_env,
)

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page, Request

pytestmark = pytest.mark.browser

NOTEBOOKS = ROOT / "notebooks"
COST_NOTEBOOK = NOTEBOOKS / "cost_calculator.ipynb"
POLICY_NOTEBOOK = NOTEBOOKS / "policy_lab.ipynb"
START_NOTEBOOK = NOTEBOOKS / "00_start_here.ipynb"

TIMEOUT_MS = 30_000  # any single wait in a page
RENDER_TIMEOUT_MS = 45_000  # a notebook rendered by Voilà (kernel start + execution) or JupyterLab (app load)

DOLLARS = re.compile(r"-?\$[0-9][0-9,]*\.[0-9]{2}")
MONTH = re.compile(r"\b(20[0-9]{2}-[01][0-9])\b")
REGION = re.compile(r"\b[a-z]{2}(?:-[a-z]+)+-[0-9]\b")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def usd(amount: Decimal) -> str:
    """``Decimal("1234.5")`` -> ``"$1,234.50"``, as the calculator writes a total."""
    return f"${amount:,.2f}"


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    """One headless Chromium with a fresh profile for the module's tests."""
    try:
        executable = chromium_executable()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile),
            executable_path=executable,
            headless=True,
            args=list(CHROMIUM_ARGS),
            viewport={"width": 1280, "height": 1000},
            timeout=TIMEOUT_MS,
        )
        context.set_default_timeout(TIMEOUT_MS)
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def page(browser: BrowserContext) -> Iterator[Page]:
    page = browser.new_page()
    try:
        yield page
    finally:
        page.close()


@pytest.fixture(scope="module")
def voila(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The apps served by the README's command, ``bash scripts/voila.sh``, on a free port of 127.0.0.1.

    ``KMSSIM_NO_SETUP=1`` skips the script's set-up step and ``KMSSIM_VENV`` points it at this interpreter's
    environment: the test serves exactly what the command serves, without installing anything.
    """
    for notebook in (COST_NOTEBOOK, POLICY_NOTEBOOK):
        if not notebook.is_file():
            pytest.fail(f"{notebook.relative_to(ROOT)} is missing: the Voilà test serves it", pytrace=False)
    home = tmp_path_factory.mktemp("voila")
    port = free_port()
    argv = [
        "bash",
        str(ROOT / "scripts" / "voila.sh"),
        "--no-browser",
        f"--port={port}",
        "--Voila.port_retries=0",
        "--VoilaExecutor.timeout=60",
    ]
    env = server_env(home)
    env.update(KMSSIM_NO_SETUP="1", KMSSIM_VENV=sys.prefix)
    server = Server(argv, port, home / "voila.log", env)
    try:
        server.start(ready_path="/voila/static/", timeout=30)
        yield server
    finally:
        server.stop()


def off_host_requests(page: Page) -> list[str]:
    """A list that fills with every request the page makes to a host other than 127.0.0.1 (CDNs included)."""
    seen: list[str] = []

    def record(request: Request) -> None:
        host = urlsplit(request.url).hostname
        if request.url.startswith(("http:", "https:", "ws:", "wss:")) and host != "127.0.0.1":
            seen.append(request.url)

    page.on("request", record)
    return seen


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """JupyterLab through the README's command, ``bash scripts/lab.sh``, on 127.0.0.1, with no token and no
    password (set-up skipped, this interpreter's environment, as for Voilà above)."""
    home = tmp_path_factory.mktemp("lab")
    port = free_port()
    argv = [
        "bash",
        str(ROOT / "scripts" / "lab.sh"),
        "--no-browser",
        "--IdentityProvider.token=",  # ServerApp.token, under its current name
        "--ServerApp.password=",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--FileCheckpoints.checkpoint_dir={home / 'checkpoints'}",  # Lab checkpoints on open: not in the repo
        "--LabApp.extension_manager=readonly",
    ]
    env = server_env(home)
    env.update(KMSSIM_NO_SETUP="1", KMSSIM_VENV=sys.prefix)
    server = Server(argv, port, home / "lab.log", env)
    try:
        server.start(ready_path="/api", timeout=30)
        yield server
    finally:
        server.stop()


def expected_total(page: Page, keys: int, month: str) -> Decimal:
    """What kmssim.estimate says for the form's current values, with ``keys`` keys."""
    requests = int(page.locator(".kmssim-requests input").input_value().replace(",", ""))
    region_text = page.locator(".kmssim-region select").input_value()
    region_match = REGION.search(region_text)
    assert region_match, f"no Region code in the Region dropdown's value {region_text!r}"
    region = region_match.group(0)
    free_tier = page.locator(".kmssim-free-tier input[type=checkbox]").is_checked()
    # The calculator prices a fleet of symmetric keys (its default key spec), whose requests are Decrypt calls.
    estimate = kmssim.estimate(
        [{"count": keys, "key_spec": "SYMMETRIC_DEFAULT", "region": region}],
        [{"operation": "Decrypt", "count": requests, "key_spec": "SYMMETRIC_DEFAULT", "region": region}],
        month=month,
        free_tier=free_tier,
    )
    return estimate.total


def assert_png(path: Path) -> None:
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE), f"{path.name} is not a PNG"
    assert len(data) > 1000, f"{path.name} is only {len(data)} bytes"


def test_voila_cost_calculator(voila: Server, page: Page, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    off_host = off_host_requests(page)
    page.goto(voila.url + "/voila/render/cost_calculator.ipynb", wait_until="domcontentloaded")
    total = page.locator(".kmssim-total")
    expect(total).to_contain_text(DOLLARS, timeout=RENDER_TIMEOUT_MS)
    first_text = total.inner_text()
    first = DOLLARS.search(first_text)
    assert first, first_text
    month_match = MONTH.search(first_text)
    # With no rotations, the month changes nothing in the total (a key costs the same whole month); the
    # calculator names its month in the total, and 2026-06 is only a fallback should it stop doing so.
    month = month_match.group(1) if month_match else "2026-06"

    keys_input = page.locator(".kmssim-keys input")
    keys = int(keys_input.input_value().replace(",", "")) + 237
    keys_input.fill(str(keys))
    keys_input.press("Enter")
    want = usd(expected_total(page, keys, month))
    assert want != first.group(0), "the new key count should change the total"
    expect(total).to_contain_text(want)
    expect(page.locator(".kmssim-error")).to_have_text(re.compile(r"^\s*$"))
    shot = tmp_path / "voila-cost-calculator.png"
    page.screenshot(path=shot, full_page=True)
    assert_png(shot)

    keys_input.fill("-5")
    keys_input.press("Enter")
    error = page.locator(".kmssim-error")
    expect(error).to_contain_text(re.compile(r"\w{3,}"))
    expect(total).not_to_contain_text(want)
    error_shot = tmp_path / "voila-cost-calculator-error.png"
    page.screenshot(path=error_shot, full_page=True)
    assert_png(error_shot)
    assert off_host == [], "the app must work with no internet (issue 9), yet it asked other hosts"


def test_jupyterlab_opens_the_training_path(lab: Server, page: Page, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    before = hashlib.sha256(START_NOTEBOOK.read_bytes()).hexdigest()
    page.goto(lab.url + "/lab/tree/00_start_here.ipynb", wait_until="domcontentloaded")
    notebook = page.locator(".jp-NotebookPanel .jp-Notebook")
    expect(notebook.locator(".jp-Cell").first).to_be_visible(timeout=RENDER_TIMEOUT_MS)
    expect(notebook.locator(".jp-RenderedMarkdown h1").first).to_contain_text("Start here")
    # The stored outputs render too: the first code cell shows the seeded simulator.
    expect(notebook.locator(".jp-OutputArea-output").first).to_contain_text("Simulator seed=2026")
    # The notebook's kernel starts and settles (then the server's teardown shuts it down cleanly).
    expect(page.locator("#jp-main-statusbar")).to_contain_text("Idle", timeout=RENDER_TIMEOUT_MS)
    # No news prompt: scripts/lab.sh brings jupyter/config/labconfig (fetchNews "false"). The prompt is a toast
    # shown once the app is restored, which it is by now (a notebook is open and its kernel idle).
    expect(page.get_by_text("official Jupyter news")).to_have_count(0)
    shot = tmp_path / "jupyterlab-00_start_here.png"
    page.screenshot(path=shot)
    assert_png(shot)
    page.close()
    after = hashlib.sha256(START_NOTEBOOK.read_bytes()).hexdigest()
    assert after == before, "opening the notebook in JupyterLab must not change it"


def test_jupyterlab_file_browser_hides_conftest(lab: Server) -> None:
    """What the file browser lists comes from the contents API: the notebooks, never ``conftest.py`` (issue 9),
    which jupyter/config/jupyter_server_config.json adds to ContentsManager.hide_globs."""
    assert (NOTEBOOKS / "conftest.py").is_file()
    with urllib.request.urlopen(lab.url + "/api/contents/", timeout=10) as response:
        listing = json.load(response)
    names = {item["name"] for item in listing["content"]}
    assert START_NOTEBOOK.name in names and COST_NOTEBOOK.name in names
    assert "conftest.py" not in names


def test_voila_policy_lab(voila: Server, page: Page, tmp_path: Path) -> None:
    """Evaluate, break the JSON (an inline error, no traceback), then an explicit deny wins.

    The widgets carry the classes; the decision's own HTML reuses ``kmssim-decision``, hence ``.widget-html``.
    """
    from playwright.sync_api import expect

    off_host = off_host_requests(page)
    page.goto(voila.url + "/voila/render/policy_lab.ipynb", wait_until="domcontentloaded")
    button = page.locator(".kmssim-evaluate")
    expect(button).to_be_visible(timeout=RENDER_TIMEOUT_MS)
    decision = page.locator(".widget-html.kmssim-decision")
    button.click()
    expect(decision).to_contain_text(re.compile(r"Allow|ImplicitDeny|ExplicitDeny"))
    expect(page.locator(".widget-html.kmssim-matrix")).to_contain_text("ImplicitDeny")

    policy = page.locator(".kmssim-policy textarea")
    policy.fill("{ not json")
    button.click()
    expect(page.locator(".widget-html.kmssim-error")).to_contain_text(re.compile(r"\w{3,}"))
    expect(page.locator("body")).not_to_contain_text("Traceback")

    deny_all = (
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", '
        '"Action": "kms:*", "Resource": "*"}]}'
    )
    policy.fill(deny_all)
    button.click()
    expect(decision).to_contain_text("ExplicitDeny")
    expect(page.locator(".widget-html.kmssim-error")).to_have_text(re.compile(r"^\s*$"))
    shot = tmp_path / "voila-policy-lab.png"
    page.screenshot(path=shot, full_page=True)
    assert_png(shot)
    assert off_host == [], "the app must work with no internet (issue 9), yet it asked other hosts"
