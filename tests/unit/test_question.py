"""Question analysis: content terms without question words, townships and years named, the question's shape."""

from __future__ import annotations

import re

from assistant.generation.question import Question, analyse
from assistant.text import QUESTION_WORDS

_PLACEHOLDER = re.compile(r"^[xX×]+$")


def _assert_clean_terms(q: Question) -> None:
    assert q.terms, q
    for t in q.terms:
        assert t not in QUESTION_WORDS, t
        assert not _PLACEHOLDER.match(t), t
        for name in q.townships:
            assert name not in t, (name, t)


def test_analyse_list_question_about_one_township() -> None:
    q = analyse("安民乡2023年推出了哪些特色品牌？", {"安民乡", "X乡"})
    _assert_clean_terms(q)
    assert q.townships == ("安民乡",)
    assert q.years == (2023,)
    assert q.is_list
    assert not q.is_compare
    assert not q.wants_figure
    assert not any("安民" in t for t in q.terms)
    assert "哪些" not in q.terms
    assert any("品牌" in t for t in q.terms)
    assert any("特色" in t for t in q.terms)


def test_analyse_compare_question_over_every_township() -> None:
    q = analyse("各乡2023年调解、化解矛盾纠纷分别有多少起？", {"安民乡", "X乡"})
    _assert_clean_terms(q)
    assert q.wants_figure
    assert q.is_compare
    assert q.years == (2023,)
    assert q.townships == ()
    assert "调解" in q.terms
    assert any("纠纷" in t for t in q.terms)
    for word in ("分别", "多少", "有"):
        assert word not in q.terms


def test_analyse_drops_each_township_word() -> None:
    # 各乡 says "each township" (how to answer), not what about; no report sentence contains it.
    q = analyse("各乡2023年调解、化解矛盾纠纷分别有多少起？", {"安民乡", "X乡"})
    assert "各乡" not in q.terms


def test_analyse_paired_compare_naming_one_township() -> None:
    q = analyse("安民乡和述职报告里的乡都搞了耕地流出整改，各整改了多少？", {"安民乡", "X乡"})
    _assert_clean_terms(q)
    assert q.townships == ("安民乡",)
    assert q.is_compare
    assert q.wants_figure
    assert not q.is_list
    assert q.years == ()
    assert "整改" in q.terms
    assert any("耕地" in t for t in q.terms)
    for word in ("搞", "各", "多少", "报告里"):
        assert word not in q.terms


def test_analyse_excludes_placeholder_township_letters() -> None:
    q = analyse("截至2023年11月，XX县XX乡10个村的集体经济收入一共多少？")
    _assert_clean_terms(q)
    assert "XX乡" in q.townships
    assert q.wants_figure
    assert q.years == (2023,)
    assert not any(t in ("x", "xx", "XX") for t in q.terms)
    assert any("集体经济" in t for t in q.terms)

    q = analyse("X乡2023年完成了多少财税收入？")
    _assert_clean_terms(q)
    assert q.townships == ("X乡",)
    assert "x" not in q.terms
    assert "财税" in q.terms
    assert q.wants_figure and not q.is_compare and not q.is_list


def test_analyse_years_are_sorted_and_unique() -> None:
    q = analyse("安民乡2024年和2023年的项目，2023年完成了几个？")
    assert q.years == (2023, 2024)


def test_two_known_townships_make_a_comparison() -> None:
    text = "安民乡和X乡2023年完成了多少财税？"
    assert analyse(text, {"安民乡", "X乡"}).is_compare
    # Neither is a known report township: no comparison cue left.
    assert not analyse(text, set()).is_compare


def test_plain_fact_question_is_neither_list_nor_compare() -> None:
    q = analyse("西茶谷所在的乡2023年干茶总产量有多少？")
    assert q.wants_figure
    assert not q.is_list
    assert not q.is_compare


# --- relative years, growth words, results ---------------------------------------------------------


def test_relative_years_are_read_in_order_once_each() -> None:
    from assistant.generation.question import relative_offsets

    assert relative_offsets("去年和今年的粮食产量，去年多少") == (-1, 0)
    assert relative_offsets("明年面冲村要投多少钱") == (1,)
    assert relative_offsets("2023年的财税收入") == ()


def test_growth_asked_as_增速_or_增幅_is_a_term_增长_and_comparison_words_are_not_terms() -> None:
    q = analyse("江苏和浙江去年GDP增速谁高？", ["江苏省", "浙江省"])
    assert "增长" in q.terms and "增速" not in q.terms and "高" not in q.terms and "谁高" not in q.terms
    assert "生产总值" in q.terms


def test_a_question_about_what_was_achieved_is_told_from_one_about_a_target() -> None:
    assert analyse("海拉尔2018年一般公共预算收入完成了多少？").wants_result
    assert not analyse("海拉尔2018年一般公共预算收入的预期目标是多少？").wants_result
    assert not analyse("海拉尔2018年一般公共预算收入是多少？").wants_result
