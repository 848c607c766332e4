"""The ledger's rows in one SQLite file in the store directory (`ledger.sqlite`), derived from the
store's chunks like the lexical index: written with each document at ingest (ingest.pipeline), deleted
with it, and rebuilt for a document whose version stamp (its text digest and EXTRACTOR_VERSION) is
not the store's (`sync`: stores built before the ledger existed, or by an older extractor).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from assistant.ledger.extract import EXTRACTOR_VERSION, Context, Row, extract
from assistant.store import Store
from assistant.types import Chunk, part_kind, part_years

LEDGER_FILE = "ledger.sqlite"

_COLUMNS = (
    "doc",
    "place",
    "year",
    "part",
    "section",
    "kind",
    "indicator",
    "value",
    "number",
    "unit",
    "qualifier",
    "direction",
    "undisclosed",
    "quote",
    "high",
    "start",
    "end",
    "chunk_id",
)
_SELECT = ", ".join(f'"{c}"' for c in _COLUMNS)
# Bump when the tables change: a ledger of another schema is dropped and rebuilt from the chunks (sync).
SCHEMA_VERSION = "2"  # 2: each row's JSON form stored beside it (`ledger --json` copies it out)
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS docs (doc TEXT PRIMARY KEY, sha256 TEXT, version TEXT);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, {", ".join(f'"{c}"' for c in _COLUMNS)}, "json" TEXT);
CREATE INDEX IF NOT EXISTS rows_doc_start ON rows(doc, "start");
CREATE INDEX IF NOT EXISTS rows_place_year ON rows(place, year);
"""


class Ledger:
    """The rows table: write a document's rows (replacing its old ones), delete them, read them back."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self.seconds = 0.0  # spent building rows and writing them (write_chunks, sync): the benchmark's ledger_s
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
        self._db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        if self.get_meta("schema") != SCHEMA_VERSION:  # new, or an older ledger: rows are derived, rebuild them
            self._db.executescript("DROP TABLE IF EXISTS rows; DROP TABLE IF EXISTS docs;")
            self.set_meta("schema", SCHEMA_VERSION)
        self._db.executescript(_SCHEMA)

    @classmethod
    def in_store(cls, store_dir: Path) -> Ledger:
        return cls(store_dir / LEDGER_FILE)

    def close(self) -> None:
        self._db.close()

    # -- writes ---------------------------------------------------------------------------------
    def write(self, doc_id: str, sha256: str, rows: Sequence[Row]) -> None:
        """Replace a document's rows in one transaction, stamped with its version."""
        with self._lock, self._db:
            self._db.execute("DELETE FROM rows WHERE doc = ?", (doc_id,))
            self._db.executemany(
                f'INSERT INTO rows ({", ".join(f"{chr(34)}{c}{chr(34)}" for c in _COLUMNS)}, "json") '
                f"VALUES ({', '.join('?' for _ in _COLUMNS)}, ?)",
                [_values(r) for r in rows],
            )
            self._db.execute("INSERT OR REPLACE INTO docs VALUES (?, ?, ?)", (doc_id, sha256, EXTRACTOR_VERSION))

    def write_chunks(self, doc_id: str, sha256: str, chunks: Sequence[Chunk]) -> int:
        """The rows of a document's chunks (as ingest has them), written; returns how many."""
        started = time.perf_counter()
        rows = rows_of_chunks((c.chunk_id, c.text, c.store_metadata()) for c in chunks)
        self.write(doc_id, sha256, rows)
        self.seconds += time.perf_counter() - started
        return len(rows)

    def delete(self, doc_id: str) -> None:
        with self._lock, self._db:
            self._db.execute("DELETE FROM rows WHERE doc = ?", (doc_id,))
            self._db.execute("DELETE FROM docs WHERE doc = ?", (doc_id,))

    def set_meta(self, key: str, value: str) -> None:
        with self._lock, self._db:
            self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def get_meta(self, key: str) -> str | None:
        with self._lock:
            found = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if found is None else str(found[0])

    # -- reads ----------------------------------------------------------------------------------
    def stamps(self) -> dict[str, tuple[str, str]]:
        """doc id -> (text digest, extractor version) of the rows held."""
        with self._lock:
            return {d: (s, v) for d, s, v in self._db.execute("SELECT doc, sha256, version FROM docs")}

    def rows(
        self,
        *,
        place: str | None = None,
        year: int | None = None,
        doc: str | None = None,
        indicator: str | None = None,
        kind: str | None = None,
    ) -> list[Row]:
        """Rows meeting every filter given (`indicator`: a substring of the name), in document order."""
        return [Row(**r) for r in self.records(place=place, year=year, doc=doc, indicator=indicator, kind=kind)]

    def records(
        self,
        *,
        place: str | None = None,
        year: int | None = None,
        doc: str | None = None,
        indicator: str | None = None,
        kind: str | None = None,
    ) -> list[dict[str, Any]]:
        """The same rows in their JSON form (Row.to_json), without building Rows: `ledger --json` at
        260k rows spent 8 s of 30 in the dataclasses."""
        sql, args = _query(_SELECT, place, year, doc, indicator, kind)
        with self._lock:
            found = self._db.execute(sql, args).fetchall()
        out = [dict(zip(_COLUMNS, values, strict=True)) for values in found]
        for record in out:
            record["undisclosed"] = bool(record["undisclosed"])
        return out

    def json_rows(
        self,
        *,
        place: str | None = None,
        year: int | None = None,
        doc: str | None = None,
        indicator: str | None = None,
        kind: str | None = None,
    ) -> list[bytes]:
        """The same rows as UTF-8 JSON, as stored when written (`ledger --json` copies the bytes out: at
        267k rows decoding and encoding them again took 4 s of 5)."""
        sql, args = _query('CAST("json" AS BLOB)', place, year, doc, indicator, kind)
        with self._lock:
            return [text for (text,) in self._db.execute(sql, args)]

    def count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM rows").fetchone()[0])


def _query(
    select: str, place: str | None, year: int | None, doc: str | None, indicator: str | None, kind: str | None
) -> tuple[str, list[Any]]:
    """SELECT `select` of the rows meeting every filter given, in document order."""
    where: list[str] = []
    args: list[Any] = []
    for column, value in (("place", place), ("year", year), ("doc", doc), ("kind", kind)):
        if value is not None:
            where.append(f'"{column}" = ?')
            args.append(value)
    if indicator:
        where.append("instr(indicator, ?) > 0")
        args.append(indicator)
    sql = f"SELECT {select} FROM rows"
    if where:
        sql += " WHERE " + " AND ".join(where)
    return sql + ' ORDER BY doc, "start"', args


def _values(row: Row) -> tuple[Any, ...]:
    data = row.to_json()
    text = json.dumps(data, ensure_ascii=False)
    data["undisclosed"] = int(row.undisclosed)
    return (*(data[c] for c in _COLUMNS), text)


def context_of(chunk_id: str, meta: Mapping[str, Any]) -> Context:
    """Where a stored chunk sits, from its metadata (types.ChunkMeta)."""
    part = str(meta.get("part", ""))
    span = part_years(part)
    years = [int(y) for y in str(meta.get("years", "")).split(",") if y.strip().isdigit()]
    if span is None:  # the opening before any part: the report's first year (今年以来 of a year-end report)
        span = (min(years), min(years)) if years else (0, 0)
    date = str(meta.get("date", ""))
    report_year = int(date[:4]) if date[:4].isdigit() else (max(years) if years else 0)
    return Context(
        doc=str(meta.get("doc", "")),
        place=str(meta.get("township", "")),
        part=part,
        part_kind=str(meta.get("part_kind", part_kind(part))),
        section=str(meta.get("section", "")),
        part_years=span,
        report_year=report_year,
        chunk_id=chunk_id,
        offset=int(meta.get("start", 0) or 0),
    )


def rows_of_chunks(chunks: Iterable[tuple[str, str, Mapping[str, Any]]]) -> list[Row]:
    """The rows of a document's chunks, each figure once (chunks may share text), in text order."""
    seen: set[int] = set()
    out: list[Row] = []
    for chunk_id, text, meta in sorted(chunks, key=lambda c: int(c[2].get("start", 0) or 0)):
        for row in extract(text, context_of(chunk_id, meta)):
            if row.start not in seen:
                seen.add(row.start)
                out.append(row)
    return out


def sync(store: Store, ledger: Ledger, *, force: bool = False) -> int:
    """Bring the ledger in line with the store: rebuild documents whose stamp differs (or all, with
    `force`), drop documents the store no longer has; returns the documents rebuilt. Skipped when the
    store's entry count is the one recorded at the last sync and nothing is stale by version."""
    started = time.perf_counter()
    try:
        return _sync(store, ledger, force)
    finally:
        ledger.seconds += time.perf_counter() - started


def _sync(store: Store, ledger: Ledger, force: bool) -> int:
    count = getattr(store, "entry_count", None)
    entries = str(count()) if count is not None else ""
    stamps = ledger.stamps()
    current = ledger.get_meta("entries") == entries and ledger.get_meta("version") == EXTRACTOR_VERSION
    if not force and entries and current:
        return 0
    records = store.documents()
    rebuilt = 0
    for doc_id in set(stamps) - set(records):
        ledger.delete(doc_id)
    for doc_id, record in records.items():
        if not force and stamps.get(doc_id) == (record.sha256, EXTRACTOR_VERSION):
            continue
        ids = [uid for uid, unit in store.unit_ids(doc_id).items() if unit == "chunk"]
        ledger.write(doc_id, record.sha256, rows_of_chunks(store.chunks(ids)))
        rebuilt += 1
    ledger.set_meta("version", EXTRACTOR_VERSION)
    if entries:
        ledger.set_meta("entries", entries)
    return rebuilt
