"""起草 outline first, in a real browser: propose an outline, delete, reorder and rename headings, draft
by sections, redraft one section, download the .docx and read its headings back with python-docx."""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pytest
from playwright.sync_api import Page

from tests.e2e.ui import open_tab

pytestmark = pytest.mark.e2e

TOPIC = "安民乡2023年红色旅游工作总结"
NEW_NAME = "红色教育培训"
NUMERALS = "一二三四五六七八九十"


def _outline(page: Page) -> list[str]:
    return [line for line in page.input_value("#outline-box textarea").split("\n") if line.strip()]


def _pick(page: Page, n: int, heading: str) -> None:
    page.locator("#outline-pick").get_by_text(f"{NUMERALS[n]}、{heading}", exact=True).click()


def _wait_outline(page: Page, expected: list[str]) -> None:
    page.wait_for_function(
        "(want) => document.querySelector('#outline-box textarea').value === want", arg="\n".join(expected)
    )


def _body(page: Page, i: int) -> str:
    return page.inner_text(f"#section-body-{i} .answer-box")


def test_outline_edit_draft_redraft_and_download(page: Page, app_url: str, tmp_path: Path) -> None:
    page.goto(app_url)
    open_tab(page, "起草")
    page.fill("#topic textarea", TOPIC)
    page.click("#outline-btn")
    page.wait_for_function("() => document.querySelector('#outline-box textarea').value.trim().length > 0")
    proposed = _outline(page)
    assert 3 <= len(proposed) <= 7, proposed
    assert not any(re.match(r"^[一二三四五六七（(]", h) for h in proposed), "the outline box holds bare headings"

    # Delete the last heading, move the second one up, rename the third.
    assert len(proposed) == 5, "five headings by default; the seeds hold that many on this topic"
    _pick(page, 4, proposed[4])
    page.click("#outline-delete")
    headings = proposed[:4]
    _wait_outline(page, headings)
    _pick(page, 1, headings[1])
    page.click("#outline-up")
    headings[0], headings[1] = headings[1], headings[0]
    _wait_outline(page, headings)
    _pick(page, 2, headings[2])
    page.fill("#outline-new-name textarea", NEW_NAME)
    page.click("#outline-rename")
    headings[2] = NEW_NAME
    _wait_outline(page, headings)

    page.click("#sections-btn")
    page.locator(f"#section-body-{len(headings) - 1} .answer-box").wait_for()
    for i, h in enumerate(headings):
        assert page.input_value(f"#section-heading-{i} textarea") == f"{NUMERALS[i]}、{h}"
        assert re.search(r"\[\d+\]", _body(page, i)), (h, _body(page, i))
    assert not page.locator(f"#section-{len(headings)}").is_visible()
    before = [_body(page, i) for i in range(len(headings))]
    # Citation numbers run across the draft, in order of first use (no section restarts at [1]).
    numbers = [int(n) for text in before for n in re.findall(r"\[(\d+)\]", text)]
    firsts = list(dict.fromkeys(numbers))
    assert firsts == list(range(1, len(firsts) + 1)), numbers

    # The clerk renames the last section (to the heading deleted from the outline) and redrafts it alone.
    last = len(headings) - 1
    headings[last] = proposed[4]
    page.fill(f"#section-heading-{last} textarea", headings[last])
    page.click(f"#section-redo-{last}")
    page.wait_for_function(
        "([sel, old]) => { const b = document.querySelector(sel); return b && b.innerText !== old; }",
        arg=[f"#section-body-{last} .answer-box", before[last]],
    )
    after = [_body(page, i) for i in range(len(headings))]
    assert after[:last] == before[:last], "redrafting one section leaves the others as they were"
    assert re.search(r"\[\d+\]", after[last])
    assert page.input_value(f"#section-heading-{last} textarea") == f"{NUMERALS[last]}、{headings[last]}"

    link = page.locator("#sections-docx a.download-link")
    link.wait_for()
    with page.expect_download() as info:
        link.click()
    saved = tmp_path / "sections.docx"
    info.value.save_as(saved)
    document = docx.Document(str(saved))
    paragraphs = [p.text for p in document.paragraphs]
    assert TOPIC in paragraphs[0]
    found = [p for p in paragraphs if re.match(f"^[{NUMERALS}]、", p)]
    assert found == [f"{NUMERALS[i]}、{h}" for i, h in enumerate(headings)]
    squashed = re.sub(r"\s+", "", "".join(paragraphs))
    assert re.sub(r"\s+|\[\d+\]", "", after[last])[:40] in squashed, "the .docx follows the redrafted section"


def test_redraft_without_renaming_gives_another_version_or_says_so(page: Page, app_url: str) -> None:
    page.goto(app_url)
    open_tab(page, "起草")
    page.fill("#topic textarea", "2023年乡村振兴工作总结")
    page.click("#outline-btn")
    page.wait_for_function("() => document.querySelector('#outline-box textarea').value.trim().length > 0")
    headings = _outline(page)
    page.click("#sections-btn")
    page.locator(f"#section-body-{len(headings) - 1} .answer-box").wait_for()
    before = [_body(page, i) for i in range(len(headings))]
    page.click("#section-redo-0")
    page.wait_for_function(
        """([sel, old]) => {
            const b = document.querySelector(sel);
            const s = document.querySelector('#sections-status');
            return (b && b.innerText !== old) || (s && s.innerText.includes('内容未变'));
        }""",
        arg=["#section-body-0 .answer-box", before[0]],
    )
    after = [_body(page, i) for i in range(len(headings))]
    assert page.input_value("#section-heading-0 textarea") == f"一、{headings[0]}"
    if after[0] != before[0]:
        old = set(re.split(r"\[\d+\]", before[0])) - {""}
        assert not old & set(re.split(r"\[\d+\]", after[0])), "another version: none of the earlier sentences"
    unmark = lambda t: re.sub(r"\[\d+\]", "", t)  # noqa: E731
    assert [unmark(t) for t in after[1:]] == [unmark(t) for t in before[1:]]
