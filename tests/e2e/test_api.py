"""The named Gradio API endpoints `ask` and `draft`, called with gradio_client against the launched app.

They must return the same JSON objects as `assistant ask --json` / `assistant draft --json`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from gradio_client import Client

from tests.conftest import run_cli

pytestmark = pytest.mark.e2e

ANSWER_KEYS = {"question", "answer", "abstained", "citations", "unsupported_numbers", "mode", "latency_ms"}
CITATION_KEYS = {"n", "doc", "section", "quote", "text"}


@pytest.fixture(scope="module")
def client(app_url: str) -> Iterator[Client]:
    c = Client(app_url, verbose=False)
    yield c
    c.close()


def _cli_json(args: list[str], seeded: dict[str, Any]) -> dict[str, Any]:
    out = run_cli([*args, "--json"], seeded["store"])
    assert out.returncode == 0, out.stderr
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def _same_as_cli(api: dict[str, Any], cli: dict[str, Any]) -> None:
    assert set(api) == set(cli)
    assert set(api) >= ANSWER_KEYS
    for key in ("question", "answer", "abstained", "citations", "unsupported_numbers", "mode"):
        assert api[key] == cli[key], key
    assert isinstance(api["latency_ms"], int)


def test_ask_endpoint_matches_cli_json(client: Client, seeded: dict[str, Any]) -> None:
    question = "X乡2023年完成了多少财税收入？"
    result = client.predict(question, api_name="/ask")
    assert isinstance(result, dict)
    assert result["question"] == question
    assert result["abstained"] is False
    assert "1200万元" in result["answer"]
    assert result["citations"], result
    for c in result["citations"]:
        assert set(c) >= CITATION_KEYS
        assert c["quote"] in c["text"]
        assert f"[{c['n']}]" in result["answer"]
    assert any("1200万元" in c["quote"] for c in result["citations"])
    _same_as_cli(result, _cli_json(["ask", question], seeded))


def test_draft_endpoint_matches_cli_json(client: Client, seeded: dict[str, Any]) -> None:
    topic = "安民乡2023年红色旅游工作总结"
    result = client.predict(topic, api_name="/draft")
    assert isinstance(result, dict)
    assert result["abstained"] is False
    assert result["citations"]
    for c in result["citations"]:
        assert set(c) >= CITATION_KEYS
        assert f"[{c['n']}]" in result["answer"]
    _same_as_cli(result, _cli_json(["draft", topic], seeded))


@pytest.mark.parametrize("question", ["枫坪乡2023年红色旅游接待了多少人次？", "红星镇2023年建成高标准农田多少亩？"])
def test_ask_endpoint_abstains_when_the_reports_do_not_say(client: Client, question: str) -> None:
    result = client.predict(question, api_name="/ask")
    assert set(result) >= ANSWER_KEYS
    assert result["abstained"] is True
    assert result["citations"] == []
    assert "未找到" in result["answer"]


def test_ask_endpoint_reports_empty_question(client: Client) -> None:
    with pytest.raises(Exception, match="请输入问题"):
        client.predict("   ", api_name="/ask")
