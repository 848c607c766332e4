"""Services without Chroma (fake store, hashing embedder): the answer paths cost one lexical sync
each (one full chunk-id fetch), both for the evaluation cost one too, and a bad mode is refused
before any of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.errors import AssistantError
from assistant.generation.answer import Answerer
from assistant.generation.draft import Drafter
from assistant.retrieval import ModeError
from assistant.services import Services
from assistant.store.lexical import LexicalIndex
from tests.conftest import HashingEmbedder
from tests.unit.store_fake import FakeStore


def services(tmp_path: Path, store: FakeStore) -> Services:
    return Services(Settings(store_dir=tmp_path), store, LexicalIndex(tmp_path / "lexical"), embedder=HashingEmbedder())


def test_an_answerer_or_a_drafter_costs_one_sync(tmp_path: Path) -> None:
    store = FakeStore(["a-1", "a-2", "b-1"])
    svc = services(tmp_path, store)
    assert isinstance(svc.answerer(), Answerer), "no model configured: the extractive path"
    assert store.id_scans == 1, "one full id fetch per answerer, not one for the retriever and one for the corpus"
    assert isinstance(svc.drafter("lexical"), Drafter)
    assert store.id_scans == 2
    assert store.text_fetches == 1, "the index was built once and is current after that"


def test_the_evaluation_gets_both_paths_for_one_sync(tmp_path: Path) -> None:
    store = FakeStore(["a-1", "a-2"])
    answerer, drafter = services(tmp_path, store).answer_paths("dense")
    assert isinstance(answerer, Answerer) and isinstance(drafter, Drafter)
    assert store.id_scans == 1
    assert answerer.retriever is drafter.retriever, "one retriever for both"


@pytest.mark.parametrize("build", ["retriever", "answerer", "drafter", "answer_paths"])
def test_an_unknown_mode_is_refused_before_any_store_work(tmp_path: Path, build: str) -> None:
    store = FakeStore(["a-1"])
    with pytest.raises(ModeError, match="未知检索模式 'bm25'，可选：hybrid、dense、lexical") as caught:
        getattr(services(tmp_path, store), build)("bm25")
    assert isinstance(caught.value, AssistantError) and caught.value.exit_code == 2
    assert store.id_scans == 0
