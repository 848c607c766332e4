"""Settings: built once at the entry point from the environment and passed down."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import AssistantError


class SettingsError(AssistantError, ValueError):
    """A setting (environment variable) whose value does not parse or is out of its range; the message
    names the variable and the range. The CLI exits with 2, as for a bad option."""

    exit_code = 2


def _int(env: Mapping[str, str], key: str, default: int, lo: int, hi: int) -> int:
    raw = env.get(key, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise SettingsError(f"环境变量 {key} 应为 {lo}–{hi} 之间的整数，实际为 {raw!r}") from exc
    if not lo <= value <= hi:
        raise SettingsError(f"环境变量 {key} 应为 {lo}–{hi} 之间的整数，实际为 {raw!r}")
    return value


def _float(env: Mapping[str, str], key: str, default: float, lo: float, hi: float) -> float:
    raw = env.get(key, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise SettingsError(f"环境变量 {key} 应为 {lo:g}–{hi:g} 之间的数字，实际为 {raw!r}") from exc
    if not lo <= value <= hi:  # also refuses nan
        raise SettingsError(f"环境变量 {key} 应为 {lo:g}–{hi:g} 之间的数字，实际为 {raw!r}")
    return value


# Who writes answers and drafts (ASSISTANT_WRITER, the CLI's --writer, the app's switch): `auto` a model
# when one is configured or installed, else the extractive path; `llm` a model, an error when there is
# none; `extractive` quoted sentences only (no model is loaded).
WRITERS = ("auto", "llm", "extractive")


def _choice(env: Mapping[str, str], key: str, choices: tuple[str, ...], default: str) -> str:
    raw = env.get(key, "").strip()
    if not raw:
        return default
    if raw not in choices:
        raise SettingsError(f"环境变量 {key} 应为 {'、'.join(choices)} 之一，实际为 {raw!r}")
    return raw


def default_models_dir(env: Mapping[str, str]) -> Path:
    """Where `assistant model install` puts models unless ASSISTANT_MODELS_DIR says otherwise: the user's
    cache (shared by every store on the machine; a model is 0.5–1.1 GB)."""
    cache = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "township-report-assistant" / "models"


@dataclass(frozen=True)
class Settings:
    """Every tunable the product reads (docs/contracts.md, Settings)."""

    store_dir: Path = Path("vectorstore")
    chroma_url: str | None = None
    chroma_timeout_s: float = 30.0  # each call to the Chroma server (connect, read, write)
    embedding_model: str = "bundled"
    collection: str = "reports"
    chunk_max_chars: int = 360
    embed_batch_size: int = 16
    max_file_mb: int = 50
    parse_timeout_s: float = 60.0  # per file; 0 parses in-process with no limit
    ocr_page_timeout_s: float = 120.0  # per scanned page read by OCR (ingest.ocr), on top of parse_timeout_s
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None
    llm_gguf: Path | None = None
    models_dir: Path = Path("models")  # from_env: ASSISTANT_MODELS_DIR, else default_models_dir()
    llm_timeout_s: float = 60.0
    llm_max_retries: int = 2
    llm_temperature: float = 0.1
    writer: str = "auto"  # WRITERS; the CLI's --writer and the app's switch override it per request
    host: str = "127.0.0.1"
    port: int = 7860
    auth: str | None = None  # "user:password[,user2:password2]" turns the app's login on (ui/users.py)
    max_upload_mb: int = 20
    concurrency: int = 2  # requests each app endpoint works on at once
    queue_size: int = 64  # requests the app lets wait; beyond that it answers "busy, try again" at once

    @property
    def llm_configured(self) -> bool:
        """An LLM is configured (OpenAI-compatible endpoint or local GGUF). Without one, `auto` uses a model
        installed in `models_dir` (writers.model_choice), else answers are extractive."""
        return bool(self.llm_base_url and self.llm_model) or self.llm_gguf is not None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read ASSISTANT_* variables (docs/contracts.md, Settings); unset ones keep their defaults."""
        env = os.environ if env is None else env
        defaults = cls()
        return cls(
            store_dir=Path(env.get("ASSISTANT_STORE_DIR") or defaults.store_dir),
            chroma_url=env.get("ASSISTANT_CHROMA_URL") or None,
            chroma_timeout_s=_float(env, "ASSISTANT_CHROMA_TIMEOUT_S", defaults.chroma_timeout_s, 1, 86400),
            embedding_model=env.get("ASSISTANT_EMBEDDING_MODEL") or defaults.embedding_model,
            collection=env.get("ASSISTANT_COLLECTION") or defaults.collection,
            chunk_max_chars=_int(env, "ASSISTANT_CHUNK_MAX_CHARS", defaults.chunk_max_chars, 50, 20000),
            embed_batch_size=_int(env, "ASSISTANT_EMBED_BATCH_SIZE", defaults.embed_batch_size, 1, 4096),
            max_file_mb=_int(env, "ASSISTANT_MAX_FILE_MB", defaults.max_file_mb, 1, 100000),
            parse_timeout_s=_float(env, "ASSISTANT_PARSE_TIMEOUT_S", defaults.parse_timeout_s, 0, 86400),
            ocr_page_timeout_s=_float(env, "ASSISTANT_OCR_PAGE_TIMEOUT_S", defaults.ocr_page_timeout_s, 1, 3600),
            llm_base_url=env.get("ASSISTANT_LLM_BASE_URL") or None,
            llm_model=env.get("ASSISTANT_LLM_MODEL") or None,
            llm_api_key=env.get("ASSISTANT_LLM_API_KEY") or None,
            llm_gguf=Path(env["ASSISTANT_LLM_GGUF"]) if env.get("ASSISTANT_LLM_GGUF") else None,
            models_dir=Path(env.get("ASSISTANT_MODELS_DIR") or default_models_dir(env)),
            llm_timeout_s=_float(env, "ASSISTANT_LLM_TIMEOUT_S", defaults.llm_timeout_s, 1, 86400),
            llm_max_retries=_int(env, "ASSISTANT_LLM_MAX_RETRIES", defaults.llm_max_retries, 0, 10),
            llm_temperature=_float(env, "ASSISTANT_LLM_TEMPERATURE", defaults.llm_temperature, 0, 2),
            writer=_choice(env, "ASSISTANT_WRITER", WRITERS, defaults.writer),
            host=env.get("ASSISTANT_HOST") or defaults.host,
            port=_int(env, "ASSISTANT_PORT", defaults.port, 1, 65535),
            auth=env.get("ASSISTANT_AUTH") or None,
            max_upload_mb=_int(env, "ASSISTANT_MAX_UPLOAD_MB", defaults.max_upload_mb, 1, 100000),
            concurrency=_int(env, "ASSISTANT_CONCURRENCY", defaults.concurrency, 1, 64),
            queue_size=_int(env, "ASSISTANT_QUEUE_SIZE", defaults.queue_size, 1, 100000),
        )
