"""Tokens made while ingest writes (lexical.pretokenize) are what the next rebuild indexes: no
second jieba pass, the same index as tokenizing then, each taken once, and a bounded memo."""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

import pytest

from assistant.ingest.chunking import chunk_document
from assistant.ingest.document import parse_file
from assistant.store import lexical
from assistant.store.lexical import LexicalIndex
from tests.unit.seed_reports import SEED_FILES


@pytest.fixture
def triples() -> list[tuple[str, str, dict[str, object]]]:
    chunks = [c for path in SEED_FILES[:2] for c in chunk_document(parse_file(path))]
    return [(c.chunk_id, c.text, dict(c.store_metadata())) for c in chunks]


@pytest.fixture(autouse=True)
def empty_memo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lexical, "_PRETOKENIZED", OrderedDict())


def test_rebuild_takes_pretokenized_tokens_and_builds_the_same_index(
    triples: list[tuple[str, str, dict[str, object]]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = LexicalIndex(tmp_path / "plain")
    plain.rebuild(triples)
    lexical.pretokenize((text, meta) for _, text, meta in triples)
    assert len(lexical._PRETOKENIZED) == len({lexical.index_text(t, m) for _, t, m in triples})

    def no_jieba(text: str) -> list[str]:
        raise AssertionError(f"tokenized again: {text[:20]}")

    monkeypatch.setattr(lexical, "tokenize", no_jieba)
    fast = LexicalIndex(tmp_path / "fast")
    fast.rebuild(triples)
    assert fast.ids == plain.ids and fast.fingerprint == plain.fingerprint
    rows = range(len(plain))
    assert [fast.table.row_tokens(r) for r in rows] == [plain.table.row_tokens(r) for r in rows]
    assert not lexical._PRETOKENIZED  # each taken once: the memo does not grow with the store
    assert fast.search("乡村振兴", 3) == plain.search("乡村振兴", 3)


def test_chunks_not_pretokenized_are_tokenized_at_rebuild(
    triples: list[tuple[str, str, dict[str, object]]], tmp_path: Path
) -> None:
    lexical.pretokenize((text, meta) for _, text, meta in triples[:3])
    index = LexicalIndex(tmp_path / "lexical")
    index.rebuild(triples)
    assert len(index) == len(triples) and not lexical._PRETOKENIZED


def test_the_memo_keeps_only_the_newest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lexical, "_PRETOKENIZED_MAX", 2)
    lexical.pretokenize([("一是抓党建。", {}), ("二是抓发展。", {}), ("三是抓民生。", {"title": "X乡总结"})])
    assert list(lexical._PRETOKENIZED) == ["二是抓发展。", "X乡总结\n三是抓民生。"]
