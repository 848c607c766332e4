"""Writes through Services on a real Chroma store (hashing embedder): the lexical index follows every
write, and interrupted writes are settled by one rule, also by a writer opening the store under the
lock it already holds (the case that used to be skipped: the settle tried to take that lock again)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistant.config import Settings
from assistant.services import Services
from assistant.store.collection import ReportStore
from assistant.store.lock import StoreLock, writer_lock
from tests.conftest import HashingEmbedder

pytestmark = pytest.mark.integration

X = "X乡2023年工作总结\n一、2023年工作总结\n（一）坚持稳中求进基调。2023年完成财税1200万元，乡财力得到进一步的夯实。\n"
Y = X.replace("X乡", "Y乡").replace("1200", "1350")


class Crash(BaseException):
    """Stands in for SIGKILL at one step of a write."""


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "x.txt").write_text(X, encoding="utf-8")
    (folder / "y.txt").write_text(Y, encoding="utf-8")
    return folder


def writer(settings: Settings) -> tuple[StoreLock, Services]:
    lock = writer_lock(settings).acquire()
    return lock, Services.open(settings, lock=lock, embedder=HashingEmbedder())


def test_ingest_and_remove_keep_the_lexical_index_in_line(tmp_path: Path, corpus: Path) -> None:
    settings = Settings(store_dir=tmp_path / "store", parse_timeout_s=0)
    lock, services = writer(settings)
    try:
        report = services.ingest([corpus])
        assert report.added == 2 and report.errors == [] and report.recovered == []
        assert set(services.lexical.documents()) == {"x", "y"}
        assert services.sync_lexical() is False, "already in line"
        removed = services.remove(["x", "nope"])
        assert removed["x"] > 0 and removed["nope"] == 0
        assert set(services.lexical.documents()) == {"y"}
        assert services.sync_lexical() is False
    finally:
        lock.release()


def test_a_writer_settles_under_the_lock_it_holds_and_reports_it(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(store_dir=tmp_path / "store", parse_timeout_s=0)
    lock, services = writer(settings)
    services.ingest([corpus])
    store = services.store
    assert isinstance(store, ReportStore)

    def die(*args: Any, **kwargs: Any) -> None:
        raise Crash("delete")

    monkeypatch.setattr(store._collection, "delete", die)
    with pytest.raises(Crash):
        store.delete_document("x")  # killed half way through removing x
    monkeypatch.undo()
    lock.release()

    lock, again = writer(settings)  # the next writer, e.g. `assistant ingest`
    try:
        assert again.store.journal is not None and again.store.journal.pending() == [], "settled on opening"
        assert set(again.store.documents()) == {"y"}, "the removal was completed"
        report = again.ingest([corpus / "y.txt"])
        assert report.recovered == [{"doc": "x", "outcome": "completed"}], "what opening settled is reported"
        assert report.unchanged == 1
    finally:
        lock.release()
