"""Answer a question from the reports: retrieve, check the evidence is there, answer with citations."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace

from assistant.generation import extractive
from assistant.generation.citations import UNDISCLOSED, verify
from assistant.generation.corpus import Corpus, Vocabulary
from assistant.generation.paths import History
from assistant.generation.question import Question, analyse
from assistant.retrieval import Filters, Searcher, prefer
from assistant.types import Answer, Passage

# Below this share of the question's (IDF-weighted) terms in the best sentence, the material does
# not hold the answer. Calibrated on seeds/qa/dev.jsonl as a whole (see the eval report).
ABSTAIN_COVERAGE = 0.37
RETRIEVE_K = 20  # passages kept for display and metrics; answers use the first few
NOT_FOUND = "资料中未找到"


COMPARE_PER_REPORT = 3  # passages per report for questions that span reports
MAX_COMPARE_REPORTS = 8  # reports a comparison reads, most relevant first


class Answerer:
    """The extractive answer path (the default when no LLM is configured).

    `abstain_coverage`: below this share of the question's terms in the best sentence it abstains.
    """

    def __init__(self, retriever: Searcher, corpus: Corpus, *, abstain_coverage: float = ABSTAIN_COVERAGE) -> None:
        self.retriever = retriever
        self.corpus = corpus
        self.abstain_coverage = abstain_coverage

    @property
    def lexical(self) -> Vocabulary:
        return self.corpus.lexical

    @property
    def doc_townships(self) -> dict[str, str]:
        return self.corpus.doc_townships

    @property
    def townships(self) -> set[str]:
        return self.corpus.townships

    def ask(self, question: str, filters: Filters | None = None, history: History | None = None) -> Answer:
        """The answer made of quoted sentences, or an abstention. `history` is accepted for the common
        signature (paths.AnswerPath) and not used: a follow-up is answered as it is worded."""
        started = time.perf_counter()
        q = analyse(question, self.townships)
        answer = self._answer(q, filters or Filters())
        answer.latency_ms = int((time.perf_counter() - started) * 1000)
        return answer

    def stream(
        self, question: str, filters: Filters | None = None, history: History | None = None
    ) -> Iterator[str | Answer]:
        """The Answer alone (no text deltas: the sentences are copied, not written)."""
        yield self.ask(question, filters, history)

    def _scoped_filters(self, q: Question, filters: Filters) -> Filters | None:
        """Restrict to the reports of townships the question names; None when it names only unknown ones.

        A comparison naming one township and describing the other (X乡和写述职报告的那个乡) is not
        restricted: the described report must stay in reach.
        """
        if filters.township or not q.townships:
            return filters
        known = tuple(t for t in q.townships if t in self.townships)
        if not known:
            return None
        if q.is_compare and len(known) < 2:
            return filters
        return replace(filters, township=known)

    def _compare_passages(self, q: Question, filters: Filters) -> list[Passage]:
        """The best few passages of every report in scope, interleaved (one query embedding).

        Reports are ordered by where they first appear in a global search, so the most relevant
        report leads each round.
        """
        wanted = filters.township
        townships = set(wanted) if isinstance(wanted, tuple) else ({wanted} if wanted else None)
        docs = [d for d, t in sorted(self.doc_townships.items()) if townships is None or t in townships]
        referenced = self.corpus.referenced_docs(q, docs)
        if len(referenced) >= 2:
            docs = sorted(referenced)
        vector = self.retriever.embedder.embed_query(q.text) if self.retriever.dense_weight > 0 else None
        first_seen: dict[str, int] = {}
        for p in self.retriever.search(q.text, k=RETRIEVE_K, filters=filters, vector=vector):
            first_seen.setdefault(p.doc_id, p.rank)
        docs.sort(key=lambda d: first_seen.get(d, RETRIEVE_K + 1))
        # Compare the reports the question names, else the most relevant few: one search per report
        # over every report of a large store (thousands) took minutes per question.
        docs = docs[:MAX_COMPARE_REPORTS]
        per_doc = [
            self.retriever.search(q.text, k=COMPARE_PER_REPORT, filters=replace(filters, doc=d), vector=vector)
            for d in docs
        ]
        merged = [ps[rank] for rank in range(COMPARE_PER_REPORT) for ps in per_doc if rank < len(ps)]
        return [replace(p, rank=i) for i, p in enumerate(merged, start=1)]

    def retrieve(self, q: Question, filters: Filters) -> tuple[list[Passage], Answer | None]:
        """The passages for a question (scoped to the townships it names, per report for comparisons),
        and the abstaining Answer when none can answer it (unknown township, nothing in scope).

        Shared with the LLM path, so both answer from the same passages.
        """
        scoped = self._scoped_filters(q, filters)
        if scoped is None:
            names = "、".join(q.townships)
            closest = self.retriever.search(q.text, k=5, filters=filters)
            return closest, _abstain(q, f"{NOT_FOUND}{names}的工作报告，无法回答。", closest)
        if q.is_compare:
            passages = self._compare_passages(q, scoped)
        else:
            passages = self.retriever.search(q.text, k=RETRIEVE_K, filters=scoped)
            passages = prefer(passages, self.corpus.referenced_docs(q), q.years)
        if not passages:
            return [], _abstain(q, f"{NOT_FOUND}相关内容：知识库中没有符合条件的报告。", [])
        return passages, None

    def _answer(self, q: Question, filters: Filters) -> Answer:
        passages, refusal = self.retrieve(q, filters)
        if refusal is not None:
            return refusal
        return self.answer_passages(q, passages)

    def answer_passages(self, q: Question, passages: list[Passage]) -> Answer:
        """The extractive answer from passages already retrieved for the question (see `retrieve`), or
        the abstention when none of their sentences covers it. The LLM path starts from this too."""
        candidates = extractive.score_sentences(
            q,
            passages,
            self.lexical.idf,
            self.lexical.doc_tokens,
            max_passages=len(passages) if q.is_compare else extractive.MAX_PASSAGES,
        )
        # Answer with the best-scored sentence that covers enough of the question: a weaker sentence
        # lifted by its passage's rank must not hide a sufficient one in the next passage.
        best = next((c for c in candidates if c.coverage >= self.abstain_coverage), None)
        if best is None:
            return _abstain(q, f"{NOT_FOUND}能回答该问题的内容。以下是最接近的段落，供参考。", passages)
        candidates = [best, *(c for c in candidates if c is not best)]
        chosen = extractive.select(q, candidates, passages, floor=self.abstain_coverage)
        best = chosen[0]
        if q.years and not _year_supported(q, passages[best.passage_index], best.text):
            # No digits in the message: numbers in an answer must come from a cited passage.
            return _abstain(q, f"{NOT_FOUND}所问年份的相关内容（该年份不在相关报告的范围内）。", passages)
        if not q.is_compare and extractive.undisclosed_figure(q, best.text):
            marker = f"[{best.passage_index + 1}]"
            text = f"{UNDISCLOSED}：原文写作“{best.text}”{marker}"
            return _finish(q, text, passages, abstained=True, notes=["原文以XX代替具体数字"])
        return _finish(q, extractive.compose(q, chosen, passages), passages, abstained=False)


def _year_supported(q: Question, passage: Passage, sentence: str) -> bool:
    """A year the question names must be in the answering sentence or among the report's years."""
    return all(str(y) in sentence or y in passage.years for y in q.years)


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
