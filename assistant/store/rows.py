"""Store rows: a chunk and its sentence units as Chroma metadata, and a stored row as a Passage (the one
place store rows become passages)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from assistant.ingest.chunking import sentence_units
from assistant.store.lexical_table import FILTER_KEYS
from assistant.types import Chunk, ChunkMeta, Passage


def to_passage(chunk_id: str, text: str, meta: Mapping[str, Any], score: float = 0.0, rank: int = 0) -> Passage:
    """A stored chunk as a Passage: the one place store rows become passages."""
    return Passage(
        chunk_id=chunk_id,
        doc_id=str(meta["doc"]),
        section=str(meta.get("section", "")),
        text=text,
        score=round(score, 6),
        rank=rank,
        metadata=cast(ChunkMeta, dict(meta)),
    )


def metadata_updates(chunks: Sequence[Chunk]) -> tuple[list[str], list[ChunkMeta]]:
    """Ids and fresh metadata of chunks and their sentence units."""
    ids = [c.chunk_id for c in chunks]
    metas = [chunk_meta(c) for c in chunks]
    for c in chunks:
        for uid, _ in sentence_units(c):
            ids.append(uid)
            metas.append(sentence_meta(c))
    return ids, metas


def chunk_meta(chunk: Chunk) -> ChunkMeta:
    return {**chunk.store_metadata(), "unit": "chunk"}


def sentence_meta(chunk: Chunk) -> ChunkMeta:
    """A sentence unit's metadata: its chunk's filter columns (so filters apply to it too: every
    Filters condition names one of the lexical table's FILTER_KEYS), its document's version
    (doc_sha256: every entry of a document says which version wrote it), its unit and its chunk. Nothing
    reads a unit's other keys (its hits become their chunk), and Chroma's write cost grows with the
    keys: the full chunk metadata on 16,316 units of ../shared/corpora cost about 14% more to write."""
    meta = chunk.store_metadata()
    kept = {key: meta[key] for key in (*FILTER_KEYS, "doc_sha256") if key in meta}  # type: ignore[literal-required]
    return cast(ChunkMeta, {**kept, "unit": "sentence", "parent": chunk.chunk_id})
