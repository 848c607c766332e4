"""What the app's handlers take from the page: the user-facing error, filter choices, safe file names."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from assistant.errors import AssistantError
from assistant.retrieval import Filters

# Progress as the page shows it: (fraction done, label).
ProgressFn = Callable[[float, str], None]
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')
_ANY = (None, "", "全部")


class UserError(AssistantError, ValueError):
    """Bad input from the user; the message (Chinese) is shown as is."""


def required(text: str | None, message: str) -> str:
    """`text` stripped; UserError(message) when nothing is left."""
    text = (text or "").strip()
    if not text:
        raise UserError(message)
    return text


def safe_filename(name: str) -> str:
    """A file name that cannot leave its folder: last path part only, no separators, controls or
    leading dots; Chinese characters kept. '../../etc/passwd.txt' → 'passwd.txt'."""
    base = re.split(r"[/\\]", name)[-1]
    base = _UNSAFE_NAME.sub("_", base).strip().lstrip(".")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = stem[:80] or "upload"
    return f"{stem}.{suffix.lower()}" if suffix else stem


@dataclass(frozen=True)
class FilterChoice:
    """The filter controls' values as the UI gives them ('', None or 全部 means any)."""

    township: str | None = None
    year: str | int | None = None
    kind: str | None = None
    part: str | None = None

    def to_filters(self) -> Filters:
        year = int(self.year) if self.year not in _ANY else None
        pick = lambda v: None if v in _ANY else v  # noqa: E731
        return Filters(township=pick(self.township), year=year, kind=pick(self.kind), part=pick(self.part))
