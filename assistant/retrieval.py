"""Hybrid retrieval: dense (chunk + sentence vectors) and BM25 candidates fused by weighted RRF, with filters."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from assistant.embeddings import Embedder
from assistant.store import exact
from assistant.store.collection import ReportStore
from assistant.store.lexical import LexicalIndex
from assistant.types import PART_KINDS, Passage

# Reciprocal-rank fusion: score = Σ weight / (RRF_K + rank). Tuned on seeds/qa/dev.jsonl as a whole.
RRF_K = 60
DENSE_WEIGHT = 1.0
LEXICAL_WEIGHT = 1.0
CANDIDATES = 30


@dataclass(frozen=True)
class Filters:
    """Metadata filters; None means no constraint. `part` takes 总结/计划/存在问题 or a full part name."""

    township: str | tuple[str, ...] | None = None
    year: int | None = None
    kind: str | None = None
    part: str | None = None
    doc: str | None = None

    def is_empty(self) -> bool:
        return all(v is None for v in (self.township, self.year, self.kind, self.part, self.doc))

    def conditions(self) -> list[dict[str, Any]]:
        conds: list[dict[str, Any]] = []
        if isinstance(self.township, tuple) and len(self.township) > 1:
            conds.append({"township": {"$in": list(self.township)}})
        elif self.township:
            one = self.township[0] if isinstance(self.township, tuple) else self.township
            conds.append({"township": one})
        if self.kind:
            conds.append({"kind": self.kind})
        if self.doc:
            conds.append({"doc": self.doc})
        if self.part:
            key = "part_kind" if self.part in PART_KINDS else "part"
            conds.append({key: self.part})
        if self.year is not None:
            conds += [{"year_min": {"$lte": self.year}}, {"year_max": {"$gte": self.year}}]
        return conds

    def chroma_where(self) -> dict[str, Any] | None:
        """The filter as a Chroma `where` clause (None when empty)."""
        conds = self.conditions()
        if not conds:
            return None
        return conds[0] if len(conds) == 1 else {"$and": conds}

    def matches(self, meta: dict[str, Any]) -> bool:
        """The same filter evaluated on a metadata dict (for the lexical side)."""
        for cond in self.conditions():
            ((key, want),) = cond.items()
            value = meta.get(key)
            if isinstance(want, dict):
                op, bound = next(iter(want.items()))
                if op == "$in":
                    if value not in bound:
                        return False
                elif value is None or (op == "$lte" and not value <= bound) or (op == "$gte" and not value >= bound):
                    return False
            elif value != want:
                return False
        return True


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


def part_year(meta: dict[str, Any]) -> int | None:
    """2024 for part '2024年工作计划'; None when the part names no year."""
    part = str(meta.get("part", ""))
    return int(part[:4]) if part[:4].isdigit() else None


def prefer(passages: list[Passage], docs: set[str], years: tuple[int, ...]) -> list[Passage]:
    """Re-rank fused passages with one more vote for those from the reports the question points at
    and one for those in the report part of a year it names (2024年… → the 2024 plan part)."""
    if not docs and not years:
        return passages
    bonus = HINT_WEIGHT / (RRF_K + 1)

    def score(p: Passage) -> float:
        return p.score + bonus * (p.doc_id in docs) + bonus * (part_year(p.metadata) in years)

    ranked = sorted(passages, key=lambda p: (-score(p), p.rank))
    return [replace(p, rank=i) for i, p in enumerate(ranked, start=1)]


class Retriever:
    """Answers `search(query)` with fused passages; each side can be switched off for comparisons."""

    def __init__(
        self,
        store: ReportStore,
        lexical: LexicalIndex,
        embedder: Embedder,
        *,
        dense_weight: float = DENSE_WEIGHT,
        lexical_weight: float = LEXICAL_WEIGHT,
        candidates: int = CANDIDATES,
    ) -> None:
        self.store, self.lexical, self.embedder = store, lexical, embedder
        self.dense_weight, self.lexical_weight, self.candidates = dense_weight, lexical_weight, candidates

    def search(
        self, query: str, k: int = 5, filters: Filters | None = None, vector: np.ndarray | None = None
    ) -> list[Passage]:
        """The k best passages for the query; `vector` reuses an already computed query embedding."""
        filters = filters or Filters()
        n = max(k, self.candidates)
        mask = None if filters.is_empty() else self.lexical.mask(filters.conditions())
        dense: list[Passage] = []
        if self.dense_weight > 0:
            if vector is None:
                vector = self.embedder.embed_query(query)
            dense = self.store.query(vector, n, where=filters.chroma_where(), chunk_ids=self._narrow(mask))
        lexical: list[tuple[str, float]] = []
        if self.lexical_weight > 0:
            lexical = self.lexical.search(query, n, mask=mask)
        fused = fuse([(p.chunk_id, p.score) for p in dense], lexical, self.dense_weight, self.lexical_weight)[:k]
        return self._passages(fused, dense, lexical)

    def _narrow(self, mask: np.ndarray | None) -> list[str] | None:
        """The ids of the chunks a narrow filter selects (one report, a township), for the dense side
        to score itself; None for no filter, a wide one, or an empty index (not synced: ask Chroma).

        The lexical index holds every chunk's filter columns and is synced with the store before
        searching (Services), so these are the chunks Chroma's `where` would select.
        """
        if mask is None or not len(self.lexical):
            return None
        rows = np.flatnonzero(mask)
        if len(rows) > exact.LOCAL_MAX_CHUNKS:
            return None
        ids = self.lexical.ids
        return [ids[row] for row in rows.tolist()]

    def _passages(
        self, fused: list[tuple[str, float]], dense: list[Passage], lexical: list[tuple[str, float]]
    ) -> list[Passage]:
        by_id = {p.chunk_id: p for p in dense}
        missing = [cid for cid, _ in fused if cid not in by_id]
        for cid, text, meta in self.store.chunks(missing):
            by_id[cid] = Passage(cid, str(meta["doc"]), str(meta.get("section", "")), text, 0.0, 0, dict(meta))
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
