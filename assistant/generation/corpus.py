"""What the answer paths know about the ingested reports as a whole: townships, kinds, vocabulary."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from assistant.generation.question import Question
from assistant.places import aliases

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

    @property
    def townships(self) -> set[str]:
        return {t for t in self.doc_townships.values() if t}

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
