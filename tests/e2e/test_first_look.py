"""A first look at the app in a real browser whose language is English (en-US): every tab in Chinese,
Gradio's own labels included; an answer shown once, led by the report it quotes; sources headed by the
report title; a click on `[n]` opens the report at the cited passage with the quote highlighted, beside
its section tree. Screenshots of every tab go to test-artifacts/screenshots/first_look-*.png."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.conftest import RunningApp
from tests.e2e.ui import LAST_ANSWER, ask, extra_screenshot, open_tab, upload

pytestmark = pytest.mark.e2e

TABS = ["问答", "起草", "知识库", "原文", "检索测试", "指标台账", "反馈"]
GRADIO_ENGLISH = ["Drop File Here", "Click to Upload", "Examples", "Use via API", "Built with Gradio", "Loading"]
QUESTION = "安民乡推出了几条红色旅游精品线路？"
QUOTE = "推出6条红色旅游精品线路"
TITLE = "安民乡2023年工作总结和2024年工作思路要点"


@pytest.fixture
def en_page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A browser whose language is en-US (navigator.language and Accept-Language)."""
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000}, locale="en-US", permissions=["clipboard-read", "clipboard-write"]
    )
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    try:
        yield pg
    finally:
        try:
            extra_screenshot(pg, request.node.name)
        finally:
            context.close()


def test_every_tab_is_chinese_in_an_english_browser(en_page: Page, app_url: str) -> None:
    page = en_page
    page.goto(app_url)
    assert page.evaluate("navigator.language") == "en-US"
    seen = []
    for tab in TABS:
        open_tab(page, tab)
        page.wait_for_timeout(500)
        extra_screenshot(page, f"first_look-{tab}")
        text = page.inner_text("body")
        seen += [f"{tab}: {w}" for w in GRADIO_ENGLISH if w in text]
    assert seen == [], "Gradio's own labels stayed English"
    open_tab(page, "知识库")
    uploads = page.inner_text("#uploads")
    assert "将文件拖放到此处" in uploads and "点击上传" in uploads
    open_tab(page, "问答")
    assert "示例问题" in page.inner_text("body") and "通过 API 使用" in page.inner_text("footer")


def test_the_answer_is_shown_once_led_by_its_report_and_sources_are_headed_by_title(page: Page, app_url: str) -> None:
    page.goto(app_url)
    chat_text = ask(page, QUESTION)
    answer = page.locator(LAST_ANSWER).locator(".answer-box").inner_text()
    assert answer.startswith("据安民乡2023年工作总结：" + QUOTE), answer
    assert chat_text.startswith("作答：原文摘录")
    assert page.locator("#answer-box").count() == 0, "no second answer panel under the chat"
    outside_sources = page.evaluate(
        """() => { const s = document.querySelector('#sources'); const all = document.body.innerText;
                   return all.replace(s ? s.innerText : '', ''); }"""
    )
    assert outside_sources.count("据安民乡2023年工作总结") == 1, "the answer text appears once on the page"

    head = page.locator("#sources .src-card .src-head").first
    assert head.inner_text().startswith(f"[1] {TITLE}")
    assert head.locator(".doc-id").inner_text() == "002_501c0fb6689f0a4e", "the id stays, in small print"
    meta = page.locator("#sources .src-card .src-meta").first.inner_text()
    assert meta.startswith("安民乡 · 2023–2024年"), meta


def test_a_click_on_a_citation_opens_the_report_at_the_passage_with_the_quote_highlighted(
    page: Page, app_url: str
) -> None:
    page.goto(app_url)
    ask(page, QUESTION)
    ask(page, "X乡2023年完成了多少财税收入？")  # the first answer's [1] must still open its own report
    page.locator(LAST_ANSWER).locator("sup.cite").first.wait_for()
    page.locator('#chatbot [data-testid="bot"]').first.locator("sup.cite").first.click()
    focus = page.locator("#doc-view #doc-focus")
    focus.wait_for()
    assert page.get_by_role("tab", name="原文").get_attribute("aria-selected") == "true"
    assert page.locator("#doc-view h3").inner_text() == TITLE
    marks = focus.locator("mark").all_inner_texts()
    assert any(QUOTE in m for m in marks), marks
    page.wait_for_timeout(500)
    assert focus.evaluate(
        "el => { const r = el.getBoundingClientRect(); return r.top < window.innerHeight && r.bottom > 0; }"
    ), "the passage is scrolled into view"
    tree = page.inner_text("#doc-view .doc-tree")
    for heading in ("一、2023年工作总结", "(一)锚定产业发展不动摇,擦亮焕新安民品牌", "二、2024年工作思路要点"):
        assert heading in tree, tree
    assert tree.index("一、2023年工作总结") < tree.index("二、2024年工作思路要点")
    extra_screenshot(page, "first_look-citation-opens-document")


def test_the_document_view_shows_table_rows_as_a_table(page: Page, scratch_app: RunningApp, tmp_path: Path) -> None:
    import docx  # python-docx: a real Word table, read by the loaders into row lines

    source = tmp_path / "云岭镇2023年工作总结.docx"
    document = docx.Document()
    for line in ("云岭镇2023年工作总结", "一、2023年工作总结", "（一）重点项目"):
        document.add_paragraph(line)
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate(
        [("项目名称", "投资", "进度"), ("云岭茶园提升", "386万元", "完工"), ("云岭便民桥", "142万元", "在建")]
    ):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_paragraph("全年重点项目完成投资528万元。")
    document.save(str(source))
    page.goto(scratch_app.url)
    assert "新增 1" in upload(page, [source])
    open_tab(page, "原文")
    page.locator("#doc-view-pick input").click()
    page.get_by_role("option", name="云岭镇2023年工作总结").click()
    page.click("#doc-view-btn")
    table = page.locator("#doc-view table.doc-table")
    table.wait_for()
    assert table.locator("th").all_inner_texts() == ["项目名称", "投资", "进度"]
    assert table.locator("tbody tr").nth(1).locator("td").all_inner_texts() == ["云岭便民桥", "142万元", "在建"]
    assert "（一）重点项目" in page.inner_text("#doc-view .doc-tree")


def test_copying_an_answer_gives_its_text_not_markup(en_page: Page, app_url: str) -> None:
    page = en_page
    page.goto(app_url)
    ask(page, QUESTION)
    page.locator(LAST_ANSWER).hover()
    page.locator('#chatbot button[aria-label="复制消息"]').last.click()
    page.wait_for_timeout(600)
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("作答：原文摘录") and "据安民乡2023年工作总结：" + QUOTE in copied, copied
    assert "<" not in copied and "[1]" in copied, copied


def test_after_clearing_the_chat_a_citation_opens_the_new_answers_report(page: Page, app_url: str) -> None:
    page.goto(app_url)
    ask(page, QUESTION)
    page.locator('#chatbot button[aria-label="清空对话"]').click()
    page.wait_for_function("() => document.querySelectorAll('#chatbot [data-testid=\"bot\"]').length === 0")
    ask(page, "X乡2023年完成了多少财税收入？")
    page.locator(LAST_ANSWER).locator("sup.cite").first.click()
    page.locator("#doc-view #doc-focus").wait_for()
    assert page.locator("#doc-view h3").inner_text() == "X乡2023年工作总结及2024年工作计划"
    assert any("1200万元" in m for m in page.locator("#doc-focus mark").all_inner_texts())


def test_a_source_card_opens_its_passage_in_the_document_view(page: Page, app_url: str) -> None:
    page.goto(app_url)
    ask(page, QUESTION)
    ask(page, "X乡2023年完成了多少财税收入？")  # the panel now shows this answer's sources
    page.locator("#sources .src-card .src-open").first.click()
    page.locator("#doc-view #doc-focus").wait_for()
    assert page.locator("#doc-view h3").inner_text() == "X乡2023年工作总结及2024年工作计划"
    assert any("1200万元" in m for m in page.locator("#doc-focus mark").all_inner_texts())
