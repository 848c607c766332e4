"""Chroma server mode without a server: the URL, the unreachable-server message, the lock policy,
the lexical cache under concurrent processes, and the app's cheap change check (fake store)."""

from __future__ import annotations

import multiprocessing
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant import cli
from assistant.config import Settings
from assistant.services import FULL_CHECK_S, Services
from assistant.store.client import StoreError, open_client, server_address
from assistant.store.lexical import LexicalIndex, fingerprint, sync_lexical
from assistant.store.lock import SERVER_MODE_WAIT_S, writer_lock
from tests.unit.store_fake import FakeStore


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1:8000", ("127.0.0.1", 8000, False)),
        ("http://127.0.0.1:8000/", ("127.0.0.1", 8000, False)),
        ("127.0.0.1:9001", ("127.0.0.1", 9001, False)),
        ("http://chroma.local", ("chroma.local", 8000, False)),
        ("https://chroma.example.org", ("chroma.example.org", 443, True)),
    ],
)
def test_server_address(url: str, expected: tuple[str, int, bool]) -> None:
    assert server_address(url) == expected


@pytest.mark.parametrize("url", ["ftp://host:21", "http://", "http://host:port", "http://host:8000/chroma"])
def test_a_malformed_url_is_refused_in_chinese(url: str) -> None:
    with pytest.raises(StoreError, match="ASSISTANT_CHROMA_URL 格式不对"):
        server_address(url)


def test_a_server_nobody_listens_on_names_the_url_and_how_to_start_one(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    with pytest.raises(StoreError) as caught:
        open_client(Settings(store_dir=tmp_path / "store", chroma_url=url))
    message = str(caught.value)
    assert url in message and f"chroma run --path 数据目录 --host 127.0.0.1 --port {port}" in message
    assert not (tmp_path / "store").exists(), "nothing is created locally for the server's data"


def test_a_server_that_accepts_but_never_answers_ends_in_the_time_limit(tmp_path: Path) -> None:
    """A socket that listens and never reads: connecting succeeds (the kernel queues it), the answer never
    comes, as with a `chroma run` stopped by SIGSTOP (tests/integration/test_chroma_hang.py)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(16)
        url = f"http://127.0.0.1:{s.getsockname()[1]}"
        started = time.monotonic()
        with pytest.raises(StoreError) as caught:
            open_client(Settings(store_dir=tmp_path / "store", chroma_url=url, chroma_timeout_s=1))
        took = time.monotonic() - started
    message = str(caught.value)
    assert url in message and "在 1 秒内没有响应" in message and "ASSISTANT_CHROMA_TIMEOUT_S" in message
    assert 0.9 <= took < 10, took


def test_writers_are_refused_at_once_embedded_and_queue_in_server_mode(tmp_path: Path) -> None:
    assert writer_lock(Settings(store_dir=tmp_path)).wait_s == 0
    assert writer_lock(Settings(store_dir=tmp_path, chroma_url="http://127.0.0.1:8000")).wait_s == SERVER_MODE_WAIT_S
    assert writer_lock(Settings(store_dir=tmp_path, chroma_url="http://127.0.0.1:8000"), 5).wait_s == 5


def test_losing_the_server_mid_command_is_a_message_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def lost() -> None:
        raise httpx.ConnectError("[Errno 111] Connection refused")

    monkeypatch.setattr(cli, "app", lost)
    monkeypatch.setenv("ASSISTANT_CHROMA_URL", "http://127.0.0.1:8765")
    with pytest.raises(SystemExit) as caught:
        cli.main()
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert "无法连接 Chroma 服务器 http://127.0.0.1:8765" in err and "chroma run" in err


def server_services(tmp_path: Path, store: FakeStore, clock: Callable[[], float] = time.monotonic) -> Services:
    settings = Settings(store_dir=tmp_path, chroma_url="http://127.0.0.1:8000")
    return Services(settings, store, LexicalIndex(tmp_path / "lexical"), clock=clock)


def test_refresh_costs_one_count_when_nothing_changed(tmp_path: Path) -> None:
    now = [1000.0]
    store = FakeStore(["a-1", "a-2"])
    services = server_services(tmp_path, store, clock=lambda: now[0])
    assert services.refresh() is True  # first check: builds the index
    first = services.lexical
    assert first.fingerprint == fingerprint(store.ids)

    scans = store.id_scans
    assert services.refresh() is False
    assert store.id_scans == scans, "no id scan while the count is unchanged"

    store.ids.append("b-1")  # another process adds a document: the count changes
    assert services.refresh() is True
    assert services.lexical is not first, "a new index replaces the old one"
    assert first.fingerprint == fingerprint(["a-1", "a-2"]), "the old one is untouched for threads still using it"
    assert set(services.lexical.ids) == {"a-1", "a-2", "b-1"}

    store.ids[0] = "a-9"  # an edit that keeps the count: seen by the periodic full check
    assert services.refresh() is False
    now[0] += FULL_CHECK_S + 0.1
    assert services.refresh() is True
    assert services.lexical.fingerprint == fingerprint(store.ids)


def test_refresh_does_nothing_for_the_embedded_store(tmp_path: Path) -> None:
    store = FakeStore(["a-1"])
    services = Services(Settings(store_dir=tmp_path), store, LexicalIndex(tmp_path / "lx"))
    assert services.refresh() is False
    assert store.id_scans == 0


def test_a_stale_index_takes_the_copy_another_process_saved(tmp_path: Path) -> None:
    store = FakeStore(["a-1", "a-2"])
    mine = LexicalIndex(tmp_path / "lexical")
    assert sync_lexical(store, mine) is True
    store.ids.append("b-1")
    other = LexicalIndex(tmp_path / "lexical")  # another process on this machine syncs first
    assert sync_lexical(store, other) is True
    fetches = store.text_fetches
    assert sync_lexical(store, mine) is False, "loaded from disk, not rebuilt"
    assert store.text_fetches == fetches
    assert mine.fingerprint == fingerprint(store.ids)


def _save_and_load(directory: str, seed: int, rounds: int, errors: Any) -> None:
    found: list[str] = []
    for i in range(rounds):
        index = LexicalIndex(Path(directory))
        try:
            if i % 2 == 0:
                n = 2 + (seed + i) % 4
                index.rebuild([(f"{seed}-{j}", f"安民乡 红色旅游 {j}", {"doc": str(seed)}) for j in range(n)])
            elif index.load() and index.fingerprint != fingerprint(index.ids):
                found.append("a load mixed two versions")
        except Exception as exc:
            found.append(f"{type(exc).__name__}: {exc}")
    errors.put(found)


def test_processes_saving_and_loading_the_cache_at_once_never_collide(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    errors = ctx.Queue()
    procs = [ctx.Process(target=_save_and_load, args=(str(tmp_path / "lexical"), s, 60, errors)) for s in range(3)]
    for proc in procs:
        proc.start()
    found = [e for _ in procs for e in errors.get(timeout=120)]
    for proc in procs:
        proc.join(timeout=30)
    assert found == []
    assert LexicalIndex(tmp_path / "lexical").load()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lexical", "lexical.lock"], "no temp copies left behind"
