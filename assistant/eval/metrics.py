"""Metric definitions (docs/contracts.md: Metrics). Text comparison: NFKC, all whitespace removed."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence

from assistant.eval.dataset import Evidence

_SPACE = re.compile(r"\s+")
MRR_CUTOFF = 20
RECALL_K = 5


def norm(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def quote_in(quote: Evidence, doc: str, text: str) -> bool:
    """The evidence quote lies in this passage of the same document."""
    return doc == quote.doc and norm(quote.quote) in norm(text)


def recall_at_k(evidence: Sequence[Evidence], ranked: Sequence[tuple[str, str]], k: int = RECALL_K) -> float:
    """Share of evidence quotes found in one of the top-k (doc, text) passages from the same doc."""
    if not evidence:
        return 0.0
    top = ranked[:k]
    return sum(any(quote_in(q, d, t) for d, t in top) for q in evidence) / len(evidence)


def reciprocal_rank(evidence: Sequence[Evidence], ranked: Sequence[tuple[str, str]]) -> float:
    """1/rank of the first passage (within the cutoff) containing any evidence quote; 0 if none."""
    for rank, (doc, text) in enumerate(ranked[:MRR_CUTOFF], start=1):
        if any(quote_in(q, doc, text) for q in evidence):
            return 1.0 / rank
    return 0.0


def contains_all(answer: str, expected: Sequence[str]) -> bool:
    a = norm(answer)
    return all(norm(x) in a for x in expected)


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (pct in 0..100); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, math.ceil(pct / 100 * len(ordered)) - 1))
    return float(ordered[index])


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0
