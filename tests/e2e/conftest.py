"""End-to-end fixtures: the Gradio app launched on a copy of the seeded store, and headless Chromium.

`app` is shared by every test that only reads; `scratch_app` (its own copy of the store) is for the tests
that add documents, so the order in which tests run never matters. Every browser test leaves a
screenshot in test-artifacts/screenshots/<test-name>.png.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from assistant.bench.process import free_port
from assistant.config import Settings
from assistant.ui.server import launch
from tests.e2e.ui import SCREENSHOTS

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class RunningApp:
    url: str
    store: Path
    settings: Settings
    demo: Any


def _launch_on_copy(seeded: dict[str, Any], base: Path, **overrides: Any) -> Iterator[RunningApp]:
    """Copy the CLI-ingested seed store (cheap, no re-embedding) and launch the app on it; `overrides`
    are further Settings fields (an LLM endpoint, say)."""
    store = base / "store"
    shutil.copytree(seeded["store"], store)
    settings = Settings(store_dir=store, port=free_port(), host="127.0.0.1", **overrides)
    saved_tmp = os.environ.get("GRADIO_TEMP_DIR")
    demo, url = launch(settings, prevent_thread_lock=True)
    try:
        yield RunningApp(url=url, store=store, settings=settings, demo=demo)
    finally:
        demo.close()
        # launch() points Gradio's temp dir at the app's own folder; do not leak that into later tests.
        if saved_tmp is None:
            os.environ.pop("GRADIO_TEMP_DIR", None)
        else:
            os.environ["GRADIO_TEMP_DIR"] = saved_tmp


@pytest.fixture(scope="session")
def app(seeded: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """The app on the five seed reports. Tests using it must not add or delete documents."""
    yield from _launch_on_copy(seeded, tmp_path_factory.mktemp("e2e-app"))


@pytest.fixture(scope="session")
def app_url(app: RunningApp) -> str:
    return app.url


@pytest.fixture(scope="session")
def scratch_app(seeded: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """A second app on its own store copy, for tests that upload documents (each uses distinct facts)."""
    yield from _launch_on_copy(seeded, tmp_path_factory.mktemp("e2e-scratch"))


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser context per test; a full-page screenshot is saved when the test ends (pass or fail)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    try:
        yield pg
    finally:
        try:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            pg.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=True)
        finally:
            context.close()
