"""What a question asks: content terms, townships and years named, and its shape (figure, list, compare)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from assistant.ingest.metadata import township_mentions
from assistant.lexical import tokenize

# Words that say how to answer, not what about; they must not drive sentence matching.
QUESTION_WORDS = frozenset(
    "多少 几 几个 几次 几项 几条 几家 哪些 哪个 哪几 哪 什么 怎么 怎么样 怎样 如何 是否 有没有 有无 吗 呢 吧 啊 "
    "了 的 得 地 是 有 在 和 与 及 或 都 也 还 又 各 各自 分别 一共 总共 共 合计 大概 大约 情况 方面 "
    "请问 一下 说说 讲讲 介绍 告诉 我 你 报告 报告里 里 中 上 那个 这个 那 这 去年 今年 明年 搞 做 弄 "
    "哪里 为什么 多大 多久 多长 谁 乡 镇 全乡 工作 年 多 各是 写 那个乡 几份 份 钱 要 说 给 来 能 想 叫 跟 "
    "种 办 投 所在 这块 一年 打算 准备 县 村 个 月 名 处 号 样 里 到 现在 已经 目前 一共有 各种 "
    "哪几个 哪几 多少钱 几名 几处 几场 几期 几块 几样".split()
)
_PLACEHOLDER_TOKEN = re.compile(r"^[x×]+$")
_FIGURE_CUES = ("多少", "几", "数量", "面积", "产量", "金额", "比例", "比重", "增长", "总额", "收入", "投资", "率")
_COMPARE_CUES = ("分别", "各乡", "各是", "各自", "哪个多", "哪个少", "比较", "对比", "相比", "都有哪些", "几份报告")
_LIST_CUES = ("哪些", "哪几", "有什么", "列举", "都有", "包括")
_YEAR = re.compile(r"(20\d{2})\s*年")


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
    terms = tuple(
        t for t in dict.fromkeys(tokenize(stripped)) if t not in QUESTION_WORDS and not _PLACEHOLDER_TOKEN.match(t)
    )
    known = set(known_townships)
    multi_township = len([t for t in townships if t in known]) >= 2
    return Question(
        text=question,
        terms=terms,
        townships=townships,
        years=tuple(sorted({int(y) for y in _YEAR.findall(question)})),
        wants_figure=any(cue in question for cue in _FIGURE_CUES),
        is_compare=multi_township or any(cue in question for cue in _COMPARE_CUES),
        is_list=any(cue in question for cue in _LIST_CUES),
    )
