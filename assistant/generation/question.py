"""What a question asks: content terms, townships and years named, and its shape (figure, list, compare)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from assistant.ingest.metadata import township_mentions
from assistant.text import QUESTION_WORDS, YEAR, tokenize_precise

_PLACEHOLDER_TOKEN = re.compile(r"^[x×]+$")
_FIGURE_CUES = ("多少", "几", "数量", "面积", "产量", "金额", "比例", "比重", "增长", "总额", "收入", "投资", "率")
_COMPARE_CUES = ("分别", "各乡", "各是", "各自", "哪个多", "哪个少", "比较", "对比", "相比", "都有哪些", "几份报告")
_LIST_CUES = ("哪些", "哪几", "有什么", "列举", "都有", "包括")


@dataclass(frozen=True)
class Question:
    text: str
    terms: tuple[str, ...]
    townships: tuple[str, ...]
    years: tuple[int, ...]
    wants_figure: bool
    is_compare: bool
    is_list: bool


def analyse(question: str, known_townships: Iterable[str] = ()) -> Question:
    """Parse a question; `known_townships` lets a bare name like 安民 count once it is a report's township."""
    townships = tuple(dict.fromkeys(township_mentions(question)))
    # Townships scope the search (filters); as terms they would only match every sentence's title.
    stripped = question
    for name in sorted(townships, key=len, reverse=True):
        stripped = stripped.replace(name, " ")
    # Precise segmentation: one term per word, so a word missing from a sentence counts once, not as
    # each of its overlapping search-mode pieces (招进来 → 招进, 进来, 招进来).
    terms = tuple(
        t
        for t in dict.fromkeys(tokenize_precise(stripped))
        if t not in QUESTION_WORDS and not _PLACEHOLDER_TOKEN.match(t)
    )
    known = set(known_townships)
    multi_township = len([t for t in townships if t in known]) >= 2
    # "A和B…各/都/分别…": two subjects asked about one by one (安民乡和述职报告里的乡都…各整改了多少).
    paired = any(c in question for c in "和与跟及") and any(c in question for c in ("各", "都", "分别"))
    return Question(
        text=question,
        terms=terms,
        townships=townships,
        years=tuple(sorted({int(y) for y in YEAR.findall(question)})),
        wants_figure=any(cue in question for cue in _FIGURE_CUES),
        is_compare=multi_township or paired or any(cue in question for cue in _COMPARE_CUES),
        is_list=any(cue in question for cue in _LIST_CUES),
    )
