"""A local GGUF model through llama-cpp-python, behind LangChain's BaseChatModel (the `local` extra).

A small adapter rather than langchain-community's ChatLlamaCpp: one dependency less, and the
finish reason reaches the caller the same way as from an OpenAI-compatible endpoint.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, PrivateAttr

_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


def chat_format_for(architecture: str) -> str:
    """llama.cpp chat format for a GGUF that carries no chat template, by its architecture."""
    if architecture.startswith("gemma"):
        return "gemma"
    if architecture.startswith("llama"):
        return "llama-3"
    return "chatml"


def _messages(messages: list[BaseMessage]) -> list[dict[str, str]]:
    return [{"role": _ROLES.get(m.type, "user"), "content": str(m.content)} for m in messages]


class LlamaCppChat(BaseChatModel):
    """Chat with a GGUF file loaded by llama_cpp.Llama (loaded once, on construction)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_path: str
    temperature: float = 0.1
    max_tokens: int = 1024
    n_ctx: int = 8192
    # llama.cpp uses half the cores unless told: on 2 cores a 1,041-token prompt took 24.7 s with 1
    # thread and 13.4 s with 2. None: every core, for prompt evaluation (batch) and generation alike.
    n_threads: int | None = None
    _llama: Any = PrivateAttr(default=None)

    def model_post_init(self, context: Any) -> None:
        from llama_cpp import Llama

        threads = self.n_threads or os.cpu_count() or 1
        self._llama = Llama(
            model_path=self.model_path, n_ctx=self.n_ctx, n_threads=threads, n_threads_batch=threads, verbose=False
        )
        if "tokenizer.chat_template" not in self._llama.metadata:
            # Without a template llama.cpp assumes Llama-2 ([INST] …), which other families answer with
            # nothing; use the family's own turn format, else ChatML (the most widely trained one).
            self._llama.chat_format = chat_format_for(str(self._llama.metadata.get("general.architecture", "")))

    @property
    def _llm_type(self) -> str:
        return "llama-cpp"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        out = self._llama.create_chat_completion(
            messages=_messages(messages), temperature=self.temperature, max_tokens=self.max_tokens, stop=stop
        )
        choice = out["choices"][0]
        message = AIMessage(
            content=choice["message"].get("content") or "",
            response_metadata={"finish_reason": choice.get("finish_reason")},
        )
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for part in self._llama.create_chat_completion(
            messages=_messages(messages),
            temperature=self.temperature,
            max_tokens=self.max_tokens,
            stop=stop,
            stream=True,
        ):
            choice = part["choices"][0]
            text = choice.get("delta", {}).get("content") or ""
            finish = choice.get("finish_reason")
            chunk = ChatGenerationChunk(
                message=AIMessageChunk(content=text),
                generation_info={"finish_reason": finish} if finish else None,
            )
            if run_manager and text:
                run_manager.on_llm_new_token(text, chunk=chunk)
            yield chunk
