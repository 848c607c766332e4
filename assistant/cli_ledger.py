"""`assistant ledger [filters] [--json] [--out FILE]`, `ledger plan-vs-actual`, `ledger check`,
`ledger eval FILE` (docs/contracts.md, "Ledger"): the figure ledger of assistant/ledger; the main
command line (assistant/cli.py) adds this group."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from assistant.cli_output import JsonFlag, err, print_json, print_table
from assistant.config import Settings

ledger_app = typer.Typer(help="指标台账：报告中的每个数字一行，带出处；计划对照完成、前后不一致的数字。")

_Corpora = Annotated[Path | None, typer.Option("--corpora", help="语料目录（默认：项目旁的 ../shared/corpora）")]
_Place = Annotated[str | None, typer.Option("--place", help="只看某地（报告所属的省、市、区县或乡镇），如 XX区、XX乡")]


def _ledger():  # type: ignore[no-untyped-def]
    """The ledger in line with the store (rebuilt for documents written before it, or by an older extractor)."""
    from assistant.ledger.store import sync
    from assistant.services import Services

    services = Services.open(Settings.from_env())
    sync(services.store, services.ledger)
    return services.ledger


@ledger_app.callback(invoke_without_command=True)
def ledger(
    ctx: typer.Context,
    place: _Place = None,
    year: Annotated[int | None, typer.Option("--year", help="数字所说的年份")] = None,
    doc: Annotated[str | None, typer.Option("--doc", help="只看某文档（文档 ID）")] = None,
    indicator: Annotated[str | None, typer.Option("--indicator", help="指标名称包含的文字，如 生产总值")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="actual | target | change | rank | other")] = None,
    as_json: JsonFlag = False,
    out: Annotated[Path | None, typer.Option("--out", help="导出为 .xlsx 或 .csv 文件")] = None,
) -> None:
    """列出台账：每个数字一行（地区、年份、指标、数值、类型、原文）。"""
    if ctx.invoked_subcommand is not None:
        return
    from assistant.ledger.query import check_kind, export, rows

    check_kind(kind)
    book = _ledger()
    if as_json and out is None:  # the JSON form straight from the table, one row a line (fast at 100k chunks)
        _print_rows(book.json_rows(place=place, year=year, doc=doc, indicator=indicator, kind=kind))
        return
    found = rows(book, place=place, year=year, doc=doc, indicator=indicator, kind=kind)
    if out is not None:
        export(found, out)
        err.print(f"已导出 {len(found)} 行到 {out}", highlight=False, markup=False)
    if as_json:
        print_json({"rows": [r.to_json() for r in found]})
    else:
        print_table(
            ["地区", "年份", "指标", "数值", "类型", "文档"],
            [
                [r.place, r.year, r.indicator, r.value + ("（未公开）" if r.undisclosed else ""), r.kind, r.doc]
                for r in found
            ],
        )
        err.print(f"共 {len(found)} 行", highlight=False, markup=False)


def _print_rows(rows: list[bytes]) -> None:
    """`{"rows": [...]}` with one row (its stored UTF-8 JSON) per line: valid JSON, nothing re-encoded."""
    sys.stdout.flush()
    out = sys.stdout.buffer
    out.write(b'{"rows": [\n' + b",\n".join(rows) + b"\n]}\n" if rows else b'{"rows": []}\n')
    out.flush()


@ledger_app.command("plan-vs-actual")
def plan_vs_actual_cmd(place: _Place = None, as_json: JsonFlag = False) -> None:
    """计划对照完成：某年的目标（当年报告的计划部分）与该年的完成值（下一年报告的回顾部分）。"""
    from assistant.ledger.plan import plan_vs_actual

    pairs = plan_vs_actual(_ledger().rows(place=place))
    if as_json:
        print_json({"pairs": pairs})
        return
    words = {True: "完成", False: "未完成", None: "不可比"}
    print_table(
        ["地区", "年份", "指标", "目标", "完成", "结论"],
        [
            [
                p["place"],
                p["year"],
                p["indicator"],
                p["target"]["value"] + p["target"]["qualifier"],
                p["actual"]["value"],
                words[p["met"]] + (f"（{p['reason']}）" if p["reason"] else ""),
            ]
            for p in pairs
        ],
    )


@ledger_app.command("check")
def check_cmd(place: _Place = None, as_json: JsonFlag = False) -> None:
    """前后不一致的数字：同一地区、年份、指标在两处数值不同，或所称增速与两年数值矛盾。"""
    from assistant.ledger.plan import check

    issues = check(_ledger().rows(place=place))
    if as_json:
        print_json({"issues": issues})
        return
    print_table(
        ["地区", "年份", "指标", "问题", "原文"],
        [
            [i["place"], i["year"], i["indicator"], i["reason"], " ／ ".join(r["quote"] for r in i["rows"])]
            for i in issues
        ],
    )
    err.print(f"共 {len(issues)} 处", highlight=False, markup=False)


@ledger_app.command("eval")
def eval_cmd(
    labels: Annotated[Path, typer.Argument(help="标注文件（JSON Lines），如 seeds/ledger/dev.jsonl")],
    corpora: _Corpora = None,
    as_json: JsonFlag = False,
) -> None:
    """用人工标注的段落与计划/完成对衡量台账：行的精确率/召回率、指标名称、占位符、计划对照。"""
    from assistant.ledger.evaluate import evaluate

    result = evaluate(labels, corpora)
    if as_json:
        print_json(result)
        return
    rows, pairs, ph = result["rows"], result["pairs"], result["placeholders"]
    typer.echo(
        f"行：标注 {rows['labelled']}，抽取 {rows['predicted']}，匹配 {rows['matched']}；"
        f"精确率 {rows['precision']:.3f}，召回率 {rows['recall']:.3f}"
    )
    typer.echo(f"指标名称可接受：{result['indicator_acceptable']:.3f}")
    typer.echo(f"占位符：标注 {ph['labelled']}，正确标为未公开且无数值 {ph['undisclosed_without_number']}")
    typer.echo(
        f"计划对照：标注 {pairs['labelled']} 对，找到 {pairs['found']}（{pairs['found_share']:.3f}），"
        f"判断正确 {pairs['met_right']}（{pairs['met_right_share']:.3f}）"
    )
