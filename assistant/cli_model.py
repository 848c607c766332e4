"""`assistant model install|list` (docs/contracts.md, Commands): local GGUF models, fetched, assembled and
verified by assistant/local_models.py; the main command line (assistant/cli.py) adds this group."""

from __future__ import annotations

from typing import Annotated

import typer

from assistant.cli_output import JsonFlag, err, print_json, print_table, progress_bar
from assistant.config import Settings

model_app = typer.Typer(help="本地模型：安装、查看（GGUF，经 llama.cpp 在本机运行）。", no_args_is_help=True)


@model_app.command("install")
def model_install(name: Annotated[str, typer.Argument(help="qwen2.5-1.5b | qwen2.5-0.5b")]) -> None:
    """下载并组装本地模型，校验大小与 SHA-256；中断后重新运行即可续传。"""
    from assistant.local_models import install, spec_of

    settings = Settings.from_env()
    spec = spec_of(name)
    with progress_bar(f"安装 {spec.name}") as bar:

        def progress(done: int, total: int, label: str) -> None:
            bar.update(bar.task_ids[0], completed=done, total=total, description=label)

        path = install(spec, settings.models_dir, progress)
    err.print(f"已安装 {spec.name}（{spec.description}）")
    typer.echo(str(path))


@model_app.command("list")
def model_list(as_json: JsonFlag = False) -> None:
    """列出可安装与已安装的本地模型。"""
    from assistant.local_models import CATALOG, installed

    settings = Settings.from_env()
    present = {name: (path, size) for name, path, size in installed(settings.models_dir)}
    rows = [
        {"name": spec.name, "description": spec.description, "installed": spec.name in present}
        | ({"path": str(present[spec.name][0]), "bytes": present[spec.name][1]} if spec.name in present else {})
        for spec in CATALOG.values()
    ]
    rows += [
        {"name": n, "description": "", "installed": True, "path": str(p), "bytes": b}
        for n, (p, b) in present.items()
        if n not in CATALOG
    ]
    if as_json:
        print_json({"models_dir": str(settings.models_dir), "models": rows})
        return
    print_table(
        ["模型", "说明", "状态"],
        [[r["name"], r["description"], r.get("path", "未安装")] for r in rows],
    )
    err.print(f"模型目录：{settings.models_dir}（ASSISTANT_MODELS_DIR 可改）")
