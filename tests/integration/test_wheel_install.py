"""A wheel built from the project, installed into a fresh venv, answers with an LLM configured.

The prompts and the sample reports live at the top of the repository (prompts/, seeds/); they must
ship inside the wheel, or an installed copy fails the moment an LLM is configured (no prompt files)
or `serve` finds no sample reports. The venv sees the already installed dependencies
(--system-site-packages, nothing is downloaded) but its own copy of `assistant`, and every command
runs outside the repository so nothing can be found relative to the source tree.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.integration.chat_server import ChatServer, Reply, llm_env

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def _run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    out = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=600, env={**os.environ, **(env or {})})
    assert out.returncode == 0, f"{cmd}: {out.stderr[-3000:]}"
    return out


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("wheel")
    # Built from a copy of what the wheel is made of: setuptools writes build/ into the tree it builds.
    source = base / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    for name in ("assistant", "prompts", "seeds"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    dist = base / "dist"
    build = [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-build-isolation"]
    _run([*build, "-w", str(dist)], base)
    (wheel,) = dist.glob("*.whl")
    venv = base / "venv"
    _run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], base)
    python = venv / "bin" / "python"
    _run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", str(wheel)], base)
    return {"base": base, "wheel": wheel, "python": python, "venv": venv}


def test_the_wheel_carries_the_prompts_and_the_sample_reports(installed: dict[str, Path]) -> None:
    names = set(zipfile.ZipFile(installed["wheel"]).namelist())
    prompts = {p.name for p in (ROOT / "prompts").glob("*.zh.md")}
    seeds = {p.name for p in (ROOT / "seeds").glob("*.txt")}
    assert prompts and seeds
    assert {f"assistant/prompts/{name}" for name in prompts} <= names
    assert {f"assistant/seeds/{name}" for name in seeds} <= names
    assert "assistant/seeds/qa/dev.jsonl" in names


def test_the_installed_copy_answers_with_an_llm(installed: dict[str, Path]) -> None:
    python, work = str(installed["python"]), installed["base"]
    where = _run([python, "-c", "import assistant.resources as r; print(r.__file__); print(r.seeds_dir())"], work)
    module_file, seeds = where.stdout.split()
    assert Path(module_file).is_relative_to(installed["venv"]), "the venv must import its own installed copy"
    assert Path(seeds).is_relative_to(installed["venv"])
    store = {"ASSISTANT_STORE_DIR": str(work / "store")}
    _run([python, "-m", "assistant", "ingest", seeds, "--json"], work, store)

    def script(body: dict[str, Any], index: int) -> Reply:
        return Reply("安民乡推出了6条红色旅游精品线路[1]。")

    with ChatServer(script) as server:
        out = _run(
            [python, "-m", "assistant", "ask", "安民乡推出了几条红色旅游精品线路？", "--json"],
            work,
            {**store, **llm_env(server)},
        )
        sent = "\n".join(str(m.get("content", "")) for m in server.requests[-1].body["messages"])
    answer = json.loads(out.stdout)
    assert answer["mode"] == "llm", answer["notes"]
    assert answer["citations"] and answer["citations"][0]["quote"] in answer["citations"][0]["text"]
    # The model was prompted with the packaged prompt file (answer.zh.md's system rules).
    assert "你是“乡镇工作报告助手”" in sent and "资料中未找到" in sent
