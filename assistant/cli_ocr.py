"""`assistant ocr-bench [--pages N] [--json]` (docs/contracts.md, Commands): characters right and pages per
minute of the OCR path on pages rendered from the sample reports (assistant/bench/ocr.py); the main
command line (assistant/cli.py) registers it."""

from __future__ import annotations

from typing import Annotated

import typer

from assistant.cli_output import JsonFlag, err, print_json, progress_bar


def ocr_bench(
    pages: Annotated[int, typer.Option("--pages", min=1, max=100, help="渲染并识别的页数")] = 4,
    as_json: JsonFlag = False,
) -> None:
    """文字识别（OCR）基准：用示例报告渲染 150 dpi 页面（PNG 与无文字层 PDF），测字符正确率和每分钟页数。"""
    from assistant.bench.ocr import iter_lines, run_ocr_bench

    with progress_bar("文字识别基准", eta=False) as bar:
        task = bar.task_ids[0]
        figures = run_ocr_bench(pages, note=lambda text: bar.update(task, description=text))
    if as_json:
        print_json(figures)
        return
    for line in iter_lines(figures):
        err.print(line, highlight=False, markup=False, soft_wrap=True)
