"""Document text is shown as text: a report carrying <script>, a Markdown image and an <img> tag pointing at
127.0.0.1:9 must render inertly in the chat, the answer and the sources panel, and trigger no request."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.e2e.conftest import RunningApp
from tests.e2e.ui import LAST_ANSWER, ask, upload

pytestmark = pytest.mark.e2e

SCRIPT = "<script>window.__pwned=1</script>"
MD_IMAGE = "![x](http://127.0.0.1:9/x)"
IMG_TAG = "<img src=http://127.0.0.1:9/y>"
REPORT = (
    "翠屏镇2023年工作总结\n"
    "一、2023年工作总结\n"
    f"翠屏镇2023年新建山塘蓄水池63座{SCRIPT}，现场照片{IMG_TAG}已归档。"
    f"翠屏镇2023年茶叶宣传图{MD_IMAGE}张贴了88处。\n"
)
TRAP = "127.0.0.1:9"
PANELS = ["#sources", '[data-testid="bot"]']


def test_document_markup_renders_as_text_and_fetches_nothing(
    page: Page, scratch_app: RunningApp, tmp_path: Path
) -> None:
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("requestfailed", lambda r: requests.append(r.url))

    source = tmp_path / "翠屏镇报告.txt"
    source.write_text(REPORT, encoding="utf-8")
    page.goto(scratch_app.url)
    status = upload(page, [source])
    assert "新增 1" in status, status

    problems: list[str] = []
    for question, fact in [
        ("翠屏镇2023年新建山塘蓄水池多少座？", "63座"),
        ("翠屏镇2023年茶叶宣传图张贴了多少处？", "88处"),
    ]:
        chat_text = ask(page, question)
        page.wait_for_timeout(500)  # give any injected element time to fire its request
        if fact not in chat_text:
            problems.append(f"{question}: answer lacks {fact}: {chat_text!r}")
        sources_text = page.inner_text("#sources")
        for raw in (SCRIPT, MD_IMAGE, IMG_TAG):
            if raw not in sources_text:
                problems.append(f"{question}: sources panel does not show {raw!r} as text")
        answer_text = page.inner_text(LAST_ANSWER)
        if question.startswith("翠屏镇2023年新建") and (SCRIPT not in answer_text or IMG_TAG not in answer_text):
            problems.append(f"{question}: answer box does not show the markup as text: {answer_text!r}")
        if page.evaluate("typeof window.__pwned") != "undefined":
            problems.append(f"{question}: the document's <script> ran (window.__pwned is set)")
        for panel in PANELS:
            for tag, attr in (("img", "src"), ("a", "href"), ("iframe", "src")):
                bad = page.evaluate(
                    """([panel, tag, attr, trap]) => Array.from(document.querySelectorAll(panel + ' ' + tag))
                        .map(e => e.getAttribute(attr) || '').filter(v => v.includes(trap))""",
                    [panel, tag, attr, TRAP],
                )
                if bad:
                    problems.append(f"{question}: <{tag} {attr}={bad}> rendered inside {panel}")
            if page.locator(f"{panel} script").count():
                problems.append(f"{question}: a <script> element was rendered inside {panel}")

    fetched = sorted({u for u in requests if TRAP in u})
    if fetched:
        problems.append(f"the page requested {fetched}")
    assert not problems, "\n".join(problems)
