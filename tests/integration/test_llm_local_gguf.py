"""The local GGUF path (the `local` extra) given a model file by path (ASSISTANT_LLM_GGUF), with the
local_llm tier's Qwen2.5 0.5B: replies, a verified answer, the KV cache of the fixed system prompt,
streaming, drafts, and `bench --llm`. Part of the tier: see tests/conftest.py, local_models_dir.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import HumanMessage

from assistant.config import Settings
from assistant.eval.metrics import uncited_sentences
from assistant.generation.llm.client import ChatClient, LLMError, make_chat_model
from assistant.generation.llm.llama import LlamaCppChat
from assistant.generation.llm.prompts import PromptLibrary, render_passages
from assistant.local_models import CATALOG
from assistant.services import Services
from tests.conftest import run_cli
from tests.unit.llm_fakes import passage

pytestmark = [pytest.mark.integration, pytest.mark.local_llm]


@pytest.fixture(scope="module")
def qwen(local_models_dir: Path) -> Path:
    """The tier's installed qwen2.5-0.5b, used by path (ASSISTANT_LLM_GGUF) as any other GGUF would be:
    local_models_dir skips without ASSISTANT_TEST_LOCAL_LLM and fails when it is set and the model or
    llama_cpp is missing (the tier never passes by skipping)."""
    return local_models_dir / CATALOG["qwen2.5-0.5b"].file_name


def test_local_gguf_model_replies_through_make_chat_model(qwen: Path) -> None:
    settings = Settings(llm_gguf=qwen, llm_timeout_s=120, llm_temperature=0.0)
    model = make_chat_model(settings)
    assert isinstance(model, LlamaCppChat) and model._llm_type == "llama-cpp"
    model.max_tokens = 24
    raw = model.invoke([HumanMessage("用一句话回答：中国的首都是哪座城市？")])
    assert str(raw.content).strip(), "the real model produced tokens"
    chat = ChatClient.from_settings(model, settings)
    try:
        reply = chat.complete([HumanMessage("Say hello in one short sentence.")])
    except LLMError as exc:  # a reply cut at max_tokens is refused, never shown as complete
        assert exc.kind == "truncated", exc
    else:
        assert reply.strip()


def test_ask_with_a_local_gguf_returns_a_verified_answer(qwen: Path, seeded: dict[str, Any]) -> None:
    started = time.perf_counter()
    out = run_cli(
        ["ask", "安民乡推出了几条红色旅游精品线路？", "--json"],
        seeded["store"],
        ASSISTANT_LLM_GGUF=str(qwen),
        ASSISTANT_LLM_TIMEOUT_S="120",
    )
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    assert answer["mode"] in {"llm", "extractive"}
    if answer["mode"] == "extractive":  # the model gave no usable cited answer: say so, answer anyway
        assert answer["notes"] and "6条" in answer["answer"]
    assert answer["unsupported_numbers"] == [] or answer["mode"] == "llm"
    assert time.perf_counter() - started < 600


# --- Qwen2.5 0.5B (the local_llm tier's model): KV cache reuse, streaming, drafts, bench --llm ------------


@pytest.mark.local_llm
def test_the_fixed_system_prompt_is_evaluated_once_and_first_tokens_stream(qwen: Path) -> None:
    model = LlamaCppChat(model_path=str(qwen), temperature=0.0, max_tokens=48)
    client = ChatClient(model, max_retries=0, timeout_s=300)
    prompts = PromptLibrary()
    questions = [
        ("X乡2023年完成财税1200万元。", "X乡完成了多少财税？"),
        ("安民乡推出6条红色旅游精品线路。", "安民乡有几条线路？"),
    ]
    spent, tokens, streamed = [], [], []
    model.llama.reset()
    for text, question in questions:
        messages = prompts.render("answer", passages=render_passages([passage(1, text)]), question=question)
        before, started, arrivals = model.perf(), time.perf_counter(), []
        for _delta in client.stream(messages):
            arrivals.append(time.perf_counter() - started)
        spent.append(model.perf() - before)
        tokens.append(model.prompt_token_ids(messages) or [])
        streamed.append(arrivals)
    shared = next(i for i, (a, b) in enumerate(zip(*tokens, strict=False)) if a != b)
    system = model.prompt_token_ids(messages[:1]) or []
    assert shared >= len(system) - 2, "nothing per question comes before the end of the system message"
    assert spent[0].prompt_tokens >= len(tokens[0]) - 1, "the first prompt is evaluated whole"
    # The second evaluates only what follows the common prefix (llama.cpp may replay one token).
    assert spent[1].prompt_tokens <= len(tokens[1]) - shared + 1
    assert all(len(a) >= 2 and a[0] < a[-1] for a in streamed), "the reply arrives in pieces, the first early"


@pytest.mark.local_llm
def test_a_local_model_draft_is_cited_sentence_by_sentence_from_the_summary_part(
    qwen: Path, seeded: dict[str, Any]
) -> None:
    settings = Settings(store_dir=seeded["store"], llm_gguf=qwen, llm_timeout_s=300, llm_max_retries=0)
    drafter = Services.open(settings).drafter(writer="llm")
    answer = drafter.draft("安民乡2023年红色旅游工作总结", length=300)
    assert not answer.abstained and answer.citations
    assert all(str(p.metadata.get("part_kind")) == "总结" for p in answer.passages), "no plan passage for a 总结"
    if answer.mode == "llm":
        assert uncited_sentences(answer.answer) == 0, answer.answer
    else:
        assert answer.notes, "a note says why the model's text was not used"


@pytest.mark.local_llm
def test_bench_llm_reports_speed_beside_raw_llama_cpp(qwen: Path, tmp_path: Path) -> None:
    out = run_cli(
        ["bench", "--llm", "--llm-questions", "3", "--llm-drafts", "1", "--json"],
        tmp_path / "unused-store",
        ASSISTANT_LLM_GGUF=str(qwen),
    )
    assert out.returncode == 0, out.stderr[-3000:]
    figures = json.loads(out.stdout)
    rows = figures["llm_answers"]
    assert figures["llm_model"] == "本地模型 qwen2.5-0.5b" and len(rows) >= 2
    for row in rows:
        assert row["prompt_tokens"] > 0 and row["prompt_tok_s"] > 0 and row["raw_prompt_tok_s"] > 0
        assert row["gen_tokens"] > 0 and row["gen_tok_s"] > 0 and row["raw_gen_tok_s"] > 0 and row["gen_ratio"] > 0
        assert 0 < row["model_ttft_ms"] <= row["ttft_ms"] < row["total_ms"]
    for row in rows[1:]:  # the KV cache kept the prefix the prompts share
        assert row["shared_prefix_tokens"] > 0
        assert row["prompt_eval_tokens"] <= row["prompt_tokens"] - row["shared_prefix_tokens"] + 1
    (draft,) = figures["llm_drafts"]
    assert draft["chars"] > 0 and 0 <= draft["copied_share"] <= 1
    assert draft["mode"] == "extractive" or draft["uncited_sentences"] == 0
