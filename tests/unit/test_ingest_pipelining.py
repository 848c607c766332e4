"""Ingest stores each document in a writer thread while the next one is embedded: order, counts,
overlap, and failures on either side. Folder walks skip the files that describe the folder."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.ingest.pipeline import ingest_paths
from assistant.ingest.walk import NOT_REPORTS, expand_paths, is_folder_note
from assistant.store import lexical
from assistant.types import Chunk, DocRecord
from tests.unit.seed_reports import SEED_FILES

DIM = 8


class FakeEmbedder:
    """Deterministic unit vectors; records every call's texts and can fail on the n-th call."""

    name = "fake"
    dim = DIM

    def __init__(self, fail_on_call: int = 0) -> None:
        self.calls: list[list[str]] = []
        self.fail_on_call = fail_on_call
        self.called = threading.Condition()

    def embed_documents(self, texts: Sequence[str], progress: Any = None) -> np.ndarray:
        with self.called:
            self.calls.append(list(texts))
            self.called.notify_all()
        if self.fail_on_call and len(self.calls) == self.fail_on_call:
            raise RuntimeError("嵌入失败（测试）")
        out = np.array([[hash((t, i)) % 97 + 1 for i in range(DIM)] for t in texts], dtype=np.float32)
        if progress:
            progress(len(texts))
        return out / np.linalg.norm(out, axis=1, keepdims=True) if len(texts) else np.zeros((0, DIM))

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]


class WriteStore:
    """The write side of a Store: documents written, in order, by which thread; a write may wait
    for the embedder's n-th call (to see whether it runs meanwhile) or fail."""

    embedder_name = "fake"
    journal = None

    def __init__(self, embedder: FakeEmbedder, wait_for_call: int = 0, fail_doc: str = "") -> None:
        self.embedder = embedder
        self.wait_for_call, self.fail_doc = wait_for_call, fail_doc
        self.writes: list[tuple[str, int, int, str]] = []  # doc, chunks, sentence units, thread name
        self.overlapped: list[bool] = []
        self._chunks: dict[str, list[Chunk]] = {}

    def documents(self) -> dict[str, DocRecord]:
        return {}

    def unit_ids(self, doc_id: str) -> dict[str, str]:
        return {}

    def count(self) -> int:
        return sum(len(c) for c in self._chunks.values())

    def write_document(self, doc_id: str, *, new: Sequence[Chunk] = (), vectors: Any = None,
                       sentences: Sequence[Any] = (), sentence_vectors: Any = None,
                       kept: Sequence[Chunk] = (), stale: Sequence[str] = ()) -> None:  # fmt: skip
        if doc_id == self.fail_doc:
            raise OSError("磁盘已满（测试）")
        if self.wait_for_call and not self.writes:  # the first write: does the next embedding start meanwhile?
            with self.embedder.called:
                self.overlapped.append(
                    self.embedder.called.wait_for(lambda: len(self.embedder.calls) >= self.wait_for_call, timeout=20)
                )
        assert vectors.shape == (len(new), DIM) and sentence_vectors.shape == (len(sentences), DIM)
        self.writes.append((doc_id, len(new), len(sentences), threading.current_thread().name))
        self._chunks[doc_id] = list(new)


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    for path in SEED_FILES[:3]:
        (folder / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    return folder


def test_documents_are_written_in_order_by_the_writer_thread(reports: Path) -> None:
    embedder = FakeEmbedder()
    store = WriteStore(embedder)
    seen: list[tuple[str, str, str]] = []
    report = ingest_paths(
        [reports], store, embedder, parse_timeout_s=0,
        written=lambda doc, change: seen.append((doc, change, threading.current_thread().name)),
    )  # fmt: skip
    stems = [p.stem for p in SEED_FILES[:3]]
    assert [w[0] for w in store.writes] == stems
    assert {w[3] for w in store.writes} == {"ingest-writer"}
    assert seen == [(s, "added", "ingest-writer") for s in stems]
    assert report.added == 3 and report.chunks_embedded == sum(w[1] for w in store.writes) == report.chunks
    assert len(embedder.calls) == 3


def test_the_next_document_is_embedded_while_one_is_written(reports: Path) -> None:
    embedder = FakeEmbedder()
    store = WriteStore(embedder, wait_for_call=2)  # the first write waits for the second embedding
    ingest_paths([reports], store, embedder, parse_timeout_s=0)
    assert store.overlapped == [True]  # a serial ingest would time out here: nothing embeds during a write
    assert len(store.writes) == 3


def test_a_failed_write_stops_the_run_and_is_raised(reports: Path) -> None:
    embedder = FakeEmbedder()
    second = SEED_FILES[1].stem
    store = WriteStore(embedder, fail_doc=second)
    with pytest.raises(OSError, match="磁盘已满"):
        ingest_paths([reports], store, embedder, parse_timeout_s=0)
    assert [w[0] for w in store.writes] == [SEED_FILES[0].stem]  # nothing after the failed one


def test_an_embedding_failure_lets_the_write_in_flight_finish(reports: Path) -> None:
    embedder = FakeEmbedder(fail_on_call=2)
    store = WriteStore(embedder)
    with pytest.raises(RuntimeError, match="嵌入失败"):
        ingest_paths([reports], store, embedder, parse_timeout_s=0)
    assert [w[0] for w in store.writes] == [SEED_FILES[0].stem]  # written whole before the error surfaced


def test_written_chunks_are_tokenized_for_the_lexical_sync(reports: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lexical, "_PRETOKENIZED", type(lexical._PRETOKENIZED)())
    embedder = FakeEmbedder()
    store = WriteStore(embedder)
    ingest_paths([reports], store, embedder, parse_timeout_s=0)
    chunks = [c for doc in store._chunks.values() for c in doc]
    keys = {lexical.index_text(c.text, c.store_metadata()) for c in chunks}
    assert keys and keys == set(lexical._PRETOKENIZED)


def test_folder_walk_skips_notes_about_the_folder_but_not_named_files(tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    (folder / "2019").mkdir(parents=True)
    (folder / ".hidden").mkdir()
    report_text = SEED_FILES[0].read_text(encoding="utf-8")
    reports = ["2019/海拉尔区2019年政府工作报告.txt", "乡镇总结.md", "source报告.txt", "resources.txt"]
    notes = ["README.md", "readme_zh.txt", "SOURCE.txt", "2019/Sources.md", "LICENSE.txt", "License-MIT.md"]
    notes += ["CHANGELOG.md", "NOTICE.txt", "AUTHORS.txt", "COPYING.txt", ".hidden/x.txt"]
    for name in reports + notes:
        (folder / name).write_text(report_text, encoding="utf-8")
    (folder / "index.csv").write_text("file,year\n", encoding="utf-8")
    files, errors = expand_paths([folder])
    assert not errors
    assert sorted(p.relative_to(folder).as_posix() for p in files) == sorted(reports)
    named, _ = expand_paths([folder / "SOURCE.txt", folder / "README.md"])
    assert [p.name for p in named] == ["SOURCE.txt", "README.md"]  # named explicitly: ingested


def test_folder_note_rule_is_the_first_word_of_the_name() -> None:
    assert all(is_folder_note(Path(f"{name.upper()}.txt")) for name in NOT_REPORTS)
    assert is_folder_note(Path("readme.en.md")) and is_folder_note(Path("LICENSE"))
    assert not is_folder_note(Path("sourcebook.txt")) and not is_folder_note(Path("2023年工作总结.txt"))
