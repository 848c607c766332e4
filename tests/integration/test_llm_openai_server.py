"""The LLM answer/draft path against a real OpenAI-compatible HTTP server on 127.0.0.1, scripted per test.

Retrieval is real too (the seeded store, bundled embedder): the model sees what retrieval returned,
and the tests assert what the user gets back.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from assistant.config import Settings
from assistant.generation.answer import Answerer
from assistant.generation.corpus import Corpus
from assistant.generation.draft import Drafter
from assistant.generation.llm.answer import MODEL_NOT_FOUND_NOTE, NO_CITATION_NOTE, NO_CONTENT_NOTE, LLMAnswerer
from assistant.generation.llm.client import ChatClient, make_chat_client
from assistant.generation.llm.draft import LLMDrafter, max_tokens_for
from assistant.retrieval import Retriever
from assistant.services import Services
from assistant.types import Answer
from tests.integration.chat_server import ChatServer, Drop, Raw, Received, Reply, Script, Sleep, Status

pytestmark = pytest.mark.integration

FISCAL_Q = "X乡2023年完成了多少财税收入？"
FISCAL_ANSWER = "X乡2023年完成财税1200万元[1]。"
X_DOC, ANMIN_DOC = "001_dfb12432eec8a521", "002_501c0fb6689f0a4e"


@pytest.fixture(scope="module")
def parts(seeded: dict[str, Any]) -> tuple[Retriever, Corpus]:
    services = Services.open(Settings(store_dir=seeded["store"]))
    return services.retriever(), services.corpus()


@pytest.fixture
def server_for(parts: tuple[Retriever, Corpus]) -> Iterator[Any]:
    """Start a scripted server; every server started in a test is stopped at its end."""
    started: list[ChatServer] = []

    def start(script: Script) -> ChatServer:
        server = ChatServer(script).__enter__()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def client_for(server: ChatServer, timeout_s: float = 5.0, retries: int = 2) -> ChatClient:
    settings = Settings(
        llm_base_url=server.base_url, llm_model="scripted-model", llm_timeout_s=timeout_s, llm_max_retries=retries
    )
    client = make_chat_client(settings)
    assert client is not None
    return client


def answerer(parts: tuple[Retriever, Corpus], server: ChatServer, **kwargs: Any) -> LLMAnswerer:
    retriever, corpus = parts
    timeout_s = kwargs.pop("timeout_s", 5.0)
    retries = kwargs.pop("retries", 2)
    return LLMAnswerer(
        retriever, corpus, client_for(server, timeout_s, retries), Answerer(retriever, corpus), year=2024, **kwargs
    )


def collect(stream: Iterator[str | Answer]) -> tuple[list[str], Answer]:
    items = list(stream)
    final = items[-1]
    assert isinstance(final, Answer)
    deltas = [x for x in items[:-1] if isinstance(x, str)]
    assert len(deltas) == len(items) - 1, "only the last item is an Answer"
    return deltas, final


def assert_extractive_fallback(answer: Answer, *note_parts: str) -> None:
    assert answer.mode == "extractive"
    assert "1200万元" in answer.answer and answer.citations  # the extractive answer, cited
    notes = " ".join(answer.notes)
    for part in note_parts:
        assert part in notes, notes


# --- normal answers and verification ---------------------------------------------------------


@pytest.mark.parametrize("streaming", [False, True], ids=["json", "stream"])
def test_cited_answer_is_verified_and_quotes_the_cited_passage(
    parts: tuple[Retriever, Corpus], server_for: Any, streaming: bool
) -> None:
    server = server_for([Reply(FISCAL_ANSWER)])
    llm = answerer(parts, server)
    if streaming:
        deltas, answer = collect(llm.stream(FISCAL_Q))
        assert len(deltas) > 1 and "".join(deltas) == FISCAL_ANSWER
        assert server.requests[0].body.get("stream") is True
    else:
        answer = llm.ask(FISCAL_Q)
    assert answer.mode == "llm" and not answer.abstained
    assert answer.answer == FISCAL_ANSWER and answer.unsupported_numbers == []
    (cite,) = answer.citations
    assert cite.doc == X_DOC and cite.quote in cite.text and "1200万元" in cite.quote
    # The prompt held the extractive evidence (the sentence that answers, not the whole passage) as
    # delimited data, with the question.
    prompt = server.requests[0].prompt_text
    assert "===== 资料 [1] 开始 =====" in prompt and f"问题：{FISCAL_Q}" in prompt
    assert "2023年完成财税1200万元" in prompt and "粮食种植面积3.76万亩" not in prompt


def test_citation_of_a_passage_not_retrieved_is_removed(parts: tuple[Retriever, Corpus], server_for: Any) -> None:
    server = server_for([Reply("X乡2023年完成财税1200万元[1][9]。全乡引进物流企业2家[9]。")])
    answer = answerer(parts, server).ask(FISCAL_Q)
    assert "资料 [9] 开始" not in server.requests[0].prompt_text
    assert answer.mode == "llm"
    assert "[9]" not in answer.answer and [c.n for c in answer.citations] == [1]
    assert any("[9]" in note for note in answer.notes)
    # "2家" now cites nothing: the number is listed, not silently trusted.
    assert answer.unsupported_numbers == ["2"]


def test_changed_number_is_listed_as_unsupported(parts: tuple[Retriever, Corpus], server_for: Any) -> None:
    server = server_for([Reply("X乡2023年完成财税1300万元[1]。")])
    answer = answerer(parts, server).ask(FISCAL_Q)
    assert answer.mode == "llm"
    assert answer.unsupported_numbers == ["1300万"]
    assert any("1300" in note for note in answer.notes)
    assert "1200万元" in answer.citations[0].quote


def test_a_question_the_material_does_not_answer_is_refused_without_asking_the_model(
    parts: tuple[Retriever, Corpus], server_for: Any
) -> None:
    server = server_for([Reply("X乡2023年GDP为24.77亿元[1]。")])  # what a small model invented when asked
    answer = answerer(parts, server).ask("安民乡2023年的地区生产总值是多少？")
    assert answer.abstained and answer.answer.startswith("资料中未找到") and answer.citations == []
    assert server.requests == [], "nothing to ground an answer on: the model is not asked to guess"


def test_a_model_refusing_an_answered_question_gives_the_quotes(
    parts: tuple[Retriever, Corpus], server_for: Any
) -> None:
    server = server_for([Reply("资料中未找到X乡2023年财税收入的相关内容。")])
    answer = answerer(parts, server).ask(FISCAL_Q)
    assert_extractive_fallback(answer, MODEL_NOT_FOUND_NOTE)
    assert not answer.abstained


def test_markers_left_out_are_attached_to_the_evidence(parts: tuple[Retriever, Corpus], server_for: Any) -> None:
    server = server_for([Reply("X乡2023年完成财税1200万元，成绩显著。")])
    answer = answerer(parts, server).ask(FISCAL_Q)
    assert answer.mode == "llm" and answer.answer == "X乡2023年完成财税1200万元，成绩显著。[1]"
    assert answer.unsupported_numbers == [] and "1200万元" in answer.citations[0].quote


def test_answer_nothing_backs_falls_back_to_quotes(parts: tuple[Retriever, Corpus], server_for: Any) -> None:
    server = server_for([Reply("相关工作已按计划稳步推进。")])
    answer = answerer(parts, server).ask(FISCAL_Q)
    assert_extractive_fallback(answer, NO_CITATION_NOTE)


@pytest.mark.parametrize("reply", ["[1] [2] [3] [4] [5]", "[1]…[6]", "1、2、3、4、5。"])
@pytest.mark.parametrize("streaming", [False, True], ids=["json", "stream"])
def test_a_reply_of_bare_markers_or_numbers_is_no_answer(
    parts: tuple[Retriever, Corpus], server_for: Any, reply: str, streaming: bool
) -> None:
    # What a real 0.5B model answered with a prompt-injection document among the seeds.
    server = server_for([Reply(reply)])
    llm = answerer(parts, server)
    answer = collect(llm.stream(FISCAL_Q))[1] if streaming else llm.ask(FISCAL_Q)
    assert_extractive_fallback(answer, NO_CONTENT_NOTE)
    assert "1200万元" in answer.answer


# --- faults ------------------------------------------------------------------------------------


def test_timeout_gives_message_and_extractive_answer_in_bounded_time(
    parts: tuple[Retriever, Corpus], server_for: Any
) -> None:
    server = server_for([Sleep(30, Reply(FISCAL_ANSWER))])
    llm = answerer(parts, server, timeout_s=1.0)
    started = time.monotonic()
    answer = llm.ask(FISCAL_Q)
    assert time.monotonic() - started < 8
    assert_extractive_fallback(answer, "超时", "已改用原文摘录")
    assert len(server.requests) == 1  # a timeout is not retried: the user has waited long enough


def test_429_with_retry_after_is_retried_after_the_wait(parts: tuple[Retriever, Corpus], server_for: Any) -> None:
    server = server_for([Status(429, {"Retry-After": "1"}), Reply(FISCAL_ANSWER)])
    answer = answerer(parts, server).ask(FISCAL_Q)
    assert answer.mode == "llm" and answer.answer == FISCAL_ANSWER
    first, second = server.requests
    assert second.at - first.at >= 0.9


def test_429_asking_for_a_long_wait_fails_fast(parts: tuple[Retriever, Corpus], server_for: Any) -> None:
    server = server_for([Status(429, {"Retry-After": "120"}), Reply(FISCAL_ANSWER)])
    started = time.monotonic()
    answer = answerer(parts, server).ask(FISCAL_Q)
    assert time.monotonic() - started < 8
    assert_extractive_fallback(answer, "服务繁忙", "429")
    assert len(server.requests) == 1


def test_500_then_success(parts: tuple[Retriever, Corpus], server_for: Any) -> None:
    server = server_for([Status(500), Reply(FISCAL_ANSWER)])
    answer = answerer(parts, server).ask(FISCAL_Q)
    assert answer.mode == "llm" and len(server.requests) == 2


def test_persistent_500_gives_message_and_fallback(parts: tuple[Retriever, Corpus], server_for: Any) -> None:
    server = server_for([Status(500)])
    answer = answerer(parts, server, retries=2).ask(FISCAL_Q)
    assert_extractive_fallback(answer, "服务器错误（500）")
    assert len(server.requests) == 3  # one call and two retries, no more


@pytest.mark.parametrize(
    "step",
    [
        Drop("X乡2023年完成财税1200万元[1]。同时，全乡还"),
        Reply("X乡2023年完成财税1200万元[1]。同时", finish_reason=None),
    ],
    ids=["connection-dropped", "no-finish-marker"],
)
def test_stream_cut_midway_is_not_presented_as_complete(
    parts: tuple[Retriever, Corpus], server_for: Any, step: Drop | Reply
) -> None:
    server = server_for([step])
    deltas, answer = collect(answerer(parts, server).stream(FISCAL_Q))
    assert deltas, "the user saw the partial answer stream in"
    assert_extractive_fallback(answer, "中断", "不完整", "已改用原文摘录")
    assert answer.answer != "".join(deltas)
    assert len(server.requests) == 1  # tokens were shown: a retry would repeat them


def test_connection_dropped_without_streaming_is_retried_then_falls_back(
    parts: tuple[Retriever, Corpus], server_for: Any
) -> None:
    server = server_for([Drop(FISCAL_ANSWER)])
    answer = answerer(parts, server, retries=1).ask(FISCAL_Q)
    assert_extractive_fallback(answer, "连接中断")
    assert len(server.requests) == 2


@pytest.mark.parametrize("body", ["{not json", '{"unexpected": true}'], ids=["not-json", "no-choices"])
@pytest.mark.parametrize("streaming", [False, True], ids=["json", "stream"])
def test_malformed_response(parts: tuple[Retriever, Corpus], server_for: Any, body: str, streaming: bool) -> None:
    server = server_for([Raw(body)])
    llm = answerer(parts, server)
    answer = collect(llm.stream(FISCAL_Q))[1] if streaming else llm.ask(FISCAL_Q)
    assert_extractive_fallback(answer, "返回格式异常")


@pytest.mark.parametrize("streaming", [False, True], ids=["json", "stream"])
def test_empty_answer(parts: tuple[Retriever, Corpus], server_for: Any, streaming: bool) -> None:
    server = server_for([Reply("")])
    llm = answerer(parts, server)
    answer = collect(llm.stream(FISCAL_Q))[1] if streaming else llm.ask(FISCAL_Q)
    assert_extractive_fallback(answer, "空回答")


# --- multi-turn ---------------------------------------------------------------------------------


def is_condense(request: Received) -> bool:
    return "最新追问" in request.prompt_text


def test_follow_up_is_condensed_before_retrieval(parts: tuple[Retriever, Corpus], server_for: Any) -> None:
    def script(body: dict[str, Any], index: int) -> Reply:
        if "最新追问" in str(body["messages"]):
            return Reply("安民乡推出了几条红色旅游精品线路？")
        return Reply("安民乡推出了6条红色旅游精品线路[1]。")

    server = server_for(script)
    history = [{"role": "user", "content": FISCAL_Q}, {"role": "assistant", "content": FISCAL_ANSWER}]
    answer = answerer(parts, server).ask("那安民乡的红色旅游线路呢？", history=history)
    condense, answer_request = server.requests
    assert is_condense(condense) and not is_condense(answer_request)
    assert "那安民乡的红色旅游线路呢？" in condense.prompt_text and "1200万元" in condense.prompt_text
    assert "问题：安民乡推出了几条红色旅游精品线路？" in answer_request.prompt_text
    # Retrieval ran on the stand-alone question: scoped to 安民乡's report.
    assert answer.passages and {p.doc_id for p in answer.passages} == {ANMIN_DOC}
    assert answer.question == "那安民乡的红色旅游线路呢？" and answer.mode == "llm"
    assert any("按上下文理解为：安民乡推出了几条红色旅游精品线路？" in n for n in answer.notes)


def test_relative_year_in_a_follow_up_resolves_against_the_report_year(
    parts: tuple[Retriever, Corpus], server_for: Any
) -> None:
    def script(body: dict[str, Any], index: int) -> Reply:
        if "最新追问" in str(body["messages"]):
            return Reply("独立问题：X乡去年粮食种植面积是多少？")
        return Reply("X乡2023年完成粮食种植面积3.76万亩[1]。")

    server = server_for(script)
    history = [{"role": "user", "content": FISCAL_Q}, {"role": "assistant", "content": FISCAL_ANSWER}]
    answer = answerer(parts, server).ask("去年粮食种植面积呢？", history=history)
    assert "今年 = 2024年，去年 = 2023年" in server.requests[0].prompt_text
    assert "问题：X乡2023年粮食种植面积是多少？" in server.requests[1].prompt_text
    assert answer.mode == "llm" and answer.unsupported_numbers == []
    assert "3.76万亩" in answer.citations[0].quote


def test_failed_condense_still_answers_the_original_question(parts: tuple[Retriever, Corpus], server_for: Any) -> None:
    server = server_for([Status(400), Reply(FISCAL_ANSWER)])
    history = [{"role": "user", "content": "你好"}, {"role": "assistant", "content": "您好，请提问。"}]
    answer = answerer(parts, server).ask(FISCAL_Q, history=history)
    assert answer.mode == "llm" and any("追问改写失败" in n for n in answer.notes)


# --- drafting -----------------------------------------------------------------------------------


def test_llm_draft_writes_from_the_summary_part_in_one_capped_call(
    parts: tuple[Retriever, Corpus], server_for: Any
) -> None:
    server = server_for([Reply("安民乡深挖红色资源，推出6条红色旅游精品线路。同时打造红色教学体系[2]。")])
    retriever, corpus = parts
    drafter = LLMDrafter(retriever, corpus, client_for(server), Drafter(retriever, corpus))
    draft = drafter.draft("安民乡2023年红色旅游工作总结", length=300)
    (request,) = server.requests  # one call: no outline step
    assert "约 300 字" in request.prompt_text and "文体：总结" in request.prompt_text
    assert "（安民乡，2023年工作总结）" in request.prompt_text and "2024年工作计划）" not in request.prompt_text
    assert request.body["max_completion_tokens"] == max_tokens_for(300), "the reply is capped by the length asked"
    assert draft.mode == "llm" and not draft.abstained
    assert draft.answer.startswith("安民乡深挖红色资源，推出6条红色旅游精品线路。[1]"), "the missing marker is attached"
    assert [c.n for c in draft.citations] == [1, 2] and draft.unsupported_numbers == []
    assert all(c.doc == ANMIN_DOC and c.quote in c.text for c in draft.citations)
    assert all("2024" not in c.section for c in draft.citations)


def test_llm_draft_falls_back_when_the_server_fails(parts: tuple[Retriever, Corpus], server_for: Any) -> None:
    server = server_for([Status(503)])
    retriever, corpus = parts
    drafter = LLMDrafter(retriever, corpus, client_for(server, retries=0), Drafter(retriever, corpus))
    draft = drafter.draft("安民乡2023年红色旅游工作总结")
    assert draft.mode == "extractive" and draft.citations
    assert any("服务器错误（503）" in n for n in draft.notes)


def test_llm_draft_streams_then_verifies(parts: tuple[Retriever, Corpus], server_for: Any) -> None:
    text = "安民乡将持续推进红色旅游融合发展[1]。"
    server = server_for([Reply(text)])
    retriever, corpus = parts
    drafter = LLMDrafter(retriever, corpus, client_for(server), Drafter(retriever, corpus))
    deltas, draft = collect(drafter.stream("安民乡2023年红色旅游工作总结", style="计划"))
    assert "".join(deltas) == text and draft.mode == "llm"
    assert "文体：计划" in server.requests[-1].prompt_text
