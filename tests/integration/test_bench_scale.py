"""The scale corpus of `assistant bench`: real seed sentences recombined into reports that the
product's own parser understands, vectors derived from real ones, written into a real store."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.bench.run import percentile_ms
from assistant.bench.scale_corpus import Pools, build_pools, derived_vectors, fill_store, synthetic_chunks
from assistant.config import Settings
from assistant.ingest.document import parse_file
from assistant.store.collection import ReportStore
from assistant.store.lexical import LexicalIndex, sync_lexical
from assistant.types import part_kind
from tests.conftest import SEEDS, HashingEmbedder

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def pools() -> Pools:
    return build_pools(sorted(SEEDS.glob("*.txt")), ["额外的一句话，来自别处的段落。"], HashingEmbedder(), 360)


def test_pools_hold_real_seed_sentences_and_bare_headings(pools: Pools) -> None:
    seed_text = "".join(parse_file(p.resolve()).text for p in SEEDS.glob("*.txt"))  # cleaned text
    assert len(pools.sentences) > 300
    assert "额外的一句话，来自别处的段落。" in pools.sentences
    assert sum(s in seed_text for s in pools.sentences) >= len(pools.sentences) - 1
    assert pools.headings and not any(h.startswith(("（", "(", "一、")) for h in pools.headings)
    assert set(pools.vectors) == set(pools.sentences) | set(pools.headings)


def test_synthetic_chunks_are_parsed_like_reports(pools: Pools) -> None:
    chunks = list(synthetic_chunks(pools, 300, 360))
    assert len(chunks) == 300
    assert all(len(c.text) <= 360 for c in chunks)
    townships = {c.meta.township for c in chunks}
    assert len(townships) > 5 and all(t.endswith(("乡", "镇")) for t in townships)
    assert {part_kind(c.part) for c in chunks} >= {"总结", "计划"}, "parts found as in a real report"
    assert any(len(c.section_path) >= 2 for c in chunks)


def test_derived_vectors_are_unit_length_and_near_their_sources(pools: Pools) -> None:
    rng = np.random.default_rng(0)
    chunk = next(c for c in synthetic_chunks(pools, 200, 360) if c.text.count("。") >= 3)
    vector, units, unit_vectors = derived_vectors(chunk, pools, rng)
    assert abs(float(np.linalg.norm(vector)) - 1) < 1e-5
    assert len(units) == len(unit_vectors) >= 2
    from_pool = 0
    for (_, _, text), v in zip(units, unit_vectors, strict=True):
        assert abs(float(np.linalg.norm(v)) - 1) < 1e-5
        if text in pools.vectors:  # heading lines of the synthetic report are not all in the pools
            from_pool += 1
            source = pools.vectors[text] / np.linalg.norm(pools.vectors[text])
            assert 0.9 < float(v @ source) < 1.0, "near its sentence's real vector, not identical"
    assert from_pool >= 2


def test_fill_store_writes_exactly_n_chunks_and_the_lexical_index_follows(pools: Pools, tmp_path: Path) -> None:
    store = ReportStore.open(Settings(store_dir=tmp_path / "s"), HashingEmbedder.name)
    seen: list[int] = []
    entries = fill_store(store, pools, 1234, 360, lambda done, total: seen.append(done))
    assert store.count() == 1234 and store.entry_count() == entries > 1234
    assert seen[-1] == 1234
    lexical = LexicalIndex(tmp_path / "s" / "lexical")
    assert sync_lexical(store, lexical) and len(lexical) == 1234


def test_percentiles_are_in_milliseconds() -> None:
    assert percentile_ms([0.010, 0.020, 0.030], 50) == 20.0
    assert percentile_ms([0.001] * 19 + [1.0], 95) > 1.0
