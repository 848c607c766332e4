"""The chat model layer: the configured LangChain chat model, called with bounded retries and a deadline.

`make_chat_model` builds an OpenAI-compatible model (DeepSeek, Qwen, GLM, Ollama, vLLM, a llama.cpp
server …) or a local GGUF model through llama.cpp. `ChatClient` calls it: 429 (honouring a capped
Retry-After), 5xx and connection errors are retried up to `llm_max_retries` times within an overall
deadline; timeouts are not retried (the user has already waited the full timeout). Every failure
becomes an `LLMError` with a Chinese message the UI can show as is.
"""

from __future__ import annotations

import email.utils
import json
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.config import Settings
from assistant.errors import AssistantError

if TYPE_CHECKING:  # langchain takes seconds to import; extractive-only runs never need it
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import BaseMessage

RETRY_AFTER_CAP_S = 10.0  # a longer Retry-After is not worth making the user wait for
BACKOFF_BASE_S = 0.5  # 0.5 s, 1 s, 2 s … between retries when the server names no wait
DEADLINE_SLACK_S = 15.0  # room for waits between attempts, on top of one timeout per attempt
LLAMA_CONTEXT = 8192


class LLMError(AssistantError):
    """A failed model call. `kind`: timeout | rate_limit | server | connection | interrupted |
    truncated | bad_response | empty | rejected | unavailable | error."""

    exit_code = 2

    def __init__(self, kind: str, message_zh: str) -> None:
        super().__init__(message_zh)
        self.kind = kind
        self.message_zh = message_zh


RETRYABLE = frozenset({"rate_limit", "server", "connection"})


def make_chat_model(settings: Settings) -> BaseChatModel | None:
    """The chat model the settings configure; None when none is (answers stay extractive)."""
    if settings.llm_base_url and settings.llm_model:
        from langchain_openai import ChatOpenAI

        return ChatOpenAI(
            base_url=settings.llm_base_url,
            model=settings.llm_model,
            api_key=settings.llm_api_key or "not-needed",  # type: ignore[arg-type]
            timeout=settings.llm_timeout_s,
            max_retries=0,  # retries are ChatClient's: bounded, with Retry-After and a deadline
            temperature=settings.llm_temperature,
        )
    if settings.llm_gguf is not None:
        return _llama_model(settings.llm_gguf, settings)
    return None


# How the `local` extra builds llama-cpp-python (README and .ci/run): for any x86-64 CPU with AVX2, not
# the build machine's own. A native build on a CPU with AMX (Sapphire Rapids and later Xeons) compiles in
# llama.cpp's AMX kernels, which crash the whole process with a segmentation fault on the first prompt
# (seen here on Qwen2.5 Q4_K_M; ggml-org/llama.cpp#20824).
PORTABLE_BUILD = (
    'CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"'
)
REBUILD = (
    f"pip cache remove llama_cpp_python; {PORTABLE_BUILD} pip install --force-reinstall --no-deps"
    " 'llama-cpp-python[server]'"
)


def check_llama_build(system_info: str) -> None:
    """Refuse a llama.cpp built with AMX (its system info says AMX_INT8 = 1) before it can crash the app."""
    if re.search(r"\bAMX_INT8\s*=\s*1", system_info):
        raise LLMError(
            "unavailable",
            "当前的 llama-cpp-python 按本机 CPU 编译，带有 AMX 指令，加载模型后会使程序崩溃（llama.cpp 的已知问题）。"
            f"请改用通用编译重新安装：{REBUILD}；或改用 ASSISTANT_LLM_BASE_URL 配置的模型服务。",
        )


def _llama_model(path: Path, settings: Settings) -> BaseChatModel:
    """A local GGUF model through llama-cpp-python (the `local` extra)."""
    try:
        import llama_cpp
    except ImportError as exc:
        raise LLMError(
            "unavailable",
            "未安装 llama.cpp 运行库，无法加载本地 GGUF 模型。请运行 pip install -e '.[local]' 安装，"
            "或改用 ASSISTANT_LLM_BASE_URL 配置的模型服务。",
        ) from exc
    if not path.is_file():
        raise LLMError("unavailable", f"找不到本地模型文件 {path}（ASSISTANT_LLM_GGUF）。")
    check_llama_build(llama_cpp.llama_print_system_info().decode("utf-8", "replace"))
    from assistant.generation.llm.llama import LlamaCppChat

    return LlamaCppChat(
        model_path=str(path), temperature=settings.llm_temperature, n_ctx=LLAMA_CONTEXT, max_tokens=1024
    )


def classify(exc: BaseException, timeout_s: float) -> LLMError:
    """The LLMError (kind + Chinese message) for an exception raised by a chat model call."""
    if isinstance(exc, LLMError):
        return exc
    import httpx
    import openai

    if isinstance(exc, openai.APITimeoutError | httpx.TimeoutException | TimeoutError):
        return LLMError("timeout", f"模型服务响应超时（超过 {timeout_s:g} 秒未返回），请稍后重试。")
    if isinstance(exc, openai.RateLimitError):
        return LLMError("rate_limit", "模型服务繁忙（429 请求过多），重试后仍未成功，请稍后再试。")
    if isinstance(exc, openai.APIStatusError):
        code = exc.status_code
        if code >= 500:
            return LLMError("server", f"模型服务器错误（{code}），重试后仍未成功，请稍后再试。")
        if code in (401, 403):
            return LLMError("rejected", f"模型服务拒绝了请求（{code}），请检查 ASSISTANT_LLM_API_KEY。")
        if code == 404:
            return LLMError(
                "rejected", "模型服务找不到该模型或地址（404），请检查 ASSISTANT_LLM_BASE_URL 和 ASSISTANT_LLM_MODEL。"
            )
        return LLMError("rejected", f"模型服务拒绝了请求（{code}）。")
    if isinstance(exc, openai.APIConnectionError | httpx.TransportError | ConnectionError):
        return LLMError("connection", "与模型服务的连接中断或无法连接，请检查网络和 ASSISTANT_LLM_BASE_URL。")
    if isinstance(
        exc, openai.APIResponseValidationError | json.JSONDecodeError | ValueError | TypeError | KeyError | IndexError
    ):
        return LLMError("bad_response", "模型服务返回格式异常，无法解析回答。")
    return LLMError("error", f"调用模型失败：{type(exc).__name__}。")


def retry_after_s(exc: BaseException) -> float | None:
    """Seconds a 429/503 response asks to wait (Retry-After seconds or HTTP date, or retry-after-ms)."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    millis = headers.get("retry-after-ms")
    if millis:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    if re.fullmatch(r"\s*\d+(\.\d+)?\s*", value):
        return float(value)
    parsed = email.utils.parsedate_to_datetime(value) if "," in value else None
    if parsed is None:
        return None
    return max(0.0, parsed.timestamp() - time.time())


def text_of(content: Any) -> str:
    """Message content as text (LangChain content may be a list of parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p if isinstance(p, str) else str(p.get("text", "")) for p in content if p)
    return ""


@dataclass
class ChatClient:
    """A chat model called with bounded retries, an overall deadline and classified errors."""

    model: BaseChatModel
    max_retries: int = 2
    timeout_s: float = 60.0
    deadline_s: float | None = None  # default: one timeout per attempt plus DEADLINE_SLACK_S
    retry_after_cap_s: float = RETRY_AFTER_CAP_S
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic

    @classmethod
    def from_settings(cls, model: BaseChatModel, settings: Settings) -> ChatClient:
        return cls(model, max_retries=max(0, settings.llm_max_retries), timeout_s=settings.llm_timeout_s)

    @property
    def _strict_stream(self) -> bool:
        # OpenAI-compatible streams end with a finish_reason; one without it was cut off.
        return getattr(self.model, "_llm_type", "") == "openai-chat"

    def _deadline(self) -> float:
        budget = self.deadline_s
        if budget is None:
            budget = self.timeout_s * (self.max_retries + 1) + DEADLINE_SLACK_S
        return self.clock() + budget

    def _wait_before_retry(self, error: LLMError, exc: BaseException, attempt: int, deadline: float) -> None:
        """Sleep before the next attempt, or raise `error` when out of retries or time."""
        if error.kind not in RETRYABLE or attempt >= self.max_retries:
            raise error
        asked = retry_after_s(exc)
        wait = BACKOFF_BASE_S * 2**attempt if asked is None else asked
        if wait > self.retry_after_cap_s or self.clock() + wait >= deadline:
            raise error
        self.sleep(wait)

    def complete(self, messages: Sequence[BaseMessage]) -> str:
        """The whole reply (non-streaming); raises LLMError."""
        deadline = self._deadline()
        attempt = 0
        while True:
            try:
                message = self.model.invoke(list(messages))
                break
            except Exception as exc:
                self._wait_before_retry(classify(exc, self.timeout_s), exc, attempt, deadline)
                attempt += 1
        finish = str(message.response_metadata.get("finish_reason") or "")
        return self._checked(text_of(message.content), finish)

    def stream(self, messages: Sequence[BaseMessage]) -> Iterator[str]:
        """Text deltas as they come; raises LLMError. A failure before the first delta is retried like
        `complete`; after it, the answer is incomplete and the error says so (kind 'interrupted')."""
        deadline = self._deadline()
        attempt = 0
        while True:
            received: list[str] = []
            finish = ""
            try:
                for chunk in self.model.stream(list(messages)):
                    finish = str(chunk.response_metadata.get("finish_reason") or finish)
                    delta = text_of(chunk.content)
                    if delta:
                        received.append(delta)
                        yield delta
                    if self.clock() > deadline:
                        raise LLMError("timeout", f"模型回答超时（超过 {deadline_budget(self):g} 秒仍未完成）。")
            except Exception as exc:
                error = classify(exc, self.timeout_s)
                if received:
                    raise _interrupted(error) from exc
                self._wait_before_retry(error, exc, attempt, deadline)
                attempt += 1
                continue
            if self._strict_stream and not finish and received:
                raise LLMError("interrupted", "模型回答中途中断（未收到结束标记），回答不完整。")
            self._checked("".join(received), finish)
            return

    @staticmethod
    def _checked(text: str, finish: str) -> str:
        if finish == "length":
            raise LLMError("truncated", "模型回答超出长度上限被截断，回答不完整。")
        if not text.strip():
            raise LLMError("empty", "模型返回了空回答。")
        return text


def deadline_budget(client: ChatClient) -> float:
    """The overall time budget of one call, in seconds."""
    if client.deadline_s is not None:
        return client.deadline_s
    return client.timeout_s * (client.max_retries + 1) + DEADLINE_SLACK_S


def _interrupted(error: LLMError) -> LLMError:
    if error.kind == "timeout":
        return LLMError("interrupted", "模型回答超时中断，回答不完整。")
    reason = {"connection": "连接中断", "bad_response": "返回格式异常", "server": "服务器错误"}.get(error.kind, "出错")
    return LLMError("interrupted", f"模型回答中途中断（{reason}），回答不完整。")


def make_chat_client(settings: Settings) -> ChatClient | None:
    """The configured chat model wrapped for bounded retries; None when no LLM is configured."""
    model = make_chat_model(settings)
    return None if model is None else ChatClient.from_settings(model, settings)
