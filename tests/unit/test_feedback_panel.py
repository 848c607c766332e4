"""The feedback form's logic without Gradio: what a 👍/👎 on a chat message records (question, shown
text, citations, writer, filters, passages with the cited one first) and the passage chosen."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from assistant.feedback.store import FeedbackStore
from assistant.types import Answer, Citation, Passage
from assistant.ui.answers import Answers
from assistant.ui.chat_tab import answered, said
from assistant.ui.feedback_panel import NO_PASSAGE, FeedbackPanel, draft_target, passage_choices
from assistant.ui.inputs import FilterChoice

TEXT_A = "拓展财税来源。2023年完成财税1200万元，乡财力得到进一步的夯实。"
TEXT_B = "稳定农业产业。2023年完成粮食种植面积3.76万亩。"


def _passage(chunk: str, text: str, rank: int) -> Passage:
    return Passage(chunk, "001_x", "一、总结", text, 0.5, rank, {"doc": "001_x"})


class FakeAnswers:
    """Answers' retrieval_test and writer_label; records what it was asked."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, Any]] = []

    def retrieval_test(self, query: str, mode: str = "hybrid", k: int = 10, choice: Any = None) -> list[Passage]:
        self.asked.append((query, choice))
        return [_passage("c-b", TEXT_B, 1), _passage("c-a", TEXT_A, 2)]

    def writer_label(self, mode: str) -> str:
        return "原文摘录" if mode == "extractive" else "本地模型 qwen2.5-1.5b"


def test_a_chat_answer_becomes_a_target_and_a_stored_correction(tmp_path: Path) -> None:
    fake = FakeAnswers()
    panel = FeedbackPanel(FeedbackStore(tmp_path / "feedback.sqlite"), cast(Answers, fake))
    citation = Citation(1, "001_x", "一、总结", "2023年完成财税1200万元", TEXT_A, "c-a")
    answer = Answer("X乡财税？", "2023年完成财税1200万元。[1]", False, [citation], [], "llm")
    history = [
        said("user", "X乡财税？"),
        answered(answer, "本地模型 qwen2.5-1.5b"),
        said("user", "另一个<问题>"),
        said("assistant", "资料中未找到"),
    ]
    cited = [[{"n": "1", "doc": "001_x", "chunk": "c-a", "quote": citation.quote}], []]
    target = panel.chat_target(history, 1, cited, FilterChoice(township="X乡", year="2023"))
    assert target["question"] == "X乡财税？" and target["answer"].startswith("2023年完成财税1200万元。[1]")
    assert "作答" not in target["answer"] and target["model"] == "本地模型 qwen2.5-1.5b" and target["mode"] == "llm"
    assert target["citations"] == cited[0] and target["filters"] == {"township": "X乡", "year": 2023}
    assert [p["chunk"] for p in target["passages"]] == ["c-a", "c-b"]  # the cited passage first
    assert fake.asked[0][1].township == "X乡"
    later = panel.chat_target(history, 3, cited, FilterChoice())
    assert later["question"] == "另一个<问题>" and later["citations"] == [] and later["model"] == ""

    choices = passage_choices(target["passages"])
    assert choices[0] == (NO_PASSAGE, "") and choices[1][1] == "0" and "001_x" in choices[1][0]
    n = panel.record(target, "down", "数字有误", "1200万", "0", "alice")
    stored = panel.store.items()[0]
    assert (stored.id, stored.user, stored.evidence_doc, stored.evidence_quote) == (n, "alice", "001_x", TEXT_A)
    assert stored.filters == {"township": "X乡", "year": 2023}
    panel.record(target, "up", user="bob")
    assert panel.store.items()[1].evidence_doc == "" and panel.store.items()[1].rating == "up"


def test_search_adds_passages_after_the_answers_own(tmp_path: Path) -> None:
    panel = FeedbackPanel(FeedbackStore(tmp_path / "f.sqlite"), cast(Answers, FakeAnswers()))
    target = {"kind": "answer", "question": "问", "passages": [{"doc": "001_x", "text": TEXT_A, "chunk": "c-a"}]}
    found = panel.search(target, "粮食")
    assert [p["chunk"] for p in found["passages"]] == ["c-a", "c-b"] and len(target["passages"]) == 1


def test_a_draft_target_keeps_its_passages_and_writer() -> None:
    passages = [_passage(f"c{i}", TEXT_B, i) for i in range(1, 12)]
    draft = Answer("题", "正文。[1]", False, [], [], "extractive", passages=passages)
    target = draft_target(draft, "原文摘录", "X乡2023年工作总结（总结）")
    assert target["kind"] == "draft" and target["question"] == "X乡2023年工作总结（总结）"
    assert target["model"] == "原文摘录" and len(target["passages"]) == 8
