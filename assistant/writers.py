"""Who writes answers and drafts (`writer`: auto | llm | extractive, Settings.writer or per request):
the configured endpoint or GGUF, else the model installed in the models folder (the 1.5B first),
else quotes. Services holds the chosen model (loaded once per process); this module only chooses.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.config import WRITERS, Settings
from assistant.errors import AssistantError
from assistant.generation.llm.client import ChatClient
from assistant.local_models import CATALOG, installed

if TYPE_CHECKING:
    from langchain_core.messages import BaseMessage


class WriterError(AssistantError, ValueError):
    """A writer (--writer, the app's switch) that does not exist, or `llm` with no model to use."""

    exit_code = 2


EXTRACTIVE_LABEL = "原文摘录"
NO_MODEL = (
    "没有可用的模型：请先 pip install -e '.[local]' 并运行 assistant model install qwen2.5-1.5b，"
    "或设置 ASSISTANT_LLM_BASE_URL 与 ASSISTANT_LLM_MODEL；也可改用原文摘录（--writer extractive）。"
)


def check_writer(writer: str) -> str:
    """`writer` when it is one of config.WRITERS; else WriterError naming the choices."""
    if writer not in WRITERS:
        raise WriterError(f"未知作答方式 {writer!r}，可选：{'、'.join(WRITERS)}")
    return writer


@dataclass(frozen=True)
class ModelChoice:
    """The chat model a writer of `llm` uses: the settings that configure it and how the app names it."""

    settings: Settings
    label: str  # 模型服务 deepseek-chat / 本地模型 qwen2.5-1.5b
    local: bool  # in-process llama.cpp (needs the `local` extra; one call at a time)


def llama_installed() -> bool:
    return importlib.util.find_spec("llama_cpp") is not None


def installed_model(models_dir: Path) -> tuple[str, Path] | None:
    """The model `auto` uses when none is configured: the catalog's models in catalog order (the 1.5B
    first), then any other GGUF in the folder by name; None when the folder holds none."""
    found = {name: path for name, path, _ in installed(models_dir)}
    order = [name for name in CATALOG if name in found] + sorted(set(found) - set(CATALOG))
    return (order[0], found[order[0]]) if order else None


def model_choice(settings: Settings) -> ModelChoice | None:
    """The configured endpoint or GGUF file, else the model installed in `models_dir`; None: no model."""
    if settings.llm_base_url and settings.llm_model:
        return ModelChoice(settings, f"模型服务 {settings.llm_model}", local=False)
    if settings.llm_gguf is not None:
        names = {spec.file_name: spec.name for spec in CATALOG.values()}
        name = names.get(settings.llm_gguf.name, settings.llm_gguf.stem)
        return ModelChoice(settings, f"本地模型 {name}", local=True)
    found = installed_model(settings.models_dir)
    if found is None:
        return None
    return ModelChoice(replace(settings, llm_gguf=found[1]), f"本地模型 {found[0]}", local=True)


@dataclass
class SerialChatClient(ChatClient):
    """A ChatClient whose calls run one at a time: an in-process llama.cpp model is not thread-safe, and
    the app answers `concurrency` requests at once (the next waits for the model)."""

    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def complete(self, messages: Sequence[BaseMessage]) -> str:
        with self.lock:
            return super().complete(messages)

    def stream(self, messages: Sequence[BaseMessage]) -> Iterator[str]:
        with self.lock:
            yield from super().stream(messages)
