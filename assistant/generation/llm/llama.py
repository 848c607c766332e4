"""A local GGUF model through llama-cpp-python, behind LangChain's BaseChatModel (the `local` extra).

A small adapter rather than langchain-community's ChatLlamaCpp: one dependency less, and the
finish reason reaches the caller the same way as from an OpenAI-compatible endpoint. Replies stream
token by token (`_stream`); llama.cpp keeps the KV cache of the longest token prefix a prompt shares
with the previous one, so the prompts put their fixed system message first. `perf` and
`prompt_token_ids` are what `assistant bench --llm` measures with; `copy_guard` is a draft's.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
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


def chat_messages(messages: Sequence[BaseMessage]) -> list[dict[str, str]]:
    """LangChain messages as llama.cpp's chat messages ({"role", "content"})."""
    return [{"role": _ROLES.get(m.type, "user"), "content": str(m.content)} for m in messages]


# A Chinese character is about 0.7 Qwen2.5 tokens: 12 tokens in a row are about 17 characters, under the
# 20-character runs the evaluation counts as copied (eval.metrics.copied_share). The penalty, in logits,
# was measured on the 11 seed drafts (README, Drafts and speed): 6 took Qwen2.5-1.5B's copied share from
# 0.66 to 0.59 with names intact; 8, or forbidding the token, went lower but changed names and fixed
# phrases and let English words and loops in.
COPY_GUARD_TOKENS = 12
COPY_PENALTY = 6.0
_QUOTED = re.compile(r"“[^“”]*”|\"[^\"]*\"")


def copy_guard_processor(sources: Sequence[Sequence[int]], n: int) -> Callable[[Any, Any], Any]:
    """A llama.cpp logits processor against completing a run of `n` tokens found in one of the token
    sequences `sources`: after n-1 tokens that occur in a source, the tokens that follow them there lose
    COPY_PENALTY. Shorter runs (a figure, a name) are free to copy; a longer one is mostly rephrased."""
    follows: dict[tuple[int, ...], set[int]] = {}
    for ids in sources:
        for i in range(len(ids) - n + 1):
            follows.setdefault(tuple(ids[i : i + n - 1]), set()).add(ids[i + n - 1])

    def guard(input_ids: Any, scores: Any) -> Any:
        if len(input_ids) >= n - 1:
            for token in follows.get(tuple(int(t) for t in input_ids[len(input_ids) - n + 1 :]), ()):
                scores[token] -= COPY_PENALTY
        return scores

    return guard


@dataclass(frozen=True)
class LlamaPerf:
    """llama.cpp's running totals for the context: prompt tokens evaluated (the KV cache's reused prefix
    is not) and generated tokens, with the milliseconds each took. Subtract two to time one call."""

    prompt_tokens: int
    prompt_ms: float
    generated_tokens: int
    generation_ms: float

    def __sub__(self, other: LlamaPerf) -> LlamaPerf:
        return LlamaPerf(
            self.prompt_tokens - other.prompt_tokens,
            self.prompt_ms - other.prompt_ms,
            self.generated_tokens - other.generated_tokens,
            self.generation_ms - other.generation_ms,
        )


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
    # Texts the reply must not copy long runs from (a draft's evidence): any COPY_GUARD_TOKENS tokens in a
    # row found in one of them cannot be completed (copy_guard_processor). Empty: no guard.
    copy_guard: tuple[str, ...] = ()
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

    @property
    def llama(self) -> Any:
        """The llama_cpp.Llama instance (the benchmark calls it directly, for the raw figures)."""
        return self._llama

    def perf(self) -> LlamaPerf:
        """llama.cpp's timing totals so far (see LlamaPerf)."""
        from llama_cpp import llama_perf_context

        data = llama_perf_context(self._llama.ctx)
        return LlamaPerf(int(data.n_p_eval), float(data.t_p_eval_ms), int(data.n_eval), float(data.t_eval_ms))

    def prompt_token_ids(self, messages: Sequence[BaseMessage]) -> list[int] | None:
        """The tokens llama.cpp evaluates for these messages (the GGUF's own chat template, as
        create_chat_completion formats them); None for a GGUF without a template."""
        template = self._llama.metadata.get("tokenizer.chat_template")
        if not template:
            return None
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        vocab = self._llama._model
        eos, bos = self._llama.token_eos(), self._llama.token_bos()
        formatter: Any = Jinja2ChatFormatter(
            template=template,
            eos_token=vocab.token_get_text(eos) if eos != -1 else "",
            bos_token=vocab.token_get_text(bos) if bos != -1 else "",
        )
        prompt = formatter(messages=chat_messages(messages)).prompt
        tokens: list[int] = self._llama.tokenize(prompt.encode("utf-8"), add_bos=False, special=True)
        # The special tokens Llama._create_completion puts around the prompt.
        cls, sep = vocab.token_cls(), vocab.token_sep()
        first = [cls if cls != -1 else bos] if vocab.add_bos_token() and (cls != -1 or bos != -1) else []
        last = [sep if sep != -1 else eos] if vocab.add_eos_token() or sep != -1 else []
        return first + tokens + last

    def _processors(self) -> Any:
        """The logits processors of a call: the copy guard when there are texts to guard."""
        if not self.copy_guard:
            return None
        from llama_cpp import LogitsProcessorList

        # A quoted name (“两个确立”, “十大红色康养小镇”) must stay exact: the guard covers only the text
        # outside quotes, each stretch on its own.
        stretches = [part for text in self.copy_guard for part in _QUOTED.split(text) if part.strip()]
        texts = [self._llama.tokenize(t.encode("utf-8"), add_bos=False, special=False) for t in stretches]
        return LogitsProcessorList([copy_guard_processor(texts, COPY_GUARD_TOKENS)])

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        out = self._llama.create_chat_completion(
            messages=chat_messages(messages),
            temperature=self.temperature,
            max_tokens=self.max_tokens,
            stop=stop,
            logits_processor=self._processors(),
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
            messages=chat_messages(messages),
            temperature=self.temperature,
            max_tokens=self.max_tokens,
            stop=stop,
            stream=True,
            logits_processor=self._processors(),
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
