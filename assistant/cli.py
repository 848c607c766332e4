"""Command line: `assistant ingest | search | docs | remove` (DESIGN §3.1)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from assistant.config import Settings
from assistant.embeddings import Embedder, EmbedderLoadError
from assistant.indexing import ingest_paths
from assistant.retrieval import Filters
from assistant.services import RETRIEVAL_MODES, Services
from assistant.store import EmbedderMismatchError, ReportStore, StoreError
from assistant.types import Passage

app = typer.Typer(
    help="乡镇工作报告助手：对乡镇工作总结/计划/述职报告做带引用的检索。",
    no_args_is_help=True,
    add_completion=False,
)
err = Console(stderr=True)


def _fail(message: str, code: int = 2) -> None:
    err.print(f"[bold red]错误：[/]{message}")
    raise typer.Exit(code)


def _services(settings: Settings) -> Services:
    """Open the store first (cheap; refuses a mismatched embedder before any model loads)."""
    try:
        return Services.open(settings)
    except (EmbedderMismatchError, StoreError) as exc:
        _fail(str(exc))
        raise  # unreachable: _fail exits


def _embedder(services: Services) -> Embedder:
    try:
        return services.embedder
    except EmbedderLoadError as exc:
        _fail(str(exc))
        raise


def _print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2) + "\n")


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="报告文件或文件夹（.txt .md .docx .pdf）")],
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON 结果")] = False,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="先清空向量库再导入（更换嵌入模型时用）")] = False,
) -> None:
    """导入报告：加载、清理、分节、切块、向量化并写入向量库（可重复执行）。"""
    settings = Settings.from_env()
    if rebuild:
        ReportStore.drop(settings)
    services = _services(settings)
    embedder = _embedder(services)
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as bar:
        task = bar.add_task("向量化", total=None)

        def progress(done: int, total: int, label: str) -> None:
            bar.update(task, completed=done, total=total, description=f"向量化 {label}")

        report = ingest_paths(
            paths,
            services.store,
            embedder,
            max_chars=settings.chunk_max_chars,
            max_bytes=settings.max_file_mb * 1024 * 1024,
            progress=progress,
        )
        bar.update(task, description="更新词法索引")
        services.sync_lexical()
    if as_json:
        _print_json(report.to_json())
    else:
        err.print(
            f"文件 {report.files} 个：新增 {report.added}，更新 {report.updated}，未变 {report.unchanged}，"
            f"移除 {report.removed}；向量库共 {report.chunks} 段（本次向量化 {report.chunks_embedded} 段，"
            f"{report.seconds:.1f} 秒）"
        )
        for e in report.errors:
            err.print(f"[red]失败[/] {e['path']}：{e['error']}")
    if report.errors:
        raise typer.Exit(1)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="检索内容")],
    k: Annotated[int, typer.Option("--k", min=1, max=100, help="返回段落数")] = 5,
    mode: Annotated[str, typer.Option("--mode", help="hybrid（默认）| dense | lexical")] = "hybrid",
    township: Annotated[str | None, typer.Option("--township", help="只看某乡镇，如 安民乡")] = None,
    year: Annotated[int | None, typer.Option("--year", help="只看涉及该年份的报告")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="报告类型：总结 | 计划 | 述职")] = None,
    part: Annotated[
        str | None, typer.Option("--part", help="报告部分：总结 | 计划 | 存在问题，或如 2024年工作计划")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON 结果")] = False,
) -> None:
    """检索：返回与问题最相关的段落（向量 + 关键词混合检索）。"""
    services = _services(Settings.from_env())
    _embedder(services)
    if mode not in RETRIEVAL_MODES:
        _fail(f"未知检索模式 {mode!r}，可选：{'、'.join(RETRIEVAL_MODES)}")
    filters = Filters(township=township, year=year, kind=kind, part=part)
    passages = services.retriever(mode).search(query, k=k, filters=filters)
    if as_json:
        _print_json({"query": query, "passages": [_passage_json(p) for p in passages]})
        return
    if not passages:
        err.print("没有找到相关段落（向量库为空时请先运行 assistant ingest seeds/）")
        raise typer.Exit(1)
    out = Console()
    for p in passages:
        out.print(
            f"[bold]{p.rank}. {p.doc_id}[/]  {p.section}  [dim]score={p.score:.4f} "
            f"dense={_fmt(p.dense_score)}#{p.dense_rank or '-'} bm25={_fmt(p.lexical_score)}#{p.lexical_rank or '-'}[/]"
        )
        out.print(p.text, highlight=False)
        out.print()


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def _passage_json(p: Passage) -> dict[str, Any]:
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


@app.command()
def docs(as_json: Annotated[bool, typer.Option("--json", help="输出 JSON 结果")] = False) -> None:
    """列出已导入的文档及其元数据与段落数。"""
    records = _services(Settings.from_env()).store.documents()
    if as_json:
        _print_json({"documents": [r.__dict__ for r in records.values()]})
        return
    table = Table("文档", "标题", "乡镇", "年份", "类型", "段落数")
    for r in records.values():
        table.add_row(r.doc_id, r.title, r.township or "—", r.years or "—", r.kind, str(r.chunks))
    Console().print(table)


@app.command()
def remove(doc_ids: Annotated[list[str], typer.Argument(help="要删除的文档 ID（文件名去掉扩展名）")]) -> None:
    """从向量库删除文档。"""
    services = _services(Settings.from_env())
    missing = [d for d in doc_ids if services.store.delete_document(d) == 0]
    services.sync_lexical()
    for d in missing:
        err.print(f"[yellow]未找到文档[/] {d}")
    raise typer.Exit(1 if missing else 0)


def main() -> None:
    app()
