"""Questions to the knowledge base: answers (whole or streamed) and the retrieval test."""

from __future__ import annotations

from collections.abc import Iterator

from assistant.generation.paths import History
from assistant.types import Answer, Filters, Passage
from assistant.ui.inputs import FilterChoice, UserError, required
from assistant.ui.reader import Paths


class Answers:
    """Checks what the user typed, then asks the current answer path or retriever."""

    def __init__(self, paths: Paths, max_question_chars: int = 500) -> None:
        self.paths = paths
        self.max_question_chars = max_question_chars

    def question(self, text: str | None) -> str:
        question = required(text, "请输入问题。")
        if len(question) > self.max_question_chars:
            raise UserError(f"问题太长（超过 {self.max_question_chars} 字），请精简后再问。")
        return question

    def ask(self, question: str, choice: FilterChoice | None = None, writer: str | None = None) -> Answer:
        question = self.question(question)
        return self.paths.answerer(writer).ask(question, (choice or FilterChoice()).to_filters())

    def ask_stream(
        self,
        question: str,
        choice: FilterChoice | None = None,
        history: History | None = None,
        writer: str | None = None,
    ) -> Iterator[str | Answer]:
        """Text deltas while an LLM writes (the extractive path sends none), then the verified Answer.
        `writer`: llm | extractive (the page's switch), None: the app's default."""
        yield from self.stream_with(question, (choice or FilterChoice()).to_filters(), history, writer)

    def stream_with(
        self, question: str, filters: Filters | None, history: History | None = None, writer: str | None = None
    ) -> Iterator[str | Answer]:
        """ask_stream with search filters as given (a Q&A item's), not the page's controls."""
        yield from self.paths.answerer(writer).stream(self.question(question), filters, history=history or [])

    def writer_label(self, mode: str) -> str:
        """What wrote an answer of this mode, as the page says it: 本地模型 … / 模型服务 … / 原文摘录."""
        return self.paths.writer_label(mode)

    def retrieval_test(
        self, query: str, mode: str = "hybrid", k: int = 10, choice: FilterChoice | None = None
    ) -> list[Passage]:
        query = required(query, "请输入检索内容。")
        return self.paths.retriever(mode).search(query, k=int(k), filters=(choice or FilterChoice()).to_filters())
