"""Command line: `assistant ingest | search | docs | remove` (DESIGN §3.1)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from assistant.config import Settings
from assistant.embeddings import Embedder, EmbedderLoadError
from assistant.eval.dataset import DatasetError, load_qa
from assistant.eval.report import write_report
from assistant.eval.runner import run, summarise
from assistant.generation.export import draft_docx, draft_markdown
from assistant.generation.llm.client import LLMError
from assistant.ingest.pipeline import ingest_paths
from assistant.retrieval import Filters
from assistant.services import RETRIEVAL_MODES, Services
from assistant.store.client import StoreError, server_unreachable
from assistant.store.collection import EmbedderMismatchError, ReportStore
from assistant.store.lock import StoreBusyError, StoreLock, writer_lock
from assistant.types import Answer, Passage

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


def _answerer(services: Services, mode: str = "hybrid") -> Any:
    try:
        return services.answerer(mode)
    except LLMError as exc:
        _fail(exc.message_zh)


def _drafter(services: Services, mode: str = "hybrid") -> Any:
    try:
        return services.drafter(mode)
    except LLMError as exc:
        _fail(exc.message_zh)


def _embedder(services: Services) -> Embedder:
    try:
        return services.embedder
    except EmbedderLoadError as exc:
        _fail(str(exc))
        raise


def _progress(description: str, *, eta: bool = True) -> Progress:
    """The progress bar every long command shows on stderr (hidden when stderr is not a terminal)."""
    columns = [TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn()]
    if eta:
        columns.append(TimeRemainingColumn())
    bar = Progress(*columns, console=err, transient=True, disable=not err.is_terminal)
    bar.add_task(description, total=None)
    return bar


def _print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2) + "\n")


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="报告文件或文件夹（.txt .md .docx .pdf）")],
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON 结果")] = False,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="先清空向量库再导入（更换嵌入模型时用）")] = False,
    wait: Annotated[
        float | None,
        typer.Option("--wait", min=0, help="向量库被占用时最多等待的秒数（默认不等待；Chroma 服务器模式默认 600）"),
    ] = None,
) -> None:
    """导入报告：加载、清理、分节、切块、向量化并写入向量库（可重复执行）。"""
    settings = Settings.from_env()
    with _writer(settings, wait):
        _ingest(settings, paths, as_json, rebuild)


_CHANGE_WORDS = {"added": "已写入", "updated": "已更新", "removed": "已移除"}
_RECOVERY_WORDS = {"completed": "已补完写入", "rolled_back": "已撤销未写完的部分，文档恢复为中断前的版本"}


def _writer(settings: Settings, wait: float | None = None) -> StoreLock:
    """The store's single-writer lock, acquired (exit 2 with the holder named when it is busy).

    Chroma server mode: it guards only this store directory's journal, and writers queue for it.
    """
    try:
        return writer_lock(settings, wait).acquire()
    except StoreBusyError as exc:
        _fail(str(exc))
        raise


def _ingest(settings: Settings, paths: list[Path], as_json: bool, rebuild: bool) -> None:
    if rebuild:
        ReportStore.drop(settings)
    services = _services(settings)
    embedder = _embedder(services)
    with _progress("向量化") as bar:
        task = bar.task_ids[0]

        def progress(done: int, total: int, label: str) -> None:
            bar.update(task, completed=done, total=total, description=f"向量化 {label}")

        def written(doc_id: str, change: str) -> None:
            # One line per document once it is wholly in the store: what a later crash cannot undo.
            bar.console.print(f"{_CHANGE_WORDS[change]} {doc_id}", highlight=False)

        report = ingest_paths(
            paths,
            services.store,
            embedder,
            max_chars=settings.chunk_max_chars,
            max_bytes=settings.max_file_mb * 1024 * 1024,
            parse_timeout_s=settings.parse_timeout_s,
            progress=progress,
            written=written,
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
        for r in report.recovered:
            err.print(f"[yellow]上次导入被中断[/] {r['doc']}：{_RECOVERY_WORDS[r['outcome']]}")
        for d in report.duplicates:
            err.print(f"[yellow]跳过[/] {d['path']}：{d['message']}")
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
        # Document text is printed without Rich markup: a report holding [link=http://…]…[/link] must not
        # become a terminal hyperlink, nor a stray [/] crash the command.
        out.print(
            f"[bold]{p.rank}. {escape(p.doc_id)}[/]  {escape(p.section)}  [dim]score={p.score:.4f} "
            f"dense={_fmt(p.dense_score)}#{p.dense_rank or '-'} bm25={_fmt(p.lexical_score)}#{p.lexical_rank or '-'}[/]"
        )
        out.print(p.text, highlight=False, markup=False)
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


def _filters(township: str | None, year: int | None, kind: str | None, part: str | None) -> Filters:
    return Filters(township=township, year=year, kind=kind, part=part)


_Township = Annotated[str | None, typer.Option("--township", help="只看某乡镇，如 安民乡")]
_Year = Annotated[int | None, typer.Option("--year", help="只看涉及该年份的报告")]
_Kind = Annotated[str | None, typer.Option("--kind", help="报告类型：总结 | 计划 | 述职")]
_Part = Annotated[str | None, typer.Option("--part", help="报告部分：总结 | 计划 | 存在问题")]
_Json = Annotated[bool, typer.Option("--json", help="输出 JSON 结果")]


def _print_answer(answer: Answer, as_json: bool) -> None:
    if as_json:
        _print_json(answer.to_json())
        return
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


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="问题")],
    township: _Township = None,
    year: _Year = None,
    kind: _Kind = None,
    part: _Part = None,
    as_json: _Json = False,
) -> None:
    """提问：给出带引用的回答；资料中没有答案时明确说明。"""
    services = _services(Settings.from_env())
    _embedder(services)
    answer = _answerer(services).ask(question, _filters(township, year, kind, part))
    _print_answer(answer, as_json)


@app.command()
def draft(
    topic: Annotated[str, typer.Argument(help="起草主题，如 安民乡2023年红色旅游工作总结")],
    length: Annotated[int, typer.Option("--length", min=50, max=5000, help="大致字数")] = 400,
    style: Annotated[str, typer.Option("--style", help="文体：总结 | 计划")] = "总结",
    out: Annotated[Path | None, typer.Option("--out", help="另存为 .docx 或 .md（含参考来源）")] = None,
    township: _Township = None,
    year: _Year = None,
    kind: _Kind = None,
    part: _Part = None,
    as_json: _Json = False,
) -> None:
    """起草：用带引用的原文句子组成一段总结/计划文字。"""
    services = _services(Settings.from_env())
    _embedder(services)
    if style not in ("总结", "计划"):
        _fail(f"未知文体 {style!r}，可选：总结、计划")
    if out is not None and out.suffix.lower() not in (".docx", ".md"):
        _fail("--out 只支持 .docx 或 .md 文件")
    answer = _drafter(services).draft(topic, length=length, filters=_filters(township, year, kind, part), style=style)
    _print_answer(answer, as_json)
    if out is not None and not answer.abstained:
        title = f"{topic}（{style}）"
        if out.suffix.lower() == ".docx":
            draft_docx(answer, title, out)
        else:
            out.write_text(draft_markdown(answer, title), encoding="utf-8")
        err.print(f"已保存到 {out}")


@app.command()
def bench(
    scale: Annotated[int, typer.Option("--scale", min=0, help="规模测试的段落数（0 跳过规模测试）")] = 100_000,
    scale_dir: Annotated[
        Path | None, typer.Option("--scale-dir", help="规模测试库目录（默认 ~/.cache/assistant-bench/scale-N，可复用）")
    ] = None,
    rgb: Annotated[
        Path | None, typer.Option("--rgb", help="另取 RGB 段落中的句子充实句子池（zh_refine.json，仅用于评测）")
    ] = None,
    rgb_sentences: Annotated[int, typer.Option("--rgb-sentences", min=0, help="取用的 RGB 句子数")] = 2000,
    as_json: _Json = False,
) -> None:
    """性能基准：嵌入/导入吞吐、检索与问答延迟（示例库与规模库）、服务内存、冷启动。"""
    from assistant.bench.rgb_sentences import rgb_sentences as load_rgb_sentences
    from assistant.bench.run import run_bench
    from assistant.ui.server import seeds_dir

    settings = Settings.from_env()
    seeds = seeds_dir()
    if seeds is None or not (seeds / "qa" / "dev.jsonl").is_file():
        _fail("找不到示例报告 seeds/ 及其问答集 seeds/qa/dev.jsonl，请在项目目录中运行")
        return
    target = scale_dir or Path.home() / ".cache" / "assistant-bench" / f"scale-{scale}"
    extra = load_rgb_sentences(rgb, rgb_sentences) if rgb else []
    with _progress("性能基准", eta=False) as bar:
        task = bar.task_ids[0]
        figures = run_bench(
            settings,
            seeds=seeds,
            qa_file=seeds / "qa" / "dev.jsonl",
            scale_chunks=scale,
            scale_dir=target,
            extra_sentences=extra,
            note=lambda text: bar.update(task, description=text),
        )
    figures["rgb_sentences"] = len(extra)
    if as_json:
        _print_json(figures)
        return
    table = Table("指标", "数值")
    for key, value in figures.items():
        table.add_row(key, str(value))
    Console().print(table)


@app.command(name="eval")
def eval_(
    qa_file: Annotated[Path, typer.Argument(help="问答集（JSONL，每行一个条目）")],
    out: Annotated[Path, typer.Option("--out", help="结果目录")] = Path("runs/eval"),
    mode: Annotated[str, typer.Option("--mode", help="检索模式：hybrid | dense | lexical")] = "hybrid",
) -> None:
    """评测：运行问答集，写出 metrics.json、逐条结果和报告。"""
    try:
        items = load_qa(qa_file)
    except (OSError, DatasetError) as exc:
        _fail(f"无法读取问答集 {qa_file}：{exc}")
    if mode not in RETRIEVAL_MODES:
        _fail(f"未知检索模式 {mode!r}")
    services = _services(Settings.from_env())
    _embedder(services)
    answerer, drafter = _answerer(services, mode), _drafter(services, mode)
    with _progress("评测", eta=False) as bar:
        task = bar.task_ids[0]
        bar.update(task, total=len(items))
        results = run(items, answerer.ask, drafter.draft, progress=lambda i, n: bar.update(task, completed=i))
    metrics = {"mode": mode, **summarise(results)}
    write_report(out, metrics, results, str(qa_file))
    table = Table("metric", "value")
    for key, value in metrics.items():
        table.add_row(key, str(value))
    err.print(table)
    err.print(f"结果已写入 {out}/（metrics.json、results.jsonl、report.md）")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option("--host", help="监听地址（默认 127.0.0.1，仅本机）")] = None,
    port: Annotated[int | None, typer.Option("--port", help="端口（默认 7860）")] = None,
) -> None:
    """启动网页版助手（问答、起草、知识库、检索测试）；知识库为空时先导入示例报告。"""
    from assistant.ui.server import launch, with_port

    settings = with_port(Settings.from_env(), host, port)
    services = _services(settings)  # refuses a mismatched embedder before anything else
    with _progress("首次启动：导入示例报告", eta=False) as bar:
        task = bar.task_ids[0]

        def progress(done: int, total: int, label: str) -> None:
            bar.update(task, completed=done, total=total, description=f"首次启动：向量化 {label}")

        def ready(url: str, seconds: float) -> None:
            bar.stop()
            err.print(f"[bold green]已就绪[/]（{seconds:.1f} 秒）：在浏览器打开 {url}  （Ctrl+C 退出）")

        try:
            launch(settings, services=services, progress=progress, on_ready=ready)
        except StoreBusyError as exc:
            _fail(str(exc))
        except OSError as exc:
            _fail(f"无法启动网页服务（{settings.host}:{settings.port}）：{exc}")


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
    settings = Settings.from_env()
    with _writer(settings):
        services = _services(settings)
        missing = [d for d in doc_ids if services.store.delete_document(d) == 0]
        services.sync_lexical()
    for d in missing:
        err.print(f"[yellow]未找到文档[/] {d}")
    raise typer.Exit(1 if missing else 0)


def main() -> None:
    import httpx
    from chromadb.errors import NotFoundError

    try:
        app()
    except httpx.TransportError as exc:  # the Chroma server stopped answering mid-command
        url = Settings.from_env().chroma_url
        err.print(f"[bold red]错误：[/]{escape(str(server_unreachable(url, exc) if url else exc))}")
        raise SystemExit(2) from None
    except NotFoundError as exc:
        if not Settings.from_env().chroma_url:
            raise
        # Server mode: another process dropped the collection meanwhile (`ingest --rebuild`).
        why = escape(str(exc))
        err.print(f"[bold red]错误：[/]Chroma 服务器上的向量库集合已被其他进程删除或重建（{why}），请重试。")
        raise SystemExit(2) from None
