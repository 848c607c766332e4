"""Who writes answers (Settings.writer, --writer, the app's switch): the configured model, else the one
installed in the models folder (the 1.5B first), else quotes; `extractive` never loads a model, a model
is loaded once, an in-process model is called one request at a time, and the app names what wrote.

Fakes only (a fake store, files named like models, a fake chat model): the real model is the local_llm
tier's (tests/integration/test_llm_local_model.py), the switch in a browser is tests/e2e/test_writer_switch.py.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from assistant import services as services_module
from assistant.config import Settings, SettingsError
from assistant.generation.answer import Answerer
from assistant.generation.draft import Drafter
from assistant.generation.llm.client import ChatClient
from assistant.local_models import CATALOG
from assistant.services import Services
from assistant.store.lexical import LexicalIndex
from assistant.types import Answer
from assistant.ui.chat_tab import model_history, said
from assistant.ui.reader import Reader, writer_options
from assistant.writers import NO_MODEL, SerialChatClient, WriterError, check_writer, installed_model, model_choice
from tests.conftest import HashingEmbedder
from tests.unit.store_fake import FakeStore

SMALL, LARGE = CATALOG["qwen2.5-0.5b"], CATALOG["qwen2.5-1.5b"]


def put_model(folder: Path, file_name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / file_name
    path.write_bytes(b"GGUF")  # the folder is listed, never loaded, in these tests
    return path


def services(tmp_path: Path, **settings: Any) -> Services:
    base = Settings(store_dir=tmp_path / "store", models_dir=tmp_path / "models", **settings)
    return Services(base, FakeStore(["a-1", "b-1"]), LexicalIndex(tmp_path / "lexical"), embedder=HashingEmbedder())


class Loads:
    """make_chat_model replaced: counts loads, hands back a model that records what it was asked."""

    def __init__(self) -> None:
        self.settings: list[Settings] = []

    def __call__(self, settings: Settings) -> Any:
        self.settings.append(settings)
        return object()


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> Loads:
    fake = Loads()
    monkeypatch.setattr(services_module, "make_chat_model", fake)
    return fake


def test_the_writer_setting_parses_and_names_a_bad_value() -> None:
    assert Settings().writer == Settings.from_env({}).writer == "auto"
    assert Settings.from_env({"ASSISTANT_WRITER": "extractive"}).writer == "extractive"
    with pytest.raises(SettingsError, match="ASSISTANT_WRITER 应为 auto、llm、extractive 之一，实际为 'gpt'") as caught:
        Settings.from_env({"ASSISTANT_WRITER": "gpt"})
    assert caught.value.exit_code == 2
    with pytest.raises(WriterError, match="未知作答方式 'quotes'，可选：auto、llm、extractive") as bad:
        check_writer("quotes")
    assert bad.value.exit_code == 2


def test_auto_prefers_the_larger_catalog_model_then_any_other_gguf(tmp_path: Path) -> None:
    folder = tmp_path / "models"
    assert installed_model(folder) is None, "no folder yet"
    other = put_model(folder, "a-custom-model.gguf")
    assert installed_model(folder) == ("a-custom-model", other)
    small = put_model(folder, SMALL.file_name)
    assert installed_model(folder) == ("qwen2.5-0.5b", small)
    large = put_model(folder, LARGE.file_name)
    (folder / f"{LARGE.file_name}.partial").write_bytes(b"")  # an install in progress is no model
    assert installed_model(folder) == ("qwen2.5-1.5b", large)


def test_a_configured_model_wins_over_an_installed_one(tmp_path: Path) -> None:
    put_model(tmp_path / "models", SMALL.file_name)
    endpoint = Settings(llm_base_url="http://127.0.0.1:1/v1", llm_model="qwen2.5:7b", models_dir=tmp_path / "models")
    choice = model_choice(endpoint)
    assert choice is not None and (choice.label, choice.local) == ("模型服务 qwen2.5:7b", False)
    by_path = model_choice(Settings(llm_gguf=tmp_path / "elsewhere" / LARGE.file_name, models_dir=tmp_path / "models"))
    assert by_path is not None and (by_path.label, by_path.local) == ("本地模型 qwen2.5-1.5b", True)
    found = model_choice(Settings(models_dir=tmp_path / "models"))
    assert found is not None and found.label == "本地模型 qwen2.5-0.5b"
    assert found.settings.llm_gguf == tmp_path / "models" / SMALL.file_name, "the installed file is what loads"
    assert model_choice(Settings(models_dir=tmp_path / "empty")) is None


def test_auto_uses_an_installed_model_only_when_llama_cpp_can_run_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loads: Loads
) -> None:
    assert services(tmp_path).writer() == "extractive", "nothing configured or installed"
    put_model(tmp_path / "models", SMALL.file_name)
    monkeypatch.setattr(services_module, "llama_installed", lambda: False)
    svc = services(tmp_path)
    assert svc.writer() == "extractive" and isinstance(svc.answerer(), Answerer) and loads.settings == []
    assert svc.writer("llm") == "llm", "asked for explicitly, the missing runtime is reported, not hidden"
    monkeypatch.setattr(services_module, "llama_installed", lambda: True)
    svc = services(tmp_path)
    assert svc.writer() == "llm"
    assert type(svc.chat()) is SerialChatClient, "an in-process model takes one call at a time"
    assert [s.llm_gguf for s in loads.settings] == [tmp_path / "models" / SMALL.file_name]
    assert svc.writer_label("llm") == "本地模型 qwen2.5-0.5b" and svc.writer_label("extractive") == "原文摘录"


def test_extractive_never_loads_a_model_and_llm_without_one_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loads: Loads
) -> None:
    put_model(tmp_path / "models", SMALL.file_name)
    monkeypatch.setattr(services_module, "llama_installed", lambda: True)
    svc = services(tmp_path, writer="extractive")
    assert svc.chat() is None and svc.chat("extractive") is None
    answerer, drafter = svc.answer_paths(writer="extractive")
    assert isinstance(answerer, Answerer) and isinstance(drafter, Drafter) and loads.settings == []
    nothing = services(tmp_path / "none", writer="llm")
    with pytest.raises(WriterError, match="没有可用的模型") as caught:
        nothing.answerer()
    assert caught.value.message == NO_MODEL and "assistant model install qwen2.5-1.5b" in NO_MODEL
    assert nothing.store.id_scans == 0, "refused before any store work"  # type: ignore[attr-defined]


def test_the_model_loads_once_for_every_path_and_writer_request(tmp_path: Path, loads: Loads) -> None:
    svc = services(tmp_path, llm_base_url="http://127.0.0.1:1/v1", llm_model="m")
    clients = {id(svc.chat()), id(svc.chat("llm")), id(svc.chat("auto"))}
    threads = [threading.Thread(target=svc.chat) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(clients) == 1 and len(loads.settings) == 1
    assert type(svc.chat()) is ChatClient, "an endpoint serves requests at once: no lock"


class SlowModel:
    """A chat model that records how many calls ran at once."""

    def __init__(self) -> None:
        self.active = self.most = 0
        self.guard = threading.Lock()

    def _enter(self) -> None:
        with self.guard:
            self.active += 1
            self.most = max(self.most, self.active)
        time.sleep(0.2)
        with self.guard:
            self.active -= 1

    def invoke(self, messages: list[Any]) -> Any:
        self._enter()
        return SimpleNamespace(content="答[1]", response_metadata={"finish_reason": "stop"})

    def stream(self, messages: list[Any]) -> Any:
        self._enter()
        yield SimpleNamespace(content="答", response_metadata={"finish_reason": "stop"})


@pytest.mark.parametrize(("client_type", "serial"), [(SerialChatClient, True), (ChatClient, False)])
def test_an_in_process_model_is_called_one_request_at_a_time(client_type: type[ChatClient], serial: bool) -> None:
    model = SlowModel()
    client = client_type(model)  # type: ignore[arg-type]
    calls = [lambda: client.complete([]), lambda: list(client.stream([]))] * 2
    threads = [threading.Thread(target=call) for call in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert (model.most == 1) if serial else (model.most > 1), model.most


def test_the_reader_keeps_one_answerer_per_writer_and_the_switch_offers_what_can_run(
    tmp_path: Path, loads: Loads
) -> None:
    quotes_only = services(tmp_path / "a")
    options = writer_options(quotes_only)
    assert options.choices == [("原文摘录", "extractive")] and options.value == "extractive"
    assert "assistant model install" in options.info
    svc = services(tmp_path / "b", llm_base_url="http://127.0.0.1:1/v1", llm_model="m", writer="extractive")
    options = writer_options(svc)
    assert options.choices == [("模型服务 m", "llm"), ("原文摘录", "extractive")] and options.value == "extractive"
    reader = Reader(svc)
    assert reader.answerer() is reader.answerer("extractive") and isinstance(reader.answerer(), Answerer)
    assert loads.settings == [], "the default here is 原文摘录: no model until the user switches"
    assert reader.answerer("llm") is reader.answerer("llm") is not reader.answerer("extractive")
    assert len(loads.settings) == 1
    reader.invalidate()
    assert reader.answerer("llm") is not None and len(loads.settings) == 1, "rebuilt paths reuse the loaded model"


def test_the_chat_names_the_writer_and_the_model_reads_the_conversation_without_it() -> None:
    message = said("assistant", "推出<b>6条</b>线路。[1]", "本地模型 qwen2.5-0.5b")
    assert message["content"] == "推出&lt;b&gt;6条&lt;/b&gt;线路。[1]\n（作答：本地模型 qwen2.5-0.5b）"
    as_page_sends = [
        {"role": "user", "content": [{"type": "text", "text": "安民乡&quot;红色&quot;线路？"}]},
        {"role": "assistant", "content": [{"type": "text", "text": message["content"]}], "metadata": None},
    ]
    assert model_history(as_page_sends) == [
        {"role": "user", "content": '安民乡"红色"线路？'},
        {"role": "assistant", "content": "推出<b>6条</b>线路。[1]"},
    ]


def test_the_cli_label_follows_the_answer_mode(tmp_path: Path) -> None:
    svc = services(tmp_path)
    answer = Answer("q", "a", False, [], [], "extractive")
    assert svc.writer_label(answer.mode) == "原文摘录"
    assert svc.writer_label("llm") == "原文摘录", "no model: nothing else could have written it"
