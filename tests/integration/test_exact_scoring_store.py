"""Filtered dense search scored locally (by id) equals Chroma's filtered query, on real persistent stores.

The chunks a filter selects come from the lexical index's columns; they must be exactly those
Chroma's `where` selects and those Filters.matches accepts, and ranking them from their stored
vectors must give Chroma's results (up to float ties; Chroma's HNSW is approximate, the local
scoring exact, which on stores this small makes no difference). Whatever ids the local path is
given, it never returns a chunk the filter rejects.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistant.config import Settings
from assistant.ingest.chunking import chunk_document, sentence_units
from assistant.ingest.document import parse_file
from assistant.retrieval import Filters, Retriever
from assistant.store.collection import ReportStore
from assistant.store.lexical import LexicalIndex
from assistant.types import Passage
from tests.conftest import SEEDS, HashingEmbedder

pytestmark = pytest.mark.integration

QUERIES = ["2023年粮食产量和小麦种植面积", "存在的问题和不足", "明年工作计划 乡村振兴", "党建 理论学习 培训班"]
FILTERS = [
    Filters(township="安民乡"),
    Filters(township=("安民乡", "XX乡")),
    Filters(township=("XX乡",)),
    Filters(township="没有这个乡"),
    Filters(year=2024),
    Filters(year=2019),
    Filters(kind="述职"),
    Filters(part="计划"),
    Filters(part="存在问题"),
    Filters(part="2023年工作总结"),
    Filters(doc="002_501c0fb6689f0a4e"),
    Filters(doc="002_501c0fb6689f0a4e", part="计划"),
    Filters(township="XX乡", year=2024, part="计划"),
]


@pytest.fixture(scope="module")
def hashed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The seeds chunked with their sentence units into a real Chroma store (hashing vectors: fast)."""
    embedder = HashingEmbedder()
    settings = Settings(store_dir=tmp_path_factory.mktemp("dense-local") / "store")
    store = ReportStore.open(settings, embedder.name)
    chunks = [c for f in sorted(SEEDS.glob("*.txt")) for c in chunk_document(parse_file(f.resolve()))]
    units = [(c, uid, text) for c in chunks for uid, text in sentence_units(c)]
    store.upsert(
        chunks,
        embedder.embed_documents([c.text for c in chunks]),
        units,
        embedder.embed_documents([text for _, _, text in units]),
    )
    lexical = LexicalIndex(settings.store_dir / "lexical")
    lexical.rebuild(store.chunks())
    return {"store": store, "lexical": lexical, "embedder": embedder, "units": len(units)}


def _narrow(retriever: Retriever, filters: Filters) -> list[str]:
    ids = retriever._narrow(retriever.lexical.mask(filters))
    assert ids is not None
    return ids


def assert_same_up_to_ties(chroma: list[Passage], local: list[Passage]) -> None:
    assert len(local) == len(chroma)
    for x, y in zip(chroma, local, strict=True):
        assert y.score == pytest.approx(x.score, abs=1e-5)
        if x.chunk_id != y.chunk_id:  # only chunks of equal score may change places
            assert y.chunk_id in {p.chunk_id for p in chroma if abs(p.score - x.score) <= 1e-5} | {x.chunk_id}
        assert (y.rank, y.doc_id) == (x.rank, x.doc_id) or abs(y.score - x.score) <= 1e-5
    by_id = {p.chunk_id: p for p in chroma}
    for p in local:
        if p.chunk_id in by_id:
            assert (p.text, p.metadata, p.section) == (by_id[p.chunk_id].text, by_id[p.chunk_id].metadata,
                                                       by_id[p.chunk_id].section)  # fmt: skip


@pytest.mark.parametrize("filters", FILTERS, ids=repr)
def test_the_narrowed_chunks_are_those_chroma_and_matches_select(hashed: dict[str, Any], filters: Filters) -> None:
    store: ReportStore = hashed["store"]
    retriever = Retriever(store, hashed["lexical"], hashed["embedder"])
    where = {"$and": [{"unit": "chunk"}, *filters.conditions()]}
    by_chroma = set(store._collection.get(where=where, include=[])["ids"])
    by_matches = {cid for cid, _, meta in store.chunks() if filters.matches(meta)}
    assert set(_narrow(retriever, filters)) == by_chroma == by_matches


def test_the_filters_are_not_trivial(hashed: dict[str, Any]) -> None:
    retriever = Retriever(hashed["store"], hashed["lexical"], hashed["embedder"])
    sizes = [len(_narrow(retriever, f)) for f in FILTERS]
    total = len(hashed["lexical"])
    assert 0 in sizes and any(0 < n < total // 2 for n in sizes) and any(n > 30 for n in sizes)
    assert hashed["units"] > total  # sentence units are stored beside the chunks


@pytest.mark.parametrize("filters", FILTERS, ids=repr)
def test_local_scoring_equals_the_filtered_chroma_query(hashed: dict[str, Any], filters: Filters) -> None:
    store: ReportStore = hashed["store"]
    retriever = Retriever(store, hashed["lexical"], hashed["embedder"])
    ids = _narrow(retriever, filters)
    for query in QUERIES:
        vector = hashed["embedder"].embed_query(query)
        for k in (3, 30):
            chroma = store.query(vector, k, filters)
            local = store.query(vector, k, filters, among=ids)
            assert_same_up_to_ties(chroma, local)


@pytest.mark.parametrize("filters", FILTERS, ids=repr)
def test_the_local_path_honours_the_filter_whatever_ids_it_is_given(hashed: dict[str, Any], filters: Filters) -> None:
    """Given every chunk id (a stale or wrong pre-selection), the local path still returns only chunks
    the filter selects, the same as Chroma's filtered query: the filter is never silently dropped."""
    store: ReportStore = hashed["store"]
    every = list(hashed["lexical"].ids)
    wanted = sum(filters.matches(meta) for _, _, meta in store.chunks())
    for query in QUERIES:
        vector = hashed["embedder"].embed_query(query)
        for k in (3, 30):
            local = store.query(vector, k, filters, among=every)
            assert len(local) == min(k, wanted) and all(filters.matches(p.metadata) for p in local)
            assert_same_up_to_ties(store.query(vector, k, filters), local)


@pytest.mark.parametrize("mode", ["hybrid", "dense"])
def test_hybrid_search_is_the_same_with_the_local_path_on_or_off(hashed: dict[str, Any], mode: str) -> None:
    weight = 1.0 if mode == "hybrid" else 0.0

    def run(local_max_chunks: int) -> list[list[tuple[str, int, int | None]]]:
        retriever = Retriever(hashed["store"], hashed["lexical"], hashed["embedder"], lexical_weight=weight,
                              local_max_chunks=local_max_chunks)  # fmt: skip
        return [
            [(p.chunk_id, p.rank, p.dense_rank) for p in retriever.search(q, k=10, filters=f)]
            for f in FILTERS
            for q in QUERIES
        ]

    local = run(1000)
    assert run(-1) == local  # -1: every filtered search asks Chroma
    assert any(local) and not all(local)


def test_real_vectors_of_the_seeded_store_rank_the_same(seeded: dict[str, Any]) -> None:
    """The CLI-ingested seeds (bundled e5, the product's own sentence units): one report, a township."""
    from assistant.services import Services

    services = Services.open(Settings(store_dir=Path(seeded["store"])))
    retriever = services.retriever()
    for filters in (Filters(doc="001_dfb12432eec8a521"), Filters(township="安民乡"), Filters(part="计划")):
        ids = _narrow(retriever, filters)
        for query in QUERIES[:2]:
            vector = services.embedder.embed_query(query)
            chroma = services.store.query(vector, 30, filters)
            local = services.store.query(vector, 30, filters, among=ids)
            assert chroma and len(chroma) <= len(ids)
            assert_same_up_to_ties(chroma, local)
