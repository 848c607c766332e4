"""The ledger table (a real SQLite file), plan against achievement, disagreements and exports."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import pytest
from openpyxl import load_workbook

from assistant.ledger.extract import Row
from assistant.ledger.plan import check, plan_vs_actual
from assistant.ledger.query import LedgerError, export, rows, series
from assistant.ledger.store import Ledger


def row(**kw: object) -> Row:
    base = dict(
        doc="2016",
        place="海拉尔区",
        year=2016,
        part="2016年工作计划",
        section="",
        kind="target",
        indicator="地区生产总值增速",
        value="7.5%",
        number=7.5,
        unit="%",
        direction="up",
        quote="q",
    )
    return Row(**{**base, **kw})  # type: ignore[arg-type]


def test_rows_are_written_replaced_filtered_and_deleted(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger.sqlite")
    ledger.write(
        "a", "sha-a", [row(doc="a", start=5), row(doc="a", indicator="地区生产总值", value="309亿元", start=9)]
    )
    ledger.write("b", "sha-b", [row(doc="b", place="吉林省", year=2025, kind="change")])
    assert ledger.count() == 3
    assert [r.value for r in rows(ledger, indicator="生产总值", place="海拉尔区")] == ["7.5%", "309亿元"]
    assert [r.doc for r in rows(ledger, kind="change")] == ["b"]
    assert rows(ledger, year=2025)[0].place == "吉林省"
    ledger.write("a", "sha-a2", [row(doc="a", value="8%", number=8.0)])
    assert [r.value for r in rows(ledger, doc="a")] == ["8%"]
    ledger.delete("a")
    assert ledger.stamps().keys() == {"b"} and ledger.count() == 1
    reopened = Ledger(tmp_path / "ledger.sqlite")
    assert reopened.rows()[0] == row(doc="b", place="吉林省", year=2025, kind="change")
    with pytest.raises(LedgerError):
        rows(ledger, kind="目标")


def test_plan_against_achievement() -> None:
    target = row()
    actual = row(doc="2017", part="2016年工作总结", kind="change", value="7.2%", number=7.2)
    about = row(doc="2018", part="2018年工作计划", year=2018, value="6%", number=6.0, qualifier="左右")
    reached = row(doc="2019", part="2018年工作总结", year=2018, kind="change", value="6.0%", number=6.0)
    jobless = row(indicator="城镇登记失业率", value="4%", number=4.0, qualifier="以内", direction="")
    jobless_actual = replace(jobless, doc="2017", part="2016年工作总结", kind="actual", value="3.9%", number=3.9)
    redefined = row(indicator="公共财政预算收入增速", value="5%", number=5.0)
    redefined_actual = replace(redefined, doc="2017", part="2016年工作总结", kind="change", value="13%", number=13.0,
                               indicator="一般公共财政预算收入增速", quote="按可比口径增长13%")  # fmt: skip
    pairs = plan_vs_actual([target, actual, about, reached, jobless, jobless_actual, redefined, redefined_actual])
    met = {(p["indicator"], p["year"]): (p["met"], p["reason"]) for p in pairs}
    assert met[("地区生产总值增速", 2016)] == (False, "")
    assert met[("地区生产总值增速", 2018)] == (True, "")  # 6%左右 against 6.0%
    assert met[("城镇登记失业率", 2016)] == (True, "")
    assert met[("公共财政预算收入增速", 2016)][0] is None
    assert all(p["target"]["doc"] != p["actual"]["doc"] for p in pairs)


def test_check_finds_different_values_and_a_contradicted_rate() -> None:
    a = row(doc="2016", part="2015年工作总结", year=2015, kind="actual", indicator="旅游收入", value="69亿元",
            number=6.9e9, unit="元")  # fmt: skip
    b = replace(a, doc="2017", value="68亿元", number=6.8e9)
    before = replace(a, doc="2015", year=2014, value="56.4亿元", number=5.64e9)
    rate = replace(a, kind="change", indicator="旅游收入增速", value="40%", number=40.0, unit="%")
    issues = check([a, b, before, rate])
    kinds = sorted(i["type"] for i in issues)
    assert kinds == ["different_values", "rate_contradiction"]
    assert all(len(i["rows"]) >= 2 and all(r["quote"] for r in i["rows"]) for i in issues)
    assert check([a, replace(b, value="69.0亿元", number=6.9e9)]) == []


def test_exports_read_back(tmp_path: Path) -> None:
    found = [row(), row(value="XX万元", number=None, unit="元", undisclosed=True)]
    export(found, tmp_path / "t.xlsx")
    sheet = load_workbook(tmp_path / "t.xlsx").active
    assert sheet is not None
    table = list(sheet.iter_rows(values_only=True))
    assert table[0][:4] == ("地区", "年份", "指标", "数值") and table[1][3] == "7.5%" and table[2][9] == "是"
    export(found, tmp_path / "t.csv")
    assert (tmp_path / "t.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    with (tmp_path / "t.csv").open(encoding="utf-8-sig") as fh:
        assert list(csv.reader(fh))[1][2] == "地区生产总值增速"
    with pytest.raises(LedgerError):
        export(found, tmp_path / "t.json")


def test_series_gives_an_indicator_by_year(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "l.sqlite")
    ledger.write("x", "s", [row(kind="change", year=2015), row(kind="change", year=2016), row(year=2017)])
    assert list(series(ledger, "地区生产总值增速", "海拉尔区")) == [2015, 2016]


def test_a_five_year_total_is_no_year_amount_for_the_rate_check() -> None:
    total = row(doc="2016", part="2011-2015年工作总结", year=2015, kind="actual", indicator="规模以上工业总产值",
                value="745亿元", number=7.45e10, unit="元", quote="五年累计完成规模以上工业总产值745亿元")  # fmt: skip
    before = replace(total, doc="2015", year=2014, value="166.7亿元", number=1.667e10, quote="完成166.7亿元")
    rate = replace(total, kind="change", indicator="规模以上工业总产值增速", value="12.9%", number=12.9, unit="%",
                   quote="同比增长12.9%")  # fmt: skip
    assert check([total, before, rate]) == []
    yearly = replace(total, quote="规模以上工业总产值完成745亿元")
    assert [i["type"] for i in check([yearly, before, rate])] == ["rate_contradiction"]


def test_json_rows_are_the_rows_json_form_and_an_older_ledger_is_rebuilt(tmp_path: Path) -> None:
    import json
    import sqlite3

    ledger = Ledger(tmp_path / "ledger.sqlite")
    written = [
        row(doc="a", start=5, quote="全年完成“两个确保”，增长7.5%"),
        row(doc="a", value="XX亿元", undisclosed=True),
    ]
    ledger.write("a", "sha-a", written)
    assert (
        [json.loads(b) for b in ledger.json_rows()]
        == [r.to_json() for r in ledger.rows()]
        == [r.to_json() for r in sorted(written, key=lambda r: r.start)]
    )
    assert [json.loads(b)["value"] for b in ledger.json_rows(indicator="增速")] == ["XX亿元", "7.5%"]
    ledger.close()
    old = tmp_path / "old.sqlite"  # a ledger of the first schema: no JSON column, no schema stamp
    db = sqlite3.connect(old)
    db.executescript('CREATE TABLE rows (id INTEGER PRIMARY KEY, "doc"); CREATE TABLE docs (doc, sha256, version);')
    db.execute("INSERT INTO docs VALUES ('a', 'sha-a', '3')")
    db.commit()
    db.close()
    rebuilt = Ledger(old)
    assert rebuilt.stamps() == {} and rebuilt.count() == 0  # sync() then rebuilds every document
    rebuilt.write("a", "sha-a", written)
    assert len(rebuilt.json_rows()) == 2
