"""Lexical search: top-k over positive scores only (same results as bm25s's retrieve), and filter masks
equal to Filters.matches on every filter kind, also for metadata with missing or None values."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.ingest.chunking import chunk_document
from assistant.ingest.document import parse_file
from assistant.retrieval import Filters
from assistant.store.lexical import LexicalIndex, top_positive
from assistant.store.lexical_table import LexicalTable
from assistant.text import query_tokens

SEED_FILES = sorted((Path(__file__).resolve().parents[2] / "seeds").glob("*.txt"))
QUERIES = ["小麦和油菜各种了多少亩", "存在的问题", "党建 学习 培训班", "2024年工作计划 乡村振兴", "没有的词汇"]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> LexicalIndex:
    chunks = [c for path in SEED_FILES for c in chunk_document(parse_file(path))]
    built = LexicalIndex(tmp_path_factory.mktemp("lexical") / "lexical")
    built.rebuild([(c.chunk_id, c.text, c.store_metadata()) for c in chunks])
    return built


def test_top_positive_ranks_the_best_positive_scores_ties_by_row() -> None:
    scores = np.array([0.0, 2.0, 0.5, 2.0, 0.0, 3.0, 0.5, 0.5], dtype=np.float32)
    assert top_positive(scores, 3).tolist() == [5, 1, 3]
    assert top_positive(scores, 5).tolist() == [5, 1, 3, 2, 6]  # the tie at the cut goes by row
    assert top_positive(scores, 100).tolist() == [5, 1, 3, 2, 6, 7]  # zeros never come back
    assert top_positive(np.zeros(4, dtype=np.float32), 3).tolist() == []
    assert top_positive(scores, 0).tolist() == []


def _bm25s_reference(index: LexicalIndex, query: str, k: int, mask: np.ndarray | None) -> list[tuple[str, float]]:
    """What the index returned before: bm25s's own retrieve with a 0/1 weight mask."""
    weights = None if mask is None else mask.astype(np.float32)
    ids, scores = index._bm25.retrieve([query_tokens(query)], k=min(k, len(index)), show_progress=False,
                                       weight_mask=weights)  # fmt: skip
    return [(index.ids[int(i)], float(s)) for i, s in zip(ids[0], scores[0], strict=True) if s > 0]


@pytest.mark.parametrize("k", [1, 5, 30, 1000])
def test_search_returns_what_bm25s_retrieve_returned(index: LexicalIndex, k: int) -> None:
    rng = np.random.default_rng(k)
    masks = [None, index.mask(Filters(township="安民乡")), rng.random(len(index)) < 0.3]
    compared = 0
    for query, mask in itertools.product(QUERIES, masks):
        got, want = index.search(query, k, mask=mask), _bm25s_reference(index, query, k, mask)
        assert [s for _, s in got] == pytest.approx([s for _, s in want])
        # Same chunks; only chunks of equal score may be ordered (or cut at k) differently.
        distinct = {s for _, s in want}
        for score in distinct:
            if score != want[-1][1]:
                assert {c for c, s in got if s == score} == {c for c, s in want if s == score}
        compared += len(want)
    assert compared > 0
    assert index.search("小麦", k, mask=np.zeros(len(index), dtype=bool)) == []


# Metadata as Chroma holds it, and as it may be missing or None in a store written by other code.
METAS: list[dict[str, Any]] = [
    {"doc": "a", "township": "安民乡", "kind": "总结", "part": "2023年工作总结", "part_kind": "总结",
     "year_min": 2023, "year_max": 2024},
    {"doc": "a", "township": "安民乡", "kind": "总结", "part": "2024年工作计划", "part_kind": "计划",
     "year_min": 2023, "year_max": 2024},
    {"doc": "b", "township": "X乡", "kind": "总结", "part": "存在问题", "part_kind": "存在问题",
     "year_min": 2023, "year_max": 2023},
    {"doc": "c", "township": "XX乡", "kind": "述职", "part": "", "part_kind": "", "year_min": 0, "year_max": 0},
    {"doc": "d", "township": None, "kind": "总结", "year_min": None, "year_max": 2024},
    {"doc": "e"},
]  # fmt: skip
GRID = [
    Filters(**dict(zip(("township", "year", "kind", "part", "doc"), values, strict=True)))
    for values in itertools.product(
        [None, "安民乡", ("安民乡", "X乡"), ("XX乡",), ("没有", "这个乡")],
        [None, 2023, 2024, 2019],
        [None, "总结", "述职"],
        [None, "计划", "存在问题", "2023年工作总结", "没有这部分"],
        [None, "a", "e"],
    )
]  # fmt: skip


def test_masks_equal_filters_matches_on_every_filter_kind() -> None:
    table = LexicalTable.build([(f"id{i}", ["词"], meta) for i, meta in enumerate(METAS)])
    for filters in GRID:
        want = [filters.matches(meta) for meta in METAS]
        assert table.mask(filters.conditions()).tolist() == want, filters
    outcomes = {tuple(table.mask(f.conditions()).tolist()) for f in GRID}
    assert (False,) * len(METAS) in outcomes and (True,) * len(METAS) in outcomes  # empty and full masks
    assert len(outcomes) >= 8

    def selected(filters: Filters) -> list[str]:
        return [f"{METAS[i]['doc']}{i}" for i in np.flatnonzero(table.mask(filters.conditions())).tolist()]

    assert selected(Filters(township=("安民乡", "X乡"))) == ["a0", "a1", "b2"]  # a tuple: any of them
    assert selected(Filters(township=("XX乡",))) == ["c3"]
    assert selected(Filters(year=2024)) == ["a0", "a1"]  # d4 has no year_min: fails $lte
    assert selected(Filters(year=2023)) == ["a0", "a1", "b2"]  # c3's years are 0: outside
    assert selected(Filters(part="计划")) == ["a1"]  # a part kind: the part_kind column
    assert selected(Filters(part="2023年工作总结")) == ["a0"]  # a full part name: the part column
    assert selected(Filters(kind="述职", doc="c")) == ["c3"]
    assert selected(Filters(township="没有这个乡")) == []
