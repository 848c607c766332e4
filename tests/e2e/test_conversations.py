"""Saved conversations in a real browser, on `assistant serve` run as its own process (stopped and
started again on the same store) with two users (ASSISTANT_AUTH="a:pw1,b:pw2", logged in through
Gradio's login form) and a scripted model server, so that a follow-up's rewrite shows what history
the app sent: a conversation survives a reload and a restart, its `[n]` still opens 原文, a follow-up
in it uses its messages, its export holds the citations, and each user sees only their own. Without a
login (the shared app) the one anonymous user's conversation survives a reload too."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pytest
from playwright.sync_api import Browser, Page

from assistant.bench.process import free_port, stop_process
from tests.e2e.ui import LAST_ANSWER, ask, extra_screenshot, login
from tests.integration.chat_server import ChatServer, Reply, Step

pytestmark = pytest.mark.e2e

FIRST = "安民乡推出了几条红色旅游精品线路？"
FOLLOW_UP = "那X乡2023年的财税收入呢？"
STANDALONE = "X乡2023年完成了多少财税收入？"
A_QUESTION = "各乡2023年调解矛盾纠纷分别有多少起？"
B_SECOND = "X乡2024年的工作计划是什么？"
CONDENSE_MARK = "改写后的独立问题"
BOTS = '#chatbot [data-testid="bot"]'


def scripted(body: dict[str, Any], index: int) -> Step:
    prompt = "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
    if CONDENSE_MARK in prompt:
        return Reply(STANDALONE)
    if "财税" in prompt:
        return Reply("X乡2023年完成财税收入1200万元[1]。")
    return Reply("安民乡推出了6条红色旅游精品线路[1]。")


class Served:
    """`python -m assistant serve` on a store, started and stopped as a user would."""

    def __init__(self, store: Path, env: dict[str, str], log: Path) -> None:
        self.store, self.env, self.log = store, env, log
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = free_port()  # kept across restarts: the page's origin (and its localStorage) stays
        self.url = f"http://127.0.0.1:{self.port}/"

    def start(self) -> None:
        env = {**os.environ, "ASSISTANT_STORE_DIR": str(self.store), **self.env}
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "assistant", "serve", "--port", str(self.port)], env=env, stdout=out, stderr=out
            )
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log.read_text(encoding="utf-8", errors="replace")[-2000:]
            try:
                with urllib.request.urlopen(self.url, timeout=5):
                    return
            except OSError:
                time.sleep(0.5)
        raise AssertionError("the app did not start: " + self.log.read_text(encoding="utf-8")[-2000:])

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc)
            self.proc = None


@pytest.fixture(scope="module")
def served(seeded: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, ChatServer]]:
    base = tmp_path_factory.mktemp("e2e-conversations")
    shutil.copytree(seeded["store"], base / "store")
    with ChatServer(scripted) as model:
        env = {
            "ASSISTANT_AUTH": "a:pw1,b:pw2",
            "ASSISTANT_LLM_BASE_URL": model.base_url,
            "ASSISTANT_LLM_MODEL": "scripted-model",
        }
        app = Served(base / "store", env, base / "serve.log")
        app.start()
        try:
            yield app, model
        finally:
            app.stop()


def saved_titles(page: Page) -> list[str]:
    return [t.split(" · ")[0] for t in page.locator("#conv-list label").all_inner_texts()]


def wait_restored(page: Page, answers: int) -> None:
    """The page load reopened this browser's conversation: `answers` verified answers in the chat."""
    page.wait_for_function(
        "(n) => document.querySelectorAll('#chatbot [data-testid=\"bot\"] .answer-box').length === n", arg=answers
    )


def test_a_conversation_survives_reload_and_restart_cites_and_takes_follow_ups(
    page: Page, served: tuple[Served, ChatServer], tmp_path: Path
) -> None:
    app, model = served
    login(page, app.url, "a", "pw1")
    assert "6条红色旅游精品线路" in ask(page, FIRST)
    page.locator("#conv-list label", has_text=FIRST).wait_for()

    page.reload()
    wait_restored(page, 1)
    assert FIRST in page.inner_text("#chatbot") and "6条红色旅游精品线路" in page.inner_text(LAST_ANSWER)

    app.stop()
    app.start()  # a new process on the same store; the login token died with the old one
    login(page, app.url, "a", "pw1")
    wait_restored(page, 1)
    assert saved_titles(page).count(FIRST) == 1
    assert page.input_value("#conv-title textarea") == FIRST
    panel = page.inner_text("#sources")  # the reopened answer's sources, by report title
    assert "引用来源" in panel and "推出6条红色旅游精品线路" in panel and "安民乡" in panel, panel

    page.locator(LAST_ANSWER).locator("sup.cite").first.click()  # `cited` came back with the messages
    focus = page.locator("#doc-view #doc-focus")
    focus.wait_for()
    assert any("推出6条红色旅游精品线路" in m for m in focus.locator("mark").all_inner_texts())

    before, saved = len(model.requests), len(saved_titles(page))
    answer = ask(page, FOLLOW_UP)
    rewrites = [r.prompt_text for r in model.requests[before:] if CONDENSE_MARK in r.prompt_text]
    assert len(rewrites) == 1 and FIRST in rewrites[0], "the reopened messages are the follow-up's history"
    assert "1200万元" in answer and f"按上下文理解为：{STANDALONE}" in answer, answer
    page.reload()
    wait_restored(page, 2)
    titles = saved_titles(page)
    assert titles[0] == FIRST and len(titles) == saved, "the follow-up went into the same conversation"

    page.click("#conv-export")
    link = page.locator("#conv-docx a.download-link")
    link.wait_for()
    with page.expect_download() as info:
        link.click()
    info.value.save_as(tmp_path / "conversation.docx")
    paragraphs = [p.text for p in docx.Document(str(tmp_path / "conversation.docx")).paragraphs]
    assert f"问：{FIRST}" in paragraphs and f"问：{FOLLOW_UP}" in paragraphs
    sources = [p for p in paragraphs if p.startswith("[1] ")]
    assert len(sources) == 2 and "安民乡" in sources[0] and "推出6条红色旅游精品线路" in sources[0], sources
    assert "1200万元" in sources[1], sources
    md_href = page.locator("#conv-md a.download-link").get_attribute("href")
    md = page.request.get(str(md_href)).text()
    assert md.count("参考来源") == 2 and "推出6条红色旅游精品线路" in md and "1200万元" in md, md
    extra_screenshot(page, "conversations-reopened-after-restart")


def test_two_users_see_only_their_own_and_rename_reopen_and_delete(
    browser: Browser, page: Page, served: tuple[Served, ChatServer]
) -> None:
    app, _ = served
    other = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    try:
        a_page = other.new_page()
        a_page.set_default_timeout(60_000)
        login(a_page, app.url, "a", "pw1")
        ask(a_page, A_QUESTION)
        a_page.locator("#conv-list label", has_text=A_QUESTION).wait_for()

        login(page, app.url, "b", "pw2")
        assert page.locator(BOTS).count() == 0, "b's browser starts a new conversation"
        ask(page, STANDALONE)
        page.locator("#conv-list label", has_text=STANDALONE).wait_for()
        assert saved_titles(page) == [STANDALONE], "b's list (from the server after the save) has b's only"
        page.fill("#conv-title textarea", "b 的财税问题")
        page.click("#conv-rename")
        page.locator("#conv-list label", has_text="b 的财税问题").wait_for()
        page.click("#conv-new")
        page.wait_for_function("() => document.querySelectorAll('#chatbot [data-testid=\"bot\"]').length === 0")
        ask(page, B_SECOND)
        page.locator("#conv-list label", has_text=B_SECOND).wait_for()
        assert saved_titles(page) == [B_SECOND, "b 的财税问题"]

        a_page.reload()
        a_page.locator("#conv-list label", has_text=A_QUESTION).wait_for()
        wait_restored(a_page, 1)
        mine = saved_titles(a_page)
        assert not {"b 的财税问题", STANDALONE, B_SECOND} & set(mine), mine
    finally:
        other.close()

    page.locator("#conv-list label", has_text="b 的财税问题").click()  # reopen from the list
    page.locator('#chatbot [data-testid="user"]', has_text=STANDALONE).wait_for()
    assert STANDALONE in page.inner_text("#chatbot") and B_SECOND not in page.inner_text("#chatbot")
    page.click("#conv-delete")
    page.click("#conv-confirm")
    page.wait_for_function("() => document.querySelectorAll('#conv-list label').length === 1")
    assert saved_titles(page) == [B_SECOND] and page.locator(BOTS).count() == 0
    page.reload()
    page.locator("#conv-list label", has_text=B_SECOND).wait_for()
    assert saved_titles(page) == [B_SECOND], "deleted for good"
    assert page.locator(BOTS).count() == 0, "the deleted conversation is not reopened"


def test_without_a_login_the_anonymous_users_conversation_survives_a_reload(page: Page, app_url: str) -> None:
    page.goto(app_url)
    assert "1200万元" in ask(page, STANDALONE)
    # saved once it is the list's selected conversation (another test on the shared app may have one of
    # the same title)
    page.locator("#conv-list label:has(input:checked)", has_text=STANDALONE).wait_for()
    page.reload()
    page.locator('#chatbot [data-testid="user"]', has_text=STANDALONE).wait_for()
    wait_restored(page, 1)
    assert "1200万元" in page.inner_text(LAST_ANSWER)
