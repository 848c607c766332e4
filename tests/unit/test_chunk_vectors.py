"""Chunk and sentence vectors from one embedding pass (assistant/chunk_vectors.py), on the seed reports."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.ingest.chunking import chunk_document, sentence_units
from assistant.ingest.document import parse_file, parse_text
from assistant.ingest.vectors import EmbeddingPlan, unit_mean
from tests.conftest import HashingEmbedder

SEED_FILES = sorted((Path(__file__).resolve().parents[2] / "seeds").glob("*.txt"))


@pytest.mark.parametrize("path", SEED_FILES, ids=[p.name[:3] for p in SEED_FILES])
def test_a_seed_report_is_embedded_about_once(path: Path) -> None:
    doc = parse_file(path)
    chunks = chunk_document(doc)
    plan = EmbeddingPlan.for_chunks(chunks)
    assert len(plan.texts) == len(set(plan.texts)), "each distinct text once"
    embedded = sum(len(t) for t in plan.texts)
    # Chunk text + heading path + every sentence again was 2.3x; now the text once plus a few headings.
    assert embedded <= 1.08 * len(doc.text)
    assert embedded >= 0.9 * len(doc.text), "no sentence left out"


def test_rows_point_at_the_chunks_sentences_and_headings() -> None:
    chunks = chunk_document(parse_file(SEED_FILES[0]))
    plan = EmbeddingPlan.for_chunks(chunks)
    assert [uid for _, uid, _ in plan.units] == [uid for c in chunks for uid, _ in sentence_units(c)]
    for (chunk, _, sentence), row in zip(plan.units, plan.unit_rows, strict=True):
        assert plan.texts[row] == sentence and sentence in chunk.text
    for chunk, rows, head in zip(chunks, plan.chunk_rows, plan.header_rows, strict=True):
        units = [s for _, s in sentence_units(chunk)]
        assert [plan.texts[r] for r in rows] == (units or [chunk.text])
        # A heading reuses the vector of the sentence it is in the text (一是…。), end mark aside.
        marks = "。；;！!？?，,：: "
        headings = [h for h in (chunk.meta.title, *chunk.section_path) if h]
        assert [plan.texts[r].rstrip(marks) for r in head] == [h.rstrip(marks) for h in headings]
    item = next(c for c in chunks if any(h.startswith("二是") for h in c.section_path))
    assert "XX县XX乡2023年工作总结暨2024年重点工作安排" in [plan.texts[r] for r in plan.header_rows[chunks.index(item)]]
    item_heading = next(h for h in item.section_path if h.startswith("二是"))
    assert f"{item_heading}。" in [plan.texts[r] for r in plan.header_rows[chunks.index(item)]]
    assert item_heading not in plan.texts, "embedded once, as the sentence"


def test_vectors_are_sentence_vectors_and_their_mean_with_the_heading() -> None:
    embedder = HashingEmbedder()
    chunks = chunk_document(parse_file(SEED_FILES[1]))
    plan = EmbeddingPlan.for_chunks(chunks)
    chunk_vectors, unit_vectors = plan.vectors(embedder.embed_documents(plan.texts))
    assert chunk_vectors.shape == (len(chunks), embedder.dim)
    assert unit_vectors.shape == (len(plan.units), embedder.dim)
    np.testing.assert_allclose(np.linalg.norm(chunk_vectors, axis=1), 1.0, rtol=1e-5)
    for (_, _, sentence), vector in zip(plan.units, unit_vectors, strict=True):
        np.testing.assert_allclose(vector, embedder._vec(sentence), rtol=1e-6)
    multi = next(i for i, c in enumerate(chunks) if len(sentence_units(c)) >= 3)
    chunk = chunks[multi]
    heading = unit_mean([embedder._vec(h) for h in (chunk.meta.title, *chunk.section_path) if h])
    expected = unit_mean([*(embedder._vec(s) for _, s in sentence_units(chunk)), heading])
    np.testing.assert_allclose(chunk_vectors[multi], expected, rtol=1e-5, atol=1e-6)


def test_a_sentence_in_two_chunks_is_embedded_once_and_empty_batches_have_no_rows() -> None:
    repeated = "全面落实河长制，开展河道清障行动12次。"
    text = (
        f"XX镇2023年工作总结\n一、生态环境\n{repeated}完成植树造林300亩。\n二、乡村振兴\n{repeated}新建产业路5公里。\n"
    )
    chunks = chunk_document(parse_text(text, "t", source="t.txt"))
    plan = EmbeddingPlan.for_chunks(chunks)
    assert plan.texts.count(repeated) == 1
    assert sum(1 for _, _, s in plan.units if s == repeated) == 2
    empty = EmbeddingPlan.for_chunks([])
    assert empty.texts == []
    chunk_vectors, unit_vectors = empty.vectors(np.zeros((0, 0), dtype=np.float32))
    assert len(chunk_vectors) == 0 and len(unit_vectors) == 0
