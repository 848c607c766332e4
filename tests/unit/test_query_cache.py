"""The query-vector cache: a repeated question costs no model call; documents are never cached."""

from __future__ import annotations

import threading

import numpy as np

from assistant.embeddings import QueryCache
from tests.conftest import HashingEmbedder


class Counting(HashingEmbedder):
    def __init__(self) -> None:
        self.queries: list[str] = []

    def embed_query(self, text: str) -> np.ndarray:
        self.queries.append(text)
        return super().embed_query(text)


def test_a_repeated_query_is_embedded_once_and_callers_cannot_corrupt_the_cache() -> None:
    inner = Counting()
    cache = QueryCache(inner, size=2)
    assert (cache.name, cache.dim) == (inner.name, inner.dim)
    first = cache.embed_query("安民乡推出了几条红色旅游精品线路？")
    first[:] = 0  # a caller scribbling on its copy
    again = cache.embed_query("安民乡推出了几条红色旅游精品线路？")
    assert inner.queries == ["安民乡推出了几条红色旅游精品线路？"]
    np.testing.assert_allclose(again, inner.embed_query("安民乡推出了几条红色旅游精品线路？"))


def test_least_recently_used_queries_are_dropped_and_clear_empties_it() -> None:
    inner = Counting()
    cache = QueryCache(inner, size=2)
    for q in ["甲", "乙", "甲", "丙", "甲", "乙"]:
        cache.embed_query(q)
    assert inner.queries == ["甲", "乙", "丙", "乙"]  # 乙 was the oldest when 丙 arrived
    cache.clear()
    cache.embed_query("甲")
    assert inner.queries[-1] == "甲"


def test_documents_pass_through_with_progress() -> None:
    cache = QueryCache(HashingEmbedder())
    ticks: list[int] = []
    out = cache.embed_documents(["一是", "二是", "三是"], progress=ticks.append)
    assert out.shape == (3, HashingEmbedder.dim) and sum(ticks) == 3


def test_threads_share_the_cache_safely() -> None:
    inner = Counting()
    cache = QueryCache(inner, size=8)
    results: list[np.ndarray] = []

    def ask() -> None:
        for _ in range(50):
            results.append(cache.embed_query("财税收入"))

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 200 and all(np.array_equal(r, results[0]) for r in results)
    assert 1 <= len(inner.queries) <= 4  # at most one model call per thread racing for the first
