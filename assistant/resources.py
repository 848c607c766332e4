"""Files that ship inside the package: the prompt files and the bundled sample reports.

They live at the top of the repository (prompts/, seeds/) and are installed as the packages
assistant.prompts and assistant.seeds (pyproject.toml maps them), so an editable checkout and an
installed wheel find them the same way, whatever the working directory.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def _package_dir(package: str) -> Path:
    return Path(str(resources.files(package)))


def prompts_dir() -> Path:
    """The folder of the prompt files (answer.zh.md, condense.zh.md …)."""
    return _package_dir("assistant.prompts")


def seeds_dir() -> Path:
    """The folder of the bundled sample reports (the first start of `assistant serve` ingests them)."""
    return _package_dir("assistant.seeds")
