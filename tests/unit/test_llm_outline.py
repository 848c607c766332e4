"""Outline proposal with a chat model (generation/llm/outline.py): the model words the outline from
the seed reports' headings; its reply is cleaned and checked; a failed or unusable reply falls back
to the reports' headings."""

from __future__ import annotations

import pytest

from assistant.generation.llm.client import ChatClient, LLMError
from assistant.generation.llm.outline import FALLBACK_NOTE, LLMOutlineProposer, reply_headings
from assistant.generation.llm.prompts import load_prompt
from assistant.generation.outline import OutlineProposer
from tests.conftest import ROOT
from tests.unit.llm_fakes import ScriptedChat
from tests.unit.seed_search import SeedSearch, seed_search

TOPIC = "安民乡2023年红色旅游工作总结"


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> SeedSearch:
    return seed_search(tmp_path_factory.mktemp("llm-outline-seeds"))


def _proposer(seeds: SeedSearch, replies: list[object]) -> tuple[LLMOutlineProposer, ScriptedChat]:
    chat = ScriptedChat(replies=replies)
    client = ChatClient(chat, max_retries=0)
    return LLMOutlineProposer(
        OutlineProposer(seeds, seeds.corpus), client, load_prompt("outline", ROOT / "prompts")
    ), chat


def test_reply_lines_are_cleaned_and_checked() -> None:
    reply = (
        "<think>先想想</think>\n1. 深挖红色资源优势\n- **打造特色品牌**\n二、2023年工作总结\n"
        "三、深挖红色资源优势。\n\n（四）推进生态环境整治\n" + "很长" * 20
    )
    assert reply_headings(reply, 5) == ["深挖红色资源优势", "打造特色品牌", "推进生态环境整治"]
    assert reply_headings(reply, 2) == ["深挖红色资源优势", "打造特色品牌"]


def test_the_model_words_the_outline_from_the_reports_headings(seeds: SeedSearch) -> None:
    proposer, chat = _proposer(seeds, ["深挖红色资源优势\n打造特色品牌\n推进项目建设\n整治生态环境"])
    outline = proposer.propose(TOPIC, sections=4)
    assert outline.texts == ["深挖红色资源优势", "打造特色品牌", "推进项目建设", "整治生态环境"]
    assert all(h.source == "llm" for h in outline.headings)
    assert outline.headings[0].doc.startswith("002") and outline.headings[0].section, "a found heading keeps its source"
    (messages,) = chat.calls
    assert [m.type for m in messages] == ["system", "human"]
    assert not any("<!--" in str(m.content) or "$" in str(m.content) for m in messages)
    shown = messages[-1].content
    assert TOPIC in shown and "深挖特色品牌价值" in shown and "4 个" in shown


@pytest.mark.parametrize("reply", [LLMError("timeout", "模型超时"), "好的。", "2023年工作总结\n存在问题"])
def test_a_failed_or_unusable_reply_gives_the_reports_headings(seeds: SeedSearch, reply: object) -> None:
    proposer, _ = _proposer(seeds, [reply])
    outline = proposer.propose(TOPIC)
    assert outline.texts == OutlineProposer(seeds, seeds.corpus).propose(TOPIC).texts
    assert FALLBACK_NOTE in outline.notes and all(h.source == "retrieval" for h in outline.headings)
