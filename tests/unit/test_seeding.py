"""First-start seeding's state (assistant/ui/server.first_run_ingest) on a fake store and a recording
ingest; tests/integration/test_seed_resume.py kills the real `serve` while it seeds."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest

from assistant.config import Settings
from assistant.services import Services
from assistant.ui import server


class Killed(BaseException):
    """Stands for the SIGTERM that ends the process in the middle of the ingest."""


class FakeServices:
    def __init__(self, store_dir: Path, docs: int = 0, kill_after: int | None = None) -> None:
        self.settings = Settings(store_dir=store_dir)
        self.docs, self.kill_after = docs, kill_after
        self.store = SimpleNamespace(count=lambda: self.docs)
        self.ingests = 0

    def ingest(self, paths: list[Path], progress: Any = None) -> Any:
        self.ingests += 1
        seeds = sorted(paths[0].glob("*.txt"))
        if self.kill_after is not None:
            self.docs = self.kill_after
            raise Killed
        added, self.docs = len(seeds) - self.docs, len(seeds)
        return SimpleNamespace(added=added, errors=[])


def seed(services: FakeServices) -> int:
    return server.first_run_ingest(cast(Services, services))


def test_an_interrupted_seeding_resumes_at_the_next_start_then_never_again(tmp_path: Path) -> None:
    first = FakeServices(tmp_path, kill_after=2)
    with pytest.raises(Killed):
        seed(first)
    assert server.seeding_state(first.settings) == "started"
    again = FakeServices(tmp_path, docs=2)  # not empty, but the seeding did not finish
    assert seed(again) == 3
    assert server.seeding_state(again.settings) == "done"
    emptied = FakeServices(tmp_path, docs=0)  # the user deleted every sample afterwards
    assert seed(emptied) == 0 and emptied.ingests == 0


def test_a_store_with_documents_that_was_never_seeded_is_left_alone(tmp_path: Path) -> None:
    own = FakeServices(tmp_path, docs=3)
    assert seed(own) == 0 and own.ingests == 0
    assert server.seeding_state(own.settings) is None


def test_an_unreadable_state_file_counts_as_never_seeded(tmp_path: Path) -> None:
    (tmp_path / server.SEEDING_FILE).write_text("{not json", encoding="utf-8")
    fresh = FakeServices(tmp_path)
    assert seed(fresh) == 5 and server.seeding_state(fresh.settings) == "done"
