"""A large, realistic store for scale benchmarks: synthetic township reports built from real sentences.

Text: each synthetic report has a real-looking title (township, year, 工作总结及…工作计划), the
seeds' section headings, and paragraphs of sentences drawn from the seed reports (and, when
given, from RGB passages). Reports go through the product's own parse → structure → chunking,
so chunks, sentence units, metadata and BM25 tokens are exactly what ingesting them would give.

Vectors: embedding 100,000 chunks would take hours here, so only the pools are embedded for real
(every distinct sentence and heading path, with the product's embedder). A stored entry's vector
is derived from them:
  - a sentence unit: its sentence's real vector plus Gaussian noise (σ = 0.02 per dimension,
    then re-normalised), so that repeated sentences are near, not identical, points;
  - a chunk: the normalised mean of its sentences' real vectors and its heading's real vector,
    as ingest makes it (assistant/chunk_vectors.py; there the heading vector is the mean of the
    title's and each heading's).
Store and lexical-index costs (HNSW size, BM25 vocabulary, metadata filters) are therefore real.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.embeddings import Embedder
from assistant.ingest.chunking import chunk_document, sentence_units
from assistant.ingest.document import parse_file, parse_text
from assistant.ingest.vectors import unit_mean
from assistant.store.collection import ReportStore
from assistant.types import Chunk

_NUMERALS = "一二三四五六七八九十"
_NAME_CHARS = "安民东坪新桥永和长乐青山石门白云龙泉金竹双河清溪马鞍黄土大同平安兴隆柳塘花园凤凰梅林太平红星"
_NUMBERING = "（(一二三四五六七八九十）)、.0123456789 "
NOISE_SIGMA = 0.02
WRITE_BATCH = 1000  # chunks per store write (their sentence units go along)


@dataclass
class Pools:
    """Real text and its real vectors: sentences and heading lines of the source reports."""

    sentences: list[str]
    headings: list[str]
    vectors: dict[str, np.ndarray]  # sentence or heading path -> its embedding


def build_pools(
    seed_files: Sequence[Path], extra_sentences: Sequence[str], embedder: Embedder, max_chars: int
) -> Pools:
    """Split the seed reports (plus extra sentences) into sentences and headings; embed each once."""
    sentences: dict[str, None] = {}
    headings: dict[str, None] = {}
    for path in seed_files:
        doc = parse_file(path.resolve())
        for chunk in chunk_document(doc, max_chars=max_chars):
            units = sentence_units(chunk) or [("", chunk.text.strip())]
            for _, text in units:
                sentences.setdefault(text, None)
            if chunk.section_path:
                headings.setdefault(_bare(chunk.section_path[-1]), None)
    for text in extra_sentences:
        sentences.setdefault(text, None)
    sentence_list = [s for s in sentences if "\n" not in s]
    heading_list = [h for h in headings if 2 <= len(h) <= 40]
    texts = sentence_list + heading_list
    vectors = embedder.embed_documents(texts)
    return Pools(sentence_list, heading_list, {t: vectors[i] for i, t in enumerate(texts)})


def synthetic_report(rng: random.Random, pools: Pools, index: int) -> tuple[str, str]:
    """(doc id, text) of one synthetic 工作总结及工作计划 with 4–8 headed sections."""
    town = "".join(rng.sample(_NAME_CHARS, 2)) + rng.choice("乡镇")
    year = rng.randint(2018, 2025)
    lines = [f"{town}{year}年工作总结及{year + 1}年工作计划"]
    for part, label in enumerate((f"{year}年工作总结", f"{year + 1}年工作计划")):
        lines.append(f"{_NUMERALS[part]}、{label}")
        for j in range(rng.randint(2, 4)):
            lines.append(f"（{_NUMERALS[j]}）{rng.choice(pools.headings)}")
            lines.append("".join(rng.sample(pools.sentences, k=min(len(pools.sentences), rng.randint(2, 7)))))
    return f"scale_{index:06d}", "\n".join(lines) + "\n"


def synthetic_chunks(pools: Pools, n_chunks: int, max_chars: int, seed: int = 7) -> Iterator[Chunk]:
    """Chunks of synthetic reports, through the product's parser and chunker, until n_chunks."""
    rng = random.Random(seed)
    made = 0
    index = 0
    while made < n_chunks:
        doc_id, text = synthetic_report(rng, pools, index)
        index += 1
        for chunk in chunk_document(parse_text(text, doc_id, source=f"synthetic:{doc_id}"), max_chars=max_chars):
            if made >= n_chunks:
                return
            made += 1
            yield chunk


def _bare(heading: str) -> str:
    """A heading without its numbering: （三）重基础、促民生 -> 重基础、促民生."""
    return heading.lstrip(_NUMBERING)


def _pool_vector(pools: Pools, text: str, default: np.ndarray) -> np.ndarray:
    found = pools.vectors.get(text)
    if found is None:
        found = pools.vectors.get(_bare(text))
    return default if found is None else found


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector


def derived_vectors(
    chunk: Chunk, pools: Pools, rng: np.random.Generator
) -> tuple[np.ndarray, list[tuple[Chunk, str, str]], np.ndarray]:
    """(chunk vector, sentence units, their vectors), derived from the pools' real vectors."""
    units = sentence_units(chunk)
    texts = [text for _, text in units] or [chunk.text.strip()]
    parts = [pools.vectors[t] for t in texts if t in pools.vectors]  # its real sentences
    heading = _bare(chunk.section_path[-1]) if chunk.section_path else ""
    if heading in pools.vectors:
        parts.append(pools.vectors[heading])
    dim = len(next(iter(pools.vectors.values())))
    chunk_vector = unit_mean(parts) if parts else _unit(rng.standard_normal(dim).astype(np.float32))
    # A heading line that is a unit of its own takes the heading's vector; one the pools lack
    # (the synthetic 一、2023年工作总结 lines) takes its chunk's.
    noisy = [
        _unit(_pool_vector(pools, text, chunk_vector) + rng.normal(0, NOISE_SIGMA, dim).astype(np.float32))
        for _, text in units
    ]
    sentence_vectors = np.stack(noisy) if noisy else np.zeros((0, dim), dtype=np.float32)
    return chunk_vector, [(chunk, uid, text) for uid, text in units], sentence_vectors


def fill_store(
    store: ReportStore,
    pools: Pools,
    n_chunks: int,
    max_chars: int,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write n_chunks synthetic chunks (and their sentence units) into an empty store; returns entries."""
    rng = np.random.default_rng(11)
    chunks: list[Chunk] = []
    vectors: list[np.ndarray] = []
    units: list[tuple[Chunk, str, str]] = []
    unit_vectors: list[np.ndarray] = []
    written = entries = 0

    def flush() -> None:
        nonlocal written, entries
        if not chunks:
            return
        store.upsert(
            chunks,
            np.stack(vectors),
            units,
            np.vstack(unit_vectors) if unit_vectors else None,
        )
        written += len(chunks)
        entries += len(chunks) + len(units)
        for pending in (chunks, vectors, units, unit_vectors):
            pending.clear()
        if progress:
            progress(written, n_chunks)

    for chunk in synthetic_chunks(pools, n_chunks, max_chars):
        vector, chunk_units, chunk_unit_vectors = derived_vectors(chunk, pools, rng)
        chunks.append(chunk)
        vectors.append(vector)
        units.extend(chunk_units)
        if chunk_units:
            unit_vectors.append(chunk_unit_vectors)
        if len(chunks) >= WRITE_BATCH:
            flush()
    flush()
    return entries
