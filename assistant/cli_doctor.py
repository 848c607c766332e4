"""`assistant doctor [--repair] [--json]` (docs/contracts.md, Commands): the store's checks and its repair
(assistant/doctor.py); the main command line (assistant/cli.py) registers it.

Exit codes: 0 healthy (or repaired, every recorded source found), 1 a problem left (found and not
repaired, or sources missing / unreadable in the repair), 2 the store is busy or a setting is bad.
"""

from __future__ import annotations

from typing import Annotated

import typer

from assistant.cli_output import JsonFlag, err, print_json, print_table
from assistant.config import Settings
from assistant.doctor import Diagnosis, diagnose, repair
from assistant.store.lock import writer_lock


def doctor(
    fix: Annotated[
        bool, typer.Option("--repair", help="修复：损坏的向量库移到一旁（不删除），按已记录的原文件和上传文件重建")
    ] = False,
    wait: Annotated[float | None, typer.Option("--wait", min=0, help="--repair 时向量库被占用最多等待的秒数")] = None,
    as_json: JsonFlag = False,
) -> None:
    """检查向量库（数据库完整性、集合、嵌入模型、关键词索引、向量索引文件、写锁）；--repair 修复。"""
    settings = Settings.from_env()
    if fix:
        with writer_lock(settings, wait).acquire() as lock:
            found = repair(settings, lock)
    else:
        found = diagnose(settings)
    if as_json:
        print_json(found.to_json())
    else:
        _print(found)
    left = not found.healthy or (found.repair is not None and bool(found.repair.missing or found.repair.errors))
    raise typer.Exit(1 if left else 0)


def _print(found: Diagnosis) -> None:
    print_table(("检查", "结果", "说明"), [(c.name, "正常" if c.ok else "异常", c.detail) for c in found.checks])
    fix = found.repair
    if fix is not None:
        if fix.set_aside:
            err.print(f"损坏的向量库已移到 {fix.set_aside}（未删除）", highlight=False, markup=False)
        err.print(f"重新导入 {len(fix.reingested)} 个文件", highlight=False)
        for path in fix.missing:
            err.print(f"[yellow]原文件已不存在[/] {path}", highlight=False)
        for e in fix.errors:
            err.print(f"[red]无法导入[/] {e.get('path', '')}：{e.get('error', '')}", highlight=False)
        if fix.settled:
            err.print(f"收尾中断的写入 {len(fix.settled)} 个", highlight=False)
    elif not found.healthy:
        err.print("发现问题：可运行 assistant doctor --repair 修复", highlight=False)
