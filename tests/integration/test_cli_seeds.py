"""The CLI end to end on the seeds, with the real bundled embedder and a real persistent Chroma store."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SEEDS, run_cli

pytestmark = pytest.mark.integration


def test_first_ingest_reports_five_files_and_no_errors(seeded: dict[str, Any]) -> None:
    report = seeded["first"]
    assert report["files"] == 5
    assert report["added"] == 5
    assert report["errors"] == []
    assert report["updated"] == report["removed"] == report["unchanged"] == 0
    assert report["chunks"] > 50


def test_search_ranks_the_farmland_passage_first(seeded: dict[str, Any]) -> None:
    out = run_cli(["search", "耕地流出图斑整治", "--json"], seeded["store"])
    assert out.returncode == 0, out.stderr
    top = json.loads(out.stdout)["passages"][0]
    assert top["doc"] == "004_b0ba3482a421c3a8"
    assert "2021—2022年耕地流出图斑整治728个" in top["text"]
    assert top["section"].startswith("一、履职情况")
    assert {"rank", "doc", "section", "text", "score"} <= set(top)


def test_search_k_limits_results(seeded: dict[str, Any]) -> None:
    out = run_cli(["search", "安民乡红色旅游精品线路", "--k", "3", "--json"], seeded["store"])
    passages = json.loads(out.stdout)["passages"]
    assert [p["rank"] for p in passages] == [1, 2, 3]
    assert passages[0]["doc"] == "002_501c0fb6689f0a4e"
    assert passages[0]["score"] >= passages[1]["score"] >= passages[2]["score"]


def test_docs_lists_metadata(seeded: dict[str, Any]) -> None:
    out = run_cli(["docs", "--json"], seeded["store"])
    docs = {d["doc_id"]: d for d in json.loads(out.stdout)["documents"]}
    assert len(docs) == 5
    assert docs["002_501c0fb6689f0a4e"]["township"] == "安民乡"
    assert docs["004_b0ba3482a421c3a8"]["kind"] == "述职"
    assert sum(d["chunks"] for d in docs.values()) == seeded["first"]["chunks"]


def test_no_stored_text_contains_paywall_markers(seeded: dict[str, Any]) -> None:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    client = chromadb.PersistentClient(
        path=str(seeded["store"] / "chroma"), settings=ChromaSettings(anonymized_telemetry=False)
    )
    got = client.get_collection("reports").get(include=["documents"])
    assert len(got["documents"]) > 100
    assert not [d for d in got["documents"] if "paid" in d.lower()]


def test_ingest_errors_are_per_file_and_good_files_still_land(tmp_path: Path) -> None:
    corpus = tmp_path / "mixed"
    corpus.mkdir()
    shutil.copy(SEEDS / "002_501c0fb6689f0a4e.txt", corpus / "good.txt")
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "table.xlsx").write_bytes(b"PK\x03\x04")
    out = run_cli(
        [
            "ingest",
            str(corpus / "good.txt"),
            str(corpus / "empty.txt"),
            str(corpus / "table.xlsx"),
            str(corpus / "missing.txt"),
            "--json",
        ],
        tmp_path / "store",
    )
    assert out.returncode == 1
    report = json.loads(out.stdout)
    assert report["added"] == 1
    errors = {Path(e["path"]).name: e["error"] for e in report["errors"]}
    assert set(errors) == {"empty.txt", "table.xlsx", "missing.txt"}
    assert "空" in errors["empty.txt"]
    assert "Excel" in errors["table.xlsx"]  # .xlsx is read now (ingest.sheets); this one is not a zip
    assert "不存在" in errors["missing.txt"]


def test_python_m_and_console_script_agree(seeded: dict[str, Any]) -> None:
    script = shutil.which("assistant")
    assert script, "the `assistant` console script must be installed"
    out = subprocess.run(
        [script, "docs", "--json"],
        capture_output=True,
        text=True,
        env={**os.environ, "ASSISTANT_STORE_DIR": str(seeded["store"])},
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert len(json.loads(out.stdout)["documents"]) == 5
