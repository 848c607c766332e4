"""Local dense scoring (assistant/store/exact.py): sentence units found by probing their ids, exact ranking."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from assistant.store import exact


class FakeCollection:
    """A Chroma collection's `get` by ids: stored entries only, in storage order, counting calls."""

    def __init__(self, vectors: dict[str, np.ndarray]) -> None:
        self.vectors = vectors
        self.calls: list[int] = []

    def get(self, ids: list[str], include: list[str]) -> dict[str, Any]:
        assert include == ["embeddings"]
        self.calls.append(len(ids))
        wanted = set(ids)
        found = [uid for uid in self.vectors if uid in wanted]
        return {"ids": found, "embeddings": [self.vectors[uid] for uid in found]}


def _vec(*xs: float) -> np.ndarray:
    return np.asarray(xs, dtype=np.float32)


def _store(units: dict[str, int]) -> dict[str, np.ndarray]:
    """Chunk id -> its number of sentence units; every entry a distinct random vector."""
    rng = np.random.default_rng(0)
    out = {}
    for cid, n in units.items():
        out[cid] = rng.normal(size=4).astype(np.float32)
        for i in range(n):
            out[f"{cid}~{i}"] = rng.normal(size=4).astype(np.float32)
    return out


@pytest.mark.parametrize("probe", [1, 3, 8])
def test_every_unit_is_found_whatever_the_probe_size(probe: int) -> None:
    # No units, fewer than a probe, exactly a probe, one more, several probes' worth.
    units = {"a": 0, "b": 2, "c": probe, "d": probe + 1, "e": 3 * probe + 2}
    stored = _store(units)
    stored["other"] = _vec(1, 0, 0, 0)  # a chunk not asked for
    stored["other~0"] = _vec(1, 0, 0, 0)
    collection = FakeCollection(stored)
    owners, vectors = exact.entry_vectors(collection, list(units), exact.ExactOptions(unit_probe=probe))
    assert sorted(owners) == sorted(cid for cid, n in units.items() for _ in range(n + 1))
    assert vectors.shape == (len(owners), 4)
    by_owner: dict[str, list[np.ndarray]] = {}
    for owner, v in zip(owners, vectors, strict=True):
        by_owner.setdefault(owner, []).append(v)
    for cid, n in units.items():
        want = [stored[cid], *(stored[f"{cid}~{i}"] for i in range(n))]
        assert sorted(map(tuple, by_owner[cid])) == sorted(map(tuple, want))


def test_chunks_missing_from_the_store_are_left_out() -> None:
    collection = FakeCollection(_store({"a": 2}))
    owners, vectors = exact.entry_vectors(collection, ["a", "gone"])
    assert owners.count("a") == 3 and "gone" not in owners
    assert len(collection.calls) == 1  # no unit of either chunk fills a probe: one request
    owners, vectors = exact.entry_vectors(collection, [])
    assert owners == [] and vectors.shape == (0, 0)


def test_gets_are_split_into_batches() -> None:
    units = {f"c{i}": 1 for i in range(4)}
    collection = FakeCollection(_store(units))
    owners, _ = exact.entry_vectors(collection, list(units), exact.ExactOptions(id_batch=5))
    assert len(owners) == 8
    assert max(collection.calls) <= 5


def test_a_chunk_scores_its_best_entry_and_ties_go_by_id() -> None:
    owners = ["b", "b", "a", "c", "c"]
    vectors = np.stack([_vec(0, 1), _vec(2, 0), _vec(1, 1), _vec(1, 1), _vec(0, 3)])  # not normalised
    ranked = exact.rank(_vec(3, 0), owners, vectors, k=3)
    assert [cid for cid, _ in ranked] == ["b", "a", "c"]  # a and c tie at cos 45°: a first
    assert ranked[0][1] == pytest.approx(1.0)
    assert ranked[1][1] == pytest.approx(ranked[2][1]) == pytest.approx(np.sqrt(0.5))
    assert [cid for cid, _ in exact.rank(_vec(1, 0), owners, vectors, k=1)] == ["b"]
    assert exact.rank(_vec(1, 0), [], np.zeros((0, 2), np.float32), k=3) == []
    assert exact.rank(_vec(1, 0), owners, vectors, k=0) == []
