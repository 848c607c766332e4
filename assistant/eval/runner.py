"""Run a Q&A set through ask/draft and compute the metrics (docs/contracts.md: Metrics), per item and overall."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from assistant.eval.dataset import ANSWERED_KINDS, QAItem
from assistant.eval.metrics import (
    contains_all,
    mean,
    norm,
    percentile,
    quote_in,
    recall_at_k,
    reciprocal_rank,
)
from assistant.generation.citations import MARKER, numbers_in, split_answer_sentences
from assistant.types import Answer

AskFn = Callable[[str], Answer]


@dataclass
class ItemResult:
    """What happened to one Q&A item; the report and metrics are computed from these."""

    id: str
    kind: str
    question: str
    answer: str
    abstained: bool
    mode: str  # extractive | llm: which path produced this item's answer
    expected: list[str]
    missing_expected: list[str]
    correct: bool | None  # None for unanswerable/draft
    recall_at_5: float | None
    reciprocal_rank: float | None
    evidence_total: int
    evidence_cited: int
    markers: int
    valid_markers: int
    numbers: int
    unsupported_numbers: list[str]
    latency_ms: int
    top_passages: list[dict[str, Any]] = field(default_factory=list)
    citations: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def evaluate_item(item: QAItem, answer: Answer) -> ItemResult:
    ranked = [(p.doc_id, p.text) for p in answer.passages]
    has_evidence = bool(item.evidence)
    cited_texts = {c.n: (c.doc, c.text) for c in answer.citations}
    # Numbers may be backed by the cited passage's title and section path too (what an LLM is shown).
    backing = {c.n: (c.doc, "\n".join((c.title, c.section, c.text))) for c in answer.citations}
    retrieved_ids = {p.chunk_id for p in answer.passages}
    valid_ns = {c.n for c in answer.citations if c.chunk_id in retrieved_ids}
    markers = [int(m) for m in MARKER.findall(answer.answer)]
    numbers, unsupported = _number_check(answer.answer, backing)
    answered_kind = item.kind in ANSWERED_KINDS
    missing = [x for x in item.expected if norm(x) not in norm(answer.answer)] if answered_kind else []
    return ItemResult(
        id=item.id,
        kind=item.kind,
        question=item.question,
        answer=answer.answer,
        abstained=answer.abstained,
        mode=answer.mode,
        expected=list(item.expected),
        missing_expected=missing,
        correct=(contains_all(answer.answer, item.expected) and not answer.abstained) if answered_kind else None,
        recall_at_5=recall_at_k(item.evidence, ranked) if has_evidence else None,
        reciprocal_rank=reciprocal_rank(item.evidence, ranked) if has_evidence else None,
        evidence_total=len(item.evidence),
        evidence_cited=sum(any(quote_in(q, d, t) for d, t in cited_texts.values()) for q in item.evidence),
        markers=len(markers),
        valid_markers=sum(1 for n in markers if n in valid_ns),
        numbers=numbers,
        unsupported_numbers=unsupported,
        latency_ms=answer.latency_ms,
        top_passages=[
            {"rank": p.rank, "doc": p.doc_id, "section": p.section, "text": p.text[:200]} for p in answer.passages[:5]
        ],
        citations=[c.to_json() for c in answer.citations],
    )


def _number_check(answer: str, cited: dict[int, tuple[str, str]]) -> tuple[int, list[str]]:
    """Count numbers in the answer and those absent from every passage cited in their sentence."""
    total, unsupported = 0, []
    for sentence in split_answer_sentences(answer):
        backed = {n for m in MARKER.findall(sentence) for n in numbers_in(cited.get(int(m), ("", ""))[1])}
        for number in numbers_in(sentence):
            total += 1
            if number not in backed:
                unsupported.append(number)
    return total, unsupported


def summarise(results: Sequence[ItemResult]) -> dict[str, Any]:
    """The flat metrics of docs/contracts.md (plus a few counts)."""
    with_evidence = [r for r in results if r.recall_at_5 is not None]
    answered = [r for r in results if r.kind in ANSWERED_KINDS]
    unanswerable = [r for r in results if r.kind == "unanswerable"]
    asked = [r for r in results if r.kind != "draft"]
    evidence_items = [r for r in results if r.kind != "unanswerable"]
    markers = sum(r.markers for r in results)
    numbers = sum(r.numbers for r in results)
    evidence_total = sum(r.evidence_total for r in evidence_items)
    return {
        "retrieval.recall@5": round(mean([r.recall_at_5 or 0.0 for r in with_evidence]), 4),
        "retrieval.mrr": round(mean([r.reciprocal_rank or 0.0 for r in with_evidence]), 4),
        "answer.accuracy": round(mean([1.0 if r.correct else 0.0 for r in answered]), 4),
        "answer.abstain_accuracy": round(mean([1.0 if r.abstained else 0.0 for r in unanswerable]), 4),
        "answer.false_abstain_rate": round(mean([1.0 if r.abstained else 0.0 for r in answered]), 4),
        "citations.evidence_recall": round(
            sum(r.evidence_cited for r in evidence_items) / evidence_total if evidence_total else 0.0, 4
        ),
        "citations.valid_rate": round(sum(r.valid_markers for r in results) / markers if markers else 1.0, 4),
        "faithfulness.unsupported_number_rate": round(
            sum(len(r.unsupported_numbers) for r in results) / numbers if numbers else 0.0, 4
        ),
        "latency.ask_p50_ms": percentile([r.latency_ms for r in asked], 50),
        "latency.ask_p95_ms": percentile([r.latency_ms for r in asked], 95),
        "items": len(results),
        "items.llm": sum(1 for r in results if r.mode == "llm"),
        **{f"items.{k}": sum(1 for r in results if r.kind == k) for k in sorted({r.kind for r in results})},
    }


def run(
    items: Sequence[QAItem],
    ask: AskFn,
    draft: AskFn,
    progress: Callable[[int, int], None] | None = None,
) -> list[ItemResult]:
    """Answer every item (drafts through `draft`) and score it."""
    results = []
    for i, item in enumerate(items, start=1):
        answer = draft(item.question) if item.kind == "draft" else ask(item.question)
        results.append(evaluate_item(item, answer))
        if progress:
            progress(i, len(items))
    return results
