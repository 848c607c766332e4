"""Hybrid retrieval: dense (chunk + sentence vectors) and BM25 candidates fused by weighted RRF, with filters.

`Filters` (assistant/types.py, imported here for callers) is the one filter object: the Retriever
passes it down to both sides, the lexical index's row mask is computed once per search, and the
dense side gets the same Filters with, for a narrow filter, the chunks that mask selects.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol

import numpy as np

from assistant.embeddings import Embedder
from assistant.errors import AssistantError
from assistant.script import fold
from assistant.store import PassageStore, exact
from assistant.store.lexical import LexicalIndex
from assistant.types import Filters, Passage, part_kind, part_years

# Reciprocal-rank fusion: score = Σ weight / (RRF_K + rank). Tuned on seeds/qa/dev.jsonl as a whole.
RETRIEVAL_MODES = ("hybrid", "dense", "lexical")
RRF_K = 60
DENSE_WEIGHT = 1.0
LEXICAL_WEIGHT = 1.0
CANDIDATES = 30


def fuse(
    dense: list[tuple[str, float]], lexical: list[tuple[str, float]], dense_weight: float, lexical_weight: float
) -> list[tuple[str, float]]:
    """Weighted reciprocal-rank fusion of two ranked id lists; best first, ties broken by id for stability."""
    scores: dict[str, float] = {}
    for weight, ranked in ((dense_weight, dense), (lexical_weight, lexical)):
        if weight <= 0:
            continue
        for rank, (cid, _) in enumerate(ranked, start=1):
            scores[cid] = scores.get(cid, 0.0) + weight / (RRF_K + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


HINT_WEIGHT = 1.0  # votes (in RRF units) for a passage that matches what the question points at


def prefer(
    passages: list[Passage], docs: set[str], years: tuple[int, ...], *, target: bool | None = None
) -> list[Passage]:
    """Re-rank fused passages with one more vote each for: a report the question points at; the part
    about a year it names (2024年… → the part that reports on 2024); and, for a question with a year,
    the part of the kind it asks about (`target`: the plan, else the review)."""
    if not docs and not years:
        return passages
    bonus = HINT_WEIGHT / (RRF_K + 1)
    wanted_kind = "计划" if target else "总结"

    def score(p: Passage) -> float:
        part = str(p.metadata.get("part", ""))
        span = part_years(part)
        # A part about the one year asked counts fully, a five-year part that includes it half.
        in_year = 0.0
        if span is not None and any(span[0] <= y <= span[1] for y in years):
            in_year = 1.0 if span[0] == span[1] or len(years) > 1 else 0.5
        right_kind = bool(years) and target is not None and part_kind(part) == wanted_kind
        return p.score + bonus * ((p.doc_id in docs) + in_year + right_kind)

    ranked = sorted(passages, key=lambda p: (-score(p), p.rank))
    return [replace(p, rank=i) for i, p in enumerate(ranked, start=1)]


class ModeError(AssistantError, ValueError):
    """A retrieval mode that does not exist."""

    exit_code = 2


def check_mode(mode: str) -> str:
    """`mode` when it is one of RETRIEVAL_MODES; else ModeError naming the choices."""
    if mode not in RETRIEVAL_MODES:
        raise ModeError(f"未知检索模式 {mode!r}，可选：{'、'.join(RETRIEVAL_MODES)}")
    return mode


class Searcher(Protocol):
    """What the answer and draft paths need of a retriever (Retriever is one; tests pass fakes): fused
    passages for a query, and the embedder and dense weight, so that a query searched several times
    (a comparison, one search per report) is embedded once and passed back as `vector`."""

    @property
    def embedder(self) -> Embedder: ...

    @property
    def dense_weight(self) -> float: ...

    def search(
        self, query: str, k: int = 5, filters: Filters | None = None, vector: np.ndarray | None = None
    ) -> list[Passage]: ...


class Retriever:
    """Answers `search(query)` with fused passages; each side can be switched off for comparisons.

    `local_max_chunks`: a filter selecting at most this many chunks has them scored exactly by the
    store (ReportStore.query's `among`) rather than by a filtered Chroma query (assistant/store/exact.py).
    """

    def __init__(
        self,
        store: PassageStore,
        lexical: LexicalIndex,
        embedder: Embedder,
        *,
        dense_weight: float = DENSE_WEIGHT,
        lexical_weight: float = LEXICAL_WEIGHT,
        candidates: int = CANDIDATES,
        local_max_chunks: int = exact.LOCAL_MAX_CHUNKS,
    ) -> None:
        self.store, self.lexical, self.embedder = store, lexical, embedder
        self.dense_weight, self.lexical_weight, self.candidates = dense_weight, lexical_weight, candidates
        self.local_max_chunks = local_max_chunks

    def search(
        self, query: str, k: int = 5, filters: Filters | None = None, vector: np.ndarray | None = None
    ) -> list[Passage]:
        """The k best passages for the query; `vector` reuses an already computed query embedding."""
        filters = filters or Filters()
        n = max(k, self.candidates)
        mask = None if filters.is_empty() else self.lexical.mask(filters)
        dense: list[Passage] = []
        if self.dense_weight > 0:
            if vector is None:
                vector = self.embedder.embed_query(fold(query))  # passages are embedded folded too
            dense = self.store.query(vector, n, filters, among=self._narrow(mask))
        lexical: list[tuple[str, float]] = []
        if self.lexical_weight > 0:
            lexical = self.lexical.search(query, n, mask=mask)
        fused = fuse([(p.chunk_id, p.score) for p in dense], lexical, self.dense_weight, self.lexical_weight)[:k]
        return self._passages(fused, dense, lexical)

    def _narrow(self, mask: np.ndarray | None) -> list[str] | None:
        """The ids of the chunks a narrow filter selects (one report, a township), for the dense side
        to score itself; None for no filter, a wide one, or an empty index (not synced: ask Chroma).

        The lexical index holds every chunk's filter columns and is synced with the store before
        searching (Services), so these are the chunks Chroma's `where` would select; the store
        checks them against the filter all the same.
        """
        if mask is None or not len(self.lexical):
            return None
        rows = np.flatnonzero(mask)
        if len(rows) > self.local_max_chunks:
            return None
        ids = self.lexical.ids
        return [ids[row] for row in rows.tolist()]

    def _passages(
        self, fused: list[tuple[str, float]], dense: list[Passage], lexical: list[tuple[str, float]]
    ) -> list[Passage]:
        by_id = {p.chunk_id: p for p in dense}
        by_id.update((p.chunk_id, p) for p in self.store.passages([cid for cid, _ in fused if cid not in by_id]))
        dense_rank = {p.chunk_id: (i, p.score) for i, p in enumerate(dense, start=1)}
        lex_rank = {cid: (i, s) for i, (cid, s) in enumerate(lexical, start=1)}
        out = []
        for rank, (cid, score) in enumerate(fused, start=1):
            if cid not in by_id:  # deleted between the two searches
                continue
            d, lx = dense_rank.get(cid), lex_rank.get(cid)
            out.append(
                replace(
                    by_id[cid],
                    score=round(score, 6),
                    rank=rank,
                    dense_rank=d[0] if d else None,
                    dense_score=d[1] if d else None,
                    lexical_rank=lx[0] if lx else None,
                    lexical_score=round(lx[1], 4) if lx else None,
                )
            )
        return out
