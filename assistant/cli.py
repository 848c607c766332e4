"""Command line (docs/contracts.md, Commands): each command parses its options, makes one call to
Services (or the eval/bench module) and prints the result (assistant/cli_output.py).

Errors meant for the user are AssistantErrors: `main` prints their Chinese message on one line and
exits with their exit code; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer

from assistant.cli_bench import bench
from assistant.cli_doctor import doctor
from assistant.cli_draft import OutlineFile, OutlineFlag, SectionCount, SectionsOption, outline_headings
from assistant.cli_feedback import feedback_app
from assistant.cli_ledger import ledger_app
from assistant.cli_model import model_app
from assistant.cli_ocr import ocr_bench
from assistant.cli_output import (
    JsonFlag,
    err,
    error,
    fail,
    passage_json,
    print_answer,
    print_documents,
    print_ingest,
    print_json,
    print_passages,
    print_table,
    progress_bar,
    save_draft,
)
from assistant.cli_progress import ingest_progress
from assistant.config import Settings
from assistant.errors import AssistantError
from assistant.services import Services
from assistant.store.client import StoreError, server_unreachable
from assistant.store.health import store_failure
from assistant.store.lock import writer_lock
from assistant.types import Answer, Filters
from assistant.writers import check_writer

app = typer.Typer(
    help="乡镇工作报告助手：对乡镇工作总结/计划/述职报告做带引用的检索。",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(model_app, name="model")
app.add_typer(ledger_app, name="ledger")
app.add_typer(feedback_app, name="feedback")
app.command()(doctor)
app.command()(bench)
app.command(name="ocr-bench")(ocr_bench)


_Township = Annotated[str | None, typer.Option("--township", help="只看某乡镇，如 安民乡")]
_Year = Annotated[int | None, typer.Option("--year", help="只看涉及该年份的报告")]
_Kind = Annotated[str | None, typer.Option("--kind", help="报告类型：总结 | 计划 | 述职")]
_Part = Annotated[str | None, typer.Option("--part", help="报告部分：总结 | 计划 | 存在问题")]
_Json = JsonFlag
_Writer = Annotated[
    str | None,
    typer.Option(
        "--writer",
        help="作答方式：auto（有已配置或已安装的模型就用模型，否则原文摘录）| llm（模型）"
        "| extractive（原文摘录，不加载模型）；默认取 ASSISTANT_WRITER，未设置为 auto",
    ),
]


def _filters(township: str | None, year: int | None, kind: str | None, part: str | None) -> Filters:
    return Filters(township=township, year=year, kind=kind, part=part)


def _settings(writer: str | None) -> Settings:
    """The settings from the environment, with --writer (checked before anything loads) when given."""
    settings = Settings.from_env()
    return settings if writer is None else replace(settings, writer=check_writer(writer))


def _print_answer(answer: Answer, as_json: bool, services: Services | None = None) -> None:
    """The answer (JSON on stdout with --json), then what wrote it on stderr: 作答：本地模型 … / 原文摘录."""
    if as_json:
        print_json(answer.to_json())
    else:
        print_answer(answer)
    if services is not None:
        err.print(f"作答：{services.writer_label(answer.mode)}", highlight=False, markup=False)


def _history(path: Path | None) -> list[dict[str, Any]]:
    """The earlier messages of a conversation from a JSON file: [{"role": "user"|"assistant", "content": …}]."""
    if path is None:
        return []
    try:
        messages = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        fail(f"无法读取对话历史 {path}：{exc}")
    shape = '应为 JSON 数组，每项形如 {"role": "user" 或 "assistant", "content": "…"}'
    if not isinstance(messages, list):
        fail(f"对话历史 {path} {shape}")
    for i, m in enumerate(messages, start=1):
        if (
            not isinstance(m, dict)
            or m.get("role") not in ("user", "assistant")
            or not isinstance(m.get("content"), str)
        ):
            fail(f"对话历史 {path} 第 {i} 项不对：{shape}")
    return messages


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="报告文件或文件夹（.txt .md .docx .pdf）")],
    as_json: _Json = False,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="先清空向量库再导入（更换嵌入模型时用）")] = False,
    wait: Annotated[
        float | None,
        typer.Option("--wait", min=0, help="向量库被占用时最多等待的秒数（默认不等待；Chroma 服务器模式默认 600）"),
    ] = None,
) -> None:
    """导入报告：加载、清理、分节、切块、向量化并写入向量库（可重复执行）。"""
    settings = Settings.from_env()
    # The single-writer lock first (a busy store is refused before anything loads). Chroma server
    # mode: it guards only this store directory's journal, and writers queue for it.
    with writer_lock(settings, wait).acquire() as lock:
        services = Services.open(settings, lock=lock, rebuild=rebuild)
        if services.set_aside is not None:
            err.print(f"[yellow]损坏的向量库已移到[/] {services.set_aside}（未删除），正在重建", highlight=False)
        with ingest_progress() as shown:  # a bar on a terminal, else a line every few seconds
            report = services.ingest(paths, written=shown.written, stage=shown.stage)
    if as_json:
        print_json(report.to_json())
    else:
        print_ingest(report)
    if report.errors:
        raise typer.Exit(1)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="检索内容")],
    k: Annotated[int, typer.Option("--k", min=1, max=100, help="返回段落数")] = 5,
    mode: Annotated[str, typer.Option("--mode", help="hybrid（默认）| dense | lexical")] = "hybrid",
    township: _Township = None,
    year: _Year = None,
    kind: _Kind = None,
    part: Annotated[
        str | None, typer.Option("--part", help="报告部分：总结 | 计划 | 存在问题，或如 2024年工作计划")
    ] = None,
    as_json: _Json = False,
) -> None:
    """检索：返回与问题最相关的段落（向量 + 关键词混合检索）。"""
    retriever = Services.open(Settings.from_env()).retriever(mode)
    passages = retriever.search(query, k=k, filters=_filters(township, year, kind, part))
    if as_json:
        print_json({"query": query, "passages": [passage_json(p) for p in passages]})
        return
    if not passages:
        err.print("没有找到相关段落（向量库为空时请先运行 assistant ingest seeds/）")
        raise typer.Exit(1)
    print_passages(passages)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="问题")],
    township: _Township = None,
    year: _Year = None,
    kind: _Kind = None,
    part: _Part = None,
    writer: _Writer = None,
    history: Annotated[
        Path | None,
        typer.Option("--history", help='追问：此前的对话（JSON 文件，[{"role": "user"|"assistant", "content": …}]）'),
    ] = None,
    as_json: _Json = False,
) -> None:
    """提问：给出带引用的回答；资料中没有答案时明确说明。"""
    settings, earlier = _settings(writer), _history(history)
    services = Services.open(settings)
    answer = services.answerer().ask(question, _filters(township, year, kind, part), history=earlier)
    _print_answer(answer, as_json, services)


@app.command()
def draft(
    topic: Annotated[str, typer.Argument(help="起草主题，如 安民乡2023年红色旅游工作总结")],
    length: Annotated[int, typer.Option("--length", min=50, max=5000, help="大致字数")] = 400,
    style: Annotated[str, typer.Option("--style", help="文体：总结 | 计划")] = "总结",
    out: Annotated[Path | None, typer.Option("--out", help="另存为 .docx 或 .md（含参考来源）")] = None,
    plain: Annotated[bool, typer.Option("--plain", help=".docx 存普通文档（默认公文格式）")] = False,
    township: _Township = None,
    year: _Year = None,
    kind: _Kind = None,
    part: _Part = None,
    writer: _Writer = None,
    outline: OutlineFlag = False,
    sections: SectionsOption = None,
    outline_file: OutlineFile = None,
    max_sections: SectionCount = 5,
    as_json: _Json = False,
) -> None:
    """起草：写一段带引用的总结/计划文字（有模型时由模型成文并核对，否则由原文句子组成）；
    --outline 先出提纲，--sections / --outline-file 按提纲分节起草（--length 为全文字数）。"""
    from assistant.cli_draft import draft_by_sections, print_outline

    if style not in ("总结", "计划"):
        fail(f"未知文体 {style!r}，可选：总结、计划")
    if out is not None and out.suffix.lower() not in (".docx", ".md"):
        fail("--out 只支持 .docx 或 .md 文件")
    headings = outline_headings(sections, outline_file)
    if outline and headings is not None:
        fail("--outline 只生成提纲，不能与 --sections / --outline-file 同用")
    services = Services.open(_settings(writer))
    filters = _filters(township, year, kind, part)
    if outline:
        print_outline(services, topic, style, filters, max_sections, as_json)
        return
    if headings is not None:
        draft_by_sections(services, topic, headings, style, length, filters, out, plain, as_json)
        return
    drafter = services.drafter()
    answer = drafter.draft(topic, length=length, filters=_filters(township, year, kind, part), style=style)
    _print_answer(answer, as_json, services)
    if out is not None and not answer.abstained:
        save_draft(answer, f"{topic}（{style}）", out, plain)
        err.print(f"已保存到 {out}")


@app.command(name="eval")
def eval_(
    qa_file: Annotated[Path, typer.Argument(help="问答集（JSONL，每行一个条目）")],
    out: Annotated[Path, typer.Option("--out", help="结果目录")] = Path("runs/eval"),
    mode: Annotated[str, typer.Option("--mode", help="检索模式：hybrid | dense | lexical")] = "hybrid",
    writer: _Writer = None,
) -> None:
    """评测：运行问答集，写出 metrics.json、逐条结果和报告。"""
    from assistant.eval.dataset import read_qa
    from assistant.eval.report import evaluate

    settings = _settings(writer)
    items = read_qa(qa_file)
    answerer, drafter = Services.open(settings).answer_paths(mode)
    with progress_bar("评测", eta=False) as bar:
        task = bar.task_ids[0]
        bar.update(task, total=len(items))
        metrics = evaluate(
            items,
            answerer,
            drafter,
            out,
            mode=mode,
            source=str(qa_file),
            progress=lambda i, n: bar.update(task, completed=i),
        )
    headline = [(key, value) for key, value in metrics.items() if not isinstance(value, dict)]
    print_table(("metric", "value"), headline, console=err)  # slices: metrics.json and report.md
    err.print(f"结果已写入 {out}/（metrics.json、results.jsonl、report.md）")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option("--host", help="监听地址（默认 127.0.0.1，仅本机）")] = None,
    port: Annotated[int | None, typer.Option("--port", help="端口（默认 7860）")] = None,
    writer: _Writer = None,
) -> None:
    """启动网页版助手（问答、起草、知识库、检索测试）；知识库为空时先导入示例报告。页面上可切换作答方式。"""
    from assistant.ui.server import launch, with_port

    settings = with_port(_settings(writer), host, port)
    with progress_bar("首次启动：导入示例报告", eta=False) as bar:
        task = bar.task_ids[0]

        def progress(done: int, total: int, label: str) -> None:
            bar.update(task, completed=done, total=total, description=f"首次启动：向量化 {label}")

        def ready(url: str, seconds: float) -> None:
            bar.stop()
            err.print(f"[bold green]已就绪[/]（{seconds:.1f} 秒）：在浏览器打开 {url}  （Ctrl+C 退出）")

        try:
            launch(settings, progress=progress, on_ready=ready)
        except OSError as exc:
            fail(f"无法启动网页服务（{settings.host}:{settings.port}）：{exc}")


@app.command()
def docs(as_json: _Json = False) -> None:
    """列出已导入的文档及其元数据与段落数。"""
    records = Services.open(Settings.from_env()).store.documents()
    if as_json:
        print_json({"documents": [r.to_json() for r in records.values()]})
    else:
        print_documents(records)


@app.command()
def remove(doc_ids: Annotated[list[str], typer.Argument(help="要删除的文档 ID（文件名去掉扩展名）")]) -> None:
    """从向量库删除文档。"""
    settings = Settings.from_env()
    with writer_lock(settings).acquire() as lock:
        removed = Services.open(settings, lock=lock).remove(doc_ids)
    missing = [doc_id for doc_id, chunks in removed.items() if chunks == 0]
    for doc_id in missing:
        err.print(f"[yellow]未找到文档[/] {doc_id}")
    raise typer.Exit(1 if missing else 0)


def main() -> None:
    """The console script: run the command; an AssistantError becomes its message and exit code."""
    import httpx
    from chromadb.errors import NotFoundError

    try:
        try:
            app()
        except httpx.TransportError as exc:  # the Chroma server stopped answering mid-command
            url = Settings.from_env().chroma_url
            raise (server_unreachable(url, exc) if url else StoreError(str(exc))) from exc
        except NotFoundError as exc:
            if not Settings.from_env().chroma_url:
                raise
            # Server mode: another process dropped the collection meanwhile (`ingest --rebuild`).
            raise StoreError(f"Chroma 服务器上的向量库集合已被其他进程删除或重建（{exc}），请重试。") from exc
        except Exception as exc:  # a full disk, a damaged database file: one line and what to do
            known = store_failure(exc, Settings.from_env())
            if known is None:
                raise
            raise known from exc
    except AssistantError as exc:
        error(exc.message)
        raise SystemExit(exc.exit_code) from None
