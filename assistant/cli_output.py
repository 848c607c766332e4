"""What the CLI prints: JSON on stdout, passages, answers, reports and tables, progress bars on stderr.

Document and model text is printed without Rich markup: a report holding `[link=http://…]…[/link]`
must not become a terminal hyperlink, nor a stray `[/]` crash the command.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from assistant.ingest.pipeline import IngestReport
from assistant.ingest.walk import NOT_REPORT
from assistant.types import Answer, DocRecord, Passage, format_years

err = Console(stderr=True)

# The --json flag every command that prints results has.
JsonFlag = Annotated[bool, typer.Option("--json", help="输出 JSON 结果")]

CHANGE_WORDS = {"added": "已写入", "updated": "已更新", "removed": "已移除"}
RECOVERY_WORDS = {"completed": "已补完写入", "rolled_back": "已撤销未写完的部分，文档恢复为中断前的版本"}


def error(message: str) -> None:
    """One line on stderr: 错误：message (the message printed as text, never as markup)."""
    err.print(f"[bold red]错误：[/]{escape(message)}", soft_wrap=True)  # one line, however long


def fail(message: str, code: int = 2) -> NoReturn:
    """A bad option the parser cannot catch: the message, then exit."""
    error(message)
    raise typer.Exit(code)


def progress_bar(description: str, *, eta: bool = True) -> Progress:
    """The progress bar every long command shows on stderr (hidden when stderr is not a terminal)."""
    columns = [TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn()]
    if eta:
        columns.append(TimeRemainingColumn())
    bar = Progress(*columns, console=err, transient=True, disable=not err.is_terminal)
    bar.add_task(description, total=None)
    return bar


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2) + "\n")


def print_table(header: Sequence[str], rows: Iterable[Sequence[object]], *, console: Console | None = None) -> None:
    table = Table(*header)
    for row in rows:
        table.add_row(*(str(cell) for cell in row))
    (console or Console()).print(table)


SKIPPED_LINES = 20  # skipped files listed one a line; the rest are counted (--json lists them all)


def print_ingest(report: IngestReport) -> None:
    skipped = f"，文件夹中另有 {len(report.skipped)} 个文件未导入（见下）" if report.skipped else ""
    err.print(
        f"文件 {report.files} 个：新增 {report.added}，更新 {report.updated}，未变 {report.unchanged}，"
        f"移除 {report.removed}；向量库共 {report.chunks} 段（本次向量化 {report.chunks_embedded} 段，"
        f"{report.seconds:.1f} 秒）{skipped}",
        highlight=False,
        soft_wrap=True,
    )
    print_skipped(report.skipped)
    for n in report.notes:
        err.print(f"[yellow]注意[/] {escape(n['path'])}：{escape(n['note'])}", highlight=False, soft_wrap=True)
    for r in report.recovered:
        err.print(f"[yellow]上次导入被中断[/] {r['doc']}：{RECOVERY_WORDS[r['outcome']]}", soft_wrap=True)
    for n in report.notes:
        err.print(f"[yellow]注意[/] {escape(n['path'])}：{escape(n['note'])}", highlight=False, soft_wrap=True)
    for d in report.duplicates:
        err.print(f"[yellow]跳过[/] {d['path']}：{d['message']}", soft_wrap=True)
    for e in report.errors:
        err.print(f"[red]失败[/] {escape(e['path'])}：{escape(e['error'])}", soft_wrap=True)


def print_skipped(skipped: Sequence[Mapping[str, str]]) -> None:
    """Files a folder walk left out: one line each with its reason; notes about the folder on one line."""
    notes = [Path(s["path"]).name for s in skipped if s.get("kind") == NOT_REPORT]
    others = [s for s in skipped if s.get("kind") != NOT_REPORT]
    for s in others[:SKIPPED_LINES]:
        err.print(f"[yellow]未导入[/] {escape(s['path'])}：{escape(s['reason'])}", highlight=False, soft_wrap=True)
    if len(others) > SKIPPED_LINES:
        err.print(f"[yellow]未导入[/] 另有 {len(others) - SKIPPED_LINES} 个文件（--json 列出全部及原因）")
    if notes:
        names = "、".join(notes[:10]) + ("等" if len(notes) > 10 else "")
        err.print(
            f"[dim]未导入说明文件 {len(notes)} 个（不是报告，按约定跳过）：{escape(names)}[/]",
            highlight=False,
            soft_wrap=True,
        )


def passage_json(p: Passage) -> dict[str, Any]:
    return {
        "rank": p.rank,
        "doc": p.doc_id,
        "section": p.section,
        "text": p.text,
        "score": p.score,
        "dense_score": p.dense_score,
        "dense_rank": p.dense_rank,
        "lexical_score": p.lexical_score,
        "lexical_rank": p.lexical_rank,
    }


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def print_passages(passages: Sequence[Passage]) -> None:
    out = Console()
    for p in passages:
        out.print(
            f"[bold]{p.rank}. {escape(p.doc_id)}[/]  {escape(p.section)}  [dim]score={p.score:.4f} "
            f"dense={_fmt(p.dense_score)}#{p.dense_rank or '-'} bm25={_fmt(p.lexical_score)}#{p.lexical_rank or '-'}[/]"
        )
        out.print(p.text, highlight=False, markup=False)
        out.print()


def print_answer(answer: Answer) -> None:
    out = Console()
    out.print(answer.answer, highlight=False, markup=False)
    if answer.citations:
        out.print()
        for c in answer.citations:
            out.print(f"[bold][{c.n}][/] {escape(c.doc)} · {escape(c.section)}", highlight=False)
            out.print(f"    “{c.quote}”", highlight=False, markup=False)
    elif answer.abstained and answer.passages:
        out.print("\n[dim]最接近的段落：[/]")
        for p in answer.passages[:3]:
            out.print(f"[dim]{p.rank}. {escape(p.doc_id)} · {escape(p.section)}[/]", highlight=False)
    if answer.unsupported_numbers:
        out.print(f"[yellow]以下数字在所引段落中找不到：{'、'.join(answer.unsupported_numbers)}[/]")
    for note in answer.notes:
        out.print(f"[dim]注：{escape(note)}[/]", highlight=False)


def save_draft(answer: Answer, title: str, out: Path, plain: bool = False) -> None:
    """The draft as a 公文-format .docx with its sources as footnotes (`plain`: a plain .docx with a
    reference list), or else as Markdown."""
    from assistant.generation.export import draft_docx, draft_markdown
    from assistant.generation.gongwen import gongwen_docx

    if out.suffix.lower() == ".docx":
        (draft_docx if plain else gongwen_docx)(answer, title, out)
    else:
        out.write_text(draft_markdown(answer, title), encoding="utf-8")


def print_documents(records: Mapping[str, DocRecord]) -> None:
    rows = [
        (r.doc_id, r.title, r.township or "—", format_years(r.years) or "—", r.kind, r.chunks) for r in records.values()
    ]
    print_table(("文档", "标题", "乡镇", "年份", "类型", "段落数"), rows)
