"""The dense store: one Chroma collection of chunks (rows to and from Chroma: assistant/store/rows.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from assistant.config import Settings
from assistant.errors import AssistantError
from assistant.ingest.vectors import VectorCache
from assistant.store import exact, health
from assistant.store.client import chroma_dir, open_client
from assistant.store.journal import JournalEntry, WriteJournal
from assistant.store.lock import opening
from assistant.store.rows import chunk_meta, metadata_updates, sentence_meta, to_passage
from assistant.types import Chunk, ChunkMeta, DocRecord, Filters, Passage, parse_years

VECTOR_CACHE_FILE = "vectors.sqlite"  # in the store directory (ingest.vectors.VectorCache)
_PAGE = 5000  # Chroma get() page size when scanning the whole collection
# Sentence units crowd the raw hits, so fetch several per wanted chunk before aggregating.
_OVERFETCH = 8
_CHUNKS_ONLY = {"unit": "chunk"}
# HNSW of new collections. Chroma's default graph (16 neighbours, ef_construction 100) left 3–8 of
# the seeds' 651 entries unreachable for their own vector (a different few each time the index is
# rebuilt on load): sentence vectors sit very close to their chunk's, which is their mean. With 32
# neighbours and ef_construction 200, none in 4 fresh loads. Existing collections keep theirs.
HNSW = {"space": "cosine", "max_neighbors": 32, "ef_construction": 200}


class EmbedderMismatchError(AssistantError, RuntimeError):
    """The store was built by another embedding model; mixing vectors would give nonsense."""

    exit_code = 2


def journal_for(settings: Settings) -> WriteJournal:
    """The write journal of this machine's store directory (see assistant/store/journal.py)."""
    return WriteJournal(settings.store_dir / "journal")


class ReportStore:
    """Chunks with their vectors and metadata in one Chroma collection, tagged with the embedder.

    `exact_options`: how the exact-scoring path fetches vectors (assistant/store/exact.py);
    `max_batch`: entries per Chroma write (None: the client's own limit).
    """

    def __init__(
        self,
        client: Any,
        collection: str,
        embedder_name: str,
        journal: WriteJournal | None = None,
        *,
        exact_options: exact.ExactOptions = exact.DEFAULT_OPTIONS,
        max_batch: int | None = None,
    ) -> None:
        self._client = client
        self.embedder_name = embedder_name
        # Without a journal, document writes are not crash-safe (only for throwaway stores in tests).
        self.journal = journal
        # Vectors of texts embedded before, which ingest takes instead of embedding them again (`open` sets it).
        self.vector_cache: VectorCache | None = None
        self.exact_options, self.max_batch = exact_options, max_batch
        self._collection = client.get_or_create_collection(
            collection,
            metadata={"embedder": embedder_name},
            configuration={"hnsw": HNSW},
            embedding_function=None,
        )
        built_with = (self._collection.metadata or {}).get("embedder")
        if built_with != embedder_name:
            raise EmbedderMismatchError(
                f"向量库由嵌入模型 {built_with} 构建，当前配置的是 {embedder_name}，不能混用。"
                f"请把 ASSISTANT_EMBEDDING_MODEL 改回原模型，或用 "
                f"`assistant ingest --rebuild PATH...` 以新模型重建向量库。"
            )

    @classmethod
    def open(
        cls,
        settings: Settings,
        embedder_name: str,
        *,
        exact_options: exact.ExactOptions = exact.DEFAULT_OPTIONS,
        max_batch: int | None = None,
        reader: bool = False,
    ) -> ReportStore:
        """Open (or create) the collection; refuses a store built by another embedder. `reader`: see
        client.open_client; a reader on a full disk reads a copy, with no journal (nothing to settle)."""
        with opening(settings):  # the collection is created by one process at a time
            client = open_client(settings, reader=reader)
            copy = health.copy_in_use(chroma_dir(settings)) is not None
            store = cls(client, settings.collection, embedder_name, None if copy else journal_for(settings),
                        exact_options=exact_options, max_batch=max_batch)  # fmt: skip
        if not copy:
            store.vector_cache = VectorCache(settings.store_dir / VECTOR_CACHE_FILE)
        return store

    @staticmethod
    def exists(settings: Settings, reader: bool = False) -> bool:
        """Whether the store's collection has been created."""
        return settings.collection in [c.name for c in open_client(settings, reader=reader).list_collections()]

    @staticmethod
    def drop(settings: Settings) -> None:
        """Delete the collection (used by --rebuild)."""
        client = open_client(settings)
        if settings.collection in [c.name for c in client.list_collections()]:
            client.delete_collection(settings.collection)

    def count(self) -> int:
        """Number of chunks (sentence units not counted)."""
        return len(self._collection.get(where=_CHUNKS_ONLY, include=[])["ids"])

    def entry_count(self) -> int:
        """Number of entries, chunks and sentence units together: one cheap request, for change checks."""
        return int(self._collection.count())

    def _scan(self, where: dict[str, Any] | None = None) -> list[tuple[str, dict[str, Any]]]:
        out: list[tuple[str, dict[str, Any]]] = []
        offset = 0
        while True:
            page = self._collection.get(where=where, include=["metadatas"], limit=_PAGE, offset=offset)
            out.extend(zip(page["ids"], page["metadatas"] or [], strict=True))
            if len(page["ids"]) < _PAGE:
                return out
            offset += _PAGE

    def unit_ids(self, doc_id: str) -> dict[str, str]:
        """Ids of a document's entries, each mapped to its unit ('chunk' or 'sentence')."""
        return {uid: str(meta.get("unit", "chunk")) for uid, meta in self._scan({"doc": doc_id})}

    def chunk_ids(self) -> list[str]:
        """Ids of every chunk in the store."""
        return list(self._collection.get(where=_CHUNKS_ONLY, include=[])["ids"])

    def chunks(self, ids: Sequence[str] | None = None) -> list[tuple[str, str, ChunkMeta]]:
        """(id, text, metadata) of the given entries, or of all chunks; unknown ids are left out."""
        if ids is not None and not ids:
            return []
        out: list[tuple[str, str, ChunkMeta]] = []
        offset = 0
        while True:
            page = self._collection.get(
                ids=list(ids) if ids is not None else None,
                where=None if ids is not None else _CHUNKS_ONLY,
                include=["documents", "metadatas"],
                limit=None if ids is not None else _PAGE,
                offset=None if ids is not None else offset,
            )
            out.extend(zip(page["ids"], page["documents"], page["metadatas"], strict=True))
            if ids is not None or len(page["ids"]) < _PAGE:
                return out
            offset += _PAGE

    def documents(self) -> dict[str, DocRecord]:
        """Every ingested document, from its chunks' metadata."""
        records: dict[str, DocRecord] = {}
        counts: dict[str, int] = {}
        for _, meta in self._scan(_CHUNKS_ONLY):
            doc = str(meta["doc"])
            counts[doc] = counts.get(doc, 0) + 1
            if doc not in records:
                records[doc] = DocRecord(
                    doc_id=doc,
                    title=str(meta.get("title", "")),
                    township=str(meta.get("township", "")),
                    years=parse_years(meta.get("years")),
                    kind=str(meta.get("kind", "")),
                    source=str(meta.get("source", "")),
                    sha256=str(meta.get("doc_sha256", "")),
                    chunks=0,
                    place_level=str(meta.get("place_level", "")),
                    date=str(meta.get("date", "")),
                    meeting=str(meta.get("meeting", "")),
                )
        return {doc: DocRecord(**{**rec.__dict__, "chunks": counts[doc]}) for doc, rec in sorted(records.items())}

    def upsert(
        self,
        chunks: Sequence[Chunk],
        vectors: np.ndarray,
        sentences: Sequence[tuple[Chunk, str, str]] = (),
        sentence_vectors: np.ndarray | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        """Write chunks and their sentence units ((chunk, unit id, sentence)) in one upsert, in pieces
        of Chroma's largest write; `progress(entries written so far)` after each piece."""
        if not chunks and not sentences:
            return
        ids = [c.chunk_id for c in chunks] + [uid for _, uid, _ in sentences]
        docs = [c.text for c in chunks] + [text for _, _, text in sentences]
        metas = [chunk_meta(c) for c in chunks] + [sentence_meta(c) for c, _, _ in sentences]
        parts = [np.asarray(vectors, dtype=np.float32).reshape(len(chunks), -1)]
        if sentences and sentence_vectors is not None:
            parts.append(np.asarray(sentence_vectors, dtype=np.float32).reshape(len(sentences), -1))
        embeddings = np.vstack(parts)
        step = self._max_batch()
        for i in range(0, len(ids), step):
            self._collection.upsert(
                ids=ids[i : i + step],
                embeddings=embeddings[i : i + step],
                documents=docs[i : i + step],
                metadatas=metas[i : i + step],
            )
            if progress:
                progress(min(i + step, len(ids)))

    def _max_batch(self) -> int:
        """Chroma's largest write (5461 entries for the embedded store); bigger writes go in pieces."""
        if self.max_batch is not None:
            return self.max_batch
        try:
            return max(1, int(self._client.get_max_batch_size()))
        except Exception:  # older clients or servers without the call
            return 5000

    def delete(self, ids: Sequence[str]) -> None:
        if ids:
            self._collection.delete(ids=list(ids))

    def delete_document(self, doc_id: str) -> int:
        """Delete a document's chunks and sentence units; returns how many chunks it had."""
        units = self.unit_ids(doc_id)
        if units:
            self.write_document(doc_id, stale=sorted(units))
        return sum(1 for unit in units.values() if unit == "chunk")

    def write_document(
        self,
        doc_id: str,
        *,
        new: Sequence[Chunk] = (),
        vectors: np.ndarray | None = None,
        sentences: Sequence[tuple[Chunk, str, str]] = (),
        sentence_vectors: np.ndarray | None = None,
        kept: Sequence[Chunk] = (),
        stale: Sequence[str] = (),
        progress: Callable[[int], None] | None = None,
    ) -> None:
        """Replace a document's entries all or nothing: upsert `new` (+ their sentences), refresh
        `kept` metadata, delete `stale`; journaled first so a crash part-way is settled by `recover`.
        New entries land before stale ones go, so the document is never missing meanwhile."""
        ids, metas = metadata_updates(kept)
        entry = JournalEntry(
            doc_id=doc_id,
            added=[c.chunk_id for c in new] + [uid for _, uid, _ in sentences],
            updates=list(zip(ids, metas, strict=True)),
            stale=list(stale),
        )
        if self.journal is not None:
            self.journal.begin(entry)
        if new or sentences:
            vectors = vectors if vectors is not None else np.empty((0, 0))
            self.upsert(new, vectors, sentences, sentence_vectors, progress=progress)
        self._finish(entry)
        if self.journal is not None:
            self.journal.end(doc_id)

    def _finish(self, entry: JournalEntry) -> None:
        """The steps of a write after its upsert; safe to repeat."""
        if entry.updates:
            present = set(self.existing([uid for uid, _ in entry.updates]))
            updates = [(uid, meta) for uid, meta in entry.updates if uid in present]
            if updates:
                self._collection.update(ids=[u for u, _ in updates], metadatas=[m for _, m in updates])
        self.delete(entry.stale)

    def existing(self, ids: Sequence[str]) -> list[str]:
        """Those of `ids` that are in the store."""
        if not ids:
            return []
        return list(self._collection.get(ids=list(ids), include=[])["ids"])

    def recover(self) -> list[tuple[str, str]]:
        """Settle writes a crash interrupted: complete those whose new entries all arrived, undo the
        rest, after discarding journal entries half written themselves. Returns (doc id, "completed" |
        "rolled_back"). The caller holds the write lock."""
        if self.journal is None:
            return []
        self.journal.discard_leftovers()
        outcomes: list[tuple[str, str]] = []
        for entry in self.journal.pending():
            arrived = self.existing(entry.added)
            if len(arrived) == len(set(entry.added)):
                self._finish(entry)
                outcomes.append((entry.doc_id, "completed"))
            else:
                self.delete(arrived)
                outcomes.append((entry.doc_id, "rolled_back"))
            self.journal.end(entry.doc_id)
        return outcomes

    def query(
        self, vector: np.ndarray, k: int, filters: Filters | None = None, among: Sequence[str] | None = None
    ) -> list[Passage]:
        """The k best chunks meeting `filters` by cosine similarity, best first.

        Chunk vectors and sentence vectors are searched together; a chunk scores the best of its
        own similarity and its sentences' (score = 1 - cosine distance). `among`, when the caller
        knows them, are the chunks `filters` selects (the lexical index holds every chunk's filter
        columns): they are scored exactly from their vectors fetched by id, far cheaper than a
        filtered Chroma query for a few hundred chunks (assistant/store/exact.py), ties broken by
        chunk id. Otherwise Chroma is asked with the filter's `where`. Either way every passage
        returned meets `filters`.
        """
        filters = filters or Filters()
        if k <= 0:
            return []
        if among is not None:
            return self._exact(vector, k, filters, among)
        total = self._collection.count()
        if total == 0:
            return []
        result = self._collection.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32)],
            n_results=min(total, k * _OVERFETCH),
            where=filters.chroma_where(),
            include=["documents", "metadatas", "distances"],
        )
        best: dict[str, float] = {}
        rows: dict[str, tuple[str, Mapping[str, Any]]] = {}
        hits = zip(
            result["ids"][0], result["documents"][0], result["metadatas"][0], result["distances"][0], strict=True
        )
        for uid, text, meta, dist in hits:
            is_chunk = meta.get("unit", "chunk") == "chunk"
            cid = uid if is_chunk else str(meta["parent"])
            score = 1.0 - float(dist)
            if score > best.get(cid, -2.0):
                best[cid] = score
            if is_chunk:
                rows[cid] = (text, meta)
        ranked = sorted(best, key=lambda c: -best[c])[:k]
        rows.update(self._rows([cid for cid in ranked if cid not in rows]))  # chunks only their sentences hit
        found = [cid for cid in ranked if cid in rows]
        return [to_passage(cid, *rows[cid], score=best[cid], rank=rank) for rank, cid in enumerate(found, start=1)]

    def _exact(self, vector: np.ndarray, k: int, filters: Filters, among: Sequence[str]) -> list[Passage]:
        """The k best of `among` meeting `filters`, scored here; each is checked against the filter,
        so ids that do not fit it cannot slip in (one round of k when they do fit, as they should)."""
        owners, vectors = exact.entry_vectors(self._collection, among, self.exact_options)
        ranked = exact.rank(vector, owners, vectors, len(owners))
        out: list[Passage] = []
        for start in range(0, len(ranked), k):
            batch = ranked[start : start + k]
            rows = self._rows([cid for cid, _ in batch])
            for cid, score in batch:
                if cid in rows and filters.matches(rows[cid][1]):
                    out.append(to_passage(cid, *rows[cid], score=score, rank=len(out) + 1))
            if len(out) >= k:
                break
        return out[:k]

    def passages(self, ids: Sequence[str]) -> list[Passage]:
        """The given chunks as passages (score 0, rank 0), for callers that rank them themselves."""
        return [to_passage(cid, text, meta) for cid, text, meta in self.chunks(ids)]

    def _rows(self, ids: Sequence[str]) -> dict[str, tuple[str, Mapping[str, Any]]]:
        """Text and metadata of the given entries by id (unknown ids left out)."""
        return {cid: (text, meta) for cid, text, meta in self.chunks(ids)}
