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
    """A cited answer that changes a number about 财税; anything else a cited generality."""
    prompt = "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
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
    assert "1300万" in answer["unsupported_numbers"], "a number the model changed is flagged"
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


def test_writer_extractive_never_calls_the_configured_model(seeded: dict[str, Any], tmp_path: Path) -> None:
    qa = tmp_path / "qa.jsonl"
    item = {
        "id": "a",
        "kind": "fact",
        "question": "安民乡推出了几条红色旅游精品线路？",
        "expected": ["6条"],
        "evidence": [],
    }
    qa.write_text(json.dumps(item, ensure_ascii=False), encoding="utf-8")
    with ChatServer(scripted) as server:
        out = run_cli(["ask", item["question"], "--writer", "extractive", "--json"], seeded["store"], **llm_env(server))
        run = run_cli(
            ["eval", str(qa), "--out", str(tmp_path / "run"), "--writer", "extractive"],
            seeded["store"],
            **llm_env(server),
        )
        assert server.requests == [], "原文摘录: the model is not called"
    assert out.returncode == 0 and run.returncode == 0, out.stderr + run.stderr
    answer = json.loads(out.stdout)
    assert answer["mode"] == "extractive" and "6条" in answer["answer"] and "作答：原文摘录" in out.stderr
    assert json.loads((tmp_path / "run" / "metrics.json").read_text(encoding="utf-8"))["items.llm"] == 0


def test_the_cli_names_the_model_that_wrote_and_passes_the_conversation_on(
    seeded: dict[str, Any], tmp_path: Path
) -> None:
    history = tmp_path / "history.json"
    earlier = [
        {"role": "user", "content": "安民乡推出了几条红色旅游精品线路？"},
        {"role": "assistant", "content": "安民乡推出了6条红色旅游精品线路[1]。"},
    ]
    history.write_text(json.dumps(earlier, ensure_ascii=False), encoding="utf-8")
    with ChatServer(scripted) as server:
        out = run_cli(["ask", "那X乡呢？", "--history", str(history), "--json"], seeded["store"], **llm_env(server))
        sent = [json.dumps(r.body, ensure_ascii=False) for r in server.requests]
    assert out.returncode == 0, out.stderr
    assert any("安民乡推出了6条红色旅游精品线路" in body for body in sent), "the condense request carries the history"
    answer = json.loads(out.stdout)
    assert answer["question"] == "那X乡呢？"
    assert f"作答：{'模型服务 scripted-model' if answer['mode'] == 'llm' else '原文摘录'}" in out.stderr


@pytest.mark.parametrize(
    ("args", "env", "code", "message"),
    [
        (["--writer", "gpt"], {}, 2, "未知作答方式 'gpt'，可选：auto、llm、extractive"),
        (["--writer", "llm"], {}, 2, "没有可用的模型"),
        ([], {"ASSISTANT_WRITER": "quotes"}, 2, "环境变量 ASSISTANT_WRITER 应为"),
        (["--history", "missing.json"], {}, 2, "无法读取对话历史"),
    ],
)
def test_a_bad_writer_or_history_is_one_chinese_line(
    seeded: dict[str, Any], args: list[str], env: dict[str, str], code: int, message: str
) -> None:
    out = run_cli(["ask", "安民乡推出了几条红色旅游精品线路？", *args, "--json"], seeded["store"], **env)
    assert out.returncode == code and out.stdout == ""
    assert out.stderr.startswith("错误：") and message in out.stderr and "Traceback" not in out.stderr
