"""Which files an ingest reads: files named explicitly as given; folders walked recursively, and every
file the walk leaves out named with its reason (IngestReport.skipped, docs/contracts.md `ingest`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from assistant.ingest.loaders import SUPPORTED_SUFFIXES, unsupported_reason

# Files a folder walk leaves out: they describe the folder (its readme, where it came from, its
# licence, its history, its index), they are not reports. Matched on the file name's first word (the
# stem, lower-cased, up to the first "-", "_", "." or space): README.md, README_zh.txt, SOURCE.txt,
# LICENSE-MIT.txt, CHANGELOG.md, index.csv (a corpus's list of its files, now that .csv is read).
# A file named explicitly is ingested whatever its name.
NOT_REPORTS = (
    *("readme", "source", "sources", "license", "licence", "copying", "notice", "changelog", "authors"),
    "index",
)
_FIRST_WORD = re.compile(r"[-_. ]")
# Left out without a word, like hidden entries (.git, .DS_Store): Python's bytecode caches.
_QUIET_DIRS = ("__pycache__",)

NOTE_REASON = (
    "说明文件（文件名以 README、SOURCE、LICENSE、INDEX 等开头），不是报告，按约定不导入；确要导入请直接指定该文件"
)
UNSUPPORTED = "unsupported"  # skipped[].kind: not a type ingest reads
NOT_REPORT = "not_report"  # skipped[].kind: a file describing the folder (NOT_REPORTS)


def is_folder_note(path: Path) -> bool:
    """True for a file a folder walk skips as not a report (NOT_REPORTS)."""
    return _FIRST_WORD.split(path.stem.lower(), maxsplit=1)[0] in NOT_REPORTS


def _quiet(relative: Path) -> bool:
    return any(part.startswith(".") or part in _QUIET_DIRS for part in relative.parts)


def _walk(folder: Path, skipped: list[dict[str, str]]) -> list[Path]:
    files: list[Path] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if _quiet(path.relative_to(folder)):
            continue
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            skipped.append({"path": str(path), "reason": unsupported_reason(path), "kind": UNSUPPORTED})
        elif is_folder_note(path):
            skipped.append({"path": str(path), "reason": NOTE_REASON, "kind": NOT_REPORT})
        else:
            files.append(path)
    return files


def expand_paths(
    paths: Iterable[Path], skipped: list[dict[str, str]] | None = None
) -> tuple[list[Path], list[dict[str, str]]]:
    """(files to ingest, errors): explicit files as given; folders searched recursively for supported
    types. A folder's other files go to `skipped` as {"path", "reason", "kind": unsupported|not_report};
    hidden entries and __pycache__ folders are left out without a word."""
    files: list[Path] = []
    errors: list[dict[str, str]] = []
    notes: list[dict[str, str]] = [] if skipped is None else skipped
    for path in paths:
        if path.is_dir():
            files.extend(_walk(path, notes))
        elif path.exists():
            files.append(path)
        else:
            errors.append({"path": str(path), "error": "路径不存在"})
    return files, errors
