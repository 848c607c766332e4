"""Numeric comparisons answered from the figure ledger (issue 15, item 6): 各乡…分别…, 2014—2018年…
分别…, 哪个…最高. `route` reads what a question sets side by side (the places it names or 各乡/各省,
the years it names, a range, 近三年) and whether it asks for the highest or lowest; `LedgerAnswers`
picks for each place and year the ledger row that states the figure (ledger/lookup.py) and answers
with each row's sentence quoted from its passage, cited `[n]`, and where asked, the ranking of the
values in one unit. A place or year without a row is said to lack it; when the ledger holds the
figure for fewer than half of them, or for none, the question goes to the retrieval answer instead;
with a gap, the retrieval answer is preferred when it cites more reports (`covers_more`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from assistant.generation.citations import MARKER, verify, with_headings
from assistant.generation.corpus import KIND_WORDS, Corpus
from assistant.generation.extractive import is_generic
from assistant.generation.question import Question
from assistant.ledger.extract import Row
from assistant.ledger.lookup import ALTERNATIVE, CHANGE_WORDS, Match, matches, ranked, wanted_kinds
from assistant.ledger.store import Ledger
from assistant.places import level_of, years_named
from assistant.retrieval import Filters
from assistant.types import Answer, DocRecord, Passage

LedgerSource = Ledger | Callable[[], Ledger]  # the ledger, or what opens and syncs it on first use
NOTE = "按指标台账作答：每个数字引自其原文句子。"
MIN_FOUND = 0.5  # share of the places/years compared the ledger must hold the figure for
MAX_RANGE = 12  # years a range may span (2014—2018年)
_RANGE = re.compile(r"((?:19|20)\d{2})\s*年?\s*[—\-－–~至到]\s*((?:19|20)\d{2})\s*年")
_RECENT = re.compile(r"(?:近|最近|过去)([一二两三四五六七八九十\d]+)年")
_CN = {c: i for i, c in enumerate("零一二三四五六七八九十")} | {"两": 2}
# 各乡 / 各镇 / 各省 …: every report place of that level.
_EACH = {
    "各乡": "乡级",
    "各镇": "乡级",
    "各乡镇": "乡级",
    "各省": "省级",
    "各省份": "省级",
    "各区": "县级",
    "各县": "县级",
}
_HIGH = (
    "最高",
    "最多",
    "最快",
    "最大",
    "更高",
    "更多",
    "更快",
    "更大",
    "谁高",
    "谁多",
    "谁快",
    "谁大",
    "哪个高",
    "哪个多",
)
_LOW = (
    "最低",
    "最少",
    "最慢",
    "最小",
    "更低",
    "更少",
    "更慢",
    "更小",
    "谁低",
    "谁少",
    "谁慢",
    "谁小",
    "哪个低",
    "哪个少",
)
_NOT_INDICATOR = re.compile(
    r"[一二三四五六七八九十两几\d]+(?:个)?(?:省|市|区|县|乡|镇|年|地|份)|^(?:最|更|谁|哪)|^(?:比|相比|对比|比较)$"
)
_DESCRIBES = re.compile(r"那个|那份|述职")
_DIGIT = re.compile(r"\d")
_YEARS_IN_TITLE = re.compile(r"(?:19|20)\d{2}\s*年度?|\d")  # a label without digits: no figure to back
_ASKED_UNIT = re.compile(r"(?:多少|几)(?:万|亿)?(个百分点|人次|[起件人户名位家个项次期条所座处亩吨元头只辆套])")


@dataclass(frozen=True)
class Plan:
    """What a numeric comparison sets side by side: places (full names), years (() = any; `recent`:
    the last N years the ledger has), and the superlative asked (`highest` True/False, None: none)."""

    places: tuple[str, ...]
    years: tuple[int, ...]
    recent: int = 0
    highest: bool | None = None
    word: str = ""  # the superlative as asked (最高, 最快 …), for the answer's wording
    docs: tuple[tuple[str, str], ...] = ()  # (doc, place) of reports it describes (写述职报告的那个乡)


def superlative(text: str) -> tuple[bool | None, str]:
    """(True, '最高') for a question asking which is highest, (False, '最低') for the lowest; (None, '')."""
    if "哪" not in text and "谁" not in text:
        return None, ""
    for words, high in ((_HIGH, True), (_LOW, False)):
        for w in words:
            if w in text:
                return high, w if w.startswith("最") else "最" + w[-1]
    return None, ""


def years_asked(text: str, years: Sequence[int]) -> tuple[int, ...]:
    """The years a question names with ranges filled in (2014—2018年 → 2014 … 2018)."""
    out = set(years) | set(years_named(text))
    for m in _RANGE.finditer(text):
        lo, hi = int(m.group(1)), int(m.group(2))
        if lo < hi <= lo + MAX_RANGE:
            out.update(range(lo, hi + 1))
    return tuple(sorted(out))


def recent_years(text: str) -> int:
    """N of 近N年 (近三年 → 3); 0 when the question says no such thing."""
    m = _RECENT.search(text)
    if not m:
        return 0
    n = m.group(1)
    if n.isdigit():
        return int(n)
    return _CN.get(n, 0) if len(n) == 1 else (10 + _CN.get(n[-1], 0) if n[0] == "十" else 0)


def route(q: Question, places: Sequence[str], described: Sequence[tuple[str, str]] = ()) -> Plan | None:
    """The comparison a question asks for over the report places `places` (and the reports it
    describes, `described`: (doc, place)), or None when it is not a numeric comparison of several
    places or years (one figure, a list, a draft …)."""
    high, word = superlative(q.text)
    if q.spans:  # “十四五”时期…年均: a five-year figure, not one per year
        return None
    if not (q.wants_figure or high is not None or any(w in q.text for w in CHANGE_WORDS)):
        return None
    known = tuple(t for t in q.townships if t in places)
    if len(known) < 2:
        level = next((lv for each, lv in sorted(_EACH.items(), key=lambda kv: -len(kv[0])) if each in q.text), None)
        if level is not None:
            known = tuple(sorted(p for p in places if level_of(p) == level))
        elif not known and len(set(places)) == 1:
            known = tuple(places)
    years = years_asked(q.text, q.years)
    recent = 0 if years else recent_years(q.text)
    docs = tuple((d, p) for d, p in described if p not in known)
    sides = len(known) + len(docs)
    if not sides or (sides < 2 and len(years) < 2 and recent < 2):
        return None
    return Plan(places=known, years=years, recent=recent, highest=high, word=word, docs=docs)


def indicator_terms(q: Question) -> list[str]:
    """The words of the question that name the indicator: its terms without places, years, counts,
    superlatives, the unit asked (多少起) and the words that only say what kind of figure is asked
    (完成, 目标, 增长 …). Words listed with 、 (调解、化解矛盾纠纷) are alternatives: `调解|化解矛盾`."""
    unit = _ASKED_UNIT.search(q.text)
    kept = [
        t
        for t in q.terms
        if not is_generic(t)
        and not _NOT_INDICATOR.search(t)
        and t not in CHANGE_WORDS
        and t not in KIND_WORDS
        and not re.search(re.escape(t) + "(?:的)?那[个份]", q.text)  # 有滑雪场的那个乡 …: says which report
        and t != (unit and unit.group(1))
    ]
    out: list[str] = []
    for t in kept:
        if out and f"{out[-1].split(ALTERNATIVE)[-1]}、{t}" in q.text:
            out[-1] += ALTERNATIVE + t
        else:
            out.append(t)
    return out


@dataclass(frozen=True)
class Group:
    label: str
    place: str
    year: int | None
    best: Match | None


class LedgerAnswers:
    """Answers numeric comparisons from the ledger; `passages` gives stored chunks by id (the store's
    `passages`), so each figure is cited to the passage holding its sentence."""

    def __init__(
        self, ledger: LedgerSource, passages: Callable[[Sequence[str]], list[Passage]], corpus: Corpus
    ) -> None:
        self._ledger, self.passages, self.corpus = ledger, passages, corpus

    @functools.cached_property
    def ledger(self) -> Ledger:
        """The ledger, opened (and synced with the store, when given as a function) on the first
        comparison asked: building an answer path reads nothing of the store."""
        return self._ledger if isinstance(self._ledger, Ledger) else self._ledger()

    @functools.cached_property
    def records(self) -> Mapping[str, DocRecord]:
        """The reports' records (titles, years), read once: the store's documents() is a full scan."""
        return self.corpus.records()

    def answer(self, q: Question, filters: Filters | None = None, *, partial: bool = False) -> Answer | None:
        """The ledger's answer, or None when the question is not a numeric comparison or the ledger
        lacks its figure (the caller answers from retrieval then). With gaps (a place or year
        without a row) only when `partial`: callers ask for that after retrieval found nothing."""
        filters = filters or Filters()
        if filters.kind or filters.part:
            return None
        places = sorted(set(self.corpus.townships))
        wanted = filters.township
        if wanted:
            places = [p for p in places if p in (wanted if isinstance(wanted, tuple) else (wanted,))]
        described: list[tuple[str, str]] = []
        if _DESCRIBES.search(q.text):  # 写述职报告的那个乡, 有滑雪场那个乡: the reports it points at
            towns = self.corpus.doc_townships
            described = [(d, towns[d]) for d in sorted(self.corpus.referenced_docs(q)) if towns.get(d) in places]
        plan = route(q, places, described)
        terms = indicator_terms(q)
        if plan is None or not terms:
            return None
        if filters.year is not None:
            plan = replace(plan, years=(filters.year,), recent=0)
        groups = self._groups(q, plan, terms, filters.doc)
        found = [g for g in groups if g.best is not None]
        if len(found) < 2 or len(found) < MIN_FOUND * len(groups):  # a comparison needs two figures
            return None
        if len(found) < len(groups) and not partial:
            return None
        return self._compose(q, plan, groups)

    def _matches(self, q: Question, place: str, terms: list[str], doc: str | None) -> list[Match]:
        unit = _ASKED_UNIT.search(q.text)
        rows = [r for r in self.ledger.rows(place=place, doc=doc) if not MARKER.search(r.quote)]
        return matches(
            rows,
            terms,
            kinds=wanted_kinds(q.text, q.wants_target),
            unit=unit.group(1) if unit else "",
            changed=any(w in q.text for w in CHANGE_WORDS),
        )

    def _groups(self, q: Question, plan: Plan, terms: list[str], doc: str | None) -> list[Group]:
        """One group per place (or report, see `_units`) and year compared, with its best row (None:
        the ledger lacks it); without years, each one's latest year in the ledger."""
        out: list[Group] = []
        units = [(place, title, docs) for place in plan.places for title, docs in self._units(place)]
        for d, place in plan.docs:  # a described report: its own unit, titled when its place has several
            split = len(self._units(place)) > 1
            units.append((place, self._title(d) if split else "", {d}))
        for place, title, docs in units:
            base = f"{place}（{title}）" if title else place
            found = [m for m in self._matches(q, place, terms, doc) if docs is None or m.row.doc in docs]
            years: Sequence[int] = plan.years
            if plan.recent:
                years = sorted({m.row.year for m in found if m.row.year})[-plan.recent :]
            if not years:
                latest = max((m.row.year for m in found), default=None)
                out.append(Group(base, place, latest, next((m for m in found if m.row.year == latest), None)))
                continue
            for year in years:
                best = next((m for m in found if m.row.year == year), None)
                label = base if len(years) == 1 else (f"{base}{year}年" if len(units) > 1 else f"{year}年")
                out.append(Group(label, place, year, best))
        return out

    def _units(self, place: str) -> list[tuple[str, set[str] | None]]:
        """What stands for a place: the place as one (all its reports), or, when it has several reports
        all covering the same years (a 总结 and a 述职; places the reports anonymise alike), each report
        by its title."""
        records = self.records
        docs = sorted(d for d, t in self.corpus.doc_townships.items() if t == place)
        spans = {tuple(records[d].years) if d in records else () for d in docs}
        if len(docs) < 2 or len(spans) > 1:
            return [("", None)]
        return [(self._title(d), {d}) for d in docs]

    def _title(self, doc: str) -> str:
        record = self.records.get(doc)
        return _YEARS_IN_TITLE.sub("", record.title) if record is not None and record.title else doc

    def _compose(self, q: Question, plan: Plan, groups: list[Group]) -> Answer | None:
        chosen = [g.best.row for g in groups if g.best is not None]
        by_id = {p.chunk_id: p for p in self.passages(list(dict.fromkeys(r.chunk_id for r in chosen)))}
        order = [cid for cid in dict.fromkeys(r.chunk_id for r in chosen) if cid in by_id]
        passages = [_ranked(by_id[cid], i) for i, cid in enumerate(order, start=1)]
        number = {cid: i for i, cid in enumerate(order, start=1)}
        named = "".join(t.replace(ALTERNATIVE, "、") for t in indicator_terms(q))  # as the question names it
        lines, gaps, cited = [], [], []
        for g in groups:
            row = g.best.row if g.best is not None else None
            if row is None or row.chunk_id not in number or row.quote not in by_id[row.chunk_id].text:
                gaps.append(g.label)
                if not _DIGIT.search(g.label):  # a year in an uncited line would be a figure no passage backs
                    lines.append(f"{g.label}：资料中未找到{named}的数字。")
                continue
            cited.append((g.label, row))
            lines.append(f"{g.label}：{row.quote}[{number[row.chunk_id]}]")
        if not cited:
            return None
        if any(_DIGIT.search(label) for label in gaps):
            lines.append(f"其余：资料中未找到{named}的数字（见注）。")
        if plan.highest is not None and len(cited) >= 2:
            lines.append(_ranking(plan, cited, number))
        checked = verify("\n".join(lines), passages, with_headings)
        notes = [NOTE] + ([f"资料中未找到{'、'.join(gaps)}的{named}"] if gaps else [])
        return Answer(
            question=q.shown,
            answer=checked.text,
            abstained=False,
            citations=checked.citations,
            unsupported_numbers=checked.unsupported_numbers,
            mode="extractive",
            passages=passages,
            notes=notes,
        )


def covers_more(gapped: Answer, retrieved: Answer) -> bool:
    """The ledger's answer with gaps is given instead of retrieval's when retrieval abstains or cites
    no more reports than it (a report retrieval quotes more may hold a row the extractor named
    otherwise: 参合率 for 新农合参合率)."""
    return retrieved.abstained or len({c.doc for c in retrieved.citations}) <= len({c.doc for c in gapped.citations})


def _ranking(plan: Plan, cited: list[tuple[str, Row]], number: dict[str, int]) -> str:
    """比较：A最高（5.4%）；依次为 A 5.4%[1]、B 4.8%[2] — the values in the unit most of them share."""
    label_of = {id(row): label for label, row in cited}
    order = ranked([row for _, row in cited], bool(plan.highest))
    if len(order) < 2:
        return "（各项数字单位不同，未作比较。）"
    top = order[0]
    listed = "、".join(f"{label_of[id(r)]}{r.value}[{number[r.chunk_id]}]" for r in order)
    word = plan.word or ("最高" if plan.highest else "最低")
    rest = "（单位不同的未参与比较）" if len(order) < len(cited) else ""
    return f"比较：{label_of[id(top)]}{word}。依次为：{listed}{rest}。"


def _ranked(passage: Passage, rank: int) -> Passage:
    return replace(passage, rank=rank, score=0.0)
