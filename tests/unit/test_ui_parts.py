"""The app's parts without a store or a server: answers stream through the answer path's `stream`,
the chat shows deltas then the verified answer, drafts export under a stamped name, uploads stage safely,
and what the reader built is reused until its basis changes."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.generation.paths import AnswerPath, DraftPath, History
from assistant.retrieval import Filters, Retriever
from assistant.types import Answer, Citation
from assistant.ui.answers import Answers
from assistant.ui.chat_tab import model_history, respond
from assistant.ui.doc_tab import DocumentView
from assistant.ui.drafts import Drafts
from assistant.ui.inputs import FilterChoice, UserError
from assistant.ui.reader import Cached
from assistant.ui.writer import stage_uploads


def answer(text: str = "推出6条线路。", abstained: bool = False) -> Answer:
    return Answer("q", text, abstained, [], [], "extractive")


class FakePath:
    """An answer path and draft path that records its calls; `stream` sends `deltas`, then the answer."""

    def __init__(
        self, deltas: tuple[str, ...] = (), result: Answer | None = None, fail: Exception | None = None
    ) -> None:
        self.deltas, self.result, self.fail = deltas, result or answer(), fail
        self.calls: list[tuple[Any, ...]] = []

    def ask(self, question: str, filters: Filters | None = None, history: History | None = None) -> Answer:
        self.calls.append(("ask", question, filters, history))
        return self.result

    def stream(self, question: str, filters: Filters | None = None, history: History | None = None) -> Iterator[Any]:
        self.calls.append(("stream", question, filters, history))
        yield from self.deltas
        if self.fail:
            raise self.fail
        yield self.result


class FakeDrafter:
    def __init__(self, result: Answer | None = None) -> None:
        self.result = result or answer()

    def draft(self, topic: str, length: int = 400, filters: Filters | None = None, style: str = "总结") -> Answer:
        return self.result

    def stream(
        self, topic: str, length: int = 400, filters: Filters | None = None, style: str = "总结"
    ) -> Iterator[str | Answer]:
        yield self.draft(topic, length, filters, style)


class FakePaths:
    def __init__(self, path: FakePath | None = None, drafter: FakeDrafter | None = None) -> None:
        self.path = path or FakePath()
        self.draft_path = drafter or FakeDrafter()
        self.writers: list[str | None] = []  # the writer each answer or draft was asked of

    def answerer(self, writer: str | None = None) -> AnswerPath:
        self.writers.append(writer)
        return self.path

    def drafter(self, writer: str | None = None) -> DraftPath:
        self.writers.append(writer)
        return self.draft_path

    def retriever(self, mode: str = "hybrid") -> Retriever:
        raise AssertionError("not used")

    def writer_label(self, mode: str) -> str:
        return "本地模型 test" if mode == "llm" else "原文摘录"


def test_ask_stream_calls_the_paths_stream_with_filters_and_history() -> None:
    path = FakePath(deltas=("推出", "6条"))
    answers = Answers(FakePaths(path))
    history = [{"role": "user", "content": "早先的问题"}]
    out = list(answers.ask_stream("  安民乡推出了几条线路？ ", FilterChoice(township="安民乡", year="2023"), history))
    assert out == ["推出", "6条", path.result]
    assert path.calls == [("stream", "安民乡推出了几条线路？", Filters(township="安民乡", year=2023), history)]


@pytest.mark.parametrize(("question", "message"), [("  ", "请输入问题"), ("问" * 21, "超过 20 字")])
def test_questions_are_checked_before_any_path_runs(question: str, message: str) -> None:
    path = FakePath()
    answers = Answers(FakePaths(path), max_question_chars=20)
    with pytest.raises(UserError, match=message):
        answers.ask(question)
    with pytest.raises(UserError, match=message):
        list(answers.ask_stream(question))
    assert path.calls == []


def test_the_chat_shows_deltas_with_a_cursor_then_the_verified_answer_once() -> None:
    answers = Answers(FakePaths(FakePath(deltas=("推出", "<b>6条</b>"), result=answer("推出6条线路。[1]"))))
    steps: list[tuple[Any, ...]] = []
    chats: list[str] = []  # the chat is one list updated in place; what the page got is its last message at each step
    for step in respond(answers, "几条线路？", [], FilterChoice()):
        steps.append(step)
        chats.append(step[0][-1]["content"])
    assert chats[:3] == ["正在检索……", "推出 ▌", "推出&lt;b&gt;6条&lt;/b&gt; ▌"]
    final = chats[-1]
    assert '<sup class="cite" title="点击查看原文">[1]</sup>' in final, "the answer is shown in its chat message"
    assert '<div class="writer-tag">作答：原文摘录</div>' in final, "the message names what wrote it"
    assert steps[-1][0][0] == {"role": "user", "content": "几条线路？"}
    assert "推出6条线路" not in steps[-1][1], "the panel beside the chat holds the sources, not the answer again"
    assert len(steps[-1]) == 4 and steps[-1][3] == [[]], "one citation list per answer (none here)"
    assert model_history(steps[-1][0])[-1] == {"role": "assistant", "content": "推出6条线路。[1]"}


def test_each_answer_keeps_its_citations_for_the_document_view() -> None:
    cite = Citation(
        1, "002", "一、总结", "推出6条线路。", "一是…推出6条线路。", "002-abc", "安民乡2023年工作总结", "安民乡"
    )
    result = Answer("q", "推出6条线路。[1]", False, [cite], [], "extractive")
    answers = Answers(FakePaths(FakePath(result=result)))
    *_, first = respond(answers, "几条线路？", [], FilterChoice())
    *_, second = respond(answers, "再问一次？", first[0], FilterChoice(), None, first[3])
    entry = {"n": "1", "doc": "002", "chunk": "002-abc", "quote": "推出6条线路。"}
    entry |= {"title": "安民乡2023年工作总结", "section": "一、总结"}  # what a saved conversation exports
    assert second[3] == [[entry]] * 2
    assert DocumentView.citation("1:1", second[3]) == second[3][1][0]
    assert DocumentView.citation("2:1", second[3]) is None and DocumentView.citation("x", second[3]) is None


def test_the_switch_reaches_the_path_and_the_label_follows_the_answer(tmp_path: Path) -> None:
    paths = FakePaths(FakePath(result=Answer("q", "推出6条线路。[1]", False, [], [], "llm")))
    *_, last = respond(Answers(paths), "几条线路？", [], FilterChoice(), "llm")
    assert paths.writers == ["llm"] and '<div class="writer-tag">作答：本地模型 test</div>' in last[0][-1]["content"]
    Drafts(paths, tmp_path / "exports").draft("题目", writer="extractive")
    assert paths.writers == ["llm", "extractive"]


def test_the_chat_says_what_failed_and_keeps_going() -> None:
    answers = Answers(FakePaths(FakePath(deltas=("推出",), fail=RuntimeError("模型断开"))))
    *_, last = respond(answers, "几条线路？", [], FilterChoice())
    assert last[0][-1]["content"] == '<div class="not-found">出错了：RuntimeError: 模型断开</div>'


def test_drafts_export_under_the_clock_stamp_and_not_when_abstaining(tmp_path: Path) -> None:
    at = time.mktime((2024, 3, 5, 14, 7, 9, 0, 0, -1))
    drafts = Drafts(FakePaths(), tmp_path / "exports", clock=lambda: at)
    _, docx_path, md_path = drafts.draft(" 安民乡/红色旅游 ", "计划", 300)
    assert docx_path and md_path and docx_path.name == "草稿-红色旅游-20240305-140709.docx"
    assert md_path.with_suffix(".docx") == docx_path and "推出6条线路" in md_path.read_text(encoding="utf-8")
    abstaining = Drafts(FakePaths(drafter=FakeDrafter(answer("资料中未找到", abstained=True))), tmp_path / "none")
    assert abstaining.draft("题目")[1:] == (None, None) and not any((tmp_path / "none").iterdir())


def test_uploads_are_staged_under_safe_names_with_per_file_errors(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "..报告.TXT").write_text("红星镇", encoding="utf-8")
    (src / "表格.et").write_bytes(b"PK")
    (src / "大.txt").write_bytes(b"x" * (1024 * 1024 + 1))
    (tmp_path / "uploads").mkdir()
    staged, errors = stage_uploads(sorted(src.iterdir()), tmp_path / "uploads", max_mb=1)
    assert [p.name for p in staged] == ["报告.txt"] and staged[0].parent == (tmp_path / "uploads").resolve()
    reasons = {e["path"]: e["error"] for e in errors}
    assert reasons.keys() == {"大.txt", "表格.et"}
    assert "1 MB 上限" in reasons["大.txt"] and reasons["表格.et"].startswith("不支持的文件类型")


def test_what_the_reader_built_is_reused_until_its_basis_changes() -> None:
    basis: list[object] = [object()]
    built: list[int] = []

    def build() -> int:
        built.append(len(built) + 1)
        return built[-1]

    cached = Cached(build, lambda: (basis[0],))
    assert cached.get() == cached.get() == 1
    basis[0] = object()
    assert cached.get() == 2
    cached.clear()
    assert cached.get() == 3 and len(built) == 3
