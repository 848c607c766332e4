"""The LLM draft path with a scripted model: evidence from the report part the style calls for, one
call with a fixed system prompt, markers attached, uncited sentences dropped, a capped reply kept whole."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.messages import AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGenerationChunk

from assistant.eval.metrics import uncited_sentences
from assistant.generation.llm.answer import MODEL_NOT_FOUND_NOTE, LLMAnswerer
from assistant.generation.llm.draft import (
    OTHER_PART_NOTE,
    TRUNCATED_NOTE,
    LLMDrafter,
    as_prose,
    cited_only,
    max_tokens_for,
    whole_sentences,
)
from assistant.generation.llm.llama import COPY_PENALTY, copy_guard_processor
from assistant.retrieval import Filters
from tests.unit.llm_fakes import ListRetriever, ScriptedChat, StubAnswerer, StubDrafter, corpus, passage

SUMMARY = passage(1, "2023年完成财税1200万元。新建村级活动场所3处。")
PLAN = passage(2, "2024年力争完成财税1500万元。", section="二、2024年工作计划", part="2024年工作计划")
OLDER = passage(3, "2022年完成财税1000万元。", section="一、2022年工作总结", part="2022年工作总结")
ANMIN = passage(4, "安民乡推出6条红色旅游精品线路。", doc="002_y", township="安民乡")


def drafter(passages: list[Any], replies: list[Any]) -> tuple[LLMDrafter, ScriptedChat, StubDrafter]:
    retriever = ListRetriever(passages)
    chat = ScriptedChat(replies=replies)
    stub = StubDrafter(retriever)
    return LLMDrafter(retriever, corpus(), chat, stub), chat, stub


def prompt_of(chat: ScriptedChat) -> tuple[str, str]:
    system, user = (str(m.content) for m in chat.calls[-1])
    return system, user


def test_a_summary_is_drafted_from_the_summary_part_only() -> None:
    llm, chat, stub = drafter([SUMMARY, PLAN], ["X乡全年完成财税1200万元[1]。"])
    answer = llm.draft("X乡2023年财税工作总结", length=300)
    _, user = prompt_of(chat)
    assert "1200万元" in user and "1500万元" not in user, "a 2023 总结 is not written from the 2024 plan"
    assert stub.calls[0][2] == Filters(part="总结") and stub.calls[0][3] == "总结"
    assert answer.mode == "llm" and [c.chunk_id for c in answer.citations] == ["c1"]
    assert len(chat.calls) == 1, "one model call: no outline step"


def test_a_summary_keeps_the_year_the_topic_names() -> None:
    llm, chat, _ = drafter([OLDER, SUMMARY], ["X乡2023年完成财税1200万元[1]。"])
    llm.draft("X乡2023年财税工作总结")
    _, user = prompt_of(chat)
    assert "1200万元" in user and "1000万元" not in user and "2022年工作总结" not in user


def test_a_plan_is_drafted_from_the_plan_with_the_year_befores_summary_as_its_basis() -> None:
    reply = "在2023年完成财税1200万元的基础上[2]，2024年力争完成1500万元[1]。"
    llm, chat, stub = drafter([SUMMARY, PLAN, OLDER], [reply])
    answer = llm.draft("X乡2024年财税工作计划", length=300, style="计划")
    _, user = prompt_of(chat)
    plan_at, basis_at = user.find("[1]（X乡，2024年工作计划）"), user.find("[2]（X乡，2023年工作总结）")
    assert 0 <= plan_at < basis_at, "the plan's own part first, then its basis"
    assert "1000万元" not in user, "the basis is the year before the plan, not any summary"
    assert [c[2] for c in stub.calls] == [Filters(part="计划"), Filters(part="总结")]
    assert stub.calls[1][1] == 100, "the basis: a third of the length"
    assert answer.mode == "llm" and answer.unsupported_numbers == []
    assert {c.chunk_id for c in answer.citations} == {"c1", "c2"}


def test_the_users_part_filter_is_kept_and_a_missing_part_is_said() -> None:
    llm, _, stub = drafter([SUMMARY, PLAN], ["2024年力争完成财税1500万元[1]。"])
    llm.draft("X乡财税工作", filters=Filters(part="计划"))
    assert [c[2] for c in stub.calls] == [Filters(part="计划")]
    only_plan, _, stub = drafter([PLAN], ["2024年力争完成财税1500万元[1]。"])
    answer = only_plan.draft("X乡财税工作总结")
    assert [c[2] for c in stub.calls] == [Filters(part="总结"), Filters()]
    assert OTHER_PART_NOTE["总结"] in answer.notes


def test_nothing_on_the_topic_asks_no_model() -> None:
    llm, chat, _ = drafter([], ["不该被调用。"])
    answer = llm.draft("X乡航天工作总结")
    assert answer.abstained and answer.mode == "extractive" and chat.calls == []


def test_markers_are_attached_and_sentences_no_evidence_backs_are_dropped() -> None:
    reply = "X乡2023年完成财税1200万元，财力进一步夯实。全乡上下团结奋进，开创了崭新局面。新建活动场所3处[1]。"
    llm, _, _ = drafter([SUMMARY], [reply])
    answer = llm.draft("X乡2023年工作总结")
    assert answer.mode == "llm"
    assert answer.answer == "X乡2023年完成财税1200万元，财力进一步夯实。[1]新建活动场所3处[1]。"
    assert uncited_sentences(answer.answer) == 0
    assert "已删除模型写出的 1 句无资料依据的内容。" in answer.notes


def test_markers_to_no_excerpt_give_way_to_the_evidence_behind_the_sentence() -> None:
    # A small model numbering every fact as a footnote: [2] and [7] point at nothing shown.
    llm, _, _ = drafter([SUMMARY], ["X乡完成财税1200万元[7]，新建活动场所3处[2]。全乡上下团结奋进[9]。"])
    answer = llm.draft("X乡2023年工作总结")
    assert answer.answer == "X乡完成财税1200万元，新建活动场所3处。[1]"
    assert uncited_sentences(answer.answer) == 0 and answer.unsupported_numbers == []
    assert "已删除指向未检索段落的引用：[7]、[2]、[9]" in answer.notes
    assert "已删除模型写出的 1 句无资料依据的内容。" in answer.notes


def test_a_refusal_or_a_reply_citing_nothing_gives_the_extractive_draft() -> None:
    llm, _, _ = drafter([SUMMARY], ["资料中未找到相关内容。"])
    refused = llm.draft("X乡2023年工作总结")
    assert refused.mode == "extractive" and "1200万元" in refused.answer and MODEL_NOT_FOUND_NOTE in refused.notes
    llm, _, _ = drafter([SUMMARY], ["全乡上下团结奋进，开创了崭新局面。"])
    empty = llm.draft("X乡2023年工作总结")
    assert empty.mode == "extractive" and any("缺少有效引用" in n for n in empty.notes)


def test_every_draft_and_answer_prompt_starts_with_the_same_system_message() -> None:
    """llama.cpp reuses the KV cache of the longest common token prefix: the system message must not
    change from call to call (nothing per question or topic in it, nothing before it)."""
    llm, chat, _ = drafter([SUMMARY, PLAN, ANMIN], ["X乡完成财税1200万元[1]。"])
    llm.draft("X乡2023年财税工作总结", length=300)
    llm.draft("X乡2024年财税工作计划", length=600, style="计划")
    retriever = ListRetriever([SUMMARY, ANMIN])
    answerer = LLMAnswerer(retriever, corpus(), chat, StubAnswerer(retriever), year=2024)
    answerer.ask("X乡完成了多少财税？")
    answerer.ask("安民乡推出了几条红色旅游精品线路？")
    first = [m[0] for m in chat.calls]
    assert all(m.type == "system" for m in first)
    assert first[0].content == first[1].content and first[2].content == first[3].content
    assert first[0].content != first[2].content  # two prompts, each fixed


class CappedChat(ScriptedChat):
    """A scripted model with a reply cap: streams the reply, and past `max_tokens` characters stops with
    finish_reason 'length' (as llama.cpp and OpenAI-compatible servers do)."""

    max_tokens: int = 1024

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        text, _ = self._next(messages)
        cut = text[: self.max_tokens]
        for i in range(0, len(cut), 2):
            yield ChatGenerationChunk(message=AIMessageChunk(content=cut[i : i + 2]))
        finish = "length" if len(text) > self.max_tokens else "stop"
        yield ChatGenerationChunk(message=AIMessageChunk(content=""), generation_info={"finish_reason": finish})


def test_the_reply_is_capped_by_the_length_and_a_cut_reply_keeps_its_whole_sentences() -> None:
    long_reply = "X乡2023年完成财税1200万元[1]。" + "新建村级活动场所3处，" * 40
    retriever = ListRetriever([SUMMARY])
    model = CappedChat(replies=[long_reply], max_tokens=max_tokens_for(50))
    answer = LLMDrafter(retriever, corpus(), model, StubDrafter(retriever)).draft("X乡2023年工作总结", length=50)
    assert answer.mode == "llm" and answer.answer == "X乡2023年完成财税1200万元[1]。"
    assert TRUNCATED_NOTE in answer.notes


def test_the_cap_follows_the_length_asked_for_and_leaves_the_model_as_it_was() -> None:
    seen: list[tuple[int, tuple[str, ...]]] = []
    retriever = ListRetriever([SUMMARY])

    class Recording(CappedChat):
        copy_guard: tuple[str, ...] = ()  # as llama.LlamaCppChat has

        def _stream(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
            seen.append((self.max_tokens, self.copy_guard))
            yield from super()._stream(messages, *args, **kwargs)

    model = Recording(replies=["X乡2023年完成财税1200万元[1]。"])
    llm = LLMDrafter(retriever, corpus(), model, StubDrafter(retriever))
    llm.draft("X乡2023年工作总结", length=300)
    llm.draft("X乡2023年工作总结", length=1000)
    assert [cap for cap, _ in seen] == [max_tokens_for(300), max_tokens_for(1000)] and seen[0][0] < seen[1][0]
    assert seen[0][1] == ("2023年完成财税1200万元。新建村级活动场所3处。",), "the excerpts shown are guarded"
    assert model.max_tokens == 1024 and model.copy_guard == () and len(model.calls) == 2  # copies share state


def test_streaming_yields_the_draft_then_the_verified_answer() -> None:
    llm, _, _ = drafter([SUMMARY], ["X乡2023年完成财税1200万元。"])
    pieces = list(llm.stream("X乡2023年工作总结"))
    deltas, final = pieces[:-1], pieces[-1]
    assert "".join(str(d) for d in deltas) == "X乡2023年完成财税1200万元。"
    assert not isinstance(final, str) and final.answer == "X乡2023年完成财税1200万元。[1]"


def test_a_title_and_list_numbers_the_model_adds_are_not_part_of_the_draft() -> None:
    reply = "## X乡2023年工作总结\n\n1. **财税**：X乡2023年完成财税1200万元[1]。\n总结\n2. 新建村级活动场所3处[1]。"
    llm, _, _ = drafter([SUMMARY], [reply])
    answer = llm.draft("X乡2023年工作总结")
    assert answer.answer == "财税：X乡2023年完成财税1200万元[1]。\n新建村级活动场所3处[1]。"
    assert answer.unsupported_numbers == [], "a list number is not a figure"
    assert not any("删除" in n for n in answer.notes), "headings are structure, not dropped content"


def test_helpers() -> None:
    assert as_prose("X乡2023年工作总结\n正文一句[1]。\n一是推进工作，完成三项[1]") == (
        "正文一句[1]。\n一是推进工作，完成三项[1]"
    )
    assert as_prose("1. **推进清洁行动**：完成3.5公里[2]。\n- 新建2处[1]。\n12.5公里道路已硬化。") == (
        "推进清洁行动：完成3.5公里[2]。\n新建2处[1]。\n12.5公里道路已硬化。"
    )
    # Numbering inside a line: after a sentence end, after a colon, in brackets.
    assert as_prose("主要工作包括：1. 招商10个[1]。2. 出台方案[2]。（3）建成3处[1]。共3.76万亩[1]。") == (
        "主要工作包括：招商10个[1]。出台方案[2]。建成3处[1]。共3.76万亩[1]。"
    )
    assert as_prose("甲完成[1]。乙完成[2]。甲完成[1]。乙完成[2]。丙完成[1]。") == "甲完成[1]。乙完成[2]。丙完成[1]。"
    assert cited_only("甲[1]。乙。丙[2]。") == ("甲[1]。丙[2]。", 1)
    assert whole_sentences("甲[1]。乙完成了[2]。丙还没写") == "甲[1]。乙完成了[2]。"
    assert whole_sentences("没有句号") == ""


def test_the_copy_guard_penalises_only_the_token_that_would_complete_a_long_copied_run() -> None:
    source = [10, 11, 12, 13, 14, 15]
    guard = copy_guard_processor([source], n=4)
    scores = np.zeros(20, dtype=np.float32)
    out = guard(np.array([1, 11, 12, 13]), scores.copy())  # 3 tokens of the source in a row: 14 would make 4
    assert out[14] == -COPY_PENALTY and np.count_nonzero(out) == 1
    assert np.count_nonzero(guard(np.array([1, 11, 12, 99]), scores.copy())) == 0, "no run, no penalty"
    assert np.count_nonzero(guard(np.array([12, 13]), scores.copy())) == 0, "shorter than n-1: free"
