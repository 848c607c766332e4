"""The shared text primitives: sentence spans, the sentence-end sets, the year pattern, query tokens."""

from __future__ import annotations

import pytest

from assistant.text import (
    CLAUSE_ENDS,
    CLOSERS,
    HEADING_ENDS,
    LABEL_ENDS,
    QUESTION_WORDS,
    SENTENCE_ENDS,
    YEAR,
    query_tokens,
    sentence_spans,
    tokenize,
)


def _pieces(text: str, spans: list[tuple[int, int]]) -> list[str]:
    return [text[s:e] for s, e in spans]


# --- sentence_spans ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        pytest.param(
            "稳定农业产业，保持稳中有进。2023年完成粮食种植面积3.76万亩，产量1.65万吨；蔬菜种植面积0.8万亩。",
            ["稳定农业产业，保持稳中有进。", "2023年完成粮食种植面积3.76万亩，产量1.65万吨；", "蔬菜种植面积0.8万亩。"],
            id="seed001-period-semicolon-decimals",
        ),
        pytest.param(
            "过去一年,安民乡敢于自我加压!下一步?继续坚持实干;打造好样板地",
            ["过去一年,安民乡敢于自我加压!", "下一步?", "继续坚持实干;", "打造好样板地"],
            id="half-width-ends-and-unterminated-tail",
        ),
        pytest.param(
            "做到“幼有所学”“老有所养”。树牢“人民至上、生命至上。”安全发展理念",
            ["做到“幼有所学”“老有所养”。", "树牢“人民至上、生命至上。”", "安全发展理念"],
            id="closing-quote-stays-with-sentence",
        ),
        pytest.param(
            "全面落实（见附件。）下一步。『重点』」",
            ["全面落实（见附件。）", "下一步。", "『重点』」"],
            id="closing-bracket",
        ),
        pytest.param("真抓实干！！奋勇争先？！", ["真抓实干！！", "奋勇争先？！"], id="repeated-ends"),
        pytest.param(
            "一、履职情况\n（一）学理论、助提升，政治建设常抓不懈。一是坚持",
            ["一、履职情况\n", "（一）学理论、助提升，政治建设常抓不懈。", "一是坚持"],
            id="newline-is-a-break",
        ),
        pytest.param("同时，积极做好妇女儿童等工作", ["同时，积极做好妇女儿童等工作"], id="no-end"),
        pytest.param("", [], id="empty"),
    ],
)
def test_sentence_spans(text: str, sentences: list[str]) -> None:
    spans = sentence_spans(text, 0, len(text))
    assert _pieces(text, spans) == sentences
    assert "".join(_pieces(text, spans)) == text


def test_sentence_spans_respects_window() -> None:
    text = "XX乡2023年工作总结\n二、存在问题\n一是产业发展结构转型还需进一步加快。二是基础设施建设短板亟待补齐。"
    start = text.index("一是")
    end = text.index("二是") + 4
    spans = sentence_spans(text, start, end)
    assert spans[0][0] == start
    assert spans[-1][1] == end
    assert _pieces(text, spans) == ["一是产业发展结构转型还需进一步加快。", "二是基础"]


# --- the sets and the year pattern ---------------------------------------------------------------


def test_the_sets_differ_only_where_their_comments_say() -> None:
    assert set(HEADING_ENDS) == set(SENTENCE_ENDS) - set("；;"), "a heading is not cut at ；"
    assert set(LABEL_ENDS) == set(SENTENCE_ENDS) | set("：:")
    assert set(CLAUSE_ENDS) == set(SENTENCE_ENDS) | set("，,")
    assert not set(CLOSERS) & set(SENTENCE_ENDS)


def test_year_is_four_digits_before_nian() -> None:
    assert YEAR.findall("2023年工作总结及2024 年工作计划，1999年，20235年，2025") == ["2023", "2024"]


# --- query tokens ----------------------------------------------------------------------------------


def test_query_tokens_leave_out_the_words_that_say_how_to_answer() -> None:
    tokens = query_tokens("安民乡推出了哪些特色品牌？")
    assert "品牌" in tokens and not set(tokens) & QUESTION_WORDS
    assert set(tokens) <= set(tokenize("安民乡推出了哪些特色品牌？"))
    assert query_tokens("有多少？") == tokenize("有多少？"), "a question of question words only keeps them"
