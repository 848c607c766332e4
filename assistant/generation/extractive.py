"""Extractive answers: pick the sentences of retrieved passages that answer the question, cite each one.

Sentences are copied verbatim (numbers are never altered or computed); the answer only adds a
lead-in naming the report (据安民乡2023年工作总结：, built from the cited passage's metadata), a
township label per line when several reports answer, and `[n]` markers. Scores are query-term
coverage weighted by corpus IDF.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.generation.citations import UNDISCLOSED, placeholder_figures, unbacked, with_headings
from assistant.generation.question import COUNT, Question
from assistant.ingest.metadata import five_year_spans, is_front_matter, names_part
from assistant.ingest.structure import heading_level
from assistant.places import years_named
from assistant.script import fold
from assistant.text import CLAUSE_ENDS, SENTENCE_ENDS, sentence_spans, tokenize
from assistant.types import Passage, part_years

# Credit for a question term by where it is found (fixed on the dev set as a whole, not per question).
# A term in the sentence itself counts fully; one elsewhere in the passage or the report (龙鳞坝 in
# "龙鳞坝所在的乡…" locates the report, not the sentence) counts in part.
IN_PASSAGE = 0.5
IN_REPORT = 0.4
PARTIAL_CHARS = 0.5  # × share of the term's characters in the sentence (总产量 ~ 生产量)
RANK_WEIGHT = 0.15  # prior from the passage's fused rank
FIGURE_BONUS = 0.1  # the question asks for a figure and the sentence has one
MAX_PASSAGES = 6
EXTRA_SENTENCE_RATIO = 0.8  # further sentences must score this close to the best one
# How well a sentence fits the year a question names (a factor on its coverage): it names the year,
# or its part reports on it (1.0); its part reports on other years (OFF_YEAR); it names only other
# years, or gives five-year (十四五) totals for a one-year question (OTHER_YEAR).
OFF_YEAR = 0.75
OTHER_YEAR = 0.6
SPAN_PART = 0.85
_SPAN_WORDS = ("五年", "年均", "期间", "时期", "累计")
# A question about a year's result answered by a target for it (预期目标…), or the other way round.
OTHER_ROLE = 0.6
_TARGET_WORDS = ("预期目标", "主要目标", "目标是", "力争", "预计", "要达到")


def role_fit(q: Question, sentence: str, passage: Passage) -> float:
    """1.0 unless a question naming a year asks for a result and the sentence states a target, or
    asks for a target and the sentence, in a review part, states none (see OTHER_ROLE)."""
    if not q.years:
        return 1.0
    if q.wants_target:
        in_review = str(passage.metadata.get("part_kind", "")) == "总结"
        return OTHER_ROLE if in_review and not states_target(sentence) else 1.0
    return OTHER_ROLE if states_target(sentence) else 1.0


def states_target(sentence: str) -> bool:
    return any(w in sentence for w in _TARGET_WORDS)


def is_target(sentence: str, passage: Passage) -> bool:
    """The sentence states a target: as a figure of a plan part (一般公共预算收入增长6%； under
    二、2018年工作安排), or in its own words outside a review part (a review's 增速高于预期目标 is a result)."""
    kind = str(passage.metadata.get("part_kind", ""))
    return kind == "计划" or (kind != "总结" and states_target(sentence))


def year_fit(q: Question, sentence: str, passage: Passage) -> float:
    """1.0 when the sentence is about the year(s) or five-year period the question names, less when
    it is about others (see OFF_YEAR, OTHER_YEAR); 1.0 for questions that name no year."""
    if q.spans and not q.years:
        spoken = five_year_spans(sentence)
        if any(s in q.spans for s in spoken) or (not spoken and any(w in sentence for w in _SPAN_WORDS)):
            return 1.0
        return OTHER_YEAR if spoken else OFF_YEAR
    if not q.years:
        return 1.0
    named = years_named(sentence)
    if any(y in named for y in q.years):
        # 从2020年的3.68万亿元增长到2025年的4.93万亿元: a change over years, not the year's own figure.
        earlier = [y for y in named if y < min(q.years)]
        return OFF_YEAR if earlier and len(q.years) == 1 and not q.spans else 1.0
    if (five_year_spans(sentence) or (named and not any(w in sentence for w in ("今年", "去年")))) and not q.spans:
        return OTHER_YEAR
    lo, hi = int(passage.metadata.get("year_min") or 0), int(passage.metadata.get("year_max") or 0)
    if hi > lo and not q.spans and any(w in sentence for w in _SPAN_WORDS):
        return OTHER_YEAR  # a five-year review's 年均/累计 figure for a one-year question
    if not any(lo <= y <= hi for y in q.years):
        return OFF_YEAR
    # A five-year part covers the year but may speak of any of its years; a one-year part is sure.
    return SPAN_PART if hi > lo and len(q.years) == 1 and not q.spans else 1.0


def is_heading(q: Question, sentence: str, passage: Passage) -> bool:
    """The sentence is the report's title or a heading line: not an answer (a list question may
    still answer with sub-headings: （一）…（二）…)."""
    bare = sentence.strip().rstrip(SENTENCE_ENDS + "：:")
    if bare == fold(str(passage.metadata.get("title", "")).strip()):
        return True
    level = heading_level(bare)
    if level is None:
        return names_part(bare)
    if not q.is_list or level == 1:
        return True
    # 一、以产业发展“答题”… may be a list item; 一、2013年工作回顾 opens a part and is not.
    return level == 2 and bool(years_named(bare) or five_year_spans(bare))


@dataclass(frozen=True)
class Candidate:
    passage_index: int  # 0-based index into the passages list
    text: str
    score: float
    coverage: float  # IDF-weighted share of question terms, graded by where each is found
    match: str = ""  # the text in Simplified characters (script.fold), as it is matched; text is shown

    @property
    def folded(self) -> str:
        return self.match or self.text


# Words that say what is asked of a figure, not what it is about: a sentence holding only these (and
# the year) of a question's terms is about something else (2017年…稳中有升 for 2017年地区生产总值).
GENERIC_TERMS = frozenset(
    "完成 达到 实现 增长 提高 下降 增加 减少 是 为 有 共 一共 累计 预期 目标 要 定 定的 全年 年 今年 去年 "
    "同比 比上年 分别 具体 总量 总额 多少 几 提出 提到 讲 说".split()
)


def is_generic(term: str) -> bool:
    """A question term that says what kind of answer is wanted rather than what it is about."""
    return term in GENERIC_TERMS or bool(COUNT.match(term)) or term.replace(".", "").isdigit()


def own_coverage(terms: Sequence[str], sentence: str, idf: Callable[[str], float]) -> float:
    """The IDF-weighted share of `terms` in the sentence itself (no credit from its passage or report)."""
    return TermScorer(terms, idf, lambda _doc: set()).coverage(sentence, set(tokenize(sentence)), set(), set())


class TermScorer:
    """Grades how much of a question a sentence covers, given its passage and report."""

    def __init__(self, terms: Sequence[str], idf: Callable[[str], float], doc_tokens: Callable[[str], set[str]]):
        self.terms = list(terms)
        self.weights = [idf(t) for t in self.terms]
        self.total = sum(self.weights)
        self.doc_tokens = doc_tokens

    def coverage(self, sentence: str, tokens: set[str], passage_tokens: set[str], report_tokens: set[str]) -> float:
        if not self.total:
            return 0.0
        got = 0.0
        for term, weight in zip(self.terms, self.weights, strict=True):
            if term in tokens:
                credit = 1.0
            elif term in passage_tokens:
                credit = IN_PASSAGE
            elif term in report_tokens:
                credit = IN_REPORT
            elif len(term) >= 2:
                credit = PARTIAL_CHARS * sum(ch in sentence for ch in term) / len(term)
            else:
                credit = 0.0
            got += weight * credit
        return got / self.total


def score_sentences(
    q: Question,
    passages: Sequence[Passage],
    idf: Callable[[str], float],
    doc_tokens: Callable[[str], set[str]] = lambda _doc: set(),
    max_passages: int = MAX_PASSAGES,
) -> list[Candidate]:
    """Every sentence of the top passages with its score, best first. Sentences are scored in
    Simplified characters (script.fold keeps offsets) and kept as the passage writes them."""
    scorer = TermScorer(q.terms, idf, doc_tokens)
    out = []
    for index, passage in enumerate(passages[:max_passages]):
        passage_tokens = set(tokenize(passage.text))
        report_tokens = doc_tokens(passage.doc_id) | set(
            tokenize(f"{passage.metadata.get('title', '')} {passage.section}")
        )
        folded = fold(passage.text)
        for s, e in sentence_spans(folded, 0, len(folded)):
            text, match = passage.text[s:e].strip(), folded[s:e].strip()
            if len(match) < 4 or is_front_matter(match) or is_heading(q, match, passage):
                continue
            tokens = set(tokenize(match))
            coverage = scorer.coverage(match, tokens, passage_tokens, report_tokens)
            coverage *= year_fit(q, match, passage) * role_fit(q, match, passage)
            score = coverage + RANK_WEIGHT / (index + 1) ** 0.5
            if q.wants_figure and any(ch.isdigit() for ch in match):
                score += FIGURE_BONUS
            out.append(Candidate(index, text, score, coverage, match))
    return sorted(out, key=lambda c: -c.score)


def select(
    q: Question, candidates: Sequence[Candidate], passages: Sequence[Passage], floor: float = 0.0
) -> list[Candidate]:
    """The sentences to answer with: one per report for comparisons, else the best and close runners-up."""
    if not candidates:
        return []
    best = candidates[0]
    if q.is_compare:
        chosen: dict[str, Candidate] = {}
        for c in candidates:
            doc = passages[c.passage_index].doc_id
            if doc not in chosen and c.coverage >= max(floor, 0.6 * best.coverage):
                chosen[doc] = c
        return list(chosen.values())[:5]
    limit = 4 if q.is_list else 3
    picked = [best]
    for c in candidates[1:]:
        if len(picked) >= limit:
            break
        if c.score >= EXTRA_SENTENCE_RATIO * best.score and c.text not in {p.text for p in picked}:
            picked.append(c)
    return picked


_NUMBER = re.compile(r"\d+(?:\.\d+)?(?![\d.]*\s*[年月日])")
_FIGURE_WINDOW = 12  # characters after a question term in which its figure is looked for
_CLAUSE_END = re.compile(f"[{re.escape(CLAUSE_ENDS)}]")


_ASKING = re.compile(r"多少|几")
_FOCUS_WINDOW = 8


def focus_terms(q: Question) -> list[str]:
    """The terms the asked figure belongs to: the last ones before 多少/几 (总投资是多少 → 投资); else all."""
    asking = _ASKING.search(q.text)
    if asking is None:
        return list(q.terms)
    head = q.text[max(0, asking.start() - _FOCUS_WINDOW) : asking.start()]
    ends = {t: head.rfind(t) + len(t) for t in q.terms if t in head and not t.replace(".", "").isdigit()}
    if not ends:
        return list(q.terms)
    last = max(ends.values())
    return [t for t, end in ends.items() if end == last]


def _figures_after(q: Question, terms: list[str], sentence: str, given: set[str]) -> tuple[bool, bool]:
    """(a real number, an XX figure) follows one of the terms within a short window of its clause."""
    number = placeholder = False
    for term in terms:
        for match in re.finditer(re.escape(term), sentence):
            window = _CLAUSE_END.split(sentence[match.end() : match.end() + _FIGURE_WINDOW])[0]
            if any(f not in given for f in _NUMBER.findall(window)):
                number = True
            elif placeholder_figures(window):
                placeholder = True
    return number, placeholder


def undisclosed_figure(q: Question, sentence: str) -> bool:
    """The figure the question asks for is an XX placeholder in this sentence (and no real number).

    The figure of a term is a number or XX placeholder within a few characters after it, in the
    same clause (收入达到XX万元, 投资XX万元); dates (2023年, 11月) and figures the question itself
    states are not the asked figure.
    """
    if not q.wants_figure:
        return False
    given = set(re.findall(r"\d+(?:\.\d+)?", q.text))
    number, placeholder = _figures_after(q, focus_terms(q), sentence, given)
    if not (number or placeholder):
        number, placeholder = _figures_after(q, list(q.terms), sentence, given)
    return placeholder and not number


def report_label(passage: Passage) -> str:
    """A digit-free name for the report a passage comes from (numbers in labels would be unbacked):
    its place (吉林省, 海拉尔区, 安民乡), else the start of its title, else 该报告."""
    title = str(passage.metadata.get("title", ""))
    place = str(passage.metadata.get("township", ""))
    kind = str(passage.metadata.get("kind", ""))
    if place:
        return f"{place}（{kind}报告）" if kind == "述职" else place
    lead = re.split(r"\d", title, maxsplit=1)[0].strip(" —-－")
    return lead or "该报告"


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
    if any(placeholder_figures(c.text) for c in chosen):
        text += f"\n（注：原文中写作“XX”的数字为{UNDISCLOSED}。）"
    return text


_LEAD_MAX = 40  # characters: a report name longer than this is cut at its first break


def lead_in(passage: Passage) -> str:
    """What an answer from one report opens with: 据{place}{part or title}： (据安民乡2023年工作总结：),
    from the passage's metadata only. The part (2023年工作总结) when it names its years, else the title;
    the place when the name lacks it. A figure of the lead-in must be stated by the passage's title,
    section path or text (what the number check backs it with), else the lead-in is the digit-free
    report label (据安民乡：)."""
    meta = passage.metadata
    place = str(meta.get("township", "")).strip()
    part = str(meta.get("part", "")).strip()
    title = re.split(r"[\n（(——]", str(meta.get("title", "")).strip(), maxsplit=1)[0].strip()
    name = part if part and part_years(part) else title
    if len(name) > _LEAD_MAX:
        name = ""
    if place and place not in name:
        name = place + name
    if not name or unbacked(name, [with_headings(passage)]):
        name = report_label(passage)
    return f"据{name}："


def with_lead(q: Question, chosen: Sequence[Candidate], passages: Sequence[Passage], text: str) -> str:
    """The answer text with its lead-in, when all its sentences come from one report (answers from
    several reports name each on its own line: see compose)."""
    docs = {passages[c.passage_index].doc_id for c in chosen}
    if not chosen or q.is_compare or len(docs) != 1:
        return text
    return lead_in(passages[chosen[0].passage_index]) + text
