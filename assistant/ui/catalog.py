"""The knowledge base as the app lists it: the document table, the filter choices, one document's sections."""

from __future__ import annotations

from assistant.ledger.store import Ledger, sync
from assistant.services import Services
from assistant.types import DocRecord, format_years
from assistant.ui.inputs import UserError

DOC_HEADERS = ["文档", "标题", "地区", "级别", "年份", "类型", "报告日期", "段落数"]


class Catalog:
    """The store's documents: a scan of every chunk's metadata (seconds at 100k chunks), so kept until
    `invalidate` (the app wrote) or the store's entry count changes (another process wrote)."""

    def __init__(self, services: Services) -> None:
        self.services = services  # its store, not a copy: Chroma server mode may reopen it
        self._docs: tuple[int, dict[str, DocRecord]] | None = None

    def invalidate(self) -> None:
        self._docs = None

    def records(self) -> dict[str, DocRecord]:
        count = self.services.store.entry_count()
        if self._docs is None or self._docs[0] != count:
            self._docs = (count, self.services.store.documents())
        return self._docs[1]

    def documents(self) -> list[list[object]]:
        """Rows for the document table (DOC_HEADERS)."""
        rows = self.records().values()
        return [
            [
                r.doc_id,
                r.title,
                r.township or "—",
                r.place_level or "—",
                format_years(r.years) or "—",
                r.kind,
                r.date or "—",
                r.chunks,
            ]
            for r in rows
        ]

    def ledger(self) -> Ledger:
        """The figure ledger (assistant/ledger) in line with the store: `sync` is one count when nothing changed."""
        sync(self.services.store, self.services.ledger)
        return self.services.ledger

    def filter_options(self) -> dict[str, list[str]]:
        docs = self.records().values()
        years = [str(y) for y in sorted({y for r in docs for y in r.years})]
        return {"township": sorted({r.township for r in docs if r.township}), "year": years}

    def doc_view(self, doc_id: str) -> tuple[str, list[dict[str, object]]]:
        """(title, chunk metadata with its id and text) of one document, for its section tree and full text."""
        records = self.records()
        if doc_id not in records:
            raise UserError(f"未找到文档 {doc_id}。")
        store = self.services.store
        chunks = store.chunks(list(store.unit_ids(doc_id)))
        metas = [{**meta, "id": cid, "text": text} for cid, text, meta in chunks if meta.get("unit") == "chunk"]
        return records[doc_id].title, metas

    def about(self, doc_id: str) -> str:
        """One line on a document: place, years, kind, date and its id (the document view's head)."""
        r = self.records().get(doc_id)
        if r is None:
            return ""
        years = format_years(r.years).replace(",", "、")
        parts = [r.township, f"{years}年" if years else "", r.kind, r.date, f"文档编号 {r.doc_id}"]
        return " · ".join(p for p in parts if p)

    def choices(self) -> list[tuple[str, str]]:
        """(label, doc id) for a document picker: the title, with the id when two titles are the same."""
        records = self.records()
        titles = [r.title or r.doc_id for r in records.values()]
        return [
            (t if titles.count(t) == 1 else f"{t}（{r.doc_id}）", r.doc_id)
            for t, r in zip(titles, records.values(), strict=True)
        ]
