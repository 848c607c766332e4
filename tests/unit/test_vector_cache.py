"""The ingest vector cache: texts seen before are not embedded again, vectors come back unchanged
and in order, embedders do not share vectors, and a broken cache file only costs time."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.ingest.vectors import VectorCache, embed_cached
from tests.conftest import HashingEmbedder


class Counting(HashingEmbedder):
    def __init__(self, name: str = "fake:hashing-64") -> None:
        self.name = name
        self.embedded: list[str] = []

    def embed_documents(self, texts: Sequence[str], progress: Any = None) -> np.ndarray:
        self.embedded.extend(texts)
        return super().embed_documents(texts, progress)


TEXTS = ["一是抓党建。", "二是抓发展。", "三是抓民生。"]


def test_texts_seen_before_are_taken_from_the_cache_in_order(tmp_path: Path) -> None:
    cache, embedder = VectorCache(tmp_path / "v.sqlite"), Counting()
    first = embed_cached(embedder, TEXTS, cache)
    done: list[int] = []
    again = embed_cached(embedder, ["四是抓生态。", TEXTS[2], TEXTS[0]], cache, progress=done.append)
    assert embedder.embedded == [*TEXTS, "四是抓生态。"]  # only the new text was embedded
    assert np.array_equal(again[1], first[2]) and np.array_equal(again[2], first[0])
    assert np.allclose(again[0], HashingEmbedder().embed_documents(["四是抓生态。"])[0])
    assert sum(done) == 3  # the cached ones count as done too
    reopened = VectorCache(tmp_path / "v.sqlite")  # kept on disk
    assert np.array_equal(embed_cached(embedder, TEXTS, reopened), first) and len(embedder.embedded) == 4


def test_another_embedder_does_not_get_these_vectors(tmp_path: Path) -> None:
    cache = VectorCache(tmp_path / "v.sqlite")
    embed_cached(Counting(), TEXTS, cache)
    other = Counting("st:other-model")
    embed_cached(other, TEXTS, cache)
    assert other.embedded == TEXTS
    assert cache.get("fake:hashing-64", TEXTS, dim=32) == [None, None, None]  # wrong size: not a hit


def test_no_cache_and_no_texts(tmp_path: Path) -> None:
    embedder = Counting()
    assert embed_cached(embedder, TEXTS, None).shape == (3, 64) and embedder.embedded == TEXTS
    assert embed_cached(embedder, [], VectorCache(tmp_path / "v.sqlite")).shape == (0, 64)


def test_a_broken_cache_file_only_costs_time(tmp_path: Path) -> None:
    path = tmp_path / "v.sqlite"
    path.write_bytes(b"not a database" * 100)
    embedder = Counting()
    out = embed_cached(embedder, TEXTS, VectorCache(path))
    assert np.allclose(out, HashingEmbedder().embed_documents(TEXTS)) and embedder.embedded == TEXTS
    unwritable = VectorCache(tmp_path / "file" / "v.sqlite")
    (tmp_path / "file").write_text("a file where the folder should be", encoding="utf-8")
    assert embed_cached(embedder, TEXTS, unwritable).shape == (3, 64)
