"""Extractive answers: pick the sentences of retrieved passages that answer the question, cite each one.

Sentences are copied verbatim (numbers are never altered or computed); the answer only adds a
township label and `[n]` markers. Scores are query-term coverage weighted by corpus IDF.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.generation.citations import PLACEHOLDER_FIGURE, UNDISCLOSED
from assistant.generation.question import Question
from assistant.ingest.chunking import sentence_spans
from assistant.lexical import tokenize
from assistant.types import Passage

# Weights of the sentence score (fixed on the dev set as a whole, not per question).
CONTEXT_WEIGHT = 0.3  # terms found only in the passage's title/section path
RANK_WEIGHT = 0.15  # prior from the passage's fused rank
FIGURE_BONUS = 0.1  # the question asks for a figure and the sentence has one
MAX_PASSAGES = 6
EXTRA_SENTENCE_RATIO = 0.8  # further sentences must score this close to the best one
_CLAUSE = re.compile(r"[^，,；;。！？!?]+")


@dataclass(frozen=True)
class Candidate:
    passage_index: int  # 0-based index into the passages list
    text: str
    score: float
    coverage: float


def _coverage(terms: Sequence[str], tokens: set[str], idf: Callable[[str], float]) -> float:
    total = sum(idf(t) for t in terms)
    return sum(idf(t) for t in terms if t in tokens) / total if total else 0.0


def score_sentences(q: Question, passages: Sequence[Passage], idf: Callable[[str], float]) -> list[Candidate]:
    """Every sentence of the top passages with its score, best first."""
    out = []
    for index, passage in enumerate(passages[:MAX_PASSAGES]):
        context = set(tokenize(f"{passage.metadata.get('title', '')} {passage.section}"))
        for s, e in sentence_spans(passage.text, 0, len(passage.text)):
            text = passage.text[s:e].strip()
            if len(text) < 4:
                continue
            tokens = set(tokenize(text))
            coverage = _coverage(q.terms, tokens, idf)
            context_only = _coverage(q.terms, context - tokens, idf)
            score = coverage + CONTEXT_WEIGHT * context_only + RANK_WEIGHT / (index + 1) ** 0.5
            if q.wants_figure and any(ch.isdigit() for ch in text):
                score += FIGURE_BONUS
            out.append(Candidate(index, text, score, coverage + CONTEXT_WEIGHT * context_only))
    return sorted(out, key=lambda c: -c.score)


def select(q: Question, candidates: Sequence[Candidate], passages: Sequence[Passage]) -> list[Candidate]:
    """The sentences to answer with: one per report for comparisons, else the best and close runners-up."""
    if not candidates:
        return []
    best = candidates[0]
    if q.is_compare:
        chosen: dict[str, Candidate] = {}
        for c in candidates:
            doc = passages[c.passage_index].doc_id
            if doc not in chosen and c.score >= 0.6 * best.score:
                chosen[doc] = c
        return list(chosen.values())[:4]
    limit = 4 if q.is_list else 3
    picked = [best]
    for c in candidates[1:]:
        if len(picked) >= limit:
            break
        if c.score >= EXTRA_SENTENCE_RATIO * best.score and c.text not in {p.text for p in picked}:
            picked.append(c)
    return picked


def undisclosed_figure(q: Question, sentence: str) -> bool:
    """The clause that best matches a figure question gives an XX placeholder and no number."""
    if not q.wants_figure:
        return False
    clauses = _CLAUSE.findall(sentence)
    if not clauses:
        return False
    terms = set(q.terms)
    best = max(clauses, key=lambda c: len(terms & set(tokenize(c))))
    return bool(PLACEHOLDER_FIGURE.search(best)) and not any(ch.isdigit() for ch in PLACEHOLDER_FIGURE.sub("", best))


def report_label(passage: Passage) -> str:
    """A digit-free name for the report a passage comes from (numbers in labels would be unbacked)."""
    title = str(passage.metadata.get("title", ""))
    lead = re.split(r"\d", title, maxsplit=1)[0].strip()
    if lead.endswith(("乡", "镇")):
        return lead
    township = str(passage.metadata.get("township", "")) or "该乡镇"
    kind = str(passage.metadata.get("kind", ""))
    return f"{township}（{kind}报告）" if kind == "述职" else township


def compose(q: Question, chosen: Sequence[Candidate], passages: Sequence[Passage]) -> str:
    """The answer text; markers [n] refer to `passages` (1-based)."""
    labels = {report_label(passages[c.passage_index]) for c in chosen}
    lines = []
    for c in chosen:
        marker = f"[{c.passage_index + 1}]"
        if q.is_compare or len(labels) > 1:
            lines.append(f"{report_label(passages[c.passage_index])}：{c.text}{marker}")
        else:
            lines.append(f"{c.text}{marker}")
    text = "\n".join(lines) if (q.is_compare or len(labels) > 1) else "".join(lines)
    if any(PLACEHOLDER_FIGURE.search(c.text) for c in chosen):
        text += f"\n（注：原文中写作“XX”的数字为{UNDISCLOSED}。）"
    return text
