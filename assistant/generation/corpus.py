"""What the answer paths know about the ingested reports as a whole: townships, kinds, vocabulary."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from assistant.generation.question import Question
from assistant.places import aliases
from assistant.types import DocRecord

# Report kinds a question may name to point at a report (写述职报告的那个乡).
KIND_WORDS = ("述职",)


class Vocabulary(Protocol):
    """What the answer paths read from the lexical index (assistant.store.lexical.LexicalIndex is one)."""

    def idf(self, token: str, /) -> float: ...

    def doc_tokens(self, doc_id: str, /) -> set[str]: ...

    def docs_with(self, token: str, /) -> set[str]: ...


@dataclass
class Corpus:
    lexical: Vocabulary
    doc_townships: dict[str, str]  # doc id → township ('' when unknown)
    doc_kinds: dict[str, str] = field(default_factory=dict)  # doc id → 总结 / 计划 / 述职
    # The documents' records (years, date), read only when a question says 去年/今年/明年.
    records: Callable[[], Mapping[str, DocRecord]] = dict
    _records: Mapping[str, DocRecord] | None = field(default=None, init=False, repr=False)

    @property
    def townships(self) -> set[str]:
        return {t for t in self.doc_townships.values() if t}

    def relative_year(self, offset: int, docs: Sequence[str]) -> int | None:
        """The year 去年 (-1), 今年 (0) or 明年 (+1) means for the latest of `docs` (all when empty).

        Counted from when the report was written (its date, else its first year: a 2023总结/2024计划
        speaks of 2024 as 明年), else from the year its reader is in (its last year: 去年 in a question
        about that report is 2023); the first of the two that the report covers, None when neither.
        """
        if self._records is None:
            self._records = self.records()
        records = [r for d, r in self._records.items() if r.years and (not docs or d in docs)]
        if not records:
            return None
        latest = max(records, key=lambda r: (written_in(r), max(r.years)))
        for anchor in (written_in(latest), max(latest.years)):
            if anchor + offset in latest.years:
                return anchor + offset
        return None

    def mentions(self, place: str) -> bool:
        """Some report's text names the place (any of its forms, as an indexed token)."""
        return any(self.lexical.docs_with(form) for form in aliases(place))

    def referenced_docs(self, q: Question, docs: Sequence[str] | None = None) -> set[str]:
        """Reports a question points at: by a named township that only one report has, by report kind
        (述职报告), or by a term that occurs in exactly one report (龙鳞坝, 莲花山滑雪场)."""
        docs = sorted(self.doc_townships) if docs is None else list(docs)
        in_scope = set(docs)
        found: set[str] = set()
        for name in q.townships:
            owners = [d for d in docs if self.doc_townships.get(d) == name]
            if len(owners) == 1:
                found.update(owners)
        for kind in KIND_WORDS:
            if kind in q.text:
                found.update(d for d in docs if self.doc_kinds.get(d) == kind)
        for term in q.terms:
            if len(term) < 2 or term.isdigit():
                continue
            holders = self.lexical.docs_with(term) & in_scope
            if len(holders) == 1:
                found.update(holders)
        return found


def written_in(record: DocRecord) -> int:
    """The year a report was written: its date's, else its first year (an undated 2023总结/2024计划)."""
    return int(record.date[:4]) if record.date[:4].isdigit() else min(record.years)
