"""Answer a question from the reports: retrieve, check the evidence is there, answer with citations."""

from __future__ import annotations

import time
from dataclasses import replace

from assistant.generation import extractive
from assistant.generation.citations import UNDISCLOSED, verify
from assistant.generation.question import Question, analyse
from assistant.lexical import LexicalIndex
from assistant.retrieval import Filters, Retriever
from assistant.types import Answer, Passage

# Below this share of the question's (IDF-weighted) terms in the best sentence, the material does
# not hold the answer. Calibrated on seeds/qa/dev.jsonl as a whole (see the eval report).
ABSTAIN_COVERAGE = 0.45
RETRIEVE_K = 20  # passages kept for display and metrics; answers use the first few
NOT_FOUND = "资料中未找到"


class Answerer:
    """The extractive answer path (the default when no LLM is configured)."""

    def __init__(self, retriever: Retriever, lexical: LexicalIndex, townships: set[str]) -> None:
        self.retriever = retriever
        self.lexical = lexical
        self.townships = townships

    def ask(self, question: str, filters: Filters | None = None) -> Answer:
        started = time.perf_counter()
        q = analyse(question, self.townships)
        answer = self._answer(q, filters or Filters())
        answer.latency_ms = int((time.perf_counter() - started) * 1000)
        return answer

    def _scoped_filters(self, q: Question, filters: Filters) -> Filters | None:
        """Restrict to the reports of townships the question names; None when it names only unknown ones."""
        if filters.township or not q.townships:
            return filters
        known = tuple(t for t in q.townships if t in self.townships)
        if not known:
            return None
        return replace(filters, township=known)

    def _answer(self, q: Question, filters: Filters) -> Answer:
        scoped = self._scoped_filters(q, filters)
        if scoped is None:
            names = "、".join(q.townships)
            closest = self.retriever.search(q.text, k=5, filters=filters)
            return _abstain(q, f"{NOT_FOUND}{names}的工作报告，无法回答。", closest)
        passages = self.retriever.search(q.text, k=RETRIEVE_K, filters=scoped)
        if not passages:
            return _abstain(q, f"{NOT_FOUND}相关内容：知识库中没有符合条件的报告。", [])
        candidates = extractive.score_sentences(q, passages, self.lexical.idf)
        if not candidates or candidates[0].coverage < ABSTAIN_COVERAGE:
            return _abstain(q, f"{NOT_FOUND}能回答该问题的内容。以下是最接近的段落，供参考。", passages)
        chosen = extractive.select(q, candidates, passages)
        best = chosen[0]
        if q.years and not _year_supported(q, passages[best.passage_index], best.text):
            years = "、".join(f"{y}年" for y in q.years)
            return _abstain(q, f"{NOT_FOUND}{years}的相关内容。", passages)
        if not q.is_compare and extractive.undisclosed_figure(q, best.text):
            marker = f"[{best.passage_index + 1}]"
            text = f"{UNDISCLOSED}：原文写作“{best.text}”{marker}"
            return _finish(q, text, passages, abstained=True, notes=["原文以XX代替具体数字"])
        return _finish(q, extractive.compose(q, chosen, passages), passages, abstained=False)


def _year_supported(q: Question, passage: Passage, sentence: str) -> bool:
    """A year the question names must be in the answering sentence or among the report's years."""
    doc_years = {int(y) for y in str(passage.metadata.get("years", "")).split(",") if y.strip().isdigit()}
    return all(str(y) in sentence or y in doc_years for y in q.years)


def _finish(q: Question, text: str, passages: list[Passage], abstained: bool, notes: list[str] | None = None) -> Answer:
    checked = verify(text, passages)
    return Answer(
        question=q.text,
        answer=checked.text,
        abstained=abstained,
        citations=checked.citations,
        unsupported_numbers=checked.unsupported_numbers,
        mode="extractive",
        passages=passages,
        notes=notes or [],
    )


def _abstain(q: Question, message: str, passages: list[Passage]) -> Answer:
    return Answer(
        question=q.text,
        answer=message,
        abstained=True,
        citations=[],
        unsupported_numbers=[],
        mode="extractive",
        passages=passages,
    )
