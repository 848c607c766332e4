"""`assistant draft --outline` and `--sections` / `--outline-file`: outline-first drafting
(generation/outline.py, generation/sections.py); the plain `draft` command stays in cli.py."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from assistant.cli_output import err, fail, print_answer, print_json, save_draft
from assistant.generation.outline import DEFAULT_SECTIONS, MAX_SECTIONS, MIN_SECTIONS, OutlineProposer, parse_headings
from assistant.generation.sections import SectionDrafter, SectionsError, check_headings
from assistant.services import Services
from assistant.types import Filters

if TYPE_CHECKING:
    from assistant.generation.llm.outline import LLMOutlineProposer

OutlineFlag = Annotated[bool, typer.Option("--outline", help="只生成提纲（可编辑的小标题，一行一个），不起草")]
SectionsOption = Annotated[
    str | None, typer.Option("--sections", help="按提纲分节起草，标题用 | 分隔，如 “一、…|二、…”")
]
OutlineFile = Annotated[
    Path | None, typer.Option("--outline-file", help="按提纲分节起草：提纲文件（UTF-8，一行一个标题）")
]
SectionCount = Annotated[
    int,
    typer.Option("--max-sections", min=MIN_SECTIONS, max=MAX_SECTIONS, help="提纲的标题数（3–7，用于 --outline）"),
]


def outline_headings(sections: str | None, outline_file: Path | None) -> list[str] | None:
    """The headings --sections or --outline-file give (None when neither is given); exits on a bad file
    or an empty outline."""
    if sections is not None and outline_file is not None:
        fail("--sections 与 --outline-file 只能选一个")
    if outline_file is not None:
        try:
            text = outline_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"无法读取提纲文件 {outline_file}：{exc}")
    elif sections is not None:
        text = sections
    else:
        return None
    try:
        return check_headings(parse_headings(text))
    except SectionsError as exc:
        fail(str(exc))


def outline_proposer(services: Services, writer: str | None = None) -> OutlineProposer | LLMOutlineProposer:
    """The chat model's outline proposer when the writer resolves to one, else the reports' headings alone."""
    proposer = OutlineProposer(services.retriever(), services.corpus())
    chat = services.chat(writer)
    if chat is None:
        return proposer
    from assistant.generation.llm.outline import LLMOutlineProposer

    return LLMOutlineProposer(proposer, chat)


def print_outline(
    services: Services, topic: str, style: str, filters: Filters, count: int = DEFAULT_SECTIONS, as_json: bool = False
) -> None:
    """The proposed outline: 一、… lines on stdout (a file for --outline-file once edited), or JSON."""
    outline = outline_proposer(services).propose(topic, style, filters, count)
    if as_json:
        print_json(outline.to_json())
        return
    for n, h in enumerate(outline.headings, start=1):
        typer.echo(h.to_json(n)["heading"])
    for note in outline.notes:
        err.print(f"注：{note}", highlight=False, markup=False)
    err.print("可编辑后按提纲起草：assistant draft --outline-file 提纲.txt “主题”", highlight=False, markup=False)


def draft_by_sections(
    services: Services,
    topic: str,
    headings: list[str],
    style: str,
    length: int,
    filters: Filters,
    out: Path | None = None,
    plain: bool = False,
    as_json: bool = False,
) -> None:
    """The outline drafted section by section, printed (or as JSON) and saved to `out` when given."""
    drafted = SectionDrafter(services.drafter()).draft(topic, headings, style, length, filters)
    whole = drafted.assembled()
    if as_json:
        print_json(drafted.to_json())
    else:
        print_answer(whole)
    err.print(f"作答：{services.writer_label(whole.mode.split('+')[0])}", highlight=False, markup=False)
    if out is not None and not whole.abstained:
        save_draft(whole, f"{topic}（{style}）", out, plain)
        err.print(f"已保存到 {out}")
