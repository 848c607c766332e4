"""scripts/load_test.py with a tiny load (3 users × 2 questions) against a store made from one short piece of a
seed report: it starts `assistant serve` on 127.0.0.1, every request is answered, the store checks pass,
and the server is stopped again."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEEDS, run_cli

pytestmark = pytest.mark.integration

SEED = SEEDS / "002_501c0fb6689f0a4e.txt"  # 安民乡


def short_report(target: Path, max_chars: int = 1800) -> str:
    """The seed's first lines, whole, up to max_chars."""
    text = ""
    for line in SEED.read_text(encoding="utf-8").splitlines(keepends=True):
        if len(text) + len(line) > max_chars:
            break
        text += line
    target.write_text(text, encoding="utf-8")
    return text


def test_small_load_is_all_answered_and_the_store_is_intact(tmp_path: Path) -> None:
    report_file = tmp_path / "docs" / "002_short.txt"
    report_file.parent.mkdir()
    text = short_report(report_file)
    store = tmp_path / "store"
    out = run_cli(["ingest", str(report_file), "--json"], store)
    assert out.returncode == 0, out.stderr

    items = [json.loads(line) for line in (SEEDS / "qa" / "dev.jsonl").read_text(encoding="utf-8").splitlines()]
    covered = [
        i for i in items if i["kind"] == "fact" and i["evidence"] and all(e["quote"] in text for e in i["evidence"])
    ]
    assert len(covered) >= 4, "the short report answers a few dev questions"
    qa = tmp_path / "qa.jsonl"
    qa.write_text("\n".join(json.dumps(i, ensure_ascii=False) for i in covered), encoding="utf-8")

    args = ["--store", str(store), "--users", "3", "--questions", "2", "--timeout", "60"]
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "load_test.py"), *args, "--qa", str(qa), "--search", "红色旅游"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert run.returncode == 0 and report["ok"], (report, run.stderr[-2000:])
    assert report["n_requests"] == report["answered"] == 6
    assert report["retry"] == report["errors"] == report["hangs"] == 0
    assert report["store_docs_before"] == report["store_docs_after"] == 1 and report["store_search_ok"]
    assert report["p50_ms"] is not None and report["p50_ms"] <= report["p95_ms"] <= report["max_ms"]
    assert report["server_exit"] is not None, "the server was stopped"
    assert report["server_peak_rss_mb"] and report["server_log_tracebacks"] == 0
