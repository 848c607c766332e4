"""`assistant ledger` end to end: two real 海拉尔区 reports (../shared/corpora) and a seed ingested
into a real Chroma store through the CLI; rows, the .xlsx export read back, plan-vs-actual, check,
a ledger rebuilt for a store that has none, and a removed report's rows gone."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.conftest import CORPORA, SEEDS, run_cli

pytestmark = pytest.mark.integration

HAILAR = CORPORA / "hailar_district_gwr"
R2016 = "2016_内蒙古自治区_呼伦贝尔市_海拉尔区_政府工作报告"
R2017 = "2017_内蒙古自治区_呼伦贝尔市_海拉尔区_政府工作报告"


@pytest.fixture(scope="module")
def ledger_store(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("ledger")
    corpus = base / "reports"
    corpus.mkdir()
    for name in (R2016, R2017):
        shutil.copy(HAILAR / f"{name}.txt", corpus / f"{name}.txt")
    shutil.copy(SEEDS / "000_5083355e1d56cec0.txt", corpus / "000_5083355e1d56cec0.txt")
    store = base / "store"
    out = run_cli(["ingest", str(corpus), "--json"], store)
    assert out.returncode == 0, out.stderr
    return {"store": store, "corpus": corpus}


def ledger_json(store: Path, *args: str) -> dict[str, Any]:
    out = run_cli(["ledger", *args], store)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_rows_of_every_report_with_their_keys(ledger_store: dict[str, Any]) -> None:
    rows = ledger_json(ledger_store["store"], "--json")["rows"]
    assert {r["doc"] for r in rows} == {R2016, R2017, "000_5083355e1d56cec0"}
    keys = {"doc", "place", "year", "part", "section", "kind", "direction", "indicator", "value", "number", "unit",
            "qualifier", "quote", "undisclosed"}  # fmt: skip
    assert all(keys <= set(r) for r in rows)
    gdp = [r for r in rows if r["doc"] == R2017 and r["value"] == "303.6亿元"]
    assert gdp and gdp[0]["year"] == 2016 and gdp[0]["kind"] == "actual" and gdp[0]["indicator"] == "地区生产总值"
    assert gdp[0]["value"] in gdp[0]["quote"] and gdp[0]["number"] == 30360000000.0
    hidden = [r for r in rows if r["undisclosed"]]
    assert hidden and all(r["number"] is None and r["value"].startswith("XX") for r in hidden)
    assert all(r["value"] in r["quote"] for r in rows)


def test_filters(ledger_store: dict[str, Any]) -> None:
    store = ledger_store["store"]
    targets = ledger_json(store, "--place", "海拉尔区", "--year", "2017", "--kind", "target", "--json")["rows"]
    assert targets and all(r["kind"] == "target" and r["year"] == 2017 for r in targets)
    assert any(r["doc"] == R2017 and r["value"] == "326.4亿元" for r in targets)
    named = ledger_json(store, "--indicator", "地区生产总值", "--doc", R2016, "--json")["rows"]
    assert named and all("地区生产总值" in r["indicator"] and r["doc"] == R2016 for r in named)
    bad = run_cli(["ledger", "--kind", "目标"], store)
    assert bad.returncode == 2 and "未知类型" in bad.stderr and "Traceback" not in bad.stderr


def test_xlsx_export_reads_back(ledger_store: dict[str, Any], tmp_path: Path) -> None:
    out = run_cli(["ledger", "--doc", R2017, "--out", str(tmp_path / "台账.xlsx")], ledger_store["store"])
    assert out.returncode == 0, out.stderr
    table = list(load_workbook(tmp_path / "台账.xlsx").active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert table[0][:4] == ("地区", "年份", "指标", "数值")
    assert ("海拉尔区", 2016, "地区生产总值", "303.6亿元") in [t[:4] for t in table[1:]]


def test_plan_vs_actual_pairs_the_2016_targets_with_the_2017_review(ledger_store: dict[str, Any]) -> None:
    pairs = ledger_json(ledger_store["store"], "plan-vs-actual", "--place", "海拉尔区", "--json")["pairs"]
    by = {(p["indicator"], p["target"]["value"]): p for p in pairs}
    growth = by[("地区生产总值增速", "7.5%")]
    assert growth["year"] == 2016 and growth["actual"]["value"] == "7.2%" and growth["met"] is False
    assert growth["target"]["doc"] == R2016 and growth["actual"]["doc"] == R2017
    assert by[("社会消费品零售总额增速", "9%")]["met"] is True
    assert by[("公共财政预算收入", "15.8亿元")]["met"] is None  # 一般公共…按可比口径: not comparable


def test_check_runs_and_quotes_both_places(ledger_store: dict[str, Any]) -> None:
    issues = ledger_json(ledger_store["store"], "check", "--json")["issues"]
    assert isinstance(issues, list)
    assert all(len(i["rows"]) >= 2 and all(r["quote"] for r in i["rows"]) for i in issues)


def test_a_missing_ledger_is_rebuilt_and_a_removed_report_takes_its_rows(
    ledger_store: dict[str, Any], tmp_path: Path
) -> None:
    store = tmp_path / "store"
    shutil.copytree(ledger_store["store"], store)
    before = ledger_json(store, "--json")["rows"]
    (store / "ledger.sqlite").unlink()
    assert ledger_json(store, "--json")["rows"] == before
    out = run_cli(["remove", R2017], store)
    assert out.returncode == 0, out.stderr
    after = ledger_json(store, "--json")["rows"]
    assert {r["doc"] for r in after} == {R2016, "000_5083355e1d56cec0"}
    assert len(after) == len([r for r in before if r["doc"] != R2017])


def test_ask_compares_years_from_the_ledger(ledger_store: dict[str, Any]) -> None:
    """2015 is reviewed in the 2016 report, 2016 in the 2017 one: each figure from its own report."""
    out = run_cli(
        ["ask", "海拉尔区2015年和2016年地区生产总值分别是多少？", "--json", "--writer", "extractive"],
        ledger_store["store"],
    )
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    lines = answer["answer"].splitlines()
    assert lines[0].startswith("2015年：") and "287.9亿元" in lines[0]
    assert lines[1].startswith("2016年：") and "303.6亿元" in lines[1]
    docs = [c["doc"] for c in answer["citations"]]
    assert docs == [R2016, R2017] and not answer["unsupported_numbers"]
