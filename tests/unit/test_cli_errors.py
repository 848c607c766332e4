"""The CLI's one error handler: an AssistantError from anywhere in a command becomes one line,
错误：<its Chinese message>, and its exit code; anything else keeps its traceback."""

from __future__ import annotations

import pytest

from assistant import cli
from assistant.config import SettingsError
from assistant.embeddings import EmbedderLoadError
from assistant.errors import AssistantError
from assistant.eval.dataset import DatasetError
from assistant.generation.llm.client import LLMError
from assistant.ingest.loaders import LoadError
from assistant.store.client import StoreError
from assistant.store.collection import EmbedderMismatchError
from assistant.store.lock import StoreBusyError


def run_main(monkeypatch: pytest.MonkeyPatch, exc: BaseException) -> int | str | None:
    def command() -> None:
        raise exc

    monkeypatch.setattr(cli, "app", command)
    with pytest.raises(SystemExit) as caught:
        cli.main()
    return caught.value.code


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (StoreBusyError("向量库正被另一个进程写入"), 2),
        (StoreError("无法连接 Chroma 服务器"), 2),
        (EmbedderMismatchError("向量库由另一个嵌入模型建立"), 2),
        (EmbedderLoadError("无法加载嵌入模型"), 2),
        (LLMError("unavailable", "未安装 llama.cpp"), 2),
        (DatasetError("第 3 行不是 JSON 对象"), 2),
        (SettingsError("环境变量 ASSISTANT_PORT 应为 1–65535 之间的整数"), 2),
        (LoadError("文件为空（0 字节）"), 1),
    ],
)
def test_a_user_error_is_one_chinese_line_and_its_exit_code(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], exc: AssistantError, code: int
) -> None:
    assert run_main(monkeypatch, exc) == code == exc.exit_code
    err = capsys.readouterr().err
    assert err == f"错误：{exc.message}\n"


def test_the_message_is_printed_as_text_not_markup(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run_main(monkeypatch, StoreError("文档 [bold]x[/] 有 [/] 标记"))
    assert capsys.readouterr().err == "错误：文档 [bold]x[/] 有 [/] 标记\n"


def test_a_bug_keeps_its_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    def command() -> None:
        raise KeyError("not a user error")

    monkeypatch.setattr(cli, "app", command)
    with pytest.raises(KeyError):
        cli.main()
