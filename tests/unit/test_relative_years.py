"""去年/今年/明年 against the reports: counted from when a report was written, else from its reader's year."""

from __future__ import annotations

from assistant.generation.corpus import Corpus, written_in
from assistant.generation.extractive import is_target
from assistant.text import has_figure
from assistant.types import DocRecord, Passage
from tests.unit.llm_fakes import NoLexical


def record(doc: str, years: tuple[int, ...], date: str = "") -> DocRecord:
    return DocRecord(doc, doc, "X乡", years, "总结", "", "", 1, date=date)


def corpus(*records: DocRecord) -> Corpus:
    return Corpus(NoLexical(), {r.doc_id: r.township for r in records}, records=lambda: {r.doc_id: r for r in records})


def test_a_january_government_report_speaks_from_its_own_year() -> None:
    c = corpus(record("gwr2026", (2025, 2026), "2026-01-27"))
    assert written_in(record("gwr2026", (2025, 2026), "2026-01-27")) == 2026
    assert (c.relative_year(-1, []), c.relative_year(0, []), c.relative_year(1, [])) == (2025, 2026, None)


def test_an_undated_year_end_summary_and_plan_speaks_from_its_summary_year() -> None:
    # 2023年工作总结及2024年工作计划: 今年 2023, 明年 2024; 去年 (2022) it does not hold, so a reader's
    # 去年 is counted from the plan year: 2023.
    c = corpus(record("x", (2023, 2024)))
    assert (c.relative_year(0, []), c.relative_year(1, []), c.relative_year(-1, [])) == (2023, 2024, 2023)
    assert c.relative_year(-2, []) is None


def test_the_latest_report_in_scope_is_the_anchor() -> None:
    c = corpus(record("hl2018", (2017, 2018), "2018-03-07"), record("hl2019", (2018, 2019), "2019-03-04"))
    assert c.relative_year(-1, []) == 2018
    assert c.relative_year(-1, ["hl2018"]) == 2017


def passage(part_kind: str) -> Passage:
    return Passage("c", "d", "s", "t", 0.0, 1, {"part_kind": part_kind})


def test_a_target_is_a_plan_parts_figure_or_a_stated_target_outside_a_review() -> None:
    assert is_target("一般公共预算收入增长6%；", passage("计划"))
    assert not is_target("全区地区生产总值增长5.1%，增速高于预期目标、高于上年同期、高于全国。", passage("总结"))
    assert is_target("今年经济社会发展主要预期目标是：地区生产总值增长6%左右。", passage(""))
    assert not is_target("旅游收入完成56.4亿元。", passage("总结"))


def test_a_figure_is_a_digit_or_a_chinese_numeral_amount() -> None:
    assert has_figure("粮食产量1350.97亿斤")
    assert has_figure("建成三个示范村")
    assert has_figure("新增就业两万人")
    assert not has_figure("克服春旱秋涝等不利影响，粮食总产、单产再创新高。")
