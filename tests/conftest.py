"""Shared fixtures. Fakes here are for unit tests only; every capability also has a real-component test."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.ledger.evaluate import corpora_dir

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
# The real reports of ../shared/corpora (CI has them beside the clone; a worktree finds them two levels up).
CORPORA = corpora_dir()

# Tests never pick up a model or an endpoint from the developer's environment: with a model installed
# in the default models folder (or ASSISTANT_LLM_GGUF exported, as the README shows), `auto` would make
# every CLI and app test answer with it. The suite's models folder is an empty temp dir, and nothing
# selects a writer; a test that wants a model sets these itself (the local_llm tier reads its models
# folder from ASSISTANT_TEST_LOCAL_LLM).
_EMPTY_MODELS = tempfile.TemporaryDirectory(prefix="assistant-test-models-")
os.environ["ASSISTANT_MODELS_DIR"] = _EMPTY_MODELS.name
for _key in ("ASSISTANT_LLM_BASE_URL", "ASSISTANT_LLM_MODEL", "ASSISTANT_LLM_API_KEY", "ASSISTANT_LLM_GGUF"):
    os.environ.pop(_key, None)
os.environ.pop("ASSISTANT_WRITER", None)

# The local_llm tier (.ci/run): the models folder `assistant model install qwen2.5-0.5b` filled.
LOCAL_LLM_ENV = "ASSISTANT_TEST_LOCAL_LLM"
LOCAL_LLM_MODEL = "qwen2.5-0.5b"


class HashingEmbedder:
    """Deterministic bag-of-characters embedder (no model): for unit tests of the indexing logic."""

    name = "fake:hashing-64"
    dim = 64

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        for ch in text:
            v[int(hashlib.md5(ch.encode()).hexdigest(), 16) % self.dim] += 1.0
        n = np.linalg.norm(v)
        return v / n if n else v

    def embed_documents(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        out = np.stack([self._vec(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)
        if progress:
            progress(len(texts))
        return out

    def embed_query(self, text: str) -> np.ndarray:
        return self._vec(text)


@pytest.fixture
def hashing_embedder() -> HashingEmbedder:
    return HashingEmbedder()


@pytest.fixture(scope="session")
def seed_files() -> list[Path]:
    files = sorted(SEEDS.glob("*.txt"))
    assert len(files) == 5, "the five sample reports must be in seeds/"
    return files


def run_cli(args: list[str], store: Path, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    """Run `python -m assistant ARGS` against a store directory, as a user would."""
    full_env = {**os.environ, "ASSISTANT_STORE_DIR": str(store), **env}
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd,
        timeout=900,
    )


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The seeds copied and ingested once through the CLI (real bundled embedder, real Chroma).

    Shared read-only by the integration tests; tests that change a store build their own.
    """
    base = tmp_path_factory.mktemp("seeded")
    corpus = base / "seeds"
    shutil.copytree(SEEDS, corpus, ignore=shutil.ignore_patterns("qa"))
    store = base / "store"
    first = run_cli(["ingest", str(corpus), "--json"], store)
    assert first.returncode == 0, first.stderr
    return {"store": store, "corpus": corpus, "first": json.loads(first.stdout)}


@pytest.fixture(scope="session")
def local_models_dir() -> Path:
    """The local_llm tier's models folder. Without ASSISTANT_TEST_LOCAL_LLM the test skips, saying how to
    run it; with it, a missing llama_cpp or model FAILS the test: the tier never passes by skipping."""
    import importlib.util

    from assistant.local_models import CATALOG

    raw = os.environ.get(LOCAL_LLM_ENV)
    if not raw:
        pytest.skip(
            f"local_llm tier: set {LOCAL_LLM_ENV}=<models folder> after `assistant model install {LOCAL_LLM_MODEL}`"
        )
    folder = Path(raw).resolve()
    spec = CATALOG[LOCAL_LLM_MODEL]
    gguf = folder / spec.file_name
    missing = []
    if importlib.util.find_spec("llama_cpp") is None:
        missing.append("llama_cpp is not installed (pip install -e '.[local]')")
    if not gguf.is_file() or gguf.stat().st_size != spec.size:
        missing.append(
            f"{gguf} is missing or incomplete (ASSISTANT_MODELS_DIR={folder} assistant model install {LOCAL_LLM_MODEL})"
        )
    if missing:
        pytest.fail(f"{LOCAL_LLM_ENV} is set, so the local_llm tier must run: " + "; ".join(missing))
    return folder
