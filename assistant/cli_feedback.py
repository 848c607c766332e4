"""`assistant feedback list [--json]` and `assistant feedback export --out FILE.jsonl` (docs/contracts.md,
"Feedback"): the 👍/👎 kept in the store directory's feedback.sqlite; the export is a Q&A set for
`assistant eval`. The main command line (assistant/cli.py) adds this group."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from assistant.cli_output import JsonFlag, err, fail, print_json, print_table
from assistant.config import Settings
from assistant.feedback.export import export
from assistant.feedback.store import FeedbackStore

feedback_app = typer.Typer(help="反馈：问答与起草的 👍/👎、原因和正确答案；已纠正的条目可导出为问答集，用 eval 回归。")


def _store() -> FeedbackStore:
    return FeedbackStore.in_store(Settings.from_env().store_dir)


def _short(text: str, n: int = 30) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


@feedback_app.command(name="list")
def list_(
    corrected: Annotated[bool, typer.Option("--corrected", help="只列出填写了正确答案的条目")] = False,
    as_json: JsonFlag = False,
) -> None:
    """列出反馈（最早的在前）。"""
    items = [i for i in _store().items() if i.correction or not corrected]
    if as_json:
        print_json({"feedback": [i.to_json() for i in items]})
        return
    if not items:
        err.print("还没有反馈。")
        return
    rows = [
        (
            i.id,
            i.time,
            i.user,
            i.kind,
            "赞" if i.rating == "up" else "踩",
            i.reason,
            _short(i.question),
            _short(i.correction),
        )
        for i in items
    ]
    print_table(("id", "时间", "用户", "类型", "评价", "原因", "问题", "正确答案"), rows)


@feedback_app.command(name="export")
def export_(
    out: Annotated[Path, typer.Option("--out", help="写出的问答集（JSONL），供 assistant eval 运行")],
) -> None:
    """导出填写了正确答案的反馈，格式同问答集（seeds/qa/README.md），可直接 assistant eval FILE。"""
    result = export(_store().items())
    for item_id, why in result.skipped:
        err.print(f"[yellow]未导出[/] 反馈 {item_id}：{why}", highlight=False)
    if not result.items:
        fail("没有可导出的已纠正反馈（点踩 👎 时填写了正确答案的条目才会导出）。", code=1)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8") as fh:
            for line in result.items:
                fh.write(json.dumps(line, ensure_ascii=False) + "\n")
    except OSError as exc:
        fail(f"无法写入 {out}：{exc}")
    err.print(f"已导出 {len(result.items)} 条到 {out}（运行：assistant eval {out}）", highlight=False)
