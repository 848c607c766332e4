"""Drafting in the app: the draft and its .docx and .md downloads."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from assistant.generation.export import draft_docx, draft_markdown
from assistant.generation.gongwen import gongwen_docx
from assistant.types import Answer
from assistant.ui.inputs import FilterChoice, required, safe_filename
from assistant.ui.reader import Paths


def export_draft(answer: Answer, title: str, base: Path, plain: bool = False) -> tuple[Path, Path]:
    """The draft saved as `base`.docx (公文 format, sources as footnotes; `plain`: a plain document with
    a reference list) and `base`.md (with its reference list)."""
    md = base.with_suffix(".md")
    md.write_text(draft_markdown(answer, title), encoding="utf-8")
    return (draft_docx if plain else gongwen_docx)(answer, title, base.with_suffix(".docx")), md


class Drafts:
    """Drafts from the current drafter, exported to `export_dir` under a name from the topic and `clock`."""

    def __init__(self, paths: Paths, export_dir: Path, clock: Callable[[], float] = time.time) -> None:
        self.paths = paths
        self.export_dir = export_dir
        self.clock = clock
        export_dir.mkdir(parents=True, exist_ok=True)

    def draft(
        self,
        topic: str,
        style: str = "总结",
        length: int = 400,
        choice: FilterChoice | None = None,
        writer: str | None = None,
        plain: bool = False,
    ) -> tuple[Answer, Path | None, Path | None]:
        """The draft and, unless it abstained, its .docx (公文 format unless `plain`) and .md exports;
        `writer` as in Answers.ask_stream."""
        topic = required(topic, "请输入起草主题。")
        filters = (choice or FilterChoice()).to_filters()
        answer = self.paths.drafter(writer).draft(topic, length=int(length), filters=filters, style=style)
        if answer.abstained:
            return answer, None, None
        stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(self.clock()))
        base = self.export_dir / f"草稿-{safe_filename(topic)[:40]}-{stamp}"
        return (answer, *export_draft(answer, f"{topic}（{style}）", base, plain))

    def writer_label(self, mode: str) -> str:
        return self.paths.writer_label(mode)
