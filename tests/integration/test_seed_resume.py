"""First-start seeding with the real `assistant serve`: killed by SIGTERM while it ingests the sample
reports, the next start adds the ones still missing; once all are in, a sample the user deleted is not
added back at the next start.

The kill comes as the second sample's write begins (its journal entry appears; writes go one document
after another), so the first sample is in and at least three are not.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SEEDS, run_cli
from tests.integration.serve_process import ServeProcess

pytestmark = pytest.mark.integration

SEED_IDS = {p.stem for p in SEEDS.glob("*.txt")}


def doc_ids(store: Path) -> set[str]:
    out = run_cli(["docs", "--json"], store)
    assert out.returncode == 0, out.stderr
    return {d["doc_id"] for d in json.loads(out.stdout)["documents"]}


def kill_as_the_second_write_begins(app: ServeProcess, store: Path, timeout_s: float = 600) -> set[str]:
    """SIGTERM the app once a journal entry for a second document appeared; the entries seen."""
    assert app.proc is not None
    journal = store / "journal"
    seen: set[str] = set()
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and app.proc.poll() is None:
        if journal.is_dir():
            seen.update(name for name in os.listdir(journal) if name.endswith(".json"))
        if len(seen) >= 2:
            app.terminate()
            return seen
        time.sleep(0.002)
    pytest.fail(f"no second document write seen (entries {sorted(seen)}):\n{app.log_text()[-3000:]}")


@pytest.fixture(scope="module")
def interrupted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A new store whose first `serve` was killed while seeding, then started again until ready."""
    base = tmp_path_factory.mktemp("seed-resume")
    store = base / "store"
    app = ServeProcess({**os.environ, "ASSISTANT_STORE_DIR": str(store)}, base / "serve.log")
    try:
        app.start()
        kill_as_the_second_write_begins(app, store)
        after_kill = doc_ids(store)
        app.start().wait_ready()
        after_restart = doc_ids(store)
        log = app.log_text()
    finally:
        app.stop()
    yield {"store": store, "after_kill": after_kill, "after_restart": after_restart, "log": log, "base": base}


def test_a_restart_after_an_interrupted_seeding_adds_the_missing_samples(interrupted: dict[str, Any]) -> None:
    after_kill = interrupted["after_kill"]
    assert after_kill < SEED_IDS and 1 <= len(after_kill) <= 2, f"the kill left {sorted(after_kill)}"
    print(f"after SIGTERM: {len(after_kill)} of {len(SEED_IDS)} samples in")
    assert interrupted["after_restart"] == SEED_IDS, interrupted["log"][-3000:]
    search = run_cli(["search", "耕地流出图斑整治", "--json"], interrupted["store"])
    assert search.returncode == 0 and json.loads(search.stdout)["passages"][0]["doc"] == "004_b0ba3482a421c3a8"


def test_a_sample_deleted_after_seeding_stays_deleted_at_the_next_start(interrupted: dict[str, Any]) -> None:
    store, base = interrupted["store"], interrupted["base"]
    assert doc_ids(store) == SEED_IDS
    removed = run_cli(["remove", "003_e9fbab667eb49eb4"], store)
    assert removed.returncode == 0, removed.stderr
    app = ServeProcess({**os.environ, "ASSISTANT_STORE_DIR": str(store)}, base / "serve-again.log")
    try:
        app.start().wait_ready()
        assert doc_ids(store) == SEED_IDS - {"003_e9fbab667eb49eb4"}
    finally:
        app.stop()
