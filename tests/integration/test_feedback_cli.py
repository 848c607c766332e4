"""Feedback → `assistant feedback export` → `assistant eval` on the export, on the seeded store (real
Chroma, bundled embedder, the CLI as a user runs it), and the app's recheck of the corrected items."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from assistant.config import Settings
from assistant.feedback.store import Feedback, FeedbackStore
from assistant.services import Services
from assistant.ui.feedback_tab import FeedbackView
from assistant.ui.handlers import AppService
from tests.conftest import run_cli

pytestmark = pytest.mark.integration

RIGHT = "X乡2023年完成了多少财税收入？"  # the extractive answer says 1200万元
WRONG = "安民乡推出了几条红色旅游精品线路？"  # the reports say 6条; the "correction" below says 9条


@pytest.fixture
def store(seeded: dict[str, Any], tmp_path: Path) -> Path:
    path = tmp_path / "store"
    shutil.copytree(seeded["store"], path)
    return path


def _passage(store: Path, query: str, holding: str) -> dict[str, Any]:
    out = run_cli(["search", query, "--json"], store)
    assert out.returncode == 0, out.stderr
    found = [p for p in json.loads(out.stdout)["passages"] if holding in p["text"]]
    assert found, out.stdout
    return dict(found[0])


def test_corrected_feedback_exports_and_eval_runs_it(store: Path, tmp_path: Path) -> None:
    empty = run_cli(["feedback", "export", "--out", str(tmp_path / "none.jsonl")], store)
    assert empty.returncode == 1 and "没有可导出的已纠正反馈" in empty.stderr
    assert not (tmp_path / "none.jsonl").exists()

    right = _passage(store, RIGHT, "1200万元")
    wrong = _passage(store, WRONG, "红色旅游精品线路")
    feedback = FeedbackStore.in_store(store)
    feedback.add(Feedback(question=WRONG, rating="up", user="alice"))
    feedback.add(
        Feedback(
            question=RIGHT,
            rating="down",
            reason="数字有误",
            correction="应为1200万",
            evidence_doc=right["doc"],
            evidence_quote=right["text"],
            user="bob",
        )
    )
    feedback.add(
        Feedback(
            question=WRONG,
            rating="down",
            reason="数字有误",
            correction="9条",
            evidence_doc=wrong["doc"],
            evidence_quote=wrong["text"],
        )
    )

    listed = run_cli(["feedback", "list", "--json"], store)
    assert listed.returncode == 0, listed.stderr
    items = json.loads(listed.stdout)["feedback"]
    assert [(i["id"], i["rating"], i["user"]) for i in items] == [
        (1, "up", "alice"),
        (2, "down", "bob"),
        (3, "down", "anonymous"),
    ]
    table = run_cli(["feedback", "list", "--corrected"], store)
    assert table.returncode == 0 and "9条" in table.stdout and "alice" not in table.stdout

    out = tmp_path / "feedback.jsonl"
    exported = run_cli(["feedback", "export", "--out", str(out)], store)
    assert exported.returncode == 0, exported.stderr
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(x["id"], x["kind"], x["expected"]) for x in lines] == [
        ("fb2", "fact", ["1200万元"]),
        ("fb3", "fact", ["9条"]),
    ]
    assert "1200万元" in lines[0]["evidence"][0]["quote"] and lines[0]["evidence"][0]["quote"] in right["text"]

    run = tmp_path / "run"
    evaluated = run_cli(["eval", str(out), "--out", str(run), "--writer", "extractive"], store)
    assert evaluated.returncode == 0, evaluated.stderr
    results = {r["id"]: r for r in map(json.loads, (run / "results.jsonl").read_text(encoding="utf-8").splitlines())}
    assert results["fb2"]["correct"] is True and results["fb2"]["recall_at_5"] == 1.0
    assert results["fb3"]["correct"] is False and results["fb3"]["missing_expected"] == ["9条"]
    metrics = json.loads((run / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["answer.accuracy"] == 0.5 and metrics["slices"]["tag"]["feedback"]["items"] == 2

    settings = Settings(store_dir=store, writer="extractive")
    app = AppService(Services.open(settings), upload_dir=tmp_path / "up", export_dir=tmp_path / "exports")
    steps: list[float] = []
    view = FeedbackView(app.feedback, app.answers, app.drafts.export_dir)
    assert view.rows("anonymous") and not view.rows("someone-else"), "each user lists only their own"
    summary = view.check(lambda x, _: steps.append(x))
    assert "已纠正的 2 条中，当前版本答对 1 条" in summary and "fb3" in summary
    assert steps == [0.5, 1.0]
    saved = view.export_file()
    assert saved is not None and saved.read_text(encoding="utf-8") == out.read_text(encoding="utf-8")
