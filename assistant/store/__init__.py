"""The store: one Chroma collection of chunks and their sentence units (`collection`), reached
through `client`, with exact scoring of a few known chunks (`exact`), the write journal (`journal`),
the one-writer lock (`lock`), chunks as Chroma rows and rows as passages (`rows`), the database's
health (`health`: a damaged file, a full disk), and the lexical index derived from it (`lexical`,
`lexical_table`); beside it, the app's saved conversations per user (`conversations`, SQLite).

The Protocols here are what the rest of the code needs of a store (ReportStore is the one
implementation), so that tests can pass small fakes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import numpy as np

    from assistant.store.journal import WriteJournal
    from assistant.types import Chunk, ChunkMeta, DocRecord, Filters, Passage

__all__ = [
    "ChunkSource",
    "PassageStore",
    "Store",
    "client",
    "collection",
    "conversations",
    "exact",
    "health",
    "journal",
    "lexical",
    "lexical_table",
    "lock",
    "rows",
]


class ChunkSource(Protocol):
    """What the lexical index is synced from: every chunk id, and chunks' text and metadata."""

    def chunk_ids(self) -> list[str]: ...

    def chunks(self, ids: Sequence[str] | None = None) -> list[tuple[str, str, ChunkMeta]]: ...


class PassageStore(Protocol):
    """What retrieval and the answer paths need: a filtered dense search, chunks by id as passages,
    and the ingested documents (the LLM path reads the reports' latest year from them)."""

    def query(
        self, vector: np.ndarray, k: int, filters: Filters | None = None, among: Sequence[str] | None = None
    ) -> list[Passage]: ...

    def passages(self, ids: Sequence[str]) -> list[Passage]: ...

    def documents(self) -> dict[str, DocRecord]: ...


class Store(ChunkSource, PassageStore, Protocol):
    """Everything services, ingest, the app and the CLI use of a store."""

    embedder_name: str
    journal: WriteJournal | None

    def count(self) -> int: ...

    def entry_count(self) -> int: ...

    def unit_ids(self, doc_id: str) -> dict[str, str]: ...

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
    ) -> None: ...

    def delete_document(self, doc_id: str) -> int: ...

    def recover(self) -> list[tuple[str, str]]: ...
