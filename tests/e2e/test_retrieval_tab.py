"""检索测试 in a real browser: the hybrid ranking with its dense and BM25 scores and section paths."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page

from tests.e2e.ui import grid_headers, grid_rows, open_tab

pytestmark = pytest.mark.e2e


def _number(cell: str) -> float:
    return float(cell)  # raises if the cell is not numeric


def test_retrieval_test_shows_scores(page: Page, app_url: str) -> None:
    page.goto(app_url)
    open_tab(page, "检索测试")
    page.fill("#rt-query textarea", "耕地流出图斑整治")
    page.click("#rt-btn")
    page.locator('#rt-table [data-testid="cell-0-1"]').filter(has_text="总结").wait_for()

    headers = grid_headers(page, "#rt-table")
    for name in ("名次", "文档", "章节", "向量分", "BM25分"):
        assert name in headers, headers
    col = {h: i for i, h in enumerate(headers)}
    rows = grid_rows(page, "#rt-table")
    assert len(rows) >= 3, rows

    first = rows[0]
    assert first[col["名次"]] == "1"
    assert first[col["文档"]] == "2023年乡镇领导班子工作情况总结（述职）", "the report by its title, not its id"
    assert first[col["章节"]].startswith("一、履职情况")
    assert 0 < _number(first[col["向量分"]]) <= 1
    assert _number(first[col["BM25分"]]) > 0
    for row in rows:
        for name in ("向量分", "BM25分"):  # a passage found by only one retriever shows — for the other
            cell = row[col[name]]
            assert cell == "—" or _number(cell) >= 0, row
    assert not any(re.fullmatch(r"\d{3}_[0-9a-f]{16}", r[col["文档"]]) for r in rows), rows
    assert page.get_by_text("BM25 关键词").count() == 1, "the modes are named in Chinese"
    assert sum(1 for r in rows if r[col["向量分"]] != "—" and r[col["BM25分"]] != "—") >= 3
