"""`assistant bench`: the performance figures (assistant/bench/), printed as tables or JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from assistant.cli_output import JsonFlag, fail, print_json, print_table, progress_bar
from assistant.config import Settings


def _bench_llm(questions: int, drafts: int, as_json: bool) -> None:
    """`bench --llm`: the local model's figures (assistant/bench/llm.py), a table per answer and per draft."""
    from assistant.bench.llm import run_llm_bench

    with progress_bar("本地模型基准", eta=False) as bar:
        task = bar.task_ids[0]
        figures = run_llm_bench(
            Settings.from_env(), questions=questions, drafts=drafts, note=lambda t: bar.update(task, description=t)
        )
    if as_json:
        print_json(figures)
        return
    tables = [figures.pop("llm_answers"), figures.pop("llm_drafts")]
    print_table(("指标", "数值"), figures.items())
    for table in tables:
        if table:
            print_table(list(table[0]), [list(row.values()) for row in table])


def bench(
    scale: Annotated[int, typer.Option("--scale", min=0, help="规模测试的段落数（0 跳过规模测试）")] = 100_000,
    scale_dir: Annotated[
        Path | None, typer.Option("--scale-dir", help="规模测试库目录（默认 ~/.cache/assistant-bench/scale-N，可复用）")
    ] = None,
    rgb: Annotated[
        Path | None, typer.Option("--rgb", help="另取 RGB 段落中的句子充实句子池（zh_refine.json，仅用于评测）")
    ] = None,
    rgb_sentences: Annotated[int, typer.Option("--rgb-sentences", min=0, help="取用的 RGB 句子数")] = 2000,
    llm: Annotated[
        bool, typer.Option("--llm", help="改测本地模型：每个回答的提示词/生成速度、首字与总时间，比照 llama.cpp")
    ] = False,
    llm_questions: Annotated[int, typer.Option("--llm-questions", min=1, help="--llm 提问的问题数")] = 8,
    llm_drafts: Annotated[int, typer.Option("--llm-drafts", min=0, help="--llm 起草的篇数（每篇约 300 字）")] = 3,
    ingest: Annotated[
        bool, typer.Option("--ingest", help="改测导入：给定报告的完整导入吞吐，比照嵌入模型原始吞吐")
    ] = False,
    paths: Annotated[list[Path] | None, typer.Argument(help="--ingest 导入的报告文件或文件夹")] = None,
    as_json: JsonFlag = False,
) -> None:
    """性能基准：嵌入/导入吞吐、检索与问答延迟（示例库与规模库）、服务内存、冷启动；--llm 测本地模型；
    --ingest 测给定报告的完整导入。"""
    from assistant.bench.run import run_bench

    if llm:
        _bench_llm(llm_questions, llm_drafts, as_json)
        return
    if ingest:
        _bench_ingest(paths or [], as_json)
        return
    if paths:
        fail("报告路径只用于 --ingest：assistant bench --ingest 路径...")
    settings = Settings.from_env()
    with progress_bar("性能基准", eta=False) as bar:
        task = bar.task_ids[0]
        figures = run_bench(
            settings,
            scale_chunks=scale,
            scale_dir=scale_dir,
            rgb=rgb,
            rgb_limit=rgb_sentences,
            note=lambda text: bar.update(task, description=text),
        )
    if as_json:
        print_json(figures)
    else:
        print_table(("指标", "数值"), figures.items())


def _bench_ingest(paths: list[Path], as_json: bool) -> None:
    """`bench --ingest PATH...`: ingest throughput against the embedder's (assistant/bench/ingest.py)."""
    from assistant.bench.ingest import ingest_bench

    if not paths:
        fail("--ingest 需要报告文件或文件夹，例如：assistant bench --ingest ../shared/corpora seeds")
    with progress_bar("导入基准", eta=False) as bar:
        task = bar.task_ids[0]
        figures = ingest_bench(Settings.from_env(), paths, note=lambda text: bar.update(task, description=text))
    if as_json:
        print_json(figures)
    else:
        print_table(("指标", "数值"), figures.items())
