"""The LLM layer without a network: retries, error classes, stream handling, verification, fallbacks."""

from __future__ import annotations

import email.utils
import sys
import time
from pathlib import Path

import httpx
import openai
import pytest
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from assistant.config import Settings
from assistant.generation.llm.answer import (
    NO_CITATION_NOTE,
    Generated,
    LLMAnswerer,
    VisibleStream,
    _clean_condensed,
    finish_generated,
    resolve_relative_years,
    says_not_found,
)
from assistant.generation.llm.client import ChatClient, LLMError, classify, make_chat_model, retry_after_s
from assistant.generation.llm.draft import LLMDrafter
from assistant.types import Answer
from tests.unit.llm_fakes import ListRetriever, ScriptedChat, StubAnswerer, StubDrafter, corpus, passage

REQUEST = httpx.Request("POST", "http://127.0.0.1/v1/chat/completions")


def status_error(code: int, headers: dict[str, str] | None = None) -> openai.APIStatusError:
    response = httpx.Response(code, headers=headers or {}, request=REQUEST)
    cls = {429: openai.RateLimitError, 500: openai.InternalServerError}.get(code, openai.APIStatusError)
    return cls(f"Error code: {code}", response=response, body=None)


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


def client(replies: list[object], retries: int = 2, timeout_s: float = 10.0) -> tuple[ChatClient, FakeTime]:
    t = FakeTime()
    chat = ChatClient(
        ScriptedChat(replies=replies), max_retries=retries, timeout_s=timeout_s, sleep=t.sleep, clock=t.clock
    )
    return chat, t


# --- settings → model ---------------------------------------------------------------------------


def test_no_llm_configured_means_no_model() -> None:
    assert make_chat_model(Settings()) is None
    assert make_chat_model(Settings(llm_base_url="http://127.0.0.1:9/v1")) is None  # a model name is needed too


def test_openai_compatible_model_from_settings() -> None:
    settings = Settings(llm_base_url="http://127.0.0.1:9/v1", llm_model="qwen-plus", llm_timeout_s=7, llm_temperature=0)
    model = make_chat_model(settings)
    assert isinstance(model, ChatOpenAI) and model._llm_type == "openai-chat"
    assert model.model_name == "qwen-plus" and model.max_retries == 0
    assert model.request_timeout == 7 and model.temperature == 0
    assert isinstance(model.openai_api_key, SecretStr) and model.openai_api_key.get_secret_value() == "not-needed"


def test_gguf_without_llama_cpp_says_how_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # as on a machine without it: the import fails
    with pytest.raises(LLMError) as err:
        make_chat_model(Settings(llm_gguf=tmp_path / "m.gguf"))
    assert err.value.kind == "unavailable" and "pip install -e '.[local]'" in err.value.message_zh


# --- error classes and retries -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exc", "kind", "text"),
    [
        (openai.APITimeoutError(request=REQUEST), "timeout", "超时"),
        (status_error(429), "rate_limit", "服务繁忙"),
        (status_error(500), "server", "服务器错误（500）"),
        (status_error(502), "server", "服务器错误（502）"),
        (status_error(401), "rejected", "ASSISTANT_LLM_API_KEY"),
        (status_error(404), "rejected", "ASSISTANT_LLM_MODEL"),
        (openai.APIConnectionError(request=REQUEST), "connection", "连接中断"),
        (httpx.RemoteProtocolError("peer closed"), "connection", "连接中断"),
        (ValueError("No generation chunks were returned"), "bad_response", "返回格式异常"),
        (TypeError("null value for 'choices'"), "bad_response", "返回格式异常"),
        (RuntimeError("boom"), "error", "调用模型失败"),
    ],
)
def test_failures_are_classified_with_chinese_messages(exc: BaseException, kind: str, text: str) -> None:
    error = classify(exc, timeout_s=30)
    assert error.kind == kind and text in error.message_zh


def test_retry_after_forms() -> None:
    assert retry_after_s(status_error(429, {"Retry-After": "3"})) == 3.0
    assert retry_after_s(status_error(429, {"retry-after-ms": "1500"})) == 1.5
    date = email.utils.formatdate(time.time() + 5, usegmt=True)
    assert 3 <= (retry_after_s(status_error(429, {"Retry-After": date})) or 0) <= 5
    assert retry_after_s(status_error(429)) is None
    assert retry_after_s(ValueError()) is None


def test_429_waits_as_asked_then_succeeds() -> None:
    chat, t = client([status_error(429, {"Retry-After": "2"}), "好[1]"])
    assert chat.complete([]) == "好[1]" and t.sleeps == [2.0]


def test_retry_after_beyond_the_cap_is_not_waited_for() -> None:
    chat, t = client([status_error(429, {"Retry-After": "60"}), "好[1]"])
    with pytest.raises(LLMError) as err:
        chat.complete([])
    assert err.value.kind == "rate_limit" and t.sleeps == []


def test_5xx_backs_off_and_gives_up_after_max_retries() -> None:
    chat, t = client([status_error(500)], retries=2)
    with pytest.raises(LLMError) as err:
        chat.complete([])
    assert err.value.kind == "server" and t.sleeps == [0.5, 1.0]
    assert isinstance(chat.model, ScriptedChat) and len(chat.model.calls) == 3


def test_deadline_stops_retries() -> None:
    chat, t = client([status_error(429, {"Retry-After": "8"})], retries=5)
    chat.deadline_s = 20
    with pytest.raises(LLMError):
        chat.complete([])
    assert sum(t.sleeps) <= 20 and len(t.sleeps) == 2


def test_timeouts_and_bad_responses_are_not_retried() -> None:
    for exc in (openai.APITimeoutError(request=REQUEST), ValueError("bad")):
        chat, t = client([exc, "好[1]"])
        with pytest.raises(LLMError):
            chat.complete([])
        assert t.sleeps == []


def test_stream_retries_before_the_first_token_but_not_after() -> None:
    chat, t = client([status_error(503), "你好世界[1]"])
    assert "".join(chat.stream([])) == "你好世界[1]" and t.sleeps == [0.5]

    seen: list[str] = []
    chat, t = client([("你好世", httpx.RemoteProtocolError("peer closed")), "你好世界[1]"])
    with pytest.raises(LLMError) as err:
        seen.extend(chat.stream([]))
    assert err.value.kind == "interrupted" and "不完整" in err.value.message_zh
    assert "".join(seen) == "你好世" and t.sleeps == []  # shown tokens are never repeated by a retry


def test_stream_past_the_deadline_is_interrupted() -> None:
    chat, _ = client(["很长的回答" * 10])
    chat.deadline_s = 1.0
    ticks = iter(range(100))
    chat.clock = lambda: float(next(ticks))
    with pytest.raises(LLMError) as err:
        list(chat.stream([]))
    assert err.value.kind == "interrupted" and "超时" in err.value.message_zh


def test_empty_reply_is_an_error() -> None:
    chat, _ = client(["  "])
    with pytest.raises(LLMError, match="空回答"):
        chat.complete([])


# --- text handling --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("去年完成了多少财税？", "2023年完成了多少财税？"),
        ("今年和明年的计划", "2024年和2025年的计划"),
        ("前年呢", "2022年呢"),
        ("2023年的财税", "2023年的财税"),
    ],
)
def test_relative_years(question: str, expected: str) -> None:
    assert resolve_relative_years(question, 2024) == expected


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("安民乡2023年财税收入是多少？", "安民乡2023年财税收入是多少？"),
        ("改写后的独立问题：安民乡呢？\n解释：……", "安民乡呢？"),
        ("“安民乡财税收入是多少？”", "安民乡财税收入是多少？"),
        ("", ""),
        ("很长" * 200, ""),
    ],
)
def test_condensed_reply_cleanup(reply: str, expected: str) -> None:
    assert _clean_condensed(reply) == expected


def test_think_blocks_are_not_streamed_to_the_user() -> None:
    visible = VisibleStream()
    out = "".join(visible.feed(d) for d in ["<thi", "nk>想一想", "……</think>", "\n答案", "[1]。"])
    assert out == "答案[1]。"


def test_not_found_phrasings() -> None:
    assert says_not_found("资料中未找到相关内容。") and says_not_found("资料中没有提及该项目。")
    assert not says_not_found("X乡完成财税1200万元[1]。")


# --- verification after generation ------------------------------------------------------------


PASSAGES = [
    passage(1, "稳定农业产业。全年完成粮食种植面积3.76万亩。"),
    passage(2, "2023年完成财税1200万元。"),
    passage(3, "党委理论中心组集中学习XX次。", doc="004_z", township="XX乡"),
]


def finish(text: str) -> Answer:
    def fallback(notes: list[str]) -> Answer:
        return Answer("q", "原文摘录", False, [], [], "extractive", notes=notes)

    return finish_generated("q", Generated(text, PASSAGES), PASSAGES, fallback)


def test_verification_removes_bad_markers_and_flags_changed_numbers() -> None:
    answer = finish("财税1300万元[2][7]。")
    assert answer.mode == "llm" and answer.answer == "财税1300万元[1]。"
    assert answer.unsupported_numbers == ["1300万"] and answer.citations[0].quote == "2023年完成财税1200万元。"
    assert any("[7]" in n for n in answer.notes) and any(n == "待核对：财税1300万元[1]。" for n in answer.notes)


def test_a_year_in_the_cited_section_heading_backs_the_number() -> None:
    answer = finish("2023年全年完成粮食种植面积3.76万亩[1]。")
    assert answer.unsupported_numbers == []


def test_no_valid_citation_falls_back_and_not_found_abstains() -> None:
    fallback = finish("财税1200万元[8]。")
    assert fallback.mode == "extractive" and fallback.notes == [NO_CITATION_NOTE]
    abstained = finish("资料中未找到该乡的招商数据。")
    assert abstained.abstained and abstained.mode == "llm"


def test_xx_figures_get_the_undisclosed_note() -> None:
    answer = finish("XX乡党委理论中心组集中学习XX次[3]。")
    assert "原文未披露具体数字" in answer.answer


# --- the answer and draft paths with a scripted model ------------------------------------------


def test_single_question_makes_one_call_and_failures_fall_back() -> None:
    retriever = ListRetriever(PASSAGES)
    stub = StubAnswerer(retriever)
    chat = ScriptedChat(replies=[status_error(401)])
    answer = LLMAnswerer(retriever, corpus(), chat, stub, year=2024).ask("去年完成了多少财税？")
    # A first question is answered as asked (relative years are resolved for follow-ups only).
    assert len(chat.calls) == 1 and stub.asked == ["去年完成了多少财税？"]
    assert answer.mode == "extractive" and answer.question == "去年完成了多少财税？"
    assert any("401" in n for n in answer.notes) and any("已改用原文摘录" in n for n in answer.notes)


def test_the_model_is_shown_the_extractive_evidence_only() -> None:
    many = [passage(i, f"第{i}段。") for i in range(1, 13)]
    retriever = ListRetriever(many)
    chat = ScriptedChat(replies=["第1段[1]。"])
    stub = StubAnswerer(retriever)
    llm = LLMAnswerer(retriever, corpus(), chat, stub, year=2024)
    llm.ask("X乡和安民乡分别做了什么？")
    prompt = str(chat.calls[0][1].content)
    assert "资料 [12] 开始" in prompt and "第12段。" in prompt  # the stub cites all twelve


def test_markers_the_model_leaves_out_are_attached_to_the_evidence_behind_them() -> None:
    retriever = ListRetriever(PASSAGES)
    chat = ScriptedChat(replies=["X乡去年财税收入达到1200万元。粮食种植面积为3.76万亩。"])
    answer = LLMAnswerer(retriever, corpus(), chat, StubAnswerer(retriever), year=2024).ask("X乡财税收入多少？")
    assert answer.mode == "llm" and answer.unsupported_numbers == []
    assert answer.answer == "X乡去年财税收入达到1200万元。[1]粮食种植面积为3.76万亩。[2]"
    assert [c.quote for c in answer.citations] == ["2023年完成财税1200万元。", "全年完成粮食种植面积3.76万亩。"]


def test_a_refusal_from_the_model_on_an_answered_question_gives_the_quotes() -> None:
    retriever = ListRetriever(PASSAGES)
    chat = ScriptedChat(replies=["资料中未找到相关内容。"])
    answer = LLMAnswerer(retriever, corpus(), chat, StubAnswerer(retriever), year=2024).ask("X乡财税收入多少？")
    assert answer.mode == "extractive" and not answer.abstained and "1200万元" in answer.answer
    assert any("模型未能根据资料作答" in n for n in answer.notes)


def test_draft_rejects_unknown_style_and_falls_back_on_failure() -> None:
    retriever = ListRetriever(PASSAGES)
    stub = StubDrafter(retriever)
    drafter = LLMDrafter(retriever, corpus(), ScriptedChat(replies=[status_error(500)]), stub)
    drafter.chat.sleep = lambda _s: None
    with pytest.raises(ValueError, match="文体"):
        drafter.draft("主题", style="诗歌")
    answer = drafter.draft("X乡工作总结")
    # The extractive draft the model was to rewrite is what the user gets.
    assert answer.mode == "extractive" and stub.drafted == ["X乡工作总结"] and "1200万元" in answer.answer
    assert any("服务器错误（500）" in n for n in answer.notes) and "已改用原文摘录回答。" in answer.notes


def test_a_comparison_the_model_leaves_half_done_gives_the_quotes() -> None:
    two = [passage(1, "X乡调解矛盾纠纷71起。"), passage(2, "安民乡调解矛盾纠纷57件。", doc="002_y", township="安民乡")]
    retriever = ListRetriever(two)
    stub = StubAnswerer(retriever)
    half = LLMAnswerer(retriever, corpus(), ScriptedChat(replies=["安民乡调解纠纷57件[2]。"]), stub, year=2024)
    answer = half.ask("X乡和安民乡分别调解了多少矛盾纠纷？")
    assert answer.mode == "extractive" and "71起" in answer.answer and "57件" in answer.answer
    assert any("遗漏了部分报告" in n for n in answer.notes)
    both = ScriptedChat(replies=["X乡调解71起[1]，安民乡调解57件[2]。"])
    answer = LLMAnswerer(retriever, corpus(), both, stub, year=2024).ask("X乡和安民乡分别调解了多少矛盾纠纷？")
    assert answer.mode == "llm" and [c.n for c in answer.citations] == [1, 2]


def test_a_fallback_after_a_follow_up_carries_each_note_once() -> None:
    retriever = ListRetriever(PASSAGES)
    chat = ScriptedChat(replies=["X乡2023年完成了多少财税？", "全乡各项工作稳步推进。"])  # condense, then no backing
    history = [{"role": "user", "content": "X乡粮食种了多少？"}, {"role": "assistant", "content": "3.76万亩[1]"}]
    answer = LLMAnswerer(retriever, corpus(), chat, StubAnswerer(retriever), year=2024).ask("财税呢？", history=history)
    assert answer.mode == "extractive"
    assert len(answer.notes) == len(set(answer.notes)) and any("按上下文理解为" in n for n in answer.notes)
