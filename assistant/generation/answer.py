"""Answer a question from the reports: retrieve, check the evidence is there, answer with citations."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import replace

from assistant.generation import extractive
from assistant.generation.citations import UNDISCLOSED, verify, with_headings
from assistant.generation.compare import LedgerAnswers, covers_more
from assistant.generation.corpus import KIND_WORDS, Corpus, Vocabulary
from assistant.generation.paths import History
from assistant.generation.question import Question, analyse, relative_offsets
from assistant.places import leads_with
from assistant.retrieval import Filters, Searcher, prefer
from assistant.text import has_figure, indicators_in, with_indicator_words
from assistant.types import Answer, Passage

# Below this share of the question's (IDF-weighted) terms in the best sentence, the material does
# not hold the answer. Calibrated on seeds/qa/dev.jsonl as a whole (see the eval report).
ABSTAIN_COVERAGE = 0.37
# The answering sentence must itself hold this share of the question's content terms (those that say
# what is asked about: not years, not 完成/增长/多少, not terms only one report has, which locate the
# report rather than the fact). Calibrated on the seeds' dev + heldout and the corpus dev set as a whole.
ON_TOPIC = 0.29
RERANK_HEAD = 10  # passages re-ranked by their best sentence (corpus dev recall@5 0.913 → 0.927 over 6)
# A question that names a report by its year (2019年的政府工作报告说，去年…).
_REPORT_YEAR = re.compile(r"(\d{4})年(?:的|度)?(?:政府)?(?:工作)?报告")
RETRIEVE_K = 20  # passages kept for display and metrics; answers use the first few
NOT_FOUND = "资料中未找到"
Ledgers = LedgerAnswers | None


COMPARE_PER_REPORT = 3  # passages per report for questions that span reports
PER_GROUP = 6  # passages per place or year compared (a comparison of a few named places or years)
MAX_COMPARE_REPORTS = 8  # reports a comparison reads, most relevant first


class Answerer:
    """The extractive answer path (the default when no LLM is configured).

    `abstain_coverage`: below this share of the question's terms in the best sentence it abstains.
    """

    def __init__(
        self, retriever: Searcher, corpus: Corpus, *, abstain_coverage: float = ABSTAIN_COVERAGE, ledger: Ledgers = None
    ) -> None:
        self.retriever, self.corpus, self.abstain_coverage = retriever, corpus, abstain_coverage
        self.ledger = ledger  # numeric comparisons answered from the figure ledger (generation/compare.py)

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
        filters = filters or Filters()
        answer = self._answer(self.resolve(analyse(question, self.townships), filters), filters)
        answer.latency_ms = int((time.perf_counter() - started) * 1000)
        return answer

    def stream(
        self, question: str, filters: Filters | None = None, history: History | None = None
    ) -> Iterator[str | Answer]:
        """The Answer alone (no text deltas: the sentences are copied, not written)."""
        yield self.ask(question, filters, history)

    def _scoped_filters(self, q: Question, filters: Filters) -> Filters | str:
        """Restrict to the reports of the places the question names; the refusal message when it names
        a place no report is from (资料中未找到…的工作报告).

        A comparison naming one place and describing the other (X乡和写述职报告的那个乡) is not
        restricted, unless it compares years of that one place: the described report must stay in reach.
        """
        if filters.township or not q.townships:
            return filters
        known = tuple(t for t in q.townships if t in self.townships)
        # A place no report is from, and no report mentions or that the question is about (it opens
        # with its full name: 呼伦贝尔市2016年…), is one the store does not hold; another mentioned one
        # (河南 in 河南信阳卢氏茶叶集团, XX县 in XX县XX乡) is content, not the subject.
        absent = [
            t
            for t in q.townships
            if t not in self.townships and (not self.corpus.mentions(t) or (not known and leads_with(q.text, t)))
        ]
        if not known and absent:
            return f"{NOT_FOUND}{'、'.join(absent)}的工作报告，无法回答。"
        if not known:
            return filters
        if q.is_compare and len(known) < 2 and len(q.years) < 2:
            return filters
        return replace(filters, township=known)

    def _by_best_sentence(self, q: Question, passages: list[Passage]) -> list[Passage]:
        """The first few passages (those answers are read from) re-ranked by their best sentence's
        score (coverage of the question, its year and role, the fused rank as a prior): the passage
        that holds the answer leads. The candidates stay those of the fused ranking."""
        head = passages[:RERANK_HEAD]
        scored = extractive.score_sentences(q, head, self.lexical.idf, self.lexical.doc_tokens, max_passages=len(head))
        best: dict[int, float] = {}
        for c in scored:  # best first
            best.setdefault(c.passage_index, c.score)
        order = sorted(range(len(head)), key=lambda i: (-best.get(i, 0.0), i)) + list(range(len(head), len(passages)))
        return [replace(passages[i], rank=r) for r, i in enumerate(order, start=1)]

    def resolve(self, q: Question, filters: Filters) -> Question:
        """去年/今年/明年 in a question that names no year, as the years they mean for the latest report
        of the place it names (corpus.Corpus.relative_year); left as they are when that report covers
        none of them, or when no place is named and the reports are of several.
        Both answer paths resolve a question so before retrieving."""
        offsets = relative_offsets(q.text)
        if not offsets:
            return q
        report_year = _REPORT_YEAR.search(q.text)
        if report_year:  # 2019年的政府工作报告说，去年…: counted from the report the question names
            return replace(q, years=tuple(int(report_year.group(1)) + o for o in offsets))
        scoped = self._scoped_filters(q, filters)
        if q.years or isinstance(scoped, str):
            return q
        wanted = scoped.township
        places = set(wanted) if isinstance(wanted, tuple) else ({wanted} if wanted else set())
        if not places and len(self.townships) == 1:
            places = set(self.townships)  # one place's archive: its reports whether named or not
        if not places:
            return q  # 去年 of which report? (without a place, across reports of several years)
        docs = [d for d, t in self.doc_townships.items() if t in places]
        years = [self.corpus.relative_year(o, docs) for o in offsets]
        found = tuple(y for y in years if y is not None)
        return replace(q, years=found) if found else q

    def _one_scope(self, q: Question) -> Question:
        """A 'comparison' naming one report place and one year (海拉尔区2017年…“三个名城”分别是什么) asks
        for the items of one report part: answered as a list, not report by report."""
        known = [t for t in q.townships if t in self.townships]
        place_docs = {d for d, t in self.doc_townships.items() if t in known}
        # Unless it also points at another report (安民乡和写述职报告的那个乡…): that stays a comparison.
        others = self.corpus.referenced_docs(q) - place_docs
        if q.is_compare and len(known) == 1 and len(q.years) == 1 and not others:
            return replace(q, is_compare=False, is_list=True)
        return q

    def _groups(self, q: Question, filters: Filters) -> list[tuple[str, Filters, Question]]:
        """What a comparison sets side by side: the places it names, else the years (each with the
        filter that selects its reports and the question as asked of it); [] for other comparisons."""
        places = [t for t in q.townships if t in self.townships]
        if len(places) >= 2:
            return [(p, replace(filters, township=p), replace(q, townships=(p,))) for p in places]
        if len(q.years) >= 2:
            return [(f"{y}年", replace(filters, year=y), replace(q, years=(y,))) for y in q.years]
        return []

    def _group_passages(self, q: Question, filters: Filters) -> list[Passage]:
        """The best few passages of every place or year compared, interleaved (one query embedding)."""
        vector = self.retriever.embedder.embed_query(q.search_text) if self.retriever.dense_weight > 0 else None
        per_group = []
        for _, group_filters, group_q in self._groups(q, filters):
            found = self.retriever.search(
                q.search_text, k=RETRIEVE_K, filters=year_filter(group_q, group_filters), vector=vector
            )
            found = prefer(found, set(), group_q.years, target=group_q.wants_target)
            per_group.append(found[:PER_GROUP])
        merged = [ps[rank] for rank in range(PER_GROUP) for ps in per_group if rank < len(ps)]
        unique = list({p.chunk_id: p for p in merged}.values())
        return [replace(p, rank=i) for i, p in enumerate(unique, start=1)]

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
        vector = self.retriever.embedder.embed_query(q.search_text) if self.retriever.dense_weight > 0 else None
        first_seen: dict[str, int] = {}
        for p in self.retriever.search(q.search_text, k=RETRIEVE_K, filters=filters, vector=vector):
            first_seen.setdefault(p.doc_id, p.rank)
        docs.sort(key=lambda d: first_seen.get(d, RETRIEVE_K + 1))
        # Compare the reports the question names, else the most relevant few: one search per report
        # over every report of a large store (thousands) took minutes per question.
        docs = docs[:MAX_COMPARE_REPORTS]
        per_doc = [
            self.retriever.search(q.search_text, k=COMPARE_PER_REPORT, filters=replace(filters, doc=d), vector=vector)
            for d in docs
        ]
        merged = [ps[rank] for rank in range(COMPARE_PER_REPORT) for ps in per_doc if rank < len(ps)]
        return [replace(p, rank=i) for i, p in enumerate(merged, start=1)]

    def retrieve(self, q: Question, filters: Filters) -> tuple[list[Passage], Answer | None]:
        """The passages for a question (scoped to the places and year it names, per place or year for
        comparisons), and the abstaining Answer when none can answer it (unknown place, nothing in scope).

        Shared with the LLM path, so both answer from the same passages.
        """
        q = self._one_scope(q)
        scoped = self._scoped_filters(q, filters)
        if isinstance(scoped, str):
            closest = self.retriever.search(q.search_text, k=5, filters=filters)
            return closest, _abstain(q, scoped, closest)
        if q.is_compare and self._groups(q, scoped):
            passages = self._group_passages(q, scoped)
        elif q.is_compare:
            passages = self._compare_passages(q, scoped)
        else:
            by_year = year_filter(q, scoped)
            passages = self.retriever.search(q.search_text, k=RETRIEVE_K, filters=by_year)
            if not passages and by_year.year != scoped.year:
                passages = self.retriever.search(q.search_text, k=RETRIEVE_K, filters=scoped)
            passages = prefer(passages, self.corpus.referenced_docs(q), q.years, target=q.wants_target)
            passages = self._by_best_sentence(q, passages)
        if not passages:
            return [], _abstain(q, f"{NOT_FOUND}相关内容：知识库中没有符合条件的报告。", [])
        return passages, None

    def ledger_answer(self, q: Question, filters: Filters, partial: bool = False) -> Answer | None:
        """A numeric comparison answered from the ledger rows, each figure cited to its sentence
        (compare.LedgerAnswers); None without a ledger or its figure. Both answer paths ask this first,
        and for the answer with gaps (`partial`) to set beside retrieval's (compare.covers_more)."""
        return None if self.ledger is None else self.ledger.answer(q, filters, partial=partial)

    def _answer(self, q: Question, filters: Filters) -> Answer:
        if (from_ledger := self.ledger_answer(q, filters)) is not None:
            return from_ledger
        passages, refusal = self.retrieve(q, filters)
        answer = refusal if refusal is not None else self.answer_passages(q, passages)
        gapped = self.ledger_answer(q, filters, partial=True)
        return gapped if gapped is not None and covers_more(gapped, answer) else answer

    def answer_passages(self, q: Question, passages: list[Passage]) -> Answer:
        """The extractive answer from passages already retrieved for the question (see `retrieve`), or
        the abstention when none of their sentences covers it. The LLM path starts from this too."""
        q = self._one_scope(q)
        groups = self._groups(q, Filters()) if q.is_compare else []
        if groups:
            return self._compare_groups(q, groups, passages)
        candidates = extractive.score_sentences(
            q,
            passages,
            self.lexical.idf,
            self.lexical.doc_tokens,
            max_passages=len(passages) if q.is_compare else extractive.MAX_PASSAGES,
        )
        # Answer with the best-scored sentence that covers enough of the question: a weaker sentence
        # lifted by its passage's rank must not hide a sufficient one in the next passage.
        # The best sentence that covers enough of the question must be about what it asks: when it is
        # not, the next best is a weaker guess at a figure the reports do not give (see ON_TOPIC; on
        # the corpus held-out set, taking the next on-topic one answered 3 of 10 unanswerables).
        best = next((c for c in candidates if c.coverage >= self.abstain_coverage), None)
        if best is not None and not self._on_topic(q, best.folded):
            best = None
        if best is None:
            return _abstain(q, f"{NOT_FOUND}能回答该问题的内容。以下是最接近的段落，供参考。", passages)
        candidates = [best, *(c for c in candidates if c is not best)]
        chosen = extractive.select(q, candidates, passages, floor=self.abstain_coverage)
        best = chosen[0]
        if q.years and not _year_supported(q, passages[best.passage_index], best.folded):
            # No digits in the message: numbers in an answer must come from a cited passage.
            return _abstain(q, f"{NOT_FOUND}所问年份的相关内容（该年份不在相关报告的范围内）。", passages)
        if q.years and q.wants_result:
            # 完成了多少 is not answered by the year's target: the report that reviews the year lacks it;
            # nor is a target quoted beside the result.
            if extractive.is_target(best.folded, passages[best.passage_index]):
                return _abstain(q, f"{NOT_FOUND}所问年份的完成情况（相关报告只有该年的目标）。", passages)
            chosen = [best, *(c for c in chosen[1:] if not extractive.is_target(c.folded, passages[c.passage_index]))]
        if _asks_amount(q) and not extractive.undisclosed_figure(q, best.folded) and not has_figure(best.folded):
            # 粮食总产、单产再创新高 does not answer 粮食总产量是多少亿斤.
            return _abstain(q, f"{NOT_FOUND}所问的具体数字。以下是最接近的段落，供参考。", passages)
        if not q.is_compare and extractive.undisclosed_figure(q, best.folded):
            marker = f"[{best.passage_index + 1}]"
            text = f"{UNDISCLOSED}：原文写作“{best.text}”{marker}"
            return _finish(q, text, passages, abstained=True, notes=["原文以XX代替具体数字"])
        lead = extractive.with_lead(q, chosen, passages, "")
        return _finish(q, extractive.compose(q, chosen, passages), passages, abstained=False, lead=lead)

    def _on_topic(self, q: Question, sentence: str) -> bool:
        """The sentence is about what the question asks: it names every statistical indicator the
        question names (text.INDICATORS, in any wording) and holds enough of its content terms (see
        ON_TOPIC; a question with fewer than two content terms is not judged on those)."""
        content = [
            t
            for t in q.terms
            if not extractive.is_generic(t) and t not in KIND_WORDS and len(self.lexical.docs_with(t)) > 1
        ]
        if any(not any(form in sentence for form in forms) for forms in indicators_in(q.text)):
            return False  # a named indicator (一般公共预算收入, 城镇新增就业 …) the sentence does not name
        if len(content) < 2:
            return True
        return extractive.own_coverage(content, with_indicator_words(sentence), self.lexical.idf) >= ON_TOPIC

    def _compare_groups(
        self, q: Question, groups: list[tuple[str, Filters, Question]], passages: list[Passage]
    ) -> Answer:
        """One cited sentence per place or year compared, and a clear gap for each the reports lack."""
        lines, gaps, used = [], [], set()
        for label, group_filters, group_q in groups:
            mine = [i for i, p in enumerate(passages) if group_filters.matches(p.metadata)]
            candidates = extractive.score_sentences(
                group_q, [passages[i] for i in mine], self.lexical.idf, self.lexical.doc_tokens, max_passages=len(mine)
            )
            best = next(
                (
                    c
                    for c in candidates
                    if c.coverage >= self.abstain_coverage and c.text not in used and self._on_topic(group_q, c.folded)
                ),
                None,
            )
            if best is None:
                gaps.append(label)
                lines.append(f"{label}：{NOT_FOUND}相关内容。")
                continue
            used.add(best.text)
            lines.append(f"{label}：{best.text}[{mine[best.passage_index] + 1}]")
        if not used:
            return _abstain(q, f"{NOT_FOUND}能回答该问题的内容。以下是最接近的段落，供参考。", passages)
        notes = [f"资料中未找到{'、'.join(gaps)}的相关内容"] if gaps else []
        return _finish(q, "\n".join(lines), passages, abstained=False, notes=notes, backing=with_headings)


def year_filter(q: Question, filters: Filters) -> Filters:
    """The filter narrowed to the parts about the one year the question names (a 2025 review may sit
    in the 2026 report), or about the one five-year period it names and no year (its last year for a
    result: “十四五”时期…年均增长; its first for a target); unchanged otherwise."""
    if filters.year is not None:
        return filters
    if len(q.years) == 1 and not q.spans:
        return replace(filters, year=q.years[0])
    if len(q.spans) == 1 and not q.years:
        start, end = q.spans[0]
        return replace(filters, year=start if q.wants_target else end)
    return filters


def _asks_amount(q: Question) -> bool:
    """The question asks for one figure (多少, 几): a sentence without a number cannot answer it."""
    return not q.is_list and not q.is_compare and any(cue in q.text for cue in ("多少", "几"))


def _year_supported(q: Question, passage: Passage, sentence: str) -> bool:
    """A year the question names must be in the answering sentence, among its report's years, or the
    year of its (one-year) part."""
    lo, hi = int(passage.metadata.get("year_min") or 0), int(passage.metadata.get("year_max") or 0)
    # A five-year part (2021-2025) does not by itself give one of its years: the sentence must name it.
    return any(str(y) in sentence or y in passage.years or lo == y == hi for y in q.years)


def _finish(
    q: Question,
    text: str,
    passages: list[Passage],
    abstained: bool,
    notes: list[str] | None = None,
    backing: Callable[[Passage], str] | None = None,
    lead: str = "",
) -> Answer:
    """The verified answer; `lead` (extractive.lead_in, whose figures its report's title and headings
    state) goes before the checked text, so it never shifts which sentence a citation quotes."""
    checked = verify(text, passages, backing)
    return Answer(
        question=q.shown,
        answer=lead + checked.text,
        abstained=abstained,
        citations=checked.citations,
        unsupported_numbers=checked.unsupported_numbers,
        mode="extractive",
        passages=passages,
        notes=notes or [],
    )


def _abstain(q: Question, message: str, passages: list[Passage]) -> Answer:
    return Answer(
        question=q.shown,
        answer=message,
        abstained=True,
        citations=[],
        unsupported_numbers=[],
        mode="extractive",
        passages=passages,
    )
