"""The two things the app, the CLI and the evaluation ask of an answer path, whichever is configured.

The extractive paths (answer.Answerer, draft.Drafter) and the LLM paths (llm.answer.LLMAnswerer,
llm.draft.LLMDrafter) all satisfy these, so callers never need to know which one they hold.
`stream` yields text deltas as a model writes them (the extractive paths yield none) and ends with
the verified Answer, which replaces whatever was streamed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Protocol

from assistant.retrieval import Filters
from assistant.types import Answer

# Earlier chat messages, oldest first: {"role": "user" | "assistant", "content": text}.
History = Sequence[Mapping[str, Any]]


class AnswerPath(Protocol):
    def ask(self, question: str, filters: Filters | None = None, history: History | None = None) -> Answer: ...

    def stream(
        self, question: str, filters: Filters | None = None, history: History | None = None
    ) -> Iterator[str | Answer]: ...


class DraftPath(Protocol):
    def draft(self, topic: str, length: int = 400, filters: Filters | None = None, style: str = "总结") -> Answer: ...

    def stream(
        self, topic: str, length: int = 400, filters: Filters | None = None, style: str = "总结"
    ) -> Iterator[str | Answer]: ...
