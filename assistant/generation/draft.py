"""Extractive drafting: a short 总结/计划-style passage built from cited sentences, grouped by report.

This is the offline floor; the LLM path makes it fluent. Every sentence is copied from a passage.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import replace

from assistant.generation import extractive
from assistant.generation.answer import year_filter
from assistant.generation.citations import verify
from assistant.generation.corpus import Corpus
from assistant.generation.question import Question, analyse
from assistant.ingest.structure import heading_level
from assistant.retrieval import Filters, Searcher, prefer
from assistant.types import Answer, Passage

DRAFT_PASSAGES = 8
_ASPECT_SPLIT = re.compile(r"[和及与、，,]|以及")
MIN_COVERAGE = 0.3


def _is_heading(sentence: str) -> bool:
    """A heading line or a bare item label (三是不断优化生态环境。): structure, not content, in a draft."""
    body = sentence.rstrip("。：:")
    return heading_level(sentence) is not None or (
        len(body) <= 30 and bool(re.match(r"^[一二三四五六七八九十]+是", body)) and not re.search(r"[。；，]", body)
    )


class Drafter:
    """The extractive drafting path. `min_coverage`: the share of the topic's terms a sentence must
    cover to be drafted with."""

    def __init__(self, retriever: Searcher, corpus: Corpus, *, min_coverage: float = MIN_COVERAGE) -> None:
        self.retriever, self.corpus = retriever, corpus
        self.min_coverage = min_coverage

    def draft(self, topic: str, length: int = 400, filters: Filters | None = None, style: str = "总结") -> Answer:
        """A draft of about `length` characters on `topic`; abstains when the material has nothing on it.

        `style` (总结/计划) is accepted for a common signature with the LLM drafter; extracts keep the
        source's wording whatever the style.
        """
        started = time.perf_counter()
        q = analyse(topic, self.corpus.townships)
        filters = self.scoped_filters(q, filters or Filters())
        referenced = self.corpus.referenced_docs(q)
        # A summary of a year (or five-year period) is drafted from the parts about it, as a question
        # is answered; a plan (2024年…工作计划/方案) also from the year before's summary, its basis.
        plan = style == "计划" or q.wants_target
        passages = [] if plan else self._retrieve(topic, year_filter(q, filters))
        passages = prefer(
            passages or self._retrieve(topic, filters), referenced, q.years, target=None if plan else False
        )
        candidates = [
            c
            for c in extractive.score_sentences(
                q, passages, self.corpus.lexical.idf, self.corpus.lexical.doc_tokens, max_passages=DRAFT_PASSAGES
            )
            if c.coverage >= self.min_coverage
            and not _is_heading(c.folded)
            # A summary reports what was done: a target (a plan part's figure) is not drafted into it.
            and (plan or not extractive.is_target(c.folded, passages[c.passage_index]))
        ]
        picked: list[extractive.Candidate] = []
        used = 0
        for c in candidates:
            if used >= length:
                break
            if c.text not in {p.text for p in picked}:
                picked.append(c)
                used += len(c.text)
        if not picked:
            return Answer(
                question=topic,
                answer="资料中未找到与该主题相关的内容，无法起草。",
                abstained=True,
                citations=[],
                unsupported_numbers=[],
                mode="extractive",
                latency_ms=int((time.perf_counter() - started) * 1000),
                passages=passages,
            )
        text = self._compose(picked, passages)
        checked = verify(text, passages)
        return Answer(
            question=topic,
            answer=checked.text,
            abstained=False,
            citations=checked.citations,
            unsupported_numbers=checked.unsupported_numbers,
            mode="extractive",
            latency_ms=int((time.perf_counter() - started) * 1000),
            passages=passages,
        )

    def stream(
        self, topic: str, length: int = 400, filters: Filters | None = None, style: str = "总结"
    ) -> Iterator[str | Answer]:
        """The draft Answer alone (no text deltas: the sentences are copied, not written)."""
        yield self.draft(topic, length, filters, style)

    def scoped_filters(self, q: Question, filters: Filters) -> Filters:
        """The filters narrowed to the townships a topic names, or to the one report it points at
        (有龙鳞坝的那个乡, 述职报告); shared with the LLM drafting path."""
        known = tuple(t for t in q.townships if t in self.corpus.townships)
        if known and not filters.township:
            filters = replace(filters, township=known)
        referenced = self.corpus.referenced_docs(q)
        if len(referenced) == 1 and not filters.doc:
            filters = replace(filters, doc=next(iter(referenced)))
        return filters

    def _retrieve(self, topic: str, filters: Filters) -> list[Passage]:
        """Passages for each aspect of the topic (民宿产业和乡村旅游 → two searches), interleaved."""
        aspects = [a for a in _ASPECT_SPLIT.split(topic) if len(a.strip()) >= 2]
        if len(aspects) < 2:
            return self.retriever.search(topic, k=DRAFT_PASSAGES, filters=filters)
        # Each aspect keeps the topic's context (township, year) by being searched together with it.
        runs = [self.retriever.search(f"{topic} {a}", k=DRAFT_PASSAGES, filters=filters) for a in aspects]
        merged: dict[str, Passage] = {}
        for rank in range(DRAFT_PASSAGES):
            for run in runs:
                if rank < len(run):
                    merged.setdefault(run[rank].chunk_id, run[rank])
        return [replace(p, rank=i) for i, p in enumerate(list(merged.values())[:DRAFT_PASSAGES], start=1)]

    @staticmethod
    def _compose(picked: list[extractive.Candidate], passages: list[Passage]) -> str:
        """Group sentences by report, in document order within each report."""
        groups: dict[str, list[extractive.Candidate]] = {}
        for c in picked:
            groups.setdefault(extractive.report_label(passages[c.passage_index]), []).append(c)
        paragraphs = []
        for label, items in groups.items():
            items.sort(key=lambda c: (c.passage_index, passages[c.passage_index].text.find(c.text)))
            body = "".join(f"{c.text}[{c.passage_index + 1}]" for c in items)
            paragraphs.append(f"{label}：{body}" if len(groups) > 1 else body)
        return "\n".join(paragraphs)
