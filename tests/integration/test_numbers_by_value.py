"""Numbers compared by value on the real answer and draft paths: the CLI (`ask --json`, `draft --json`)
against a scripted OpenAI-compatible server on 127.0.0.1, retrieval over the seeded store.

The seed X乡 report says 2023年完成财税1200万元. The model's 一千二百万元 and 0.12亿元 state that
figure; its 九千九百九十九万元 and 1200亿元 (a 万→亿 slip) do not and are listed as written."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.conftest import run_cli
from tests.integration.chat_server import ChatServer, Reply, Step, llm_env

pytestmark = pytest.mark.integration

FISCAL_Q = "X乡2023年完成了多少财税收入？"
SOURCE_FORM = "1200万元"
# Where a shown passage starts: "===== 资料 [1] 开始 =====" (answers), "[1]（X乡，2023年工作总结）" (drafts).
_SHOWN = re.compile(r"^(?:===== 资料 )?\[(\d+)\]")


def shown_number(prompt: str, text: str) -> int | None:
    """The number the prompt gives the shown passage holding `text`."""
    current = None
    for line in prompt.splitlines():
        m = _SHOWN.match(line)
        current = int(m.group(1)) if m else current
        if text in line and current is not None:
            return current
    return None


def citing_the_fiscal_passage(template: str) -> Any:
    """A script that answers `template` with {n} the number of the shown passage stating 1200万元."""

    def script(body: dict[str, Any], index: int) -> Step:
        prompt = "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
        n = shown_number(prompt, "财税" + SOURCE_FORM)
        return Reply(template.format(n=n) if n else "资料中未找到。")  # the test then fails on mode

    return script


@pytest.mark.parametrize(
    ("figure", "unsupported"),
    [
        ("九千九百九十九万元", ["九千九百九十九万"]),
        ("一千二百万元", []),
        ("0.12亿元", []),
        ("1200亿元", ["1200亿"]),
    ],
)
def test_ask_json_compares_the_models_figure_by_value(
    seeded: dict[str, Any], figure: str, unsupported: list[str]
) -> None:
    with ChatServer(citing_the_fiscal_passage(f"X乡2023年完成财税{figure}[{{n}}]。")) as server:
        out = run_cli(["ask", FISCAL_Q, "--json"], seeded["store"], **llm_env(server))
        assert server.requests, "the CLI called the scripted endpoint"
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    assert answer["mode"] == "llm" and figure in answer["answer"]
    assert answer["unsupported_numbers"] == unsupported
    (cite,) = answer["citations"]
    assert "财税" + SOURCE_FORM in cite["text"] and cite["quote"] in cite["text"], "quotes are never rewritten"
    if not unsupported:  # the same figure written another way is quoted where the source states it
        assert "财税" + SOURCE_FORM in cite["quote"]
    notes = " ".join(answer["notes"])
    assert all(n in notes for n in unsupported) and ("请核对" in notes) == bool(unsupported)


def test_draft_json_flags_a_unit_slip(seeded: dict[str, Any]) -> None:
    reply = "2023年，X乡完成财税1200亿元[{n}]，合一千二百万元[{n}]。"
    with ChatServer(citing_the_fiscal_passage(reply)) as server:
        out = run_cli(
            ["draft", "X乡2023年财税工作总结", "--style", "总结", "--json"], seeded["store"], **llm_env(server)
        )
    assert out.returncode == 0, out.stderr
    draft = json.loads(out.stdout)
    assert draft["mode"] == "llm"
    assert draft["unsupported_numbers"] == ["1200亿"]
