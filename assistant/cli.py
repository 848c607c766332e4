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
from assistant.embeddings import Embedder, EmbedderLoadError, embedder_name, make_embedder
from assistant.indexing import ingest_paths
from assistant.store import EmbedderMismatchError, ReportStore, StoreError

app = typer.Typer(
    help="乡镇工作报告助手：对乡镇工作总结/计划/述职报告做带引用的检索。",
    no_args_is_help=True,
    add_completion=False,
)
err = Console(stderr=True)


def _fail(message: str, code: int = 2) -> None:
    err.print(f"[bold red]错误：[/]{message}")
    raise typer.Exit(code)


def _open(settings: Settings, load_embedder: bool = True) -> tuple[ReportStore, Embedder | None]:
    """Open the store first (cheap, catches a mismatched embedder), then load the model."""
    try:
        store = ReportStore.open(settings, embedder_name(settings.embedding_model))
        embedder = make_embedder(settings.embedding_model, settings.embed_batch_size) if load_embedder else None
    except (EmbedderMismatchError, EmbedderLoadError, StoreError) as exc:
        _fail(str(exc))
        raise  # unreachable: _fail exits
    return store, embedder


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
    store, embedder = _open(settings)
    assert embedder is not None
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
            store,
            embedder,
            max_chars=settings.chunk_max_chars,
            max_bytes=settings.max_file_mb * 1024 * 1024,
            progress=progress,
        )
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
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON 结果")] = False,
) -> None:
    """检索：返回与问题最相关的段落。"""
    settings = Settings.from_env()
    store, embedder = _open(settings)
    assert embedder is not None
    passages = store.query(embedder.embed_query(query), k)
    if as_json:
        _print_json(
            {
                "query": query,
                "passages": [
                    {"rank": p.rank, "doc": p.doc_id, "section": p.section, "text": p.text, "score": p.score}
                    for p in passages
                ],
            }
        )
        return
    if not passages:
        err.print("向量库为空：请先运行 assistant ingest seeds/")
        raise typer.Exit(1)
    out = Console()
    for p in passages:
        out.print(f"[bold]{p.rank}. {p.doc_id}[/]  {p.section}  [dim]score={p.score:.3f}[/]")
        out.print(p.text, highlight=False)
        out.print()


@app.command()
def docs(as_json: Annotated[bool, typer.Option("--json", help="输出 JSON 结果")] = False) -> None:
    """列出已导入的文档及其元数据与段落数。"""
    store, _ = _open(Settings.from_env(), load_embedder=False)
    records = store.documents()
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
    store, _ = _open(Settings.from_env(), load_embedder=False)
    missing = [d for d in doc_ids if store.delete_document(d) == 0]
    for d in missing:
        err.print(f"[yellow]未找到文档[/] {d}")
    raise typer.Exit(1 if missing else 0)


def main() -> None:
    app()
