"""The Chinese text primitives every stage shares: tokens, sentence ends, sentence spans and years.

Ingest (chunking, the section tree, metadata, sentence vectors), the lexical index and the answer
paths all cut text through these, so a sentence or a token is the same thing everywhere. Changing
a sentence set or `sentence_spans` changes chunk ids (content hashes of the chunk text): every
store would be re-embedded. Changing what `tokenize` returns needs a new TOKENIZER_VERSION.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from typing import Any

from assistant.script import FOLD_VERSION, fold

# --------------------------------------------------------------------------- sentence ends

# Where a sentence ends, full and half width; ； counts (公文 run their measures on as ；-separated clauses).
SENTENCE_ENDS = "。！？；!?;"
# Closing quotes and brackets after a sentence end belong to that sentence (…“四最”。” / …）。).
CLOSERS = "”’」』）)"
# Where a heading line's label ends. Without ；: a heading may join its phrases with ； before its
# first 。 (（一）抓党建；促发展。…), and cutting there would leave part of the heading in the body.
HEADING_ENDS = "。！？!?"
# Where an item label ends and after which an 一是/二是 item may start: a sentence end or a colon
# (一是强化党建：…).
LABEL_ENDS = SENTENCE_ENDS + "：:"
# Where a clause ends: a sentence end or a comma (the figure of a term is looked for in its clause).
CLAUSE_ENDS = SENTENCE_ENDS + "，,"

# A year as written before 年 (2023年, 2024 年).
YEAR = re.compile(r"(20\d{2})\s*年")


def sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split text[start:end] after 。！？；!?; (plus closing quotes) and at newlines; spans cover it all."""
    spans, begin, pos = [], start, start
    while pos < end:
        ch = text[pos]
        pos += 1
        if ch in SENTENCE_ENDS:
            while pos < end and (text[pos] in SENTENCE_ENDS or text[pos] in CLOSERS):
                pos += 1
        elif ch != "\n":
            continue
        spans.append((begin, pos))
        begin = pos
    if begin < end:
        spans.append((begin, end))
    return spans


# --------------------------------------------------------------------------- tokens

# Names what `tokenize` returns; lexical indexes record it and are rebuilt when it differs.
TOKENIZER_VERSION = f"jieba-search-nfkc-v1+{FOLD_VERSION}"
_jieba_lock = threading.Lock()

# Words that say how to answer, not what about; they must not drive sentence matching.
QUESTION_WORDS = frozenset(
    "多少 几 几个 几次 几项 几条 几家 哪些 哪个 哪几 哪 什么 怎么 怎么样 怎样 如何 是否 有没有 有无 吗 呢 吧 啊 "
    "了 的 得 地 是 有 在 和 与 及 或 都 也 还 又 各 各自 分别 一共 总共 共 合计 大概 大约 情况 方面 "
    "请问 一下 说说 讲讲 介绍 告诉 我 你 报告 报告里 里 中 上 那个 这个 那 这 去年 今年 明年 搞 做 弄 "
    "哪里 为什么 多大 多久 多长 谁 乡 镇 全乡 工作 年 多 各是 写 那个乡 几份 份 钱 要 说 给 来 能 想 叫 跟 "
    "种 办 投 所在 这块 一年 打算 准备 县 村 个 月 名 处 号 样 里 到 现在 已经 目前 一共有 各种 "
    "哪几个 哪几 多少钱 几名 几处 几场 几期 几块 几样 啥 些 些啥 咋 咋样 么 哪儿 号称 各乡 各镇 各村 几个乡 "
    # comparing: which is higher, not what about
    "谁高 谁低 高 低 更高 更低 最高 最低 哪个高 哪个低 "
    # drafting requests: how to write, not what about
    "帮 帮我 帮忙 起草 拟 拟个 拟一份 写 写个 写一份 一份 一个 一篇 份 篇 替 请 稿 材料 方案 "
    "一段 段 段落 综述 简报 开头 小结 汇报 汇报材料 总结材料 为题 题目 围绕 根据 以 关于 用于".split()
)


def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


def tokenize(text: str) -> list[str]:
    """jieba search-mode tokens of NFKC-normalised, lower-cased, Simplified (script.fold) text;
    punctuation and spaces dropped: 經濟發展 and 经济发展 give the same tokens."""
    normalised = fold(unicodedata.normalize("NFKC", text)).lower()
    with _jieba_lock:  # jieba's lazy dictionary load is not thread-safe
        tokens = _jieba().lcut_for_search(normalised)
    return [t for t in (tok.strip() for tok in tokens) if t and any(ch.isalnum() for ch in t)]


def tokenize_precise(text: str) -> list[str]:
    """jieba default-mode tokens (one token per word, no overlapping sub-words) of the folded text;
    punctuation dropped."""
    normalised = fold(unicodedata.normalize("NFKC", text)).lower()
    with _jieba_lock:
        tokens = _jieba().lcut(normalised)
    return [t for t in (tok.strip() for tok in tokens) if t and any(ch.isalnum() for ch in t)]


def query_tokens(text: str) -> list[str]:
    """BM25 query tokens: like `tokenize`, without the words that only say how to answer (多少, 哪些 …)."""
    tokens = [t for t in tokenize(text) if t not in QUESTION_WORDS]
    return tokens or tokenize(text)


# Abbreviations people type for the wording reports use (GDP → 地区生产总值): a question is searched
# and scored in the reports' words.
ABBREVIATIONS = {
    "GDP": "地区生产总值",
    "gdp": "地区生产总值",
    "CPI": "居民消费价格",
    "PPI": "工业生产者出厂价格",
    "R&D": "研发",
}


# Other wordings reports use for the same indicator: 经济增长5.5% is 地区生产总值增长5.5%.
SAME_INDICATOR = {"经济增长": "地区生产总值增长", "经济增速": "地区生产总值增速", "经济总量": "地区生产总值"}


# A growth figure is written 增长X% whatever the question calls it: 增速 and 增幅 are matched as 增长.
GROWTH_WORDS = {"增速": "增长", "增幅": "增长", "增长率": "增长", "增长速度": "增长"}


def with_indicator_words(sentence: str) -> str:
    """The sentence with each other wording of an indicator also written as its standard name."""
    extra = [standard for wording, standard in SAME_INDICATOR.items() if wording in sentence]
    return sentence + "".join(f" {w}" for w in extra)


def in_report_words(text: str) -> str:
    """The text with each abbreviation written as reports write it."""
    for short, long in ABBREVIATIONS.items():
        text = text.replace(short, long)
    return text


# Statistical indicators of work reports, each with the wordings reports and people use for it. A
# question about one (its figure, its growth) is answered only by a sentence that names it: 城镇调查
# 失业率 does not answer for 城镇新增就业, nor 中央预算内投资 for 一般公共预算收入.
INDICATORS: tuple[tuple[str, ...], ...] = (
    ("地区生产总值", "生产总值", "经济增长", "经济增速", "经济总量", "GDP", "gdp"),
    ("一般公共预算收入", "公共财政预算收入", "公共预算收入", "地方财政收入"),
    ("城镇新增就业", "新增就业"),
    ("城镇调查失业率", "调查失业率"),
    ("城镇登记失业率", "登记失业率"),
    ("粮食产量", "粮食总产量", "粮食总产", "粮食生产"),
    ("社会消费品零售总额", "社零总额"),
    ("固定资产投资",),
    ("规模以上工业增加值", "规上工业增加值"),
    ("进出口总额", "进出口", "外贸"),
    ("居民人均可支配收入", "人均可支配收入"),
    ("旅游收入", "旅游总收入", "旅游综合收入", "旅游业总收入", "旅游业收入"),
    ("森林覆盖率",),
    ("居民消费价格", "CPI", "物价"),
)


def indicators_in(text: str) -> list[tuple[str, ...]]:
    """The indicators a text names (by any of their wordings), in INDICATORS order."""
    return [forms for forms in INDICATORS if any(form in text for form in forms)]


_FIGURE = re.compile(r"\d|[一二两三四五六七八九十百千万]+[个项条家次名人户所座处万亿倍成]")


def has_figure(sentence: str) -> bool:
    """The sentence states some quantity: a digit, or a Chinese-numeral count or amount (三个, 两万)."""
    return bool(_FIGURE.search(sentence))
