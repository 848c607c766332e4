"""The lexical index's array table: filters equal Filters.matches, tokens and postings, files, old formats."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assistant.ingest.chunking import chunk_document
from assistant.ingest.document import parse_file
from assistant.retrieval import Filters
from assistant.store.lexical import LexicalIndex, fingerprint, index_text
from assistant.store.lexical_table import LexicalTable
from assistant.text import tokenize
from assistant.types import ChunkMeta

SEED_FILES = sorted((Path(__file__).resolve().parents[2] / "seeds").glob("*.txt"))
Row = tuple[str, str, ChunkMeta]  # (chunk id, text, store metadata)


@pytest.fixture(scope="module")
def seed_chunks() -> list[Row]:
    chunks = [c for path in SEED_FILES for c in chunk_document(parse_file(path))]
    return sorted(((c.chunk_id, c.text, c.store_metadata()) for c in chunks), key=lambda c: c[0])


@pytest.fixture(scope="module")
def index(seed_chunks: list[Row], tmp_path_factory: pytest.TempPathFactory) -> LexicalIndex:
    built = LexicalIndex(tmp_path_factory.mktemp("lexical") / "lexical")
    built.rebuild(seed_chunks)
    return built


FILTERS = [
    Filters(township="安民乡"),
    Filters(township=("安民乡", "XX乡")),
    Filters(township="没有这个乡"),
    Filters(year=2024),
    Filters(year=2019),
    Filters(kind="述职"),
    Filters(part="计划"),
    Filters(part="2023年工作总结"),
    Filters(doc="002_501c0fb6689f0a4e"),
    Filters(township="XX乡", year=2024, part="计划"),
]


@pytest.mark.parametrize("filters", FILTERS, ids=[str(f) for f in FILTERS])
def test_the_mask_selects_exactly_the_chunks_filters_match(
    filters: Filters, index: LexicalIndex, seed_chunks: list[Row]
) -> None:
    mask = index.mask(filters)
    by_id = {cid: meta for cid, _, meta in seed_chunks}
    expected = [filters.matches(by_id[cid]) for cid in index.ids]
    assert mask.tolist() == expected
    hits = index.search("红色旅游 精品线路 产业", 50, mask=mask)
    assert all(filters.matches(by_id[cid]) for cid, _ in hits)


def test_the_test_filters_are_not_trivial(index: LexicalIndex) -> None:
    counts = [int(index.mask(f).sum()) for f in FILTERS]
    assert counts[2] == 0 and counts[4] == 0, "unknown township / year"
    assert all(0 < c < len(index) for i, c in enumerate(counts) if i not in (2, 4))


def test_tokens_postings_and_document_frequency(index: LexicalIndex, seed_chunks: list[Row]) -> None:
    table = index.table
    for row, (cid, text, meta) in enumerate(seed_chunks):
        assert table.ids[row] == cid
        assert table.row_tokens(row) == tokenize(index_text(text, meta))
    holders = [row for row in range(len(table)) if "耕地" in table.row_tokens(row)]
    assert table.rows_with("耕地").tolist() == holders and holders
    assert table.document_frequency("不存在的词语") == 0
    assert index.idf("耕地") > index.idf("工作") > 0
    doc = "004_b0ba3482a421c3a8"
    expected = {t for row in range(len(table)) if table.meta(row)["doc"] == doc for t in table.row_tokens(row)}
    assert index.doc_tokens(doc) == expected
    assert index.docs_with("图斑") == {doc}
    assert "002_501c0fb6689f0a4e" in index.docs_with("红色")


def test_documents_give_each_reports_township_and_kind(index: LexicalIndex) -> None:
    docs = index.documents()
    assert len(docs) == len(SEED_FILES)
    assert docs["002_501c0fb6689f0a4e"]["township"] == "安民乡"
    assert docs["004_b0ba3482a421c3a8"]["kind"] == "述职"


def test_the_index_round_trips_through_its_files(index: LexicalIndex) -> None:
    loaded = LexicalIndex(index.directory)
    assert loaded.load()
    assert loaded.ids == index.ids and loaded.fingerprint == index.fingerprint == fingerprint(index.ids)
    for key in index.table.codes:
        assert loaded.table.values[key] == index.table.values[key]
        np.testing.assert_array_equal(loaded.table.codes[key], index.table.codes[key])
    for key in index.table.numbers:
        np.testing.assert_array_equal(loaded.table.numbers[key], index.table.numbers[key])
    assert loaded.search("红色旅游精品线路", 3) == index.search("红色旅游精品线路", 3)


def test_an_index_in_the_old_records_format_is_not_loaded(tmp_path: Path) -> None:
    old = tmp_path / "lexical"
    old.mkdir()
    (old / "manifest.json").write_text(json.dumps({"tokenizer": "jieba-search-nfkc-v1", "fingerprint": "x"}))
    (old / "records.jsonl").write_text('{"chunk_id": "a", "tokens": ["安民乡"], "meta": {}}\n')
    assert not LexicalIndex(old).load()


def test_mismatched_files_are_refused(index: LexicalIndex, tmp_path: Path) -> None:
    table = index.table
    table.save(tmp_path / "t")
    np.save(tmp_path / "t" / "offsets.npy", table.offsets[:-1])
    with pytest.raises(ValueError):
        LexicalTable.load(tmp_path / "t")


def test_rebuild_reuses_tokens_of_known_chunks(index: LexicalIndex, tmp_path: Path) -> None:
    fresh = LexicalIndex(tmp_path / "lexical")
    # Texts are ignored for chunks the reused index knows: their tokens are taken as they are.
    fresh.rebuild([(cid, "", {"doc": "x"}) for cid in index.ids[:5]], reuse=index)
    assert [fresh.table.row_tokens(i) for i in range(5)] == [index.table.row_tokens(i) for i in range(5)]
