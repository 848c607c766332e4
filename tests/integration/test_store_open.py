"""Opening a brand-new store through the real CLI: an embedder that cannot load leaves no model name
behind (it used to pin the store, so the next correct run was refused until --rebuild), and readers
opening the store while a writer creates it all exit cleanly (a reader used to crash in Chroma's
migrations with `table collections already exists`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import SEEDS, run_cli

pytestmark = pytest.mark.integration

SEED = sorted(SEEDS.glob("*.txt"))[0]
BAD_MODEL = "sentence-transformers:/nonexistent/model"


def test_a_model_that_cannot_load_does_not_pin_a_new_store(tmp_path: Path) -> None:
    store = tmp_path / "store"
    bad = run_cli(["ingest", str(SEED)], store, ASSISTANT_EMBEDDING_MODEL=BAD_MODEL, HF_HUB_OFFLINE="1")
    assert bad.returncode == 2, bad.stderr[-3000:]
    assert "无法加载嵌入模型" in bad.stderr and "Traceback" not in bad.stderr
    reader = run_cli(["docs", "--json"], store, ASSISTANT_EMBEDDING_MODEL=BAD_MODEL, HF_HUB_OFFLINE="1")
    assert reader.returncode == 2, reader.stderr[-3000:]  # a reader does not create it with that name either
    good = run_cli(["ingest", str(SEED), "--json"], store)
    assert good.returncode == 0, good.stderr[-3000:]
    assert json.loads(good.stdout)["added"] == 1
    doctor = run_cli(["doctor", "--json"], store)
    embedder = next(c for c in json.loads(doctor.stdout)["checks"] if c["name"] == "embedder")
    assert embedder["ok"] and embedder["detail"].startswith("bundled:")


# Each process imports the CLI first, then waits for one start time, so that they open the new
# store at the same moment (imports take seconds and vary, which hid the race most of the time).
LAUNCH = """
import sys, time
from assistant.cli import main
start = float(sys.argv[1])
while time.time() < start:
    time.sleep(0.001)
sys.argv = ["assistant", *sys.argv[2:]]
main()
"""


def start_together(store: Path, commands: list[list[str]], delay_s: float) -> list[subprocess.Popen[str]]:
    env = {**os.environ, "ASSISTANT_STORE_DIR": str(store)}
    start = str(time.time() + delay_s)
    return [
        subprocess.Popen(
            [sys.executable, "-c", LAUNCH, start, *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for args in commands
    ]


def test_readers_and_a_writer_opening_a_new_store_at_once_all_succeed(tmp_path: Path) -> None:
    for round_ in range(3):
        store = tmp_path / f"store{round_}"
        commands = [["ingest", str(SEED), "--json"]] + [["docs", "--json"]] * 4
        procs = start_together(store, commands, delay_s=12.0)
        results = [(p, *p.communicate(timeout=600)) for p in procs]
        for proc, _out, err in results:
            assert proc.returncode == 0, f"round {round_}: {proc.args[3:]} exited {proc.returncode}: {err[-2000:]}"
            assert "already exists" not in err and "Traceback" not in err
        assert json.loads(results[0][1])["added"] == 1
        for _, out, _ in results[1:]:
            assert len(json.loads(out)["documents"]) <= 1
