"""Small helpers that drive the app's UI the way a user does (tabs, question box, upload)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page

from tests.conftest import ROOT

SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"

# The answer is shown once, in its chat message: done when the last one holds the verified answer
# (render.answer_html) or what failed (a not-found box), not the streaming text.
_ANSWER_DONE = """(before) => {
    const bots = document.querySelectorAll('#chatbot [data-testid="bot"]');
    if (bots.length <= before) return false;
    return bots[bots.length - 1].querySelector('.answer-box, .not-found') !== null;
}"""
LAST_ANSWER = '#chatbot [data-testid="bot"] >> nth=-1'


def open_tab(page: Page, label: str) -> None:
    page.get_by_role("tab", name=label).click()


def ask(page: Page, question: str) -> str:
    """Ask in the 问答 tab and wait for the final (verified) answer; returns the last chat message's text."""
    open_tab(page, "问答")
    bots = page.locator('#chatbot [data-testid="bot"]')
    before = bots.count()
    page.fill("#question textarea", question)
    page.click("#send")
    page.wait_for_function(_ANSWER_DONE, arg=before)
    return bots.last.inner_text()


def upload(page: Page, files: list[Path]) -> str:
    """Upload files in the 知识库 tab, press 导入 and return the #kb-status text once it reports."""
    open_tab(page, "知识库")
    page.set_input_files("#uploads input[type=file]", [str(f) for f in files])
    for f in files:  # the browser has finished sending each file to the server
        page.locator("#uploads .file-preview").get_by_text(f.stem, exact=True).wait_for()
    page.click("#upload-btn")
    page.locator("#kb-status p").wait_for()
    return page.inner_text("#kb-status")


def grid_rows(page: Page, table: str) -> list[list[str]]:
    """The visible body rows of a gr.Dataframe, as cell texts."""
    rows: list[list[str]] = page.evaluate(
        """(sel) => Array.from(document.querySelectorAll(sel + ' [role="row"]'))
            .map(r => Array.from(r.querySelectorAll('[role="gridcell"]')).map(c => c.innerText.trim()))
            .filter(cells => cells.length > 0)""",
        table,
    )
    return rows


def grid_headers(page: Page, table: str) -> list[str]:
    headers: list[str] = page.evaluate(
        """(sel) => Array.from(document.querySelectorAll(sel + ' [role="columnheader"]'))
            .map(h => h.innerText.trim())""",
        table,
    )
    return headers


def extra_screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def login(page: Page, url: str, user: str, password: str) -> None:
    """Log in through Gradio's login form (ASSISTANT_AUTH) and wait for the app."""
    page.goto(url)
    page.fill('input[data-testid="textbox"]', user)
    page.fill('input[type="password"]', password)
    page.get_by_role("button", name="登录").click()
    page.locator("#chatbot").wait_for()
