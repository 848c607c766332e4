"""Metric definitions (docs/contracts.md: Metrics). Text comparison: NFKC, all whitespace removed."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence

from assistant.eval.dataset import Evidence
from assistant.generation.citations import MARKER, split_answer_sentences, unmarked

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


COPY_RUN = 20  # characters in a row copied from one passage that count as copied


def copied_share(text: str, sources: Sequence[str], run: int = COPY_RUN) -> float:
    """Share of the text's characters that lie in a run of at least `run` characters found verbatim in
    one source (compared as `norm` does, [n] markers left out); 0 for an empty text. A draft in the
    model's own words scores low, one stitched from quotes near 1."""
    plain = norm(MARKER.sub("", text))
    plains = [norm(MARKER.sub("", s)) for s in sources]
    covered = [False] * len(plain)
    for start in range(len(plain) - run + 1):
        if covered[start + run - 1]:
            continue  # inside a run already found: a run from here ends no later than that one
        for source in plains:
            if plain[start : start + run] not in source:
                continue
            end = start + run
            while end < len(plain) and plain[start : end + 1] in source:
                end += 1
            covered[start:end] = [True] * (end - start)
    return round(sum(covered) / len(plain), 4) if plain else 0.0


_PLAN_WORDS = ("计划", "方案", "思路", "打算", "安排", "设想", "要点")


def draft_style(topic: str) -> str:
    """The style a draft topic asks for: 计划 when it names a plan (工作计划, 工作方案, 发展思路 …), else 总结."""
    return "计划" if any(word in topic for word in _PLAN_WORDS) else "总结"


def uncited_sentences(text: str) -> int:
    """Sentences of a draft or answer that carry no [n] marker (the paths' own （注：…） lines left out)."""
    return sum(
        1
        for sentence in split_answer_sentences(text)
        if unmarked(sentence) and not MARKER.search(sentence) and not sentence.strip().startswith("（注")
    )
