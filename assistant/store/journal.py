"""The write journal: what a document write is about to change, on disk before the store is touched.

A document write is three store calls (upsert the new entries, refresh the metadata of kept ones,
delete the stale ones). A process killed between them would leave a document half old, half new.
So before the first call the whole intent is written here (atomically: temp file, fsync, rename),
and removed after the last. Whoever next holds the write lock finds the entries left behind and
settles each one without the embedder (ReportStore.recover): if every new entry reached the store, the
write is completed (metadata refreshed, stale entries deleted); otherwise what did arrive is
deleted and the document stays as it was. Either way each document is wholly old or wholly new.

Any process may list the pending entries (`pending` only reads); only the lock holder deletes
anything (`discard_leftovers`, `end`), so a reader opening the store never disturbs a writer.

The journal lives in the local store directory, also in Chroma server mode: it records this
machine's writes in flight, which only this machine can settle.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import cast

from assistant.types import ChunkMeta


@dataclass(frozen=True)
class JournalEntry:
    """One document write in flight.

    `added`: ids the write upserts (all new, so deleting them undoes the upsert);
    `updates`: (id, metadata) refreshes of entries that are kept; `stale`: ids it deletes.
    """

    doc_id: str
    added: list[str] = field(default_factory=list)
    updates: list[tuple[str, ChunkMeta]] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)


class WriteJournal:
    """Pending document writes as one JSON file each under `directory`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, doc_id: str) -> Path:
        # Doc ids are file stems (any characters); the file name is a digest of it.
        return self.directory / f"{hashlib.sha256(doc_id.encode()).hexdigest()[:32]}.json"

    def begin(self, entry: JournalEntry) -> None:
        """Durably record a write before any of it reaches the store."""
        self.directory.mkdir(parents=True, exist_ok=True)
        target = self._path(entry.doc_id)
        tmp = target.with_suffix(f".tmp-{os.getpid()}")
        with tmp.open("w", encoding="utf-8") as fh:
            json.dump(asdict(entry), fh, ensure_ascii=False)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        self._sync_dir()

    def end(self, doc_id: str) -> None:
        """The write is wholly in the store (or undone): forget it."""
        self._path(doc_id).unlink(missing_ok=True)
        self._sync_dir()

    def pending(self) -> list[JournalEntry]:
        """Writes begun and never ended, oldest first. Read-only, so safe without the write lock:
        temp files (an entry being written) are skipped, and an entry ended while it is being read
        is left out."""
        if not self.directory.is_dir():
            return []
        entries: list[tuple[float, JournalEntry]] = []
        for path in self.directory.iterdir():
            if path.suffix != ".json":  # also skips `.tmp-<pid>` files
                continue
            try:
                raw = json.loads(path.read_text(encoding="utf-8"))
                mtime = path.stat().st_mtime
            except FileNotFoundError:  # ended meanwhile by the writer
                continue
            entry = JournalEntry(
                doc_id=str(raw["doc_id"]),
                added=[str(x) for x in raw["added"]],
                updates=[(str(uid), cast(ChunkMeta, dict(meta))) for uid, meta in raw["updates"]],
                stale=[str(x) for x in raw["stale"]],
            )
            entries.append((mtime, entry))
        return [entry for _, entry in sorted(entries, key=lambda pair: pair[0])]

    def discard_leftovers(self) -> int:
        """Delete the temp files of entries whose writer died while writing them (the store was not
        touched yet); returns how many. Only the write lock's holder may call this: a temp file of a
        live writer is its `begin` in progress. This process's own temp files are left alone."""
        if not self.directory.is_dir():
            return 0
        own = f".tmp-{os.getpid()}"
        found = 0
        for path in self.directory.iterdir():
            if ".tmp-" in path.name and not path.name.endswith(own):
                path.unlink(missing_ok=True)
                found += 1
        return found

    def _sync_dir(self) -> None:
        fd = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
