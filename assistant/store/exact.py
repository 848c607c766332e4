"""Exact dense scoring of a few known chunks from their stored vectors, instead of a filtered Chroma query.

At 100,000 chunks (507,975 entries with the sentence units) a Chroma query with a `where` filter
took 0.3–0.8 s whatever the filter's size (one report: about 50 entries; a report's plan part:
1–4.7 s), while a `get` of the same entries by id took 2 ms: Chroma's metadata filtering is the
cost, not the vector search (a `get` with the same `where` alone took 70 ms). When the caller
already knows which chunks a filter selects (the lexical index holds every chunk's filter
columns), their vectors are fetched by id and scored here, exactly (HNSW is approximate).

Sentence units carry their chunk's filter metadata and have the ids `<chunk id>~0`, `~1`, …
(assistant.ingest.chunking.sentence_units), so a chunk's units are fetched by asking for the next
`unit_probe` ids of every chunk whose last asked unit exists, until none does.

The knobs are parameters with the defaults below (ExactOptions on ReportStore, `local_max_chunks`
on Retriever); tests pass other values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

# Above this many chunks the filtered Chroma query is the cheaper one. At 100k chunks (medians, a
# loaded machine) scoring here took 52 / 111 / 183 / 252 / 487 ms for 208 / 539 / 912 / 1,120 /
# 1,805 chunks, Chroma's filtered query 260–370 ms at any of these sizes.
LOCAL_MAX_CHUNKS = 1000
UNIT_PROBE = 8  # unit ids asked per chunk and round; the scale store's chunks have 0–9 units
ID_BATCH = 4000  # ids per Chroma get (SQLite takes at most 32,766 variables a statement)


@dataclass(frozen=True)
class ExactOptions:
    """How entry vectors are fetched by id: `unit_probe` unit ids per chunk and round, at most
    `id_batch` ids per Chroma get."""

    unit_probe: int = UNIT_PROBE
    id_batch: int = ID_BATCH


DEFAULT_OPTIONS = ExactOptions()


def unit_id(chunk_id: str, i: int) -> str:
    return f"{chunk_id}~{i}"


def _get(collection: Any, ids: list[str], batch: int) -> tuple[list[str], list[Any]]:
    """Ids and vectors of those of `ids` that are stored (Chroma gets of at most `batch` ids)."""
    found: list[str] = []
    vectors: list[Any] = []
    for i in range(0, len(ids), batch):
        page = collection.get(ids=ids[i : i + batch], include=["embeddings"])
        found.extend(page["ids"])
        vectors.extend(page["embeddings"] if page["embeddings"] is not None else [])
    return found, vectors


def entry_vectors(
    collection: Any, chunk_ids: Sequence[str], options: ExactOptions = DEFAULT_OPTIONS
) -> tuple[list[str], np.ndarray]:
    """The vectors of the chunks and of all their sentence units, with each one's chunk id."""
    chunks = set(chunk_ids)
    owners: list[str] = []
    vectors: list[Any] = []
    probe_size = options.unit_probe
    ask, pending, start = list(chunk_ids), list(chunk_ids), 0
    while pending:
        probe = [unit_id(cid, start + i) for cid in pending for i in range(probe_size)]
        found, got = _get(collection, ask + probe, options.id_batch)
        vectors.extend(got)
        owners.extend(uid if uid in chunks else uid.rsplit("~", 1)[0] for uid in found)
        present = set(found)
        last = start + probe_size - 1
        pending = [cid for cid in pending if unit_id(cid, last) in present]  # may have more units
        ask, start = [], start + probe_size
    if not vectors:
        return owners, np.zeros((0, 0), dtype=np.float32)
    return owners, np.asarray(vectors, dtype=np.float32)


def rank(vector: np.ndarray, owners: Sequence[str], vectors: np.ndarray, k: int) -> list[tuple[str, float]]:
    """The k best chunks, best first: (chunk id, cosine similarity of its best entry); ties by id."""
    if not len(owners) or k <= 0:
        return []
    query = np.asarray(vector, dtype=np.float32).reshape(-1)
    norms = np.linalg.norm(vectors, axis=1) * (float(np.linalg.norm(query)) or 1.0)
    sims = (vectors @ query) / np.where(norms > 0, norms, 1.0)
    best: dict[str, float] = {}
    for owner, sim in zip(owners, sims.tolist(), strict=True):
        if sim > best.get(owner, -2.0):
            best[owner] = sim
    return sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))[:k]
