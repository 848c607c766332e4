"""Feedback in the launched app: the named `feedback` endpoint (gradio_client) and, in headless Chromium,
👎 on a chat answer with a reason, a correction and a chosen passage → `assistant feedback export` holds
it and `assistant eval` runs the export; the 反馈 tab's recheck agrees with that eval."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gradio_client import Client
from playwright.sync_api import Page

from tests.conftest import run_cli
from tests.e2e.conftest import RunningApp, _launch_on_copy
from tests.e2e.ui import LAST_ANSWER, ask, login, open_tab

pytestmark = pytest.mark.e2e

QUESTION = "X乡2023年完成了多少财税收入？"


@pytest.fixture(scope="module")
def client(app_url: str) -> Iterator[Client]:
    c = Client(app_url, verbose=False)
    yield c
    c.close()


@pytest.fixture(scope="module")
def login_app(seeded: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """The app with two users (ASSISTANT_AUTH)."""
    yield from _launch_on_copy(seeded, tmp_path_factory.mktemp("e2e-login"), auth="alice:pw1,bob:pw2")


def test_feedback_keeps_the_logged_in_user_and_each_sees_only_their_own(login_app: RunningApp, page: Page) -> None:
    for user, password in (("alice", "pw1"), ("bob", "pw2")):
        c = Client(login_app.url, auth=(user, password), verbose=False)
        try:
            c.predict({"question": f"{user}问：X乡财税？", "rating": "up"}, api_name="/feedback")
        finally:
            c.close()
    listed = run_cli(["feedback", "list", "--json"], login_app.store)
    assert [i["user"] for i in json.loads(listed.stdout)["feedback"]] == ["alice", "bob"]

    login(page, login_app.url, "bob", "pw2")
    open_tab(page, "反馈")
    page.locator("#fb-table").filter(has_text="bob问").wait_for()
    table = page.inner_text("#fb-table")
    assert "alice" not in table, "one user's questions are not shown to another"


def _exported(app: RunningApp, out: Path) -> list[dict[str, object]]:
    done = run_cli(["feedback", "export", "--out", str(out)], app.store)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_feedback_endpoint_stores_the_answer_json(client: Client, app: RunningApp) -> None:
    answer = client.predict("安民乡推出了几条红色旅游精品线路？", api_name="/ask")
    result = client.predict(
        {"answer": answer, "rating": "down", "reason": "引用不对", "correction": "6条", "model": "原文摘录"},
        api_name="/feedback",
    )
    assert set(result) == {"id"} and isinstance(result["id"], int)
    listed = run_cli(["feedback", "list", "--json"], app.store)
    item = next(i for i in json.loads(listed.stdout)["feedback"] if i["id"] == result["id"])
    assert item["question"] == answer["question"] and item["answer"] == answer["answer"]
    assert item["citations"] == answer["citations"] and item["mode"] == answer["mode"] and item["user"] == "anonymous"
    with pytest.raises(Exception, match="原因应为以下之一"):
        client.predict({"question": "问", "rating": "down", "reason": "不好"}, api_name="/feedback")


def test_thumbs_down_with_correction_is_exported_and_eval_runs_it(page: Page, app: RunningApp, tmp_path: Path) -> None:
    page.goto(app.url)
    assert "1200万元" in ask(page, QUESTION)
    page.locator(LAST_ANSWER).hover()
    page.locator('#chatbot button[aria-label="踩"]').last.click()
    page.locator("#chat-fb-reason").wait_for()
    page.get_by_label("数字有误").check()
    page.fill("#chat-fb-correction textarea", "应为1200万")
    page.click("#chat-fb-passage input")  # the answer's retrieved passages, cited first
    page.locator("[role=option]").filter(has_text="001_dfb12432eec8a521").first.click()
    page.click("#chat-fb-send")
    page.locator("#chat-fb-status p").wait_for()
    assert "已记录反馈" in page.inner_text("#chat-fb-status")

    out = tmp_path / "feedback.jsonl"
    mine = [x for x in _exported(app, out) if x["question"] == QUESTION]
    assert len(mine) == 1 and mine[0]["kind"] == "fact" and mine[0]["expected"] == ["1200万元"]
    evidence = mine[0]["evidence"]
    assert isinstance(evidence, list) and evidence[0]["doc"] == "001_dfb12432eec8a521"
    assert "1200万元" in evidence[0]["quote"]

    run = tmp_path / "run"
    evaluated = run_cli(["eval", str(out), "--out", str(run)], app.store)
    assert evaluated.returncode == 0, evaluated.stderr
    results = [json.loads(line) for line in (run / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert next(r for r in results if r["id"] == mine[0]["id"])["correct"] is True
    passed = sum(1 for r in results if (r["abstained"] if r["kind"] == "unanswerable" else r["correct"]))

    open_tab(page, "反馈")
    page.click("#fb-check")
    summary = page.locator("#fb-summary")
    summary.wait_for()
    found = re.search(r"已纠正的 (\d+) 条中，当前版本答对 (\d+) 条", summary.inner_text())
    assert found and (int(found.group(1)), int(found.group(2))) == (len(results), passed)


def test_draft_thumbs_are_recorded(page: Page, app: RunningApp, tmp_path: Path) -> None:
    topic = "安民乡2023年红色旅游工作总结"
    page.goto(app.url)
    open_tab(page, "起草")
    page.click("#draft-up")  # nothing drafted yet
    page.locator("#draft-fb-status .not-found").wait_for()
    page.fill("#topic textarea", topic)
    page.click("#draft-btn")
    page.locator("#draft-box .answer-box").wait_for()
    page.click("#draft-up")
    page.locator("#draft-fb-status p").filter(has_text="👍").wait_for()
    page.click("#draft-down")
    page.locator("#draft-fb-reason").wait_for()
    page.click("#draft-fb-send")  # no reason chosen: refused, nothing stored
    page.locator("#draft-fb-status .not-found").filter(has_text="请选择原因").wait_for()
    page.get_by_label("引用不对").check()
    page.fill("#draft-fb-correction textarea", "应写明推出“6条红色旅游精品线路”")
    page.fill("#draft-fb-query textarea", "X乡2023年完成财税1200万元")  # a passage the draft did not retrieve
    page.click("#draft-fb-search")
    page.wait_for_function(
        "() => (document.querySelector('#draft-fb-passage input') || {}).value?.includes('001_dfb12432eec8a521')"
    )
    page.click("#draft-fb-send")
    page.locator("#draft-fb-status p").filter(has_text="👎").wait_for()

    listed = run_cli(["feedback", "list", "--json"], app.store)
    mine = [i for i in json.loads(listed.stdout)["feedback"] if i["kind"] == "draft"]
    assert [i["rating"] for i in mine] == ["up", "down"] and all(i["question"] == f"{topic}（总结）" for i in mine)
    assert mine[1]["reason"] == "引用不对" and mine[1]["model"] == "原文摘录"
    assert mine[1]["evidence"]["doc"] == "001_dfb12432eec8a521" and "1200万元" in mine[1]["evidence"]["quote"]
    drafts = [x for x in _exported(app, tmp_path / "fb.jsonl") if x["kind"] == "draft"]
    assert len(drafts) == 1 and drafts[0]["evidence"]
