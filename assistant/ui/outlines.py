"""Outline-first drafting in the app: the proposed outline, its edits (move, delete, rename), the
draft by sections, one section redrafted, and the .docx/.md of the assembled draft."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.generation.corpus import Corpus
from assistant.generation.outline import DEFAULT_SECTIONS, Outline, OutlineProposer, parse_headings
from assistant.generation.sections import SectionDrafter, SectionedDraft, SectionsError
from assistant.ui.drafts import export_draft
from assistant.ui.inputs import FilterChoice, UserError, required, safe_filename
from assistant.ui.reader import Paths

if TYPE_CHECKING:
    from assistant.generation.llm.client import ChatClient

MAX_UI_SECTIONS = 10  # the section slots the page has


def headings_of(text: str | None) -> list[str]:
    """The outline box's headings (one a line; 一、 markers and blank lines dropped)."""
    return parse_headings(text or "")


def outline_text(headings: Sequence[str]) -> str:
    """The outline box's text: one heading a line, without numbers (the draft numbers them)."""
    return "\n".join(headings)


def _index(headings: Sequence[str], picked: str | int | None) -> int:
    try:
        i = int(picked) if picked not in (None, "") else -1
    except (TypeError, ValueError):
        i = -1
    if not 0 <= i < len(headings):
        raise UserError("请先在提纲中选中一个标题。")
    return i


def moved(headings: Sequence[str], picked: str | int | None, step: int) -> tuple[list[str], int]:
    """The headings with the picked one moved `step` places (−1 up, +1 down), and its new index."""
    out = list(headings)
    i = _index(out, picked)
    j = max(0, min(len(out) - 1, i + step))
    out.insert(j, out.pop(i))
    return out, j


def deleted(headings: Sequence[str], picked: str | int | None) -> list[str]:
    out = list(headings)
    out.pop(_index(out, picked))
    return out


def renamed(headings: Sequence[str], picked: str | int | None, new: str | None) -> list[str]:
    out = list(headings)
    i = _index(out, picked)
    name = parse_headings(new or "")
    if not name:
        raise UserError("请输入新的标题。")
    out[i] = name[0]
    return out


class Outlines:
    """Outlines from the reports and drafts by sections from the current drafter (`paths`), exported
    to `export_dir`; `corpus` gives the reports' townships and vocabulary."""

    def __init__(
        self,
        paths: Paths,
        corpus: Callable[[], Corpus],
        export_dir: Path,
        chat: Callable[[str | None], ChatClient | None] = lambda _writer: None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """`chat`: the chat model a writer (llm | extractive | None: the default) uses, or None."""
        self.paths, self.corpus, self.export_dir, self.chat, self.clock = paths, corpus, export_dir, chat, clock
        export_dir.mkdir(parents=True, exist_ok=True)

    def propose(
        self,
        topic: str,
        style: str = "总结",
        choice: FilterChoice | None = None,
        count: int = DEFAULT_SECTIONS,
        writer: str | None = None,
    ) -> Outline:
        """The outline proposed for `topic`: worded by the writer's model when it has one."""
        topic = required(topic, "请输入起草主题。")
        filters = (choice or FilterChoice()).to_filters()
        proposer = OutlineProposer(self.paths.retriever(), self.corpus())
        chat = self.chat(writer)
        if chat is None:
            return proposer.propose(topic, style, filters, count)
        from assistant.generation.llm.outline import LLMOutlineProposer

        return LLMOutlineProposer(proposer, chat).propose(topic, style, filters, count)

    def draft(
        self,
        topic: str,
        headings: Sequence[str],
        style: str = "总结",
        length: int = 1200,
        writer: str | None = None,
        choice: FilterChoice | None = None,
    ) -> SectionedDraft:
        topic = required(topic, "请输入起草主题。")
        if len(headings) > MAX_UI_SECTIONS:
            raise SectionsError(f"页面上的提纲最多 {MAX_UI_SECTIONS} 个标题。")
        drafter = SectionDrafter(self.paths.drafter(writer))
        return drafter.draft(topic, headings, style, int(length), (choice or FilterChoice()).to_filters())

    def redraft(
        self, draft: SectionedDraft, index: int, heading: str | None = None, writer: str | None = None
    ) -> SectionedDraft:
        """Section `index` drafted again; under `heading` when it was renamed, else another version
        (SectionDrafter.redraft, fresh)."""
        old = draft.sections[index].heading if 0 <= index < len(draft.sections) else ""
        new = (parse_headings(heading or "") or [old])[0]
        return SectionDrafter(self.paths.drafter(writer)).redraft(draft, index, new, fresh=new == old)

    def export(self, draft: SectionedDraft, plain: bool = False) -> tuple[Path, Path] | None:
        """The assembled draft as .docx (公文 unless `plain`) and .md; None when every section abstained."""
        whole = draft.assembled()
        if whole.abstained:
            return None
        stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(self.clock()))
        base = self.export_dir / f"草稿-{safe_filename(draft.topic)[:40]}-分节-{stamp}"
        return export_draft(whole, f"{draft.topic}（{draft.style}）", base, plain)

    def writer_label(self, mode: str) -> str:
        return self.paths.writer_label(mode.split("+")[0])
