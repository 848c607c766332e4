"""Bad settings through the real CLI: one Chinese line and exit 2 at start, before any store work
(ASSISTANT_CHUNK_MAX_CHARS=0 used to loop forever in the chunker holding the write lock, and
ASSISTANT_CONCURRENCY=0 started an app that never answered)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.conftest import run_cli

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    ("args", "key", "value"),
    [
        (["ingest", str(SEEDS)], "ASSISTANT_CHUNK_MAX_CHARS", "0"),
        (["ingest", str(SEEDS)], "ASSISTANT_EMBED_BATCH_SIZE", "0"),
        (["serve"], "ASSISTANT_CONCURRENCY", "0"),
        (["serve"], "ASSISTANT_PORT", "70000"),
        (["serve"], "ASSISTANT_PORT", "abc"),
    ],
)
def test_a_bad_setting_stops_the_command_at_once_with_one_line(
    tmp_path: Path, args: list[str], key: str, value: str
) -> None:
    store = tmp_path / "store"
    started = time.perf_counter()
    out = run_cli(args, store, **{key: value})
    assert out.returncode == 2, out.stderr
    assert time.perf_counter() - started < 60
    lines = [ln for ln in out.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and key in lines[0] and "之间" in lines[0], out.stderr
    assert "Traceback" not in out.stderr
    assert not (store / "write.lock").exists() and not (store / "chroma").exists()  # no store work began
