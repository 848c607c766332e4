"""A fake Store for unit tests of Services: chunk ids, texts and an entry count, with a tally of the
expensive calls (the full id scan, the text fetch); the write side is never called by those tests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from assistant.store.journal import WriteJournal
from assistant.types import Chunk, ChunkMeta, DocRecord, Filters, Passage


class FakeStore:
    """Chunk ids, texts and an entry count, with a tally of the expensive calls (a Store: the rest
    is never called here)."""

    embedder_name = "fake"
    journal: WriteJournal | None = None

    def __init__(self, ids: list[str]) -> None:
        self.ids = list(ids)
        self.id_scans = 0
        self.text_fetches = 0

    def entry_count(self) -> int:
        return len(self.ids) * 3  # a chunk and two sentence units each

    def chunk_ids(self) -> list[str]:
        self.id_scans += 1
        return list(self.ids)

    def chunks(self, ids: Sequence[str] | None = None) -> list[tuple[str, str, ChunkMeta]]:
        self.text_fetches += 1
        return [(cid, f"安民乡 红色旅游 {cid}", cast(ChunkMeta, {"doc": cid.split("-")[0]})) for cid in self.ids]

    def count(self) -> int:
        return len(self.ids)

    def query(
        self, vector: Any, k: int, filters: Filters | None = None, among: Sequence[str] | None = None
    ) -> list[Passage]:
        raise NotImplementedError

    def passages(self, ids: Sequence[str]) -> list[Passage]:
        raise NotImplementedError

    def documents(self) -> dict[str, DocRecord]:
        raise NotImplementedError

    def unit_ids(self, doc_id: str) -> dict[str, str]:
        raise NotImplementedError

    def write_document(
        self,
        doc_id: str,
        *,
        new: Sequence[Chunk] = (),
        vectors: Any = None,
        sentences: Sequence[tuple[Chunk, str, str]] = (),
        sentence_vectors: Any = None,
        kept: Sequence[Chunk] = (),
        stale: Sequence[str] = (),
        progress: Any = None,
    ) -> None:
        raise NotImplementedError

    def delete_document(self, doc_id: str) -> int:
        raise NotImplementedError

    def recover(self) -> list[tuple[str, str]]:
        return []
