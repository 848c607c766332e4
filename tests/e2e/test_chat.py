"""问答 in a real browser: a seed question gets a cited answer and the quoted span is highlighted."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.e2e.ui import LAST_ANSWER, ask

pytestmark = pytest.mark.e2e


def test_seed_question_cites_and_highlights_the_quote(page: Page, app_url: str) -> None:
    page.goto(app_url)
    chat_text = ask(page, "安民乡推出了几条红色旅游精品线路？")

    assert "[1]" in chat_text
    assert "6条红色旅游精品线路" in chat_text
    answer = page.locator(LAST_ANSWER).locator(".answer-box")
    assert "[1]" in answer.inner_text()
    assert answer.locator("sup.cite").count() >= 1

    marks = page.locator("#sources mark").all_inner_texts()
    assert any("推出6条红色旅游精品线路" in m for m in marks), marks
    first_card = page.locator("#sources .src-card").first
    assert first_card.locator(".src-head").inner_text().startswith("[1]")
    assert "推出6条红色旅游精品线路" in first_card.locator("mark").inner_text()
    assert "安民乡" in first_card.locator(".src-meta").inner_text()


def test_township_comparison_is_answered_from_the_ledger(page: Page, app_url: str) -> None:
    """各乡…分别: one cited line per township, each source card marking the sentence with its figure."""
    page.goto(app_url)
    chat_text = ask(page, "各乡2023年调解、化解矛盾纠纷分别有多少起？")
    for figure in ("432起", "57件", "71起"):
        assert figure in chat_text
    answer = page.locator(LAST_ANSWER).locator(".answer-box")
    assert answer.locator("sup.cite").count() >= 3
    marks = page.locator("#sources mark").all_inner_texts()
    for quote in ("成功化解各类矛盾纠纷432起", "全乡共调解各类矛盾纠纷57件", "成功调解各类矛盾纠纷71起"):
        assert any(quote in m for m in marks), marks
