"""Run a Q&A set through ask/draft and compute the metrics (docs/contracts.md: Metrics), per item, overall
and per slice (each kind and each tag)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from assistant.eval.dataset import ANSWERED_KINDS, KINDS, QAItem
from assistant.eval.metrics import (
    contains_all,
    copied_share,
    mean,
    norm,
    percentile,
    quote_in,
    recall_at_k,
    reciprocal_rank,
    uncited_sentences,
)
from assistant.generation.citations import MARKER, numbers_in, split_answer_sentences, unbacked
from assistant.types import Answer, Filters

# A question (or draft topic) and the item's filters in, the answer path's stream out: text deltas as they
# are written, then the Answer.
StreamFn = Callable[[str, Filters | None], Iterator[str | Answer]]


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
    tags: list[str] = field(default_factory=list)
    unflagged_numbers: list[str] = field(default_factory=list)  # unsupported and not flagged (see `flagged`)
    copied_share: float | None = None  # drafts: share in 20+ character runs copied from one passage
    uncited_sentences: int | None = None  # drafts: sentences without a [n] marker
    first_text_ms: int | None = None  # question in → first text shown (a streamed delta, else the answer)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def evaluate_item(item: QAItem, answer: Answer, first_text_ms: int | None = None) -> ItemResult:
    ranked = [(p.doc_id, p.text) for p in answer.passages]
    has_evidence = bool(item.evidence)
    cited_texts = {c.n: (c.doc, c.text) for c in answer.citations}
    # Numbers may be backed by the cited passage's title and section path too (what an LLM is shown).
    backing = {c.n: (c.doc, "\n".join((c.title, c.section, c.text))) for c in answer.citations}
    retrieved_ids = {p.chunk_id for p in answer.passages}
    valid_ns = {c.n for c in answer.citations if c.chunk_id in retrieved_ids}
    markers = [int(m) for m in MARKER.findall(answer.answer)]
    numbers, unsupported, unflagged = _number_check(answer, backing)
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
        tags=list(item.tags),
        unflagged_numbers=unflagged,
        first_text_ms=first_text_ms,
        **(_draft_checks(answer) if item.kind == "draft" else {}),
    )


def _draft_checks(answer: Answer) -> dict[str, Any]:
    """How much of a draft is copied (from the passages retrieved or cited for it) and how many of its
    sentences cite nothing."""
    sources = [p.text for p in answer.passages] + [c.text for c in answer.citations]
    return {"copied_share": copied_share(answer.answer, sources), "uncited_sentences": uncited_sentences(answer.answer)}


def _number_check(answer: Answer, cited: dict[int, tuple[str, str]]) -> tuple[int, list[str], list[str]]:
    """Count numbers in the answer, those no passage cited in their sentence states (by value, as
    `unbacked` compares them), and of those the ones that reach the user unflagged."""
    total, unsupported, unflagged = 0, [], []
    for sentence in split_answer_sentences(answer.answer):
        sources = [cited.get(int(m), ("", ""))[1] for m in MARKER.findall(sentence)]
        total += len(numbers_in(sentence))
        for number in unbacked(sentence, sources):
            unsupported.append(number)
            if not flagged(answer, sentence, number):
                unflagged.append(number)
    return total, unsupported, unflagged


def flagged(answer: Answer, sentence: str, number: str) -> bool:
    """An unsupported number in one sentence of the answer is flagged for the user when the answer
    lists it in `unsupported_numbers` (what `ask --json`, the CLI and an exported draft show) *and*
    the app marks that sentence ⚠ (`app_marks`)."""
    return number in answer.unsupported_numbers and app_marks(answer, sentence)


def app_marks(answer: Answer, sentence: str) -> bool:
    """Whether the app marks this sentence of the answer ⚠, as assistant.ui.render.answer_html does
    (the eval does not import the UI; tests/unit/test_eval_slices.py holds the two together): an
    abstention without citations is a plain not-found box; otherwise a sentence is marked when it
    contains one of the listed numbers as written."""
    if answer.abstained and not answer.citations:
        return False
    return any(n in sentence for n in answer.unsupported_numbers)


def _share(part: float, whole: float, empty: float | None) -> float | None:
    return round(part / whole, 4) if whole else empty


def _figures(results: Sequence[ItemResult], *, sliced: bool) -> dict[str, Any]:
    """The quality metrics over these results. A metric that applies to none of them is 0.0 (1.0 for
    the valid-citation rate) overall, as always, and null in a slice."""

    def empty(overall: float) -> float | None:
        return None if sliced else overall

    with_evidence = [r for r in results if r.recall_at_5 is not None]
    answered = [r for r in results if r.kind in ANSWERED_KINDS]
    unanswerable = [r for r in results if r.kind == "unanswerable"]
    evidence_items = [r for r in results if r.kind != "unanswerable"]
    return {
        "retrieval.recall@5": _share(sum(r.recall_at_5 or 0.0 for r in with_evidence), len(with_evidence), empty(0.0)),
        "retrieval.mrr": _share(sum(r.reciprocal_rank or 0.0 for r in with_evidence), len(with_evidence), empty(0.0)),
        "answer.accuracy": _share(sum(1 for r in answered if r.correct), len(answered), empty(0.0)),
        "answer.abstain_accuracy": _share(sum(1 for r in unanswerable if r.abstained), len(unanswerable), empty(0.0)),
        "answer.false_abstain_rate": _share(sum(1 for r in answered if r.abstained), len(answered), empty(0.0)),
        "citations.evidence_recall": _share(
            sum(r.evidence_cited for r in evidence_items), sum(r.evidence_total for r in evidence_items), empty(0.0)
        ),
        "citations.valid_rate": _share(
            sum(r.valid_markers for r in results), sum(r.markers for r in results), empty(1.0)
        ),
        "faithfulness.unsupported_number_rate": _share(
            sum(len(r.unsupported_numbers) for r in results), sum(r.numbers for r in results), empty(0.0)
        ),
        "faithfulness.unflagged_unsupported_numbers": sum(len(r.unflagged_numbers) for r in results),
    }


def _slice(results: Sequence[ItemResult]) -> dict[str, Any]:
    """One slice: its item counts (every kind, 0 included), then the quality metrics."""
    counts = {f"items.{k}": sum(1 for r in results if r.kind == k) for k in KINDS}
    return {"items": len(results), **counts, **_figures(results, sliced=True)}


def slices(results: Sequence[ItemResult]) -> dict[str, dict[str, dict[str, Any]]]:
    """Per-slice metrics: `kind` has one slice per kind that occurs (in KINDS order), `tag` one per
    tag any item carries (sorted); an item is in the slice of each of its tags."""
    by_kind = {k: [r for r in results if r.kind == k] for k in KINDS}
    tags = sorted({t for r in results for t in r.tags})
    return {
        "kind": {k: _slice(rs) for k, rs in by_kind.items() if rs},
        "tag": {t: _slice([r for r in results if t in r.tags]) for t in tags},
    }


def summarise(results: Sequence[ItemResult]) -> dict[str, Any]:
    """The metrics of docs/contracts.md: flat keys (plus a few counts), then `slices`."""
    asked = [r for r in results if r.kind != "draft"]
    return {
        **_figures(results, sliced=False),
        "latency.ask_p50_ms": percentile([r.latency_ms for r in asked], 50),
        "latency.ask_p95_ms": percentile([r.latency_ms for r in asked], 95),
        "latency.first_text_p50_ms": percentile([r.first_text_ms for r in asked if r.first_text_ms is not None], 50),
        "latency.first_text_p95_ms": percentile([r.first_text_ms for r in asked if r.first_text_ms is not None], 95),
        **_draft_figures([r for r in results if r.kind == "draft"]),
        "items": len(results),
        "items.llm": sum(1 for r in results if r.mode == "llm"),
        **{f"items.{k}": sum(1 for r in results if r.kind == k) for k in sorted({r.kind for r in results})},
        "slices": slices(results),
    }


def _draft_figures(drafts: Sequence[ItemResult]) -> dict[str, Any]:
    return {
        "drafts.copied_share": round(mean([r.copied_share or 0.0 for r in drafts]), 4),
        "drafts.uncited_sentences": sum(r.uncited_sentences or 0 for r in drafts),
        "latency.draft_p50_ms": percentile([r.latency_ms for r in drafts], 50),
    }


def run(
    items: Sequence[QAItem],
    ask: StreamFn,
    draft: StreamFn,
    progress: Callable[[int, int], None] | None = None,
) -> list[ItemResult]:
    """Answer every item through the streaming paths the app uses (drafts through `draft`), with the
    item's filters when it has them, timing the first text shown, and score it."""
    results = []
    for i, item in enumerate(items, start=1):
        started = time.perf_counter()
        first: float | None = None
        answer: Answer | None = None
        for part in (draft if item.kind == "draft" else ask)(item.question, item.search_filters()):
            first = time.perf_counter() if first is None else first
            if isinstance(part, Answer):
                answer = part
        if answer is None:
            raise RuntimeError(f"the answer path gave no Answer for {item.id}")
        results.append(evaluate_item(item, answer, None if first is None else int((first - started) * 1000)))
        if progress:
            progress(i, len(items))
    return results
