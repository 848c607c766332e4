"""A lexical searcher over the real seed chunks (the real chunker and BM25 index, no embedder or
store): what the outline and sections unit tests retrieve from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.generation.corpus import Corpus
from assistant.ingest.chunking import chunk_document
from assistant.ingest.document import parse_file
from assistant.retrieval import Filters
from assistant.store.lexical import LexicalIndex
from assistant.types import Passage
from tests.unit.seed_reports import SEED_FILES


@dataclass
class SeedSearch:
    """BM25 over the seed chunks, filtered as the store filters (Filters.matches); records its queries."""

    lexical: LexicalIndex
    passages: dict[str, Passage]
    corpus: Corpus
    calls: list[str]

    def search(self, query: str, k: int = 5, filters: Filters | None = None, vector: Any = None) -> list[Passage]:
        self.calls.append(query)
        f = filters or Filters()
        hits = [
            cid for cid, _ in self.lexical.search(query, k=len(self.passages)) if f.matches(self.passages[cid].metadata)
        ]
        return [Passage(**{**self.passages[cid].__dict__, "rank": i}) for i, cid in enumerate(hits[:k], start=1)]


def seed_search(folder: Path) -> SeedSearch:
    chunks = [c for path in SEED_FILES for c in chunk_document(parse_file(path))]
    rows = [(c.chunk_id, c.text, dict(c.store_metadata())) for c in chunks]
    lexical = LexicalIndex(folder / "lex")
    lexical.rebuild(rows)
    passages = {cid: Passage(cid, str(m["doc"]), str(m["section"]), text, 0.0, 0, m) for cid, text, m in rows}  # type: ignore[arg-type]
    townships = {c.doc_id: c.meta.township for c in chunks}
    kinds = {c.doc_id: c.meta.kind for c in chunks}
    return SeedSearch(lexical, passages, Corpus(lexical, townships, kinds), [])
