"""Embedders batch texts of similar length together and still return rows in the caller's order."""

from __future__ import annotations

import os

import numpy as np
import pytest

from assistant.embeddings import OMP_WAIT_ENV, BundledE5Embedder, _batched


def test_batches_group_similar_lengths_and_rows_keep_the_callers_order() -> None:
    texts = ["全面落实河长制。", "一是", "开展河道清障行动12次，完成植树造林300亩。", "二是抓实访源治理。", "三"]
    batches: list[list[str]] = []

    def encode(batch: list[str]) -> np.ndarray:
        batches.append(batch)
        return np.array([[len(t), sum(map(ord, t))] for t in batch], dtype=np.float32)

    seen: list[int] = []
    out = _batched(texts, 2, encode, seen.append)
    assert out.tolist() == [[len(t), sum(map(ord, t))] for t in texts]
    assert [len(b) for b in batches] == [2, 2, 1] and seen == [2, 2, 1]
    assert [len(t) for b in batches for t in b] == sorted(len(t) for t in texts)


def test_no_texts_no_rows() -> None:
    assert _batched([], 16, lambda b: np.zeros((len(b), 3)), None).shape[0] == 0


def test_the_bundled_model_waits_passively_unless_the_user_chose(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(OMP_WAIT_ENV, raising=False)
    BundledE5Embedder(batch_size=4)
    assert os.environ[OMP_WAIT_ENV] == "PASSIVE"  # set before the engine's OpenMP runtime loads
    monkeypatch.setenv(OMP_WAIT_ENV, "ACTIVE")
    BundledE5Embedder(batch_size=4)
    assert os.environ[OMP_WAIT_ENV] == "ACTIVE"
