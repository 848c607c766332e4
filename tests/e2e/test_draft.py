"""起草 in a real browser: a cited draft, downloaded as .docx (opened with python-docx) and as Markdown."""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pytest
from playwright.sync_api import Page

from tests.docx_parts import footnotes
from tests.e2e.ui import open_tab

pytestmark = pytest.mark.e2e

TOPIC = "安民乡2023年红色旅游工作总结"


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_draft_with_citations_downloads_as_docx(page: Page, app_url: str, tmp_path: Path) -> None:
    page.goto(app_url)
    open_tab(page, "起草")
    page.fill("#topic textarea", TOPIC)
    page.click("#draft-btn")
    page.locator("#draft-box .answer-box").wait_for()

    draft_text = page.inner_text("#draft-box .answer-box")
    markers = sorted(set(re.findall(r"\[(\d+)\]", draft_text)), key=int)
    assert markers, draft_text
    assert "红色旅游" in draft_text
    # cited passages; the other retrieved ones are collapsed in a <details> below them
    heads = page.locator("#draft-sources .src-card:not(details .src-card) .src-head").all_inner_texts()
    assert [h.split("]")[0] + "]" for h in heads] == [f"[{n}]" for n in markers]

    link = page.locator("#docx-file a.download-link")
    link.wait_for()
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.endswith(".docx")
    saved = tmp_path / "draft.docx"
    download.save_as(saved)

    # 公文 format by default: the markers became footnotes, no reference list.
    document = docx.Document(str(saved))
    paragraphs = [p.text for p in document.paragraphs]
    assert TOPIC in paragraphs[0]
    assert _squash(re.sub(r"\[\d+\]", "", draft_text)) in _squash("".join(paragraphs))
    assert "参考来源" not in paragraphs and len(footnotes(document)) >= len(markers)
    assert round(document.sections[0].page_width.mm) == 210

    md_href = page.locator("#md-file a.download-link").get_attribute("href")
    assert md_href
    md = page.request.get(md_href)
    assert md.ok
    md_text = md.text()
    assert "参考来源" in md_text
    assert _squash(draft_text)[:30] in _squash(md_text)


def test_plain_word_format_downloads_the_reference_list(page: Page, app_url: str, tmp_path: Path) -> None:
    page.goto(app_url)
    open_tab(page, "起草")
    page.locator("#docx-format").get_by_text("普通格式").click()
    page.fill("#topic textarea", TOPIC)
    page.click("#draft-btn")
    link = page.locator("#docx-file a.download-link")
    link.wait_for()
    with page.expect_download() as info:
        link.click()
    saved = tmp_path / "plain.docx"
    info.value.save_as(saved)
    document = docx.Document(str(saved))
    paragraphs = [p.text for p in document.paragraphs]
    refs = paragraphs[paragraphs.index("参考来源") + 1 :]
    assert refs and refs[0].startswith("[1]")
