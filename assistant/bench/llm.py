"""`assistant bench --llm`: the local GGUF model through the answer and draft paths, beside raw llama-cpp.

On a fresh store of the bundled sample reports, with the configured or installed GGUF model and
greedy decoding (temperature 0: both sides write the same tokens). The questions are the first
`questions` non-draft questions of seeds/qa/dev.jsonl, in file order; then the same prompts go
straight to llama_cpp.Llama.create_chat_completion(stream=True) on the same Llama (same weights,
same threads), its KV cache emptied first as ours was. Per model call (JSON `llm_answers`):
  prompt_tokens        tokens of the prompt (the GGUF's chat template)
  shared_prefix_tokens its common prefix with the previous call's prompt (what llama.cpp can reuse)
  prompt_eval_tokens   tokens llama.cpp evaluated (prompt_tokens minus the reused prefix), and
  prompt_eval_ms       the time it took (llama.cpp's timer); prompt_tok_s = tokens / time
  gen_tokens, gen_s, gen_tok_s  generated tokens; seconds from the first streamed delta to the last,
                       as the caller receives them; (gen_tokens - 1) / gen_s
  ttft_ms              question in → first visible delta (retrieval and extractive evidence included)
  model_ttft_ms        model call → its first delta; total_ms: question in → verified Answer
  raw_*                the same figures for the raw call; gen_ratio = gen_tok_s / raw_gen_tok_s
Per draft (`llm_drafts`: the first `drafts` draft items, 300 characters, style from the topic):
  seconds, ttft_ms, chars, copied_share (eval.metrics.copied_share), uncited_sentences, mode.
The summary keys (llm_*) are medians and extremes of these, except llm_gen_tok_s, llm_raw_gen_tok_s and
llm_gen_ratio, pooled over every call (a 3-token reply's own rate is mostly noise); llm_first_* is the
first call (empty KV cache), llm_later_* the others (the fixed system prompt cached). load_avg_1m is read
before and after: llama.cpp on every core slows down several times when anything else runs.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from langchain_core.messages import BaseMessage

from assistant.bench.run import BenchError, Note, seed_inputs
from assistant.config import Settings
from assistant.eval.dataset import load_qa
from assistant.eval.metrics import copied_share, draft_style, uncited_sentences
from assistant.generation.answer import Answerer
from assistant.generation.citations import unmarked
from assistant.generation.draft import Drafter
from assistant.generation.llm.answer import LLMAnswerer
from assistant.generation.llm.client import ChatClient, make_chat_model
from assistant.generation.llm.draft import LLMDrafter
from assistant.generation.llm.llama import LlamaCppChat, LlamaPerf, chat_messages
from assistant.services import Services
from assistant.types import Answer

DRAFT_LENGTH = 300
NO_LOCAL_MODEL = (
    "bench --llm 需要本地 GGUF 模型：设置 ASSISTANT_LLM_GGUF，或运行 assistant model install qwen2.5-1.5b"
    "（并 pip install -e '.[local]'）；模型服务（ASSISTANT_LLM_BASE_URL）无法与 llama.cpp 原始调用对比。"
)


@dataclass
class Call:
    """One model call through ChatClient.stream: the messages and when its deltas came."""

    messages: list[BaseMessage]
    started: float
    first: float | None = None
    last: float | None = None
    deltas: int = 0


@dataclass
class RecordingClient(ChatClient):
    """A ChatClient that keeps each call's messages and delta times (the benchmark's probe)."""

    calls: list[Call] = field(default_factory=list)

    def stream(self, messages: Sequence[BaseMessage]) -> Iterator[str]:
        call = Call(list(messages), time.perf_counter())
        self.calls.append(call)
        for delta in super().stream(messages):
            call.first = call.first or time.perf_counter()
            call.last, call.deltas = time.perf_counter(), call.deltas + 1
            yield delta

    def complete(self, messages: Sequence[BaseMessage]) -> str:
        call = Call(list(messages), time.perf_counter())
        self.calls.append(call)
        text = super().complete(messages)
        call.first = call.last = time.perf_counter()
        return text


def _rate(tokens: float, seconds: float | None) -> float | None:
    return round(tokens / seconds, 2) if seconds and seconds > 0 else None


def _gen_rate(tokens: int, first: float | None, last: float | None) -> float | None:
    """Generated tokens per second between the first and the last delta (the first token's time is
    prompt evaluation's)."""
    if first is None or last is None:
        return None
    return _rate(tokens - 1, last - first)


def _window(first: float | None, last: float | None) -> float | None:
    """Seconds from the first streamed delta to the last (the generation the caller sees)."""
    return None if first is None or last is None else round(last - first, 4)


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def common_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def timed(pieces: Iterator[str | Answer]) -> tuple[Answer, float | None, float]:
    """Consume a path's stream: the Answer, seconds to the first text delta (None: none came), seconds in all."""
    started, first = time.perf_counter(), None
    answer: Answer | None = None
    for piece in pieces:
        if isinstance(piece, Answer):
            answer = piece
        elif first is None:
            first = time.perf_counter() - started
    assert answer is not None, "a path's stream ends with its Answer"
    return answer, first, time.perf_counter() - started


def raw_call(model: LlamaCppChat, messages: Sequence[BaseMessage]) -> dict[str, Any]:
    """The messages straight through llama_cpp.Llama.create_chat_completion, streamed, same settings."""
    before, started = model.perf(), time.perf_counter()
    first = last = None
    stream = model.llama.create_chat_completion(
        messages=chat_messages(messages), temperature=model.temperature, max_tokens=model.max_tokens, stream=True
    )
    for part in stream:
        if part["choices"][0].get("delta", {}).get("content"):
            last = time.perf_counter()
            first = first or last
    total = time.perf_counter() - started
    spent = model.perf() - before
    return {
        "raw_prompt_eval_tokens": spent.prompt_tokens,
        "raw_prompt_eval_ms": round(spent.prompt_ms, 1),
        "raw_prompt_tok_s": _rate(spent.prompt_tokens, spent.prompt_ms / 1000),
        "raw_gen_tokens": spent.generated_tokens,
        "raw_gen_s": _window(first, last),
        "raw_gen_tok_s": _gen_rate(spent.generated_tokens, first, last),
        "raw_ttft_ms": _ms(None if first is None else first - started),
        "raw_total_ms": _ms(total),
    }


def _p50(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(statistics.median(present), 2) if present else None


def answer_figures(
    model: LlamaCppChat, answerer: LLMAnswerer, client: RecordingClient, questions: Sequence[str], note: Note
) -> list[dict[str, Any]]:
    """Our path per question (one row per model call it made), then the same prompts raw."""
    rows: list[tuple[dict[str, Any], Call]] = []
    previous: list[int] = []
    model.llama.reset()  # the first question starts with an empty KV cache, as the raw side will
    for i, question in enumerate(questions, start=1):
        note(f"本地模型问答 {i}/{len(questions)}")
        calls_before, before = len(client.calls), model.perf()
        answer, ttft, total = timed(answerer.stream(question))
        spent = model.perf() - before
        for call in client.calls[calls_before:]:  # none when the extractive evidence abstained
            tokens = model.prompt_token_ids(call.messages) or []
            shared = common_prefix(previous, tokens)
            rows.append((_ours(question, answer, call, tokens, shared, spent, ttft, total), call))
            previous = tokens
    note("同样的提示词直接交给 llama.cpp")
    model.llama.reset()
    for row, call in rows:
        row.update(raw_call(model, call.messages))
        ours, raw = row["gen_tok_s"], row["raw_gen_tok_s"]
        row["gen_ratio"] = round(ours / raw, 3) if ours and raw else None
    return [row for row, _ in rows]


def _ours(
    question: str,
    answer: Answer,
    call: Call,
    tokens: Sequence[int],
    shared: int,
    spent: LlamaPerf,
    ttft: float | None,
    total: float,
) -> dict[str, Any]:
    # One model call per first question (LLMAnswerer): the question's llama.cpp totals are that call's.
    return {
        "question": question,
        "mode": answer.mode,
        "prompt_tokens": len(tokens),
        "shared_prefix_tokens": shared,
        "prompt_eval_tokens": spent.prompt_tokens,
        "prompt_eval_ms": round(spent.prompt_ms, 1),
        "prompt_tok_s": _rate(spent.prompt_tokens, spent.prompt_ms / 1000),
        "gen_tokens": spent.generated_tokens,
        "gen_s": _window(call.first, call.last),
        "gen_tok_s": _gen_rate(spent.generated_tokens, call.first, call.last),
        "ttft_ms": _ms(ttft),
        "model_ttft_ms": _ms(None if call.first is None else call.first - call.started),
        "total_ms": _ms(total),
    }


def draft_figures(drafter: LLMDrafter, topics: Sequence[str], note: Note) -> list[dict[str, Any]]:
    rows = []
    for i, topic in enumerate(topics, start=1):
        note(f"本地模型起草 {i}/{len(topics)}")
        style = draft_style(topic)
        answer, ttft, total = timed(drafter.stream(topic, length=DRAFT_LENGTH, style=style))
        sources = [p.text for p in answer.passages] + [c.text for c in answer.citations]
        rows.append(
            {
                "topic": topic,
                "style": style,
                "mode": answer.mode,
                "seconds": round(total, 2),
                "ttft_ms": _ms(ttft),
                "chars": len(unmarked(answer.answer)),
                "copied_share": copied_share(answer.answer, sources),
                "uncited_sentences": uncited_sentences(answer.answer),
                "unsupported_numbers": len(answer.unsupported_numbers),
                "notes": answer.notes,
            }
        )
    return rows


def _pooled(rows: Sequence[dict[str, Any]], tokens: str, seconds: str) -> float | None:
    """Tokens per second over every row's generation window together (first token excluded, as in _gen_rate)."""
    timed = [r for r in rows if r[seconds]]
    return _rate(sum(r[tokens] - 1 for r in timed), sum(r[seconds] for r in timed))


def summary(answers: Sequence[dict[str, Any]], drafts: Sequence[dict[str, Any]]) -> dict[str, Any]:
    later = answers[1:]
    ratios = [r["gen_ratio"] for r in answers if r["gen_ratio"] is not None]
    ours, raw = _pooled(answers, "gen_tokens", "gen_s"), _pooled(answers, "raw_gen_tokens", "raw_gen_s")
    out: dict[str, Any] = {
        "llm_calls": len(answers),
        "llm_prompt_tok_s_p50": _p50([r["prompt_tok_s"] for r in answers]),
        "llm_raw_prompt_tok_s_p50": _p50([r["raw_prompt_tok_s"] for r in answers]),
        # Generation speed over all calls together (a 3-token reply's rate is mostly noise).
        "llm_gen_tok_s": ours,
        "llm_raw_gen_tok_s": raw,
        "llm_gen_ratio": round(ours / raw, 3) if ours and raw else None,
        "llm_gen_ratio_p50": _p50(ratios),
        "llm_gen_ratio_min": min(ratios) if ratios else None,
        "llm_ttft_p50_ms": _p50([r["ttft_ms"] for r in answers]),
        "llm_model_ttft_p50_ms": _p50([r["model_ttft_ms"] for r in answers]),
        "llm_raw_ttft_p50_ms": _p50([r["raw_ttft_ms"] for r in answers]),
        "llm_total_p50_ms": _p50([r["total_ms"] for r in answers]),
        "llm_raw_total_p50_ms": _p50([r["raw_total_ms"] for r in answers]),
    }
    if answers:
        out["llm_first_prompt_tokens"] = answers[0]["prompt_tokens"]
        out["llm_first_prompt_eval_tokens"] = answers[0]["prompt_eval_tokens"]
        out["llm_first_prompt_eval_ms"] = answers[0]["prompt_eval_ms"]
    if later:
        out["llm_later_shared_prefix_tokens_min"] = min(r["shared_prefix_tokens"] for r in later)
        out["llm_later_prompt_tokens_p50"] = _p50([r["prompt_tokens"] for r in later])
        out["llm_later_prompt_eval_tokens_p50"] = _p50([r["prompt_eval_tokens"] for r in later])
        out["llm_later_prompt_eval_ms_p50"] = _p50([r["prompt_eval_ms"] for r in later])
        out["llm_later_raw_prompt_eval_ms_p50"] = _p50([r["raw_prompt_eval_ms"] for r in later])
    if drafts:
        out["llm_draft_s_p50"] = _p50([d["seconds"] for d in drafts])
        out["llm_draft_s_max"] = max(d["seconds"] for d in drafts)
        out["llm_draft_chars_p50"] = _p50([d["chars"] for d in drafts])
        out["llm_draft_copied_share_mean"] = round(statistics.mean(d["copied_share"] for d in drafts), 4)
        out["llm_draft_uncited_sentences"] = sum(d["uncited_sentences"] for d in drafts)
        out["llm_drafts_by_model"] = sum(1 for d in drafts if d["mode"] == "llm")
    return out


def run_llm_bench(
    settings: Settings, *, questions: int = 8, drafts: int = 3, note: Note = lambda _: None
) -> dict[str, Any]:
    """The figures of the module docstring, in one dict (the per-call and per-draft rows under
    `llm_answers` and `llm_drafts`)."""
    seeds, qa_file = seed_inputs()
    items = load_qa(qa_file)
    qs = [i.question for i in items if i.kind != "draft"][:questions]
    topics = [i.question for i in items if i.kind == "draft"][:drafts]
    load_before = round(os.getloadavg()[0], 2)
    with tempfile.TemporaryDirectory(prefix="bench-llm-") as tmp:
        local = replace(settings, store_dir=Path(tmp), chroma_url=None, parse_timeout_s=0)
        services = Services.open(local)
        choice = services.model()
        if choice is None or not choice.local:
            raise BenchError(NO_LOCAL_MODEL)
        note("导入示例报告")
        services.ingest([seeds])
        note(f"加载{choice.label}")
        started = time.perf_counter()
        model = make_chat_model(replace(choice.settings, llm_temperature=0.0))
        assert isinstance(model, LlamaCppChat), "a local model choice is a GGUF"
        load_s = time.perf_counter() - started
        model.llama.create_chat_completion(messages=[{"role": "user", "content": "你好"}], max_tokens=1)  # warm-up
        # Generous limits: the benchmark measures slow machines too, and must not fall back on them.
        client = RecordingClient(model, max_retries=0, timeout_s=max(600.0, settings.llm_timeout_s))
        retriever, corpus = services.retriever(), services.corpus()
        answerer = LLMAnswerer(retriever, corpus, client, Answerer(retriever, corpus))
        answers = answer_figures(model, answerer, client, qs, note)
        drafter = LLMDrafter(retriever, corpus, client, Drafter(retriever, corpus))
        draft_rows = draft_figures(drafter, topics, note)
    return {
        "llm_model": choice.label,
        "llm_gguf": str(choice.settings.llm_gguf),
        "llm_threads": model.n_threads or os.cpu_count(),
        "llm_load_s": round(load_s, 2),
        "llm_questions": len(qs),
        **summary(answers, draft_rows),
        "cpu_count": os.cpu_count(),
        "load_avg_1m_before": load_before,
        "load_avg_1m_after": round(os.getloadavg()[0], 2),
        "llm_answers": answers,
        "llm_drafts": draft_rows,
    }
