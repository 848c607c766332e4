"""指标台账's tables without a server: rows as written with Chinese kinds, plan pairs marked 达成/未达成/
不可比, disagreements with both quotes, chart frames in one unit (亿/万 for large amounts), filters
from the dropdowns, the export of what is filtered and the row a click names. The ledger is a real
SQLite file; only the catalog around it is a stand-in."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook

from assistant.errors import AssistantError
from assistant.ledger.extract import Row
from assistant.ledger.plan import check, plan_vs_actual
from assistant.ledger.store import Ledger
from assistant.ui.ledger_tab import (
    CHART_MODES,
    LedgerView,
    _picked,
    chart_frame,
    check_table,
    plan_table,
    row_table,
)

QUOTE_T = "全年新增就业5700人，城镇登记失业率控制在4%以内。"
QUOTE_A = "城镇新增就业6435人，城镇登记失业率3.9%。"


def row(**kw: object) -> Row:
    base = dict(
        doc="2017",
        place="海拉尔区",
        year=2017,
        part="2017年工作计划",
        section="",
        kind="target",
        indicator="新增就业",
        value="5700人",
        number=5700.0,
        unit="人",
        quote=QUOTE_T,
        chunk_id="c1",
    )
    return Row(**{**base, **kw})  # type: ignore[arg-type]


TARGET = row()
ACTUAL = row(doc="2018", part="2017年工作总结", kind="actual", value="6435人", number=6435.0, quote=QUOTE_A)
RATE_T = row(indicator="城镇登记失业率", value="4%", number=4.0, unit="%", qualifier="以内", start=20)
RATE_A = replace(RATE_T, doc="2018", part="2017年工作总结", kind="actual", value="3.9%", number=3.9, qualifier="")
ABOUT = row(indicator="地区生产总值增速", value="6%", number=6.0, unit="%", qualifier="左右", start=40)
ABOUT_A = replace(ABOUT, doc="2018", part="2017年工作总结", kind="change", value="5.8%", number=5.8, qualifier="")


def test_row_table_shows_values_as_written_and_kinds_in_chinese() -> None:
    hidden = row(value="XX万元", number=None, unit="元", undisclosed=True, kind="change", direction="up")
    table = row_table([ACTUAL, hidden, row(value="20余名", qualifier="余", place="", year=0)])
    assert table[0][:6] == [1, "海拉尔区", 2017, "新增就业", "6435人", "实际"] and table[0][9] == QUOTE_A
    assert table[1][4:6] == ["XX万元（未公开）", "变化↑"]
    assert table[2][1:3] == ["—", "—"] and table[2][4] == "20余名"


def test_plan_table_marks_met_unmet_and_not_comparable() -> None:
    redefined = row(indicator="公共财政预算收入增速", value="5%", number=5.0, unit="%", start=60)
    redefined_a = replace(redefined, doc="2018", part="2017年工作总结", kind="change", value="13%", number=13.0,
                          indicator="一般公共财政预算收入增速", quote="按可比口径增长13%")  # fmt: skip
    pairs = plan_vs_actual([TARGET, ACTUAL, RATE_T, RATE_A, ABOUT, ABOUT_A, redefined, redefined_a])
    table = {r[2]: r for r in plan_table(pairs)}
    assert table["新增就业"][3:6] == ["5700人", "6435人", "达成"]
    assert table["新增就业"][7:] == [QUOTE_T, QUOTE_A]
    assert table["城镇登记失业率"][3:6] == ["4%以内", "3.9%", "达成"]
    assert table["地区生产总值增速"][3:6] == ["6%左右", "5.8%", "达成"]  # within 0.5 points of 6%左右
    not_comparable = table["公共财政预算收入增速"]
    assert not_comparable[5] == "不可比" and not_comparable[6], not_comparable
    short = replace(ACTUAL, value="5100人", number=5100.0)
    assert plan_table(plan_vs_actual([TARGET, short]))[0][5] == "未达成"


def test_check_table_gives_both_quotes() -> None:
    a = row(kind="actual", part="2017年工作总结", indicator="旅游收入", value="69亿元", number=6.9e9, unit="元",
            quote="实现旅游收入69亿元。")  # fmt: skip
    b = replace(a, doc="2019", value="68亿元", number=6.8e9, quote="旅游收入68亿元。")
    (line,) = check_table(check([a, b]))
    assert line[:3] == ["海拉尔区", 2017, "旅游收入"] and line[3].startswith("数值不一致：")
    assert line[4] == "2017：实现旅游收入69亿元。" and line[5] == "2019：旅游收入68亿元。"


def test_chart_frame_keeps_one_unit_and_scales_large_amounts() -> None:
    by_year = {
        2016: [row(kind="actual", value="149.4亿元", number=1.494e10, unit="元")],
        2017: [
            row(kind="change", value="6.9%", number=6.9, unit="%"),
            row(value="159.5亿元", number=1.595e10, unit="元"),
        ],
        2018: [row(value="XX亿元", number=None, unit="元", undisclosed=True)],
    }
    frame, unit = chart_frame(by_year, "年份")
    assert unit == "亿元" and list(frame["年份"]) == ["2016", "2017"]
    assert list(frame["数值"]) == pytest.approx([149.4, 159.5])
    frame, unit = chart_frame({"甲镇": [row(value="3.5%", number=3.5, unit="%")]}, "地区")
    assert unit == "%" and list(frame["数值"]) == [3.5]
    assert chart_frame({}, "地区")[1] == ""


@pytest.fixture
def view(tmp_path: Path) -> LedgerView:
    ledger = Ledger(tmp_path / "ledger.sqlite")
    ledger.write("2017", "s1", [TARGET, RATE_T])
    ledger.write("2018", "s2", [ACTUAL, RATE_A, row(doc="2018", place="甲镇", kind="actual", start=9)])
    options = {"township": ["海拉尔区", "甲镇"], "year": ["2016", "2017"]}
    catalog = SimpleNamespace(ledger=lambda: ledger, filter_options=lambda: options)
    return LedgerView(catalog, tmp_path / "exports")  # type: ignore[arg-type]


def test_view_filters_exports_pairs_and_charts(view: LedgerView) -> None:
    places, years = view.options()
    assert places == ["全部", "海拉尔区", "甲镇"] and years == ["全部", "2016", "2017"]
    assert [r.value for r in view.rows("海拉尔区", "2017", "实际", "就业")] == ["6435人"]
    assert len(view.rows("全部", "全部", "全部", "")) == 5
    with pytest.raises(AssistantError):
        view.rows("全部", "去年", "全部", "")
    found = view.rows("全部", "全部", "目标", "")
    sheet = load_workbook(view.export(found)).active
    assert sheet is not None and [r[3] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["5700人", "4%"]
    assert {p["indicator"] for p in view.pairs("海拉尔区")} == {"新增就业", "城镇登记失业率"}
    frame, unit = view.chart("新增就业", CHART_MODES[1], "全部", "2017")
    assert list(frame["地区"]) == ["海拉尔区", "甲镇"] and unit == "人"
    with pytest.raises(AssistantError, match="地区"):
        view.chart("新增就业", CHART_MODES[0], "全部", "全部")


def test_a_click_names_its_row_by_number_even_when_sorted() -> None:
    found = [{"value": "a"}, {"value": "b"}, {"value": "c"}]
    assert _picked(found, SimpleNamespace(index=[0, 4], row_value=[3, "x"])) == {"value": "c"}  # type: ignore[arg-type]
    assert _picked(found, SimpleNamespace(index=[1, 4], row_value=None)) == {"value": "b"}  # type: ignore[arg-type]
    assert _picked(found, SimpleNamespace(index=[0, 0], row_value=[9])) is None  # type: ignore[arg-type]
