"""指标台账 in a real browser (issue 15, item 5), on the seed store plus two consecutive 海拉尔区 reports
(2017 and 2018, from ../shared/corpora, ingested through the CLI into the app's own store copy) and a
small report whose figure sentence carries markup: filter the table and see the values as written,
download the filtered rows as .xlsx and read them back, click a row and land in 原文 at its passage
with the quote highlighted, the plan against achievement of 2017 marked 达成/未达成 (a click on a pair
opens the achieved figure's passage), the markup shown as text, and a line chart of one indicator
over the years."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page

from tests.conftest import CORPORA, run_cli
from tests.e2e.conftest import RunningApp, _launch_on_copy
from tests.e2e.ui import extra_screenshot, grid_headers, grid_rows, open_tab

pytestmark = pytest.mark.e2e

HAILAR = CORPORA / "hailar_district_gwr"
HOSTILE = (
    "测试镇2023年工作总结\n一、2023年工作总结\n"
    '全年新建<img src=x onerror="window.__pwned=1">山塘蓄水池29座<script>window.__pwned=1</script>。\n'
)


@pytest.fixture(scope="module")
def ledger_app(seeded: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    base = tmp_path_factory.mktemp("e2e-ledger")
    store = base / "built"
    shutil.copytree(seeded["store"], store)
    corpus = base / "more"
    corpus.mkdir()
    for year in (2017, 2018):
        (found,) = HAILAR.glob(f"{year}_*海拉尔区*.txt")
        shutil.copyfile(found, corpus / found.name)
    (corpus / "测试镇2023年工作总结.txt").write_text(HOSTILE, encoding="utf-8")
    done = run_cli(["ingest", str(corpus), "--json"], store)
    assert done.returncode == 0, done.stderr
    yield from _launch_on_copy({"store": store}, base)


def _search(page: Page, place: str = "", text: str = "") -> None:
    if place:
        page.locator("#lg-place input").fill(place)
        page.keyboard.press("Enter")
    page.fill("#lg-text textarea, #lg-text input", text)
    page.click("#lg-search")
    page.wait_for_function(
        "() => (document.querySelector('#lg-status') || {}).innerText?.includes('共')",
    )


def test_filter_export_and_open_a_row_in_the_document_view(page: Page, ledger_app: RunningApp, tmp_path: Path) -> None:
    page.goto(ledger_app.url)
    open_tab(page, "指标台账")
    _search(page, "安民乡", "讲解员")
    assert grid_headers(page, "#lg-table")[:6] == ["序号", "地区", "年份", "指标", "数值", "类型"]
    rows = grid_rows(page, "#lg-table")
    assert rows and all(r[1] == "安民乡" for r in rows), rows
    hit = next(r for r in rows if r[4] == "20余名")  # the value exactly as written
    assert "培养红色讲解员" in hit[9] and hit[5] == "实际"
    assert "共 " in page.inner_text("#lg-status")
    extra_screenshot(page, "ledger-table")

    page.click("#lg-export")
    link = page.locator("#lg-file a.download-link")
    link.wait_for()
    with page.expect_download() as info:
        link.click()
    saved = tmp_path / "ledger.xlsx"
    info.value.save_as(saved)
    sheet = load_workbook(saved).active
    assert sheet is not None
    table = list(sheet.iter_rows(values_only=True))
    assert table[0][:4] == ("地区", "年份", "指标", "数值")
    assert len(table) - 1 == len(rows), "the export holds what is filtered"
    assert any(r[3] == "20余名" and r[0] == "安民乡" for r in table[1:])

    page.locator("#lg-table [role='gridcell']").get_by_text("20余名", exact=True).click()
    focus = page.locator("#doc-view #doc-focus")
    focus.wait_for()
    assert page.get_by_role("tab", name="原文").get_attribute("aria-selected") == "true"
    marks = focus.locator("mark").all_inner_texts()
    assert any("20余名" in m and "培养红色讲解员" in m for m in marks), marks
    extra_screenshot(page, "ledger-open-row")


def test_plan_against_achievement_of_two_consecutive_reports(page: Page, ledger_app: RunningApp) -> None:
    page.goto(ledger_app.url)
    open_tab(page, "指标台账")
    page.locator("#lg-place input").fill("海拉尔区")
    page.keyboard.press("Enter")
    page.click("#lg-plan-btn")
    page.locator("#lg-plan [role='gridcell']").first.wait_for()
    rows = grid_rows(page, "#lg-plan")
    assert rows and all(r[0] == "海拉尔区" and r[1] == "2017" for r in rows), rows
    verdicts = {r[5] for r in rows}
    assert verdicts <= {"达成", "未达成", "不可比"} and {"达成", "未达成"} <= verdicts, rows
    jobs = next(r for r in rows if r[2] == "新增就业")
    assert (jobs[3], jobs[4], jobs[5]) == ("5700人", "6435人", "达成")
    assert "6435" in jobs[8] and "5700" in jobs[7], "both quotes"
    extra_screenshot(page, "ledger-plan")

    page.click("#lg-check-btn")  # no disagreement in these two reports: the table stays empty, no error
    page.wait_for_timeout(1500)
    assert grid_rows(page, "#lg-check") == [] and page.locator(".toast-body").count() == 0

    page.fill("#lg-chart-name textarea, #lg-chart-name input", "社会消费品零售总额")
    page.click("#lg-chart-btn")
    page.locator("#lg-chart-note").get_by_text("单位").wait_for()
    assert "亿元" in page.inner_text("#lg-chart-note")
    page.locator("#lg-line canvas, #lg-line svg").first.wait_for()
    extra_screenshot(page, "ledger-chart")

    # A click on a pair's 完成 opens the next year's report at the achieved figure.
    page.locator("#lg-plan [role='gridcell']").get_by_text("6435人", exact=True).click()
    focus = page.locator("#doc-view #doc-focus")
    focus.wait_for()
    assert "文档编号 2018_" in page.inner_text("#doc-view"), "the next year's report"
    marks = focus.locator("mark").all_inner_texts()
    assert any("6435" in m for m in marks), marks


def test_markup_in_a_figure_sentence_is_shown_as_text(page: Page, ledger_app: RunningApp) -> None:
    page.goto(ledger_app.url)
    open_tab(page, "指标台账")
    _search(page, "测试镇")
    rows = grid_rows(page, "#lg-table")
    hit = next(r for r in rows if r[4] == "29座")
    assert "<img src=x" in hit[9] and "<script>" in hit[9], hit
    page.wait_for_timeout(500)
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#lg-table img, #lg-table script").count() == 0
