"""Start the app: first-run ingest of the sample reports, safe launch settings, the printed URL."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from assistant import resources
from assistant.config import Settings, SettingsError
from assistant.services import Services
from assistant.store.lock import StoreLock, writer_lock

Progress = Callable[[int, int, str], None]


def seeds_dir() -> Path | None:
    """The bundled sample reports (package data, see assistant/resources.py); None if they are missing."""
    seeds = resources.seeds_dir()
    return seeds if seeds.is_dir() and any(seeds.glob("*.txt")) else None


def first_run_ingest(services: Services, progress: Progress | None = None) -> int:
    """Ingest the sample reports when the store is empty; returns the number of documents added.
    The caller holds the store's write lock."""
    if services.store.count() > 0:
        return 0
    seeds = seeds_dir()
    if seeds is None:
        return 0
    return services.ingest([seeds], progress=progress).added


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


def login(settings: Settings) -> tuple[str, str] | None:
    """(user, password) from ASSISTANT_AUTH, or None: no login."""
    if not settings.auth:
        return None
    user, _, password = settings.auth.partition(":")
    if not user or not password:
        raise SettingsError("ASSISTANT_AUTH 应为 user:password")
    return user, password


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
    from assistant.ui import render

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
        css=render.CSS,
        footer_links=["api"],
    )
    if on_ready:
        on_ready(url, time.perf_counter() - started)
        demo.block_thread()
    return demo, url


def with_port(settings: Settings, host: str | None, port: int | None) -> Settings:
    return replace(settings, host=host or settings.host, port=port or settings.port)
