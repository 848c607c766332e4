"""Ledger rows from real report sentences (seeds/ and ../shared/corpora, quoted as written): which
numbers are figures, their value, number, unit, qualifier, kind, year and indicator name."""

from __future__ import annotations

import pytest

from assistant.ledger.extract import Context, Row, extract

REVIEW_2015 = Context(doc="d", place="海拉尔区", part="2015年工作总结", part_kind="总结", part_years=(2015, 2015),
                      report_year=2016)  # fmt: skip
PLAN_2019 = Context(doc="d", place="海拉尔区", part="2019年工作计划", part_kind="计划", part_years=(2019, 2019),
                    report_year=2019)  # fmt: skip
SEED_2023 = Context(doc="s", place="X乡", part="2023年工作总结", part_kind="总结", part_years=(2023, 2023))
REVIEW_2025 = Context(doc="p", place="吉林省", part="2025年工作总结", part_kind="总结", part_years=(2025, 2025),
                      report_year=2026)  # fmt: skip


def rows(text: str, ctx: Context = SEED_2023) -> list[Row]:
    return extract(text, ctx)


def values(text: str, ctx: Context = SEED_2023) -> list[str]:
    return [r.value for r in rows(text, ctx)]


def test_amounts_with_wan_and_yi_are_normalised_and_keep_their_text() -> None:
    found = rows("2023年完成粮食种植面积3.76万亩，产量1.65万吨；生猪出栏0.74万头；2023年完成财税1200万元")
    assert [(r.value, r.number, r.unit) for r in found] == [
        ("3.76万亩", 37600.0, "亩"),
        ("1.65万吨", 16500.0, "吨"),
        ("0.74万头", 7400.0, "头"),
        ("1200万元", 12000000.0, "元"),
    ]
    assert found[0].indicator == "粮食种植面积"
    assert found[3].indicator == "财税"
    assert {r.kind for r in found} == {"actual"} and {r.year for r in found} == {2023}


def test_the_year_is_the_one_the_figure_is_about_and_a_comparison_base_is_not() -> None:
    text = (
        "地区生产总值由2010年的162.4亿元增加到2015年的287.9亿元，年均增长12.1%；"
        "2015年城镇常住居民人均可支配收入完成30788元，比2010年增加13480元，年均递增12.2%。"
    )
    found = rows(text, REVIEW_2015)
    assert [(r.value, r.year, r.kind) for r in found] == [
        ("162.4亿元", 2010, "actual"),
        ("287.9亿元", 2015, "actual"),
        ("12.1%", 2015, "change"),
        ("30788元", 2015, "actual"),
        ("13480元", 2015, "change"),
        ("12.2%", 2015, "change"),
    ]
    assert found[2].indicator == "地区生产总值年均增速" and found[2].direction == "up"
    assert found[5].indicator == "城镇常住居民人均可支配收入年均增速"


def test_a_review_without_a_year_is_about_its_part_and_a_rate_inherits_its_subject() -> None:
    found = rows("全年地区生产总值完成235.2亿元，同比增长18.5%；地方财政总收入完成20.67亿元，同比增长28.8%。",
                 REVIEW_2015)  # fmt: skip
    assert [(r.indicator, r.value, r.kind) for r in found] == [
        ("地区生产总值", "235.2亿元", "actual"),
        ("地区生产总值增速", "18.5%", "change"),
        ("地方财政总收入", "20.67亿元", "actual"),
        ("地方财政总收入增速", "28.8%", "change"),
    ]
    assert all(r.year == 2015 for r in found)


def test_plan_targets_with_qualifiers_and_a_shared_verb() -> None:
    text = "经济社会发展的主要预期目标是：地区生产总值增长3.5%左右。城乡常住居民人均可支配收入分别增长7%和8%左右。"
    found = rows(text, PLAN_2019)
    assert [(r.value, r.kind, r.qualifier, r.direction) for r in found] == [
        ("3.5%", "target", "左右", "up"),
        ("7%", "target", "", "up"),
        ("8%", "target", "左右", "up"),
    ]
    assert found[0].indicator == "地区生产总值增速"
    assert all(r.year == 2019 for r in found)


def test_calendar_years_dates_list_numbers_and_names_with_digits_are_not_figures() -> None:
    assert values("——2016年2月19日在海拉尔区第十四届人民代表大会第五次会议上") == []
    assert values("一是聚焦理论学习，提升政治忠诚力。") == []
    assert values("（三）抓发展强经济，走出产业致富新路子。") == []
    assert values("“十四五”规划实现良好开局") == []
    assert values("实施1+3+Ⅹ机制深化党建引领乡村治理工作") == []
    assert values("组建“1+2+N”（即1名村干部+2名评议员+N名志愿者）调解小组") == []
    assert values("沈白高铁、G331通车，5G基站建设提速") == []
    assert values("打造“365天不落幕的科技博览会”") == []
    assert values("严格落实每月安排不少于1次的集中学习要求") == ["1次"]


def test_placeholders_are_undisclosed_rows_without_a_number() -> None:
    found = rows(
        "累计发放特色种养业奖补XX户XX万元；发放小额贷款88笔共计XX万元；截至目前，累计接待游客XXX余万人次，创收近XXXX万元。"
    )
    assert [(r.value, r.undisclosed, r.number) for r in found] == [
        ("XX户", True, None),
        ("XX万元", True, None),
        ("88笔", False, 88.0),
        ("XX万元", True, None),
        ("XXX余万人次", True, None),
        ("XXXX万元", True, None),
    ]
    assert found[4].qualifier == "余" and found[5].qualifier == "近"
    assert values("成立XX乡委党校，XX县XX乡") == []


def test_chinese_numerals_full_width_ranges_and_approximations() -> None:
    assert [(r.value, r.number) for r in rows("新增造林三万亩，培训二十余名")] == [
        ("三万亩", 30000.0),
        ("二十余名", 20.0),
    ]
    assert rows("培训二十余名")[0].qualifier == "余"
    found = rows("社会消费品零售总额达到100.8亿元，同比增长20％")
    assert [(r.value, r.unit, r.number) for r in found] == [("100.8亿元", "元", 10080000000.0), ("20％", "%", 20.0)]
    ranged = rows("每亩补助3-5万元")[0]
    assert (ranged.value, ranged.number, ranged.high) == ("3-5万元", 30000.0, 50000.0)
    assert rows("非公经济增加值占地区生产总值的比重达到70%以上", PLAN_2019)[0].qualifier == "以上"
    assert rows("带动上下游千余家企业形成产业集群")[0].number == 1000.0
    assert rows("城镇登记失业率控制在4%以内", PLAN_2019)[0].qualifier == "以内"


def test_ranks_comparisons_and_multiples() -> None:
    found = rows("规上工业增加值增幅居全国第7位，社会消费品零售总额增幅高于全国0.2个百分点", REVIEW_2025)
    assert [(r.value, r.kind) for r in found] == [("第7位", "rank"), ("0.2个百分点", "other")]
    assert found[0].indicator == "规上工业增加值增幅排名"
    assert found[1].indicator == "社会消费品零售总额增幅"
    assert [(r.value, r.kind) for r in rows("总额突破8000亿元、排西部第二。", REVIEW_2025)][-1] == ("第二", "rank")
    multiple = rows("2015年旅游收入达到69亿元，是2010年的2.6倍", REVIEW_2015)
    assert [(r.value, r.kind, r.year, r.indicator) for r in multiple][1] == ("2.6倍", "other", 2015, "旅游收入")
    assert values("居第一方阵") == []


def test_lists_given_with_fenbie_are_named_item_by_item() -> None:
    found = rows("新能源汽车、集成电路、工业机器人产量分别增长49.8%、11.9%、36.4%。", REVIEW_2025)
    assert [r.indicator for r in found] == ["新能源汽车产量增速", "集成电路产量增速", "工业机器人产量增速"]


def test_the_noun_after_the_figure_names_what_an_action_counted() -> None:
    assert rows("试点组建4个重点产业链特聘专家团", REVIEW_2025)[0].indicator == "重点产业链特聘专家团"
    assert (
        rows("绍兴黄酒、金华火腿、西湖龙井茶3个历史经典产业入围国家培育名单", REVIEW_2025)[0].indicator
        == "历史经典产业"
    )


def test_a_plan_inside_a_review_is_a_target_but_a_programme_name_is_not() -> None:
    found = rows("深入推进城乡“厕所革命”，计划投入资金75万元，整治问题户厕200户。")
    assert [(r.value, r.kind) for r in found] == [("75万元", "target"), ("200户", "target")]
    assert rows("207人次享受雨露计划补贴XX万元。")[0].kind == "actual"


def test_last_year_is_read_against_the_report() -> None:
    opening = Context(doc="d", place="海拉尔区", part="", part_years=(2015, 2015), report_year=2016)
    assert rows("去年，全区地区生产总值完成287.9亿元", opening)[0].year == 2015
    assert rows("比上年增长8.9%", REVIEW_2015)[0].year == 2015


@pytest.mark.parametrize("text", ["", "。。。", "\n\n"])
def test_empty_text_has_no_rows(text: str) -> None:
    assert rows(text) == []


def test_rows_carry_their_quote_and_offsets() -> None:
    text = "稳定农业产业，保持稳中有进。2023年完成粮食种植面积3.76万亩，产量1.65万吨；"
    ctx = Context(doc="s", part="2023年工作总结", part_kind="总结", part_years=(2023, 2023), offset=100)
    row = extract(text, ctx)[0]
    assert row.quote == "2023年完成粮食种植面积3.76万亩，产量1.65万吨；"
    assert text[row.start - 100 : row.end - 100] == "3.76万亩"


def test_a_table_row_names_each_figure_by_its_row_label_and_column_header() -> None:
    """Word/Excel table rows (ingest.tables: ｜名称：值，名称：值) give 项目 + 列 names, values as written."""
    row = "｜项目名称：XX大道改造，投资：500万元，进度：完成80%"
    rows = extract(row, SEED_2023)
    assert [(r.indicator, r.value, r.year, r.kind) for r in rows] == [
        ("XX大道改造投资", "500万元", 2023, "actual"),
        ("XX大道改造进度", "80%", 2023, "actual"),
    ]
    assert all(r.quote == row for r in rows)
    # A bare number is a figure when its column header gives the unit: 资金（万元）：300 is 300万元.
    grouped = extract("｜类别：基础设施，资金（万元）·中央：300，面积（亩）：35，完成率（%）：80，序号：3", SEED_2023)
    assert [(r.indicator, r.value, r.number, r.unit) for r in grouped] == [
        ("基础设施资金（万元）·中央", "300", 3_000_000, "元"),
        ("基础设施面积（亩）", "35", 35, "亩"),
        ("基础设施完成率（%）", "80", 80, "%"),
    ]
