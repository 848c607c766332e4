"""What a question asks: content terms, the places and years it names, whether it asks for a target
(the plan part) or a result (the review), and its shape (figure, list, compare)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from assistant.ingest.metadata import five_year_spans
from assistant.places import places_in, strip_places, years_named
from assistant.script import fold
from assistant.text import GROWTH_WORDS, QUESTION_WORDS, in_report_words, tokenize_precise, with_indicator_words

_PLACEHOLDER_TOKEN = re.compile(r"^[x×]+$")
# A count of items (三个, 五条, 四张, 哪几类) says how many are asked for: the text lists them instead.
COUNT = re.compile(r"^[一二三四五六七八九十两几哪]+[个条项张类件种大块点]?$")
_FIGURE_CUES = ("多少", "几", "数量", "面积", "产量", "金额", "比例", "比重", "增长", "总额", "收入", "投资", "率")
_COMPARE_CUES = ("分别", "各乡", "各是", "各自", "哪个多", "哪个少", "比较", "对比", "相比", "都有哪些", "几份报告")
_LIST_CUES = ("哪些", "哪几", "有什么", "列举", "都有", "包括")
# Years named relative to now (去年): resolved against the reports (corpus.Corpus.relative_year).
RELATIVE_YEARS = {"前年": -2, "去年": -1, "上一年": -1, "今年": 0, "本年": 0, "明年": 1, "下一年": 1}


def relative_offsets(text: str) -> tuple[int, ...]:
    """The offsets of the relative years a text names (去年和今年 → (-1, 0)), in order, once each."""
    found = sorted((text.find(w), o) for w, o in RELATIVE_YEARS.items() if w in text)
    return tuple(dict.fromkeys(o for _, o in found))


# A question about what was achieved in a year (its review), worded so that a target cannot answer it.
_RESULT_CUES = (
    "完成了",
    "实现了",
    "达到了",
    "取得了",
    "增长了",
    "下降了",
    "减少了",
    "了多少",
    "实际完成",
    "完成情况",
    "落实情况",
)
# A question about what a report set out to do (its plan part), not what was achieved (its review).
_TARGET_CUES = (
    "目标",
    "预期",
    "计划",
    "打算",
    "安排",
    "思路",
    "要点",
    "部署",
    "重点工作",
    "要求",
    "力争",
    "确保",
    "定的",
    "定了",
    "要打造",
    "要完成",
    "要实现",
    "提出",
)


@dataclass(frozen=True)
class Question:
    text: str
    terms: tuple[str, ...]
    townships: tuple[str, ...]  # the places it names (any level: 吉林省, 海拉尔区, 安民乡), full names
    years: tuple[int, ...]
    wants_figure: bool
    is_compare: bool
    is_list: bool
    wants_target: bool = False  # asks for a target or plan (预期目标, 计划), not a result
    wants_result: bool = False  # asks for what was achieved (完成了多少), which no target answers
    spans: tuple[tuple[int, int], ...] = ()  # five-year periods it names (十四五 → (2021, 2025))
    query: str = ""  # what is searched: the text in the reports' words (GDP → 地区生产总值)
    asked: str = ""  # the question as typed, when `text` (Simplified) differs: 經濟 → 经济

    @property
    def shown(self) -> str:
        """The question as the user typed it."""
        return self.asked or self.text

    @property
    def search_text(self) -> str:
        return self.query or self.text


def analyse(question: str, known_townships: Iterable[str] = ()) -> Question:
    """Parse a question; `known_townships` (the places reports are from) lets a short form like 安民,
    海拉尔 or 广西 count as that place. A question in Traditional characters is read in Simplified ones
    (script.fold), as report text is matched: `text` is the folded question, `asked` the typed one."""
    typed, question = question, fold(question)
    known_places = set(known_townships)
    townships = places_in(question, known_places)
    # Report places scope the search (filters); as terms they would only match every sentence's
    # title. Other places (河南 in 河南信阳卢氏茶叶集团) stay terms: reports may mention them.
    stripped = in_report_words(strip_places(question, [t for t in townships if t in known_places]))
    # The years it names scope the search too (filters, year fit), and as terms they match any
    # sentence of that year (2025年是“十四五”收官之年) rather than the fact asked for.
    years = years_named(question)
    year_words = {str(y) for y in years}
    # Precise segmentation: one term per word, so a word missing from a sentence counts once, not as
    # each of its overlapping search-mode pieces (招进来 → 招进, 进来, 招进来).
    terms = tuple(
        t
        for t in dict.fromkeys(GROWTH_WORDS.get(w, w) for w in tokenize_precise(stripped))
        if t not in QUESTION_WORDS and not _PLACEHOLDER_TOKEN.match(t) and t not in year_words and not COUNT.match(t)
    )
    known = known_places
    multi_township = len([t for t in townships if t in known]) >= 2
    # "A和B…各/都/分别…": two subjects asked about one by one (安民乡和述职报告里的乡都…各整改了多少).
    paired = any(c in question for c in "和与跟及") and any(c in question for c in ("各", "都", "分别"))
    return Question(
        text=question,
        terms=terms,
        townships=townships,
        years=years,
        wants_figure=any(cue in question for cue in _FIGURE_CUES),
        is_compare=multi_township or paired or any(cue in question for cue in _COMPARE_CUES),
        is_list=any(cue in question for cue in _LIST_CUES),
        wants_target=any(cue in question for cue in _TARGET_CUES),
        wants_result=any(cue in question for cue in _RESULT_CUES) and not any(cue in question for cue in _TARGET_CUES),
        spans=tuple(five_year_spans(question)),
        query=with_indicator_words(in_report_words(question)),
        asked=typed if typed != question else "",
    )
