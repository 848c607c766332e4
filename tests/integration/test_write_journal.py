"""The write journal on a real Chroma store: interrupted document writes are completed or undone,
never left half old, half new; duplicates under different names are detected and reported.

Vectors come from the hashing fake (the journal logic does not depend on the model); the store,
its files and the lock are real. The model-backed, SIGKILL version is test_crash_safe_ingest.py.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from assistant.config import Settings
from assistant.ingest.chunking import chunk_document, sentence_units
from assistant.ingest.document import parse_file
from assistant.ingest.pipeline import ingest_paths
from assistant.services import Services, lexical_dir
from assistant.store.collection import ReportStore
from assistant.store.journal import JournalEntry, WriteJournal
from assistant.store.lock import StoreLock
from tests.conftest import SEEDS, HashingEmbedder

pytestmark = pytest.mark.integration

TITLE = "X乡2023年工作总结及2024年工作计划"
OLD = TITLE + "\n一、2023年工作总结\n（一）坚持稳中求进基调。2023年完成财税1200万元，乡财力得到进一步的夯实。\n"
NEW = OLD.replace("1200", "1350") + "（二）抓实项目建设。全年实施项目12个，完成投资3.2亿元。引进物流企业2家。\n"


class Crash(BaseException):
    """Stands in for SIGKILL at one step of a write (BaseException: nothing may swallow it)."""


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(store_dir=tmp_path / "store")


@pytest.fixture
def store(settings: Settings, hashing_embedder: HashingEmbedder) -> ReportStore:
    return ReportStore.open(settings, hashing_embedder.name)


def write(corpus: Path, name: str, text: str) -> Path:
    corpus.mkdir(exist_ok=True)
    path = corpus / name
    path.write_text(text, encoding="utf-8")
    return path


def entries(path: Path) -> set[str]:
    doc = parse_file(path.resolve())
    chunks = chunk_document(doc, max_chars=360)
    return {c.chunk_id for c in chunks} | {uid for c in chunks for uid, _ in sentence_units(c)}


def crash_on(monkeypatch: pytest.MonkeyPatch, store: ReportStore, step: str) -> None:
    """Make the store's `step` call (upsert / update / delete) die before it does anything."""

    def die(*args: Any, **kwargs: Any) -> None:
        raise Crash(step)

    monkeypatch.setattr(store._collection, step, die)


def test_journal_entries_are_durable_files_until_ended(tmp_path: Path) -> None:
    journal = WriteJournal(tmp_path / "journal")
    assert journal.pending() == []
    entry = JournalEntry("安民乡/报告", added=["a", "b"], updates=[("k", {"doc": "安民乡/报告"})], stale=["s"])
    journal.begin(entry)
    half = tmp_path / "journal" / "x.tmp-123"
    half.write_text("{half", encoding="utf-8")  # a writer died while writing one
    assert WriteJournal(tmp_path / "journal").pending() == [entry]
    assert half.exists(), "listing is read-only: anyone may do it, the lock holder discards"
    assert journal.discard_leftovers() == 1 and not half.exists()
    journal.end(entry.doc_id)
    assert journal.pending() == []


def test_readers_listing_the_journal_never_disturb_its_writer(tmp_path: Path) -> None:
    """Readers open the store without the lock and list pending writes while the lock holder writes:
    listing must neither delete the writer's temp file (its `begin` then failed with
    FileNotFoundError, 89 times in 20,000 listings) nor trip over an entry ended meanwhile."""
    journal = WriteJournal(tmp_path / "journal")
    entry = JournalEntry("安民乡", added=["a"], stale=["b"])
    stop = threading.Event()
    failures: list[BaseException] = []
    writes = [0]

    def writer() -> None:
        while not stop.is_set():
            try:
                journal.begin(entry)
                journal.end(entry.doc_id)
                writes[0] += 1
            except OSError as exc:
                failures.append(exc)

    def reader(calls: int) -> None:
        mine = WriteJournal(journal.directory)  # another process's view of the same directory
        for _ in range(calls):
            try:
                assert all(e == entry for e in mine.pending())
            except (OSError, ValueError, AssertionError) as exc:
                failures.append(exc)

    writing = threading.Thread(target=writer)
    writing.start()
    readers = [threading.Thread(target=reader, args=(5000,)) for _ in range(4)]  # 20,000 listings
    for t in readers:
        t.start()
    for t in readers:
        t.join()
    stop.set()
    writing.join()
    assert failures == [] and writes[0] > 0


def test_a_write_killed_after_its_upsert_is_completed(
    tmp_path: Path,
    settings: Settings,
    store: ReportStore,
    hashing_embedder: HashingEmbedder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    corpus = tmp_path / "c"
    path = write(corpus, "x.txt", OLD)
    ingest_paths([corpus], store, hashing_embedder)
    write(corpus, "x.txt", NEW)
    crash_on(monkeypatch, store, "delete")
    with pytest.raises(Crash):
        ingest_paths([corpus], store, hashing_embedder)
    monkeypatch.undo()
    assert store.journal is not None and [e.doc_id for e in store.journal.pending()] == ["x"]
    assert set(store.unit_ids("x")) > entries(path), "old and new entries side by side until settled"
    # The next writer (it holds the lock) settles the write first, then ingests.
    report = Services(settings, store, lexical_dir(settings), embedder=hashing_embedder).ingest([corpus])
    assert report.recovered == [{"doc": "x", "outcome": "completed"}]
    assert (report.unchanged, report.updated, report.chunks_embedded) == (1, 0, 0), "resumed, not redone"
    assert set(store.unit_ids("x")) == entries(path)
    assert store.journal.pending() == []


def test_a_write_killed_during_its_upsert_is_undone(
    tmp_path: Path, store: ReportStore, hashing_embedder: HashingEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = tmp_path / "c"
    path = write(corpus, "x.txt", OLD)
    ingest_paths([corpus], store, hashing_embedder)
    old_entries = set(store.unit_ids("x"))
    write(corpus, "x.txt", NEW)
    real_upsert = store._collection.upsert

    def half_upsert(ids: list[str], **kwargs: Any) -> None:
        # Half of the entries reach the store, then the process dies.
        half = len(ids) // 2
        real_upsert(ids=ids[:half], **{k: v[:half] for k, v in kwargs.items()})
        raise Crash("upsert")

    monkeypatch.setattr(store._collection, "upsert", half_upsert)
    with pytest.raises(Crash):
        ingest_paths([corpus], store, hashing_embedder)
    monkeypatch.undo()
    assert len(store.unit_ids("x")) > len(old_entries)
    assert settle(store_settings(store, tmp_path), store) == [("x", "rolled_back")]
    assert set(store.unit_ids("x")) == old_entries, "the document is back to its old version, whole"
    report = ingest_paths([corpus], store, hashing_embedder)
    assert report.updated == 1 and set(store.unit_ids("x")) == entries(path)


def settle(settings: Settings, store: ReportStore) -> list[tuple[str, str]]:
    """What a process opening the store without the write lock does about interrupted writes."""
    return Services(settings, store, lexical_dir(settings)).settle()


def store_settings(store: ReportStore, tmp_path: Path) -> Settings:
    assert store.journal is not None
    return Settings(store_dir=store.journal.directory.parent)


def test_a_killed_removal_is_completed(tmp_path: Path, store: ReportStore, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = tmp_path / "c"
    write(corpus, "x.txt", OLD)
    write(corpus, "y.txt", NEW.replace("X乡", "Y乡"))
    ingest_paths([corpus], store, HashingEmbedder())
    crash_on(monkeypatch, store, "delete")
    with pytest.raises(Crash):
        store.delete_document("x")
    monkeypatch.undo()
    assert store.recover() == [("x", "completed")]
    assert set(store.documents()) == {"y"}


def test_readers_settle_left_over_writes_unless_a_writer_holds_the_lock(
    tmp_path: Path, settings: Settings, store: ReportStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = tmp_path / "c"
    write(corpus, "x.txt", OLD)
    ingest_paths([corpus], store, HashingEmbedder())
    crash_on(monkeypatch, store, "delete")
    with pytest.raises(Crash):
        store.delete_document("x")
    monkeypatch.undo()
    with StoreLock(settings.store_dir).acquire():
        assert settle(settings, store) == [], "the lock holder is the writer: leave it"
        assert store.journal is not None and len(store.journal.pending()) == 1
    assert settle(settings, store) == [("x", "completed")]
    assert store.documents() == {}


def test_duplicates_under_other_names_are_skipped_and_reported(tmp_path: Path, store: ReportStore) -> None:
    corpus = tmp_path / "c"
    text = (SEEDS / "002_501c0fb6689f0a4e.txt").read_text(encoding="utf-8")[:1200]
    write(corpus, "安民乡总结.txt", text)
    write(corpus, "安民乡总结（副本）.txt", text)
    # Same words, other line endings and a trailing blank line: the cleaned text is identical.
    write(corpus, "安民乡总结-另存.txt", text.replace("\n", "\r\n") + "\r\n\r\n")
    report = ingest_paths([corpus], store, HashingEmbedder())
    assert report.added == 1 and report.errors == []
    assert sorted(Path(d["path"]).name for d in report.duplicates) == ["安民乡总结-另存.txt", "安民乡总结（副本）.txt"]
    assert {d["same_as"] for d in report.duplicates} == {"安民乡总结"}
    assert all("完全相同" in d["message"] and "已跳过" in d["message"] for d in report.duplicates)
    assert set(store.documents()) == {"安民乡总结"}

    # Later runs name the stored document, whatever the order of names.
    write(corpus, "0-先排序的副本.txt", text)
    again = ingest_paths([corpus], store, HashingEmbedder())
    assert {d["same_as"] for d in again.duplicates} == {"安民乡总结"} and again.unchanged == 1


def test_a_renamed_file_is_not_a_duplicate_of_its_old_name(tmp_path: Path, store: ReportStore) -> None:
    corpus = tmp_path / "c"
    old = write(corpus, "old.txt", OLD)
    ingest_paths([corpus], store, HashingEmbedder())
    old.rename(corpus / "new.txt")
    report = ingest_paths([corpus], store, HashingEmbedder())
    assert report.duplicates == []
    assert (report.added, report.removed) == (1, 1)
    assert set(store.documents()) == {"new"}


def test_a_write_larger_than_one_chroma_batch_goes_in_pieces_and_a_crash_between_them_is_undone(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = tmp_path / "c"
    path = write(corpus, "x.txt", NEW)
    wanted = entries(path)
    assert len(wanted) > 5
    store = ReportStore.open(settings, HashingEmbedder.name, max_batch=3)  # Chroma's real limit: 5461 entries
    calls: list[int] = []
    real_upsert = store._collection.upsert

    def counting_upsert(ids: list[str], **kwargs: Any) -> None:
        calls.append(len(ids))
        real_upsert(ids=ids, **kwargs)

    monkeypatch.setattr(store._collection, "upsert", counting_upsert)
    ingest_paths([corpus], store, HashingEmbedder())
    assert max(calls) <= 3 and sum(calls) == len(wanted)
    assert set(store.unit_ids("x")) == wanted

    crash_dir = tmp_path / "crash"
    crash_store = ReportStore.open(Settings(store_dir=crash_dir / "store"), HashingEmbedder.name, max_batch=3)
    calls.clear()
    real_crash_upsert = crash_store._collection.upsert

    def dying_upsert(ids: list[str], **kwargs: Any) -> None:
        calls.append(len(ids))
        if len(calls) == 2:
            raise Crash("between pieces")
        real_crash_upsert(ids=ids, **kwargs)

    monkeypatch.setattr(crash_store._collection, "upsert", dying_upsert)
    with pytest.raises(Crash):
        ingest_paths([corpus], crash_store, HashingEmbedder())
    monkeypatch.undo()
    assert len(crash_store.unit_ids("x")) == 3, "the first piece arrived"
    assert crash_store.recover() == [("x", "rolled_back")]
    assert crash_store.documents() == {}
