"""乡镇工作报告助手: cited retrieval over Chinese township work reports.

The public API (`__all__`), loaded on first use so that `import assistant` stays cheap (no Chroma,
numpy, gradio or langchain until a name is used):

- `Settings`, `SettingsError`: every tunable, read once from the environment (assistant.config);
- `Services`: the composition root: `Services.open(settings)`, then `ingest`, `remove`, `retriever`,
  `answerer`, `drafter` (assistant.services);
- `AnswerPath`, `DraftPath`: what every answer and draft path offers (assistant.generation.paths);
- `Answer`, `Citation`, `Passage`, `Filters`, `DocRecord`: the shapes they take and return (assistant.types);
- `IngestReport`: what an ingest changed (assistant.ingest.pipeline);
- `AssistantError`: the base of every error meant for the user (assistant.errors).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_HOMES = {
    "AssistantError": "assistant.errors",
    "Answer": "assistant.types",
    "AnswerPath": "assistant.generation.paths",
    "Citation": "assistant.types",
    "DocRecord": "assistant.types",
    "DraftPath": "assistant.generation.paths",
    "Filters": "assistant.types",
    "IngestReport": "assistant.ingest.pipeline",
    "Passage": "assistant.types",
    "Services": "assistant.services",
    "Settings": "assistant.config",
    "SettingsError": "assistant.config",
}

__all__ = [
    "Answer",
    "AnswerPath",
    "AssistantError",
    "Citation",
    "DocRecord",
    "DraftPath",
    "Filters",
    "IngestReport",
    "Passage",
    "Services",
    "Settings",
    "SettingsError",
    "__version__",
]

if TYPE_CHECKING:
    from assistant.config import Settings, SettingsError
    from assistant.errors import AssistantError
    from assistant.generation.paths import AnswerPath, DraftPath
    from assistant.ingest.pipeline import IngestReport
    from assistant.services import Services
    from assistant.types import Answer, Citation, DocRecord, Filters, Passage


def __getattr__(name: str) -> Any:
    """A public name, imported from its module the first time it is asked for."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'assistant' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
