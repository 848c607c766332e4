"""Start the app: first-run ingest of the sample reports, safe launch settings, the printed URL."""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from assistant import resources
from assistant.config import Settings
from assistant.services import Services
from assistant.store.lock import StoreLock, writer_lock
from assistant.ui.users import parse_auth

Progress = Callable[[int, int, str], None]


def seeds_dir() -> Path | None:
    """The bundled sample reports (package data, see assistant/resources.py); None if they are missing."""
    seeds = resources.seeds_dir()
    return seeds if seeds.is_dir() and any(seeds.glob("*.txt")) else None


# In the store directory: the first-start seeding's state, "started" or "done" (see first_run_ingest).
SEEDING_FILE = "seeding.json"


def seeding_state(settings: Settings) -> str | None:
    """ "started", "done", or None: this store was never seeded (or the file is unreadable)."""
    try:
        state = json.loads((settings.store_dir / SEEDING_FILE).read_text(encoding="utf-8")).get("state")
    except (OSError, ValueError, AttributeError):
        return None
    return state if state in ("started", "done") else None


def _record_seeding(settings: Settings, state: str) -> None:
    """Write the state atomically (temp file, fsync, rename): a kill leaves the old state or the new."""
    path = settings.store_dir / SEEDING_FILE
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump({"state": state}, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def first_run_ingest(services: Services, progress: Progress | None = None) -> int:
    """Ingest the sample reports into a new store, once; returns the number of documents added.
    The caller holds the store's write lock.

    A store that is empty and was never seeded is marked "started" before the first sample goes in,
    "done" once every one is in. A start that finds "started" (the last one was killed while seeding)
    ingests the samples again: those already in are skipped, the rest added. After "done" nothing is
    added again, so a sample report the user deleted stays deleted. A store that already holds documents
    and was never seeded (the user's own, or seeded before this file existed) is left as it is.
    """
    seeds = seeds_dir()
    if seeds is None:
        return 0
    settings = services.settings
    state = seeding_state(settings)
    if state == "done" or (state is None and services.store.count() > 0):
        return 0
    _record_seeding(settings, "started")
    report = services.ingest([seeds], progress=progress)
    if not report.errors:
        _record_seeding(settings, "done")
    return report.added


def open_for_app(settings: Settings, progress: Progress | None = None) -> tuple[StoreLock, Services]:
    """The write lock and the services, after the start-up writes (settling, first-run ingest).

    The app may write at any time (uploads, deletes): with the embedded store it holds the single-writer
    lock while it runs. In Chroma server mode the server serialises writes, so the app holds the store
    directory's lock only for its start-up writes and then for each write (other processes may write).
    The lock comes first, so the store is opened (and a mismatched embedder refused) as its writer.
    """
    lock = writer_lock(settings).acquire()
    services = Services.open(settings, lock=lock)
    first_run_ingest(services, progress)
    if settings.chroma_url is not None:
        lock.release()
    return lock, services


def login(settings: Settings) -> list[tuple[str, str]] | None:
    """The (user, password) pairs from ASSISTANT_AUTH (see ui/users.py), or None: no login."""
    return parse_auth(settings.auth) or None


def build(settings: Settings, services: Services, lock: StoreLock, app_tmp: Path) -> Any:
    """The app's Blocks on `services`, its queue bounded."""
    from assistant.ui.app import build_app
    from assistant.ui.handlers import AppService

    server_mode = settings.chroma_url is not None
    service = AppService(
        services,
        upload_dir=settings.store_dir / "uploads",
        export_dir=app_tmp / "exports",
        store_lock=(lambda: writer_lock(settings).acquire()) if server_mode else None,
        held_lock=lock,
    )
    demo = build_app(service, settings)
    # Bounded on purpose: `concurrency` requests per endpoint run at once, at most `queue_size` wait, and
    # one more is refused at once (HTTP 503, gradio_client QueueError, "busy, try again" in the page)
    # instead of waiting behind a queue that only grows (scripts/load_test.py measures it).
    demo.queue(default_concurrency_limit=settings.concurrency, max_size=settings.queue_size)
    return demo


def launch(
    settings: Settings,
    *,
    prevent_thread_lock: bool = False,
    progress: Progress | None = None,
    on_ready: Callable[[str, float], None] | None = None,
) -> tuple[Any, str]:
    """Build and launch the app; returns (Blocks, local URL). Binds settings.host (127.0.0.1 by default)."""
    started = time.perf_counter()
    auth = login(settings)
    lock, services = open_for_app(settings, progress)
    if services.writer() == "llm":
        # Load the model now: the first question does not wait for it, and a model that cannot load
        # (llama.cpp missing, `--writer llm` with none) stops the start with its message.
        try:
            services.chat()
        except BaseException:
            lock.release()
            raise
    # Uploads land in the app's own temp dir, not in Gradio's shared cache (set before gradio loads).
    app_tmp = Path(tempfile.mkdtemp(prefix="assistant-app-"))
    os.environ["GRADIO_TEMP_DIR"] = str(app_tmp / "gradio")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    from assistant.ui import doc_view, render
    from assistant.ui.locale import chinese_i18n
    from assistant.ui.page_js import PAGE_JS

    demo = build(settings, services, lock, app_tmp)
    _, url, _ = demo.launch(
        server_name=settings.host,
        server_port=settings.port,
        share=False,
        auth=auth,
        max_file_size=f"{settings.max_upload_mb}mb",
        blocked_paths=[str(settings.store_dir.resolve())],
        prevent_thread_lock=prevent_thread_lock or on_ready is not None,
        quiet=True,
        css=render.CSS + doc_view.CSS,
        js=PAGE_JS,
        i18n=chinese_i18n(),  # Gradio's own labels in Chinese whatever the browser's language
        footer_links=["api"],
    )
    if on_ready:
        on_ready(url, time.perf_counter() - started)
        demo.block_thread()
    return demo, url


def with_port(settings: Settings, host: str | None, port: int | None) -> Settings:
    return replace(settings, host=host or settings.host, port=port or settings.port)
