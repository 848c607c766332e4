"""Prompt files (prompts/*.zh.md): loading, strict rendering, and the passages/history blocks.

A prompt file holds `string.Template` placeholders and role lines (`<!-- role: system -->`,
`<!-- role: user -->`) that split it into chat messages. Rendering refuses a placeholder left
unfilled and a variable the file does not use.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Any

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from assistant.errors import AssistantError
from assistant.generation.citations import MARKER
from assistant.generation.llm.client import text_of
from assistant.resources import prompts_dir
from assistant.types import Passage

_ROLE_LINE = re.compile(r"^<!--\s*role:\s*(system|user)\s*-->\s*$", re.MULTILINE)
_FENCE = "====="
HISTORY_TURNS = 6  # messages of history shown to the condense prompt
HISTORY_CHARS = 300  # each message cut to this many characters


class PromptError(AssistantError, ValueError):
    """A prompt file is missing, malformed, or does not match the variables passed."""


@dataclass(frozen=True)
class Prompt:
    name: str
    parts: tuple[tuple[str, Template], ...]  # (role, template) in order

    @property
    def placeholders(self) -> set[str]:
        return {name for _, t in self.parts for name in t.get_identifiers()}

    def render(self, **variables: Any) -> list[BaseMessage]:
        """The chat messages with every placeholder filled; PromptError on a missing or unused variable."""
        missing = self.placeholders - set(variables)
        unused = set(variables) - self.placeholders
        if missing or unused:
            raise PromptError(
                f"提示词 {self.name} 的占位符与传入变量不符：缺少 {sorted(missing)}，多余 {sorted(unused)}"
            )
        values = {k: str(v) for k, v in variables.items()}
        messages: list[BaseMessage] = []
        for role, template in self.parts:
            text = template.substitute(values).strip()
            messages.append(SystemMessage(text) if role == "system" else HumanMessage(text))
        return messages


def load_prompt(name: str, directory: Path | None = None) -> Prompt:
    """Load prompts/NAME.zh.md (or NAME as a file name) and check its placeholders are well-formed."""
    directory = directory or prompts_dir()
    path = directory / (name if name.endswith(".md") else f"{name}.zh.md")
    try:
        source = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PromptError(f"找不到提示词文件 {path}") from exc
    pieces = _ROLE_LINE.split(source)
    # pieces: [notes, role1, body1, role2, body2, …]
    parts = tuple((pieces[i], Template(pieces[i + 1])) for i in range(1, len(pieces) - 1, 2))
    if not parts:
        raise PromptError(f"提示词文件 {path} 没有 <!-- role: system|user --> 行")
    for _, template in parts:
        if not template.is_valid():
            raise PromptError(f"提示词文件 {path} 含有格式错误的占位符（字面的 $ 请写作 $$）")
    return Prompt(path.stem, parts)


class PromptLibrary:
    """The prompts the LLM paths use, loaded once from a directory."""

    NAMES = ("answer", "condense", "draft")

    def __init__(self, directory: Path | None = None) -> None:
        self.prompts = {name: load_prompt(name, directory) for name in self.NAMES}

    def render(self, name: str, **variables: Any) -> list[BaseMessage]:
        return self.prompts[name].render(**variables)


def _field(value: Any, default: str = "（未注明）") -> str:
    text = " ".join(str(value or "").split())
    return text or default


def _defanged(text: str) -> str:
    """Passage text with anything that looks like our fence broken up, so it cannot close a block."""
    return text.replace(_FENCE, "＝＝＝＝＝")


def render_passages(passages: Sequence[Passage], excerpts: Sequence[str] | None = None) -> str:
    """Numbered, fenced data blocks [1]..[n] with document, township, title and section; the body is the
    passage's text, or its excerpt when `excerpts` gives one per passage (the sentences an answer rests on)."""
    blocks = []
    for n, p in enumerate(passages, start=1):
        body = p.text if excerpts is None else excerpts[n - 1]
        meta = p.metadata
        blocks.append(
            "\n".join(
                (
                    f"{_FENCE} 资料 [{n}] 开始 {_FENCE}",
                    f"文档：{_field(p.doc_id)}",
                    f"乡镇：{_field(meta.get('township'))}",
                    f"标题：{_field(meta.get('title'))}",
                    f"章节：{_field(p.section)}",
                    "正文：",
                    _defanged(body.strip()),
                    f"{_FENCE} 资料 [{n}] 结束 {_FENCE}",
                )
            )
        )
    return "\n\n".join(blocks)


def render_history(history: Sequence[Mapping[str, Any]]) -> str:
    """The last few chat messages as 用户：…/助手：… lines (markers dropped, long answers cut)."""
    lines = []
    for message in list(history)[-HISTORY_TURNS:]:
        role = "用户" if message.get("role") == "user" else "助手"
        text = " ".join(MARKER.sub("", text_of(message.get("content"))).split())
        if len(text) > HISTORY_CHARS:
            text = text[:HISTORY_CHARS] + "……"
        if text:
            lines.append(f"{role}：{text}")
    return "\n".join(lines) or "（无）"


def render_excerpts(passages: Sequence[Passage], excerpts: Sequence[str]) -> str:
    """The drafting prompt's data: one fenced block, each passage a numbered line with its township and
    report part (工作总结/工作计划: what a draft may state as done) and then its excerpt. Without the
    document id, title and section of `render_passages` (about 60 tokens a passage a 1.5B model
    reads for nothing: a draft's passages mostly come from one report)."""
    lines = [f"{_FENCE} 资料开始 {_FENCE}"]
    for n, (p, excerpt) in enumerate(zip(passages, excerpts, strict=True), start=1):
        meta = p.metadata
        lines.append(f"[{n}]（{_field(meta.get('township'), '未注明乡镇')}，{_field(meta.get('part'), '未注明部分')}）")
        lines.append(_defanged(" ".join(excerpt.split())))
    lines.append(f"{_FENCE} 资料结束 {_FENCE}")
    return "\n".join(lines)
