"""Questions scoped by place and year over reports of several levels and years, answered extractively.

The reports are short excerpts of real ones (../shared/corpora: 吉林省 2026, 海拉尔区 2014 and 2015)
run through the real parser, chunker, lexical index and answer path; only the dense side is left out
(the fake retriever returns what the filters select, in document order).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.generation.answer import Answerer
from assistant.generation.corpus import Corpus
from assistant.ingest.chunking import chunk_document
from assistant.ingest.document import parse_text
from assistant.store.lexical import LexicalIndex
from assistant.types import DocRecord, Passage
from tests.unit.test_answer_abstain import FakeRetriever

JILIN = """2026年吉林省政府工作报告
——2026年1月27日在吉林省第十四届人民代表大会第五次会议上
来源：吉林日报
各位代表：
现在，我代表省政府，向大会报告工作，请予审议，并请省政协委员提出意见。
一、工作回顾
2025年是“十四五”收官之年。我们牢记嘱托、感恩奋进、顶压前行，地区生产总值增长5%，一般公共预算收入增长13.3%。
“十四五”时期，地区生产总值跨越3个千亿元台阶，达到1.5万亿元、年均增长5.2%。
克服春旱秋涝等不利影响，粮食总产、单产再创新高。
二、2026年工作安排
今年经济社会发展主要预期目标是：地区生产总值增长5%左右，社会消费品零售总额增长5%左右，规上工业增加值增长6%左右。
"""
HAILAR_2015 = """政 府 工 作 报 告
--2015年2月5日在海拉尔区第十四届人民代表大会第四次会议上
海拉尔区人民政府区长
各位代表：
现在，我代表海拉尔区人民政府向大会作工作报告，请予审议。
一、2014年工作回顾
2014年，全区地区生产总值完成274.4亿元，同比增长9.1%;地方财政总收入完成24.9亿元，同比增长0.4%。
积极配合呼伦贝尔市推进中心城区公共交通一体化改革。
二、2015年工作安排
经济社会发展主要预期目标是：地区生产总值增长8%，达到296亿元；公共财政预算收入增长7%，达到14.6亿元。
"""
HAILAR_2014 = """政 府 工 作 报 告
--2014年2月19日在海拉尔区第十四届人民代表大会第三次会议上
一、2013年工作回顾
全年地区生产总值完成253.7亿元，同比增长10.1%;旅游收入达到56.4亿元。
二、2014年工作安排
经济社会发展主要预期目标是：地区生产总值增长11%，达到282亿元;地方财政总收入增长16%，达到28.8亿元。
"""
REPORTS = {"jl2026": JILIN, "hl2015": HAILAR_2015, "hl2014": HAILAR_2014}


@pytest.fixture(scope="module")
def answerer(tmp_path_factory: pytest.TempPathFactory) -> Answerer:
    docs = [parse_text(text, doc_id) for doc_id, text in REPORTS.items()]
    chunks = [c for d in docs for c in chunk_document(d)]
    rows = [(c.chunk_id, c.text, c.store_metadata()) for c in chunks]
    lexical = LexicalIndex(Path(tmp_path_factory.mktemp("lex")))
    lexical.rebuild(rows)
    passages = [Passage(cid, m["doc"], m["section"], text, 0.0, 0, m) for cid, text, m in rows]
    records = {
        d.meta.doc_id: DocRecord(
            d.meta.doc_id, d.meta.title, d.meta.township, d.meta.years, d.meta.kind, "", "", 1, date=d.meta.date
        )
        for d in docs
    }
    corpus = Corpus(
        lexical,
        {d.meta.doc_id: d.meta.township for d in docs},
        {d.meta.doc_id: d.meta.kind for d in docs},
        records=lambda: records,
    )
    return Answerer(FakeRetriever(passages), corpus)


def test_a_2026_report_answers_for_2025_from_its_review(answerer: Answerer) -> None:
    a = answerer.ask("吉林2025年地区生产总值增长了多少？")
    assert not a.abstained
    assert "增长5%，" in a.answer and "5%左右" not in a.answer and "年均" not in a.answer
    assert {c.doc for c in a.citations} == {"jl2026"}


def test_a_target_question_goes_to_the_plan(answerer: Answerer) -> None:
    a = answerer.ask("吉林省2026年地区生产总值增长的预期目标是多少？")
    assert not a.abstained and "5%左右" in a.answer


def test_years_of_one_place_are_told_apart(answerer: Answerer) -> None:
    result = answerer.ask("海拉尔区2014年地区生产总值完成了多少？")
    assert "274.4亿元" in result.answer and "282亿元" not in result.answer
    target = answerer.ask("海拉尔2014年地区生产总值预期增长多少？")
    assert "11%" in target.answer and "274.4" not in target.answer
    assert {c.doc for c in target.citations} == {"hl2014"}


def test_a_place_the_store_does_not_hold_is_not_found(answerer: Answerer) -> None:
    a = answerer.ask("浙江2026年地区生产总值预期增长多少？")
    assert a.abstained and "浙江省" in a.answer and not a.citations


def test_a_question_the_right_report_does_not_answer_abstains(answerer: Answerer) -> None:
    # 吉林's excerpt states no 粮食产量: the GDP sentences of the same report must not stand in.
    a = answerer.ask("吉林省2025年粮食产量和城镇新增就业各是多少？")
    assert a.abstained


def test_answers_never_quote_the_meeting_line_the_venue_line_or_a_heading(answerer: Answerer) -> None:
    for question in ("海拉尔区2015年工作报告是哪天在哪次会议上作的？", "海拉尔区2014年工作回顾说了什么？"):
        a = answerer.ask(question)
        for line in ("人民代表大会第四次会议上", "向大会作工作报告", "一、2014年工作回顾"):
            assert line not in a.answer


def test_a_comparison_gives_one_cited_figure_per_year_and_a_gap_for_a_year_not_held(answerer: Answerer) -> None:
    a = answerer.ask("海拉尔区2013年、2014年、2016年地区生产总值分别完成了多少？")
    lines = a.answer.splitlines()
    assert lines[0].startswith("2013年：") and "253.7亿元" in lines[0]
    assert lines[1].startswith("2014年：") and "274.4亿元" in lines[1]
    assert lines[2].startswith("2016年：") and "资料中未找到" in lines[2]
    assert a.unsupported_numbers == [] or set(a.unsupported_numbers) <= {"2016"}


def test_a_place_the_question_is_about_is_not_found_even_if_a_report_mentions_it(answerer: Answerer) -> None:
    # 呼伦贝尔市 is named in the 海拉尔区 report, but the question is about the city's own figure.
    a = answerer.ask("呼伦贝尔市2014年地区生产总值是多少？")
    assert a.abstained and "呼伦贝尔市" in a.answer and "274.4" not in a.answer


def test_a_year_only_a_five_year_part_spans_is_not_answered_from_its_totals(answerer: Answerer) -> None:
    a = answerer.ask("吉林省2023年地区生产总值增长了多少？")
    assert a.abstained and "5.2%" not in a.answer


def test_a_figure_of_another_indicator_does_not_answer(answerer: Answerer) -> None:
    # The 吉林 excerpt gives 一般公共预算收入 for 2025 but states no 2026 target for it: the 2026
    # targets sentence (GDP, retail, industry) must not stand in.
    a = answerer.ask("吉林省2026年一般公共预算收入预期增长多少？")
    assert a.abstained
    assert not answerer.ask("吉林省2025年一般公共预算收入增长了多少？").abstained


# --- 去年/今年/明年, results against targets, figures -------------------------------------------------


def test_last_year_is_the_year_before_the_named_places_report(answerer: Answerer) -> None:
    a = answerer.ask("吉林去年地区生产总值增长了多少？")  # the report of 2026-01-27: 去年 = 2025
    assert not a.abstained and "增长5%，" in a.answer and "5%左右" not in a.answer


def test_this_year_of_a_january_report_is_its_plan_year(answerer: Answerer) -> None:
    a = answerer.ask("吉林今年地区生产总值的预期目标是多少？")
    assert not a.abstained and "5%左右" in a.answer


def test_last_year_counted_from_the_report_the_question_names(answerer: Answerer) -> None:
    a = answerer.ask("海拉尔区2015年的政府工作报告说，去年地方财政总收入完成了多少？")
    assert not a.abstained and "24.9亿元" in a.answer
    assert {c.doc for c in a.citations} == {"hl2015"}


def test_what_was_achieved_is_not_answered_by_the_years_target(answerer: Answerer) -> None:
    # The 2015 report sets 2015's target (增长7%，达到14.6亿元); no report reviews 2015.
    a = answerer.ask("海拉尔区2015年公共财政预算收入完成了多少？")
    assert a.abstained and "完成情况" in a.answer and "14.6亿元" not in a.answer


def test_a_figure_question_is_not_answered_by_a_sentence_without_a_number(answerer: Answerer) -> None:
    a = answerer.ask("吉林去年粮食总产是多少？")
    assert a.abstained and "具体数字" in a.answer


def test_a_growth_rate_asked_as_增速_is_answered_by_the_sentence_saying_增长(answerer: Answerer) -> None:
    a = answerer.ask("吉林2025年经济增速是多少？")
    assert not a.abstained and "增长5%，" in a.answer


def test_a_summary_draft_of_a_year_quotes_that_years_review_not_its_target(answerer: Answerer) -> None:
    from assistant.generation.draft import Drafter

    drafter = Drafter(answerer.retriever, answerer.corpus)
    d = drafter.draft("起草一段海拉尔区2014年地区生产总值和财政收入情况的工作总结", length=120)
    assert not d.abstained and "24.9亿元" in d.answer  # the 2015 report's review of 2014
    assert "28.8亿元" not in d.answer and "282亿元" not in d.answer  # the 2014 report's targets for 2014
    assert {c.doc for c in d.citations} == {"hl2015"}
