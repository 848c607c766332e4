"""The CLI with an OpenAI-compatible endpoint configured: ask/draft --json verified, eval reports mode per item."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_cli
from tests.integration.chat_server import ChatServer, Reply, Step, llm_env

pytestmark = pytest.mark.integration


def scripted(body: dict[str, Any], index: int) -> Step:
    """Outline requests get an outline; everything else a cited answer that changes a number."""
    prompt = "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
    if prompt.rstrip().endswith("提纲："):  # the outline request; the writing request only mentions 提纲
        return Reply("1. 红色旅游线路\n2. 红色教学体系")
    if "财税" in prompt:
        return Reply("X乡2023年完成财税1300万元[1]，引进物流企业2家[9]。")
    return Reply("据资料，相关工作已按计划推进[1]。")


def test_ask_json_is_verified_against_the_retrieved_passages(seeded: dict[str, Any]) -> None:
    with ChatServer(scripted) as server:
        out = run_cli(["ask", "X乡2023年完成了多少财税收入？", "--json"], seeded["store"], **llm_env(server))
        assert server.requests, "the CLI must call the configured endpoint"
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    assert answer["mode"] == "llm"
    assert "[9]" not in answer["answer"], "a marker pointing at no retrieved passage is removed"
    assert "1300" in answer["unsupported_numbers"], "a number the model changed is flagged"
    assert answer["citations"][0]["doc"] == "001_dfb12432eec8a521"
    assert answer["citations"][0]["quote"] in answer["citations"][0]["text"]


def test_draft_json_with_an_llm(seeded: dict[str, Any]) -> None:
    with ChatServer(scripted) as server:
        out = run_cli(
            ["draft", "安民乡2023年红色旅游工作总结", "--style", "总结", "--json"], seeded["store"], **llm_env(server)
        )
    assert out.returncode == 0, out.stderr
    draft = json.loads(out.stdout)
    assert draft["mode"] == "llm" and draft["citations"] and draft["unsupported_numbers"] == []


def test_eval_with_an_llm_reports_mode_per_item(seeded: dict[str, Any], tmp_path: Path) -> None:
    qa = tmp_path / "qa.jsonl"
    items = [
        {
            "id": "a",
            "kind": "fact",
            "question": "安民乡推出了几条红色旅游精品线路？",
            "expected": ["6条"],
            "evidence": [{"doc": "002_501c0fb6689f0a4e", "quote": "推出6条红色旅游精品线路"}],
        },
        {"id": "b", "kind": "draft", "question": "安民乡2023年红色旅游工作总结", "expected": [], "evidence": []},
    ]
    qa.write_text("\n".join(json.dumps(i, ensure_ascii=False) for i in items), encoding="utf-8")
    with ChatServer(scripted) as server:
        out = run_cli(["eval", str(qa), "--out", str(tmp_path / "run")], seeded["store"], **llm_env(server))
    assert out.returncode == 0, out.stderr
    results = [json.loads(x) for x in (tmp_path / "run" / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["mode"] for r in results] == ["llm", "llm"]
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["items.llm"] == 2
    assert metrics["answer.accuracy"] == 0.0, "the scripted model never states the figure"


def test_unreachable_endpoint_falls_back_to_extractive_with_a_message(seeded: dict[str, Any]) -> None:
    env = {
        "ASSISTANT_LLM_BASE_URL": "http://127.0.0.1:9/v1",
        "ASSISTANT_LLM_MODEL": "m",
        "ASSISTANT_LLM_TIMEOUT_S": "3",
        "ASSISTANT_LLM_MAX_RETRIES": "0",
    }
    out = run_cli(["ask", "安民乡推出了几条红色旅游精品线路？", "--json"], seeded["store"], **env)
    answer = json.loads(out.stdout)
    assert answer["mode"] == "extractive" and "6条" in answer["answer"]
    assert any("连接" in n or "无法" in n for n in answer["notes"]), answer["notes"]
