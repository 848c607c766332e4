"""作答方式 in a real browser: each answer and draft says what wrote it (the model / 原文摘录), and the switch
changes it; on 原文摘录 the model is never called.

The model is a scripted OpenAI-protocol server on 127.0.0.1 (every request it gets is recorded), and in the
local_llm tier the real Qwen2.5 0.5B the tier installed, found in the models folder with nothing else
configured.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.e2e.conftest import RunningApp, _launch_on_copy
from tests.e2e.ui import LAST_ANSWER, ask, open_tab
from tests.integration.chat_server import ChatServer, Reply, Step

pytestmark = pytest.mark.e2e

QUESTION = "安民乡推出了几条红色旅游精品线路？"
TOPIC = "安民乡2023年红色旅游工作总结"


def scripted(body: dict[str, Any], index: int) -> Step:
    prompt = "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
    if prompt.rstrip().endswith("提纲："):
        return Reply("1. 红色旅游线路")
    return Reply("安民乡推出了6条红色旅游精品线路[1]。")


@pytest.fixture(scope="module")
def llm_app(
    seeded: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[RunningApp, ChatServer]]:
    with ChatServer(scripted) as server:
        llm = {"llm_base_url": server.base_url, "llm_model": "scripted-model", "llm_timeout_s": 15.0}
        for running in _launch_on_copy(seeded, tmp_path_factory.mktemp("e2e-writer"), **llm):
            yield running, server


def writer_tag(page: Page, panel: str) -> str:
    return page.locator(f"{panel} .writer-tag").last.inner_text()


def radio_labels(page: Page, radio: str) -> list[str]:
    page.locator(f"#{radio} label").first.wait_for()
    return page.locator(f"#{radio} label").all_inner_texts()


def choose(page: Page, radio: str, label: str) -> None:
    page.locator(f"#{radio} label", has_text=label).click()
    page.wait_for_function(
        "([sel, text]) => [...document.querySelectorAll(sel + ' label')].some("
        "l => l.innerText.includes(text) && l.querySelector('input').checked)",
        arg=[f"#{radio}", label],
    )


def draft(page: Page, writer: str) -> str:
    """Draft TOPIC in the 起草 tab with its switch on `writer`; the draft panel's 作答 tag."""
    open_tab(page, "起草")
    choose(page, "draft-writer", writer)
    page.fill("#topic textarea", TOPIC)
    before = page.locator("#draft-box .writer-tag").count()
    page.click("#draft-btn")
    page.wait_for_function(
        "([before, want]) => { const t = document.querySelector('#draft-box .writer-tag');"
        " return t !== null && (before === 0 || t.innerText.includes(want)); }",
        arg=[before, writer],
    )
    return writer_tag(page, "#draft-box")


def test_the_app_without_a_model_says_the_answers_are_quotes(page: Page, app_url: str) -> None:
    page.goto(app_url)
    chat_text = ask(page, QUESTION)
    assert writer_tag(page, "#chatbot") == "作答：原文摘录"
    assert chat_text.startswith("作答：原文摘录")
    assert radio_labels(page, "chat-writer") == ["原文摘录"]
    assert "assistant model install" in page.inner_text("#chat-writer")


def test_the_switch_picks_the_model_or_quotes_and_quotes_never_call_it(
    page: Page, llm_app: tuple[RunningApp, ChatServer]
) -> None:
    app, server = llm_app
    page.goto(app.url)
    assert radio_labels(page, "chat-writer") == ["模型服务 scripted-model", "原文摘录"]

    chat_text = ask(page, QUESTION)
    assert writer_tag(page, "#chatbot") == "作答：模型服务 scripted-model"
    assert chat_text.startswith("作答：模型服务 scripted-model")
    called = len(server.requests)
    assert called > 0, "the model wrote the first answer"

    choose(page, "chat-writer", "原文摘录")
    chat_text = ask(page, QUESTION)
    assert writer_tag(page, "#chatbot") == "作答：原文摘录" and "6条红色旅游精品线路" in chat_text
    assert chat_text.startswith("作答：原文摘录")
    assert len(server.requests) == called, "原文摘录 makes no model call (not even to rewrite the follow-up)"

    assert draft(page, "原文摘录") == "作答：原文摘录"
    assert len(server.requests) == called
    assert draft(page, "模型服务 scripted-model") == "作答：模型服务 scripted-model"
    assert len(server.requests) > called


@pytest.mark.local_llm
def test_the_app_answers_with_the_installed_local_model_and_switches_to_quotes(
    local_models_dir: Path, page: Page, seeded: dict[str, Any], tmp_path: Path
) -> None:
    page.set_default_timeout(420_000)  # a 0.5B model on 2 shared cores
    for app in _launch_on_copy(seeded, tmp_path, models_dir=local_models_dir, llm_timeout_s=150.0):
        page.goto(app.url)
        labels = radio_labels(page, "chat-writer")
        assert labels == ["本地模型 qwen2.5-0.5b", "原文摘录"], "nothing configured: the installed model is offered"
        checked = page.locator("#chat-writer label", has=page.locator("input:checked")).inner_text()
        assert checked == "本地模型 qwen2.5-0.5b", "and selected"
        ask(page, QUESTION)
        tag = writer_tag(page, "#chatbot")
        notes = page.locator(LAST_ANSWER).locator(".src-meta").all_inner_texts()
        assert tag == "作答：本地模型 qwen2.5-0.5b" or (tag == "作答：原文摘录" and notes), (tag, notes)
        assert page.locator(LAST_ANSWER).locator("sup.cite").count() >= 1, "the answer cites"
        choose(page, "chat-writer", "原文摘录")
        ask(page, QUESTION)
        assert writer_tag(page, "#chatbot") == "作答：原文摘录"
