"""The lexical index: BM25 (bm25s) over jieba search-mode tokens, persisted beside the Chroma store.

Chroma is the source of truth. The index is a derived cache keyed by a fingerprint of the
chunk ids in the store (ids are content hashes), so a stale or missing index is detected and
rebuilt, and tokens of unchanged chunks are reused rather than re-segmented.

The cache is local to one machine (also in Chroma server mode, where each machine keeps its own).
Several processes may sync it at once: each writes a private temp directory and swaps it in under
an exclusive lock (`lexical.lock`), and readers load it under a shared one, so a reader never sees
half of one version and half of another, and two swaps never collide.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import shutil
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.store import ChunkSource
from assistant.store.lexical_table import FILTER_KEYS, LexicalTable
from assistant.text import TOKENIZER_VERSION, query_tokens, tokenize
from assistant.types import Filters

FORMAT_VERSION = "table-v1"  # records.jsonl (one JSON record per chunk) before; such indexes are rebuilt
_MANIFEST = "manifest.json"
_TABLE_DIR = "table"
_BM25_DIR = "bm25"
_DOC_TOKEN_CACHE = 256  # documents whose token sets are kept


def fingerprint(chunk_ids: Iterable[str]) -> str:
    digest = hashlib.sha256(TOKENIZER_VERSION.encode())
    for cid in sorted(chunk_ids):
        digest.update(cid.encode())
        digest.update(b"\n")
    return digest.hexdigest()


def index_text(text: str, meta: Mapping[str, Any]) -> str:
    """What BM25 sees for a chunk: title and section headings add the terms a user names."""
    return "\n".join(str(x) for x in (meta.get("title", ""), meta.get("section", ""), text) if x)


# Tokens of chunks just written, by their index text, until a rebuild takes them: ingest tokenizes
# each document while the next one is embedded (ingest.pipeline), so the lexical sync after it
# does not (jieba took ~18 s of a 44-report ingest). Tokens are a function of the text alone, so
# any index may take them; at most _PRETOKENIZED_MAX are kept (the oldest go first).
_PRETOKENIZED: OrderedDict[str, list[str]] = OrderedDict()
_PRETOKENIZED_MAX = 20_000
_pretokenized_lock = threading.Lock()


def pretokenize(chunks: Iterable[tuple[str, Mapping[str, Any]]]) -> None:
    """Tokenize (text, metadata) chunks now, for the next rebuild that indexes them."""
    for text, meta in chunks:
        key = index_text(text, meta)
        tokens = tokenize(key)
        with _pretokenized_lock:
            _PRETOKENIZED[key] = tokens
            while len(_PRETOKENIZED) > _PRETOKENIZED_MAX:
                _PRETOKENIZED.popitem(last=False)


def _tokens(text: str, meta: Mapping[str, Any]) -> list[str]:
    key = index_text(text, meta)
    with _pretokenized_lock:
        found = _PRETOKENIZED.pop(key, None)
    return found if found is not None else tokenize(key)


class LexicalIndex:
    """BM25 over chunk tokens, with the filter columns and tokens in a LexicalTable; load/save under
    `directory`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.table = LexicalTable.build([])
        self.fingerprint = ""
        self._bm25: Any = None
        self._doc_tokens: dict[str, set[str]] = {}

    def __len__(self) -> int:
        return len(self.table)

    @property
    def ids(self) -> list[str]:
        """Chunk ids in row order (sorted)."""
        return self.table.ids

    def load(self) -> bool:
        """Load the persisted index; False when there is none, it is unreadable or of an older format."""
        if not (self.directory / _MANIFEST).exists():
            return False
        try:
            with _swap_lock(self.directory, exclusive=False):
                manifest = json.loads((self.directory / _MANIFEST).read_text(encoding="utf-8"))
                if manifest.get("tokenizer") != TOKENIZER_VERSION or manifest.get("format") != FORMAT_VERSION:
                    return False
                table = LexicalTable.load(self.directory / _TABLE_DIR)
                bm25 = None
                if len(table):
                    import bm25s

                    bm25 = bm25s.BM25.load(str(self.directory / _BM25_DIR), show_progress=False, verbosity=0)
        except (OSError, ValueError, KeyError):
            return False
        self.table, self.fingerprint, self._bm25 = table, str(manifest["fingerprint"]), bm25
        self._doc_tokens = {}
        return True

    def rebuild(self, chunks: Sequence[tuple[str, str, Mapping[str, Any]]], reuse: LexicalIndex | None = None) -> None:
        """Index (chunk id, text, metadata) triples, reusing the tokens of chunks already indexed (here
        or in `reuse`), and save."""
        known = {cid: (index, row) for index in (reuse, self) if index for row, cid in enumerate(index.ids)}
        rows = []
        for cid, text, meta in sorted(chunks, key=lambda c: c[0]):
            found = known.get(cid)
            tokens = found[0].table.row_tokens(found[1]) if found else _tokens(text, meta)
            rows.append((cid, tokens, _filter_meta(meta)))
        bm25 = None
        if rows:
            import bm25s

            bm25 = bm25s.BM25()
            bm25.index([tokens for _, tokens, _ in rows], show_progress=False)
        self.table, self._bm25, self._doc_tokens = LexicalTable.build(rows), bm25, {}
        self.fingerprint = fingerprint(self.table.ids)
        try:
            self._save()
        except OSError as exc:  # a full disk: this process searches the index in memory, the next saves it
            if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
                raise

    def _save(self) -> None:
        """Write to a private sibling temp dir, then swap it in under the exclusive lock, so a crash never
        leaves a half-written index and processes saving at the same time never collide (the last wins)."""
        tag = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"  # unique per process and per thread
        tmp = self.directory.with_name(f"{self.directory.name}.tmp-{tag}")
        tmp.mkdir(parents=True)
        try:
            self.table.save(tmp / _TABLE_DIR)
            if self._bm25 is not None:
                self._bm25.save(str(tmp / _BM25_DIR), show_progress=False)
            manifest = {
                "tokenizer": TOKENIZER_VERSION,
                "format": FORMAT_VERSION,
                "fingerprint": self.fingerprint,
                "chunks": len(self.table),
            }
            (tmp / _MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)  # no half-written copy left filling the disk
            raise
        old = self.directory.with_name(f"{self.directory.name}.old-{tag}")
        with _swap_lock(self.directory, exclusive=True):
            if self.directory.exists():
                self.directory.rename(old)
            tmp.rename(self.directory)
            _remove_leftovers(self.directory)
        shutil.rmtree(old, ignore_errors=True)

    def mask(self, filters: Filters) -> np.ndarray:
        """Rows meeting the filters (a boolean per row)."""
        return self.table.mask(filters.conditions())

    def search(self, query: str, k: int, mask: np.ndarray | None = None) -> list[tuple[str, float]]:
        """(chunk id, BM25 score) of the k best chunks with a positive score; `mask` (a boolean per row,
        from `mask()`) restricts the rows."""
        tokens = query_tokens(query)
        if self._bm25 is None or not tokens or k <= 0:
            return []
        if mask is not None and not mask.any():
            return []
        scores = self._bm25.get_scores(tokens)  # what bm25s's retrieve ranks, every row's score
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        return [(self.table.ids[row], float(scores[row])) for row in top_positive(scores, k).tolist()]

    def idf(self, token: str) -> float:
        """Inverse document frequency of a token over the indexed chunks (BM25's smoothed form)."""
        n, df = len(self.table), self.table.document_frequency(token)
        return float(np.log(1.0 + (n - df + 0.5) / (df + 0.5)))

    def doc_tokens(self, doc_id: str) -> set[str]:
        """All tokens of one document's chunks (for terms that locate a report rather than a sentence)."""
        found = self._doc_tokens.get(doc_id)
        if found is None:
            if len(self._doc_tokens) >= _DOC_TOKEN_CACHE:
                self._doc_tokens.clear()
            found = self._doc_tokens[doc_id] = self.table.tokens_of_rows(self.table.rows_of("doc", doc_id))
        return found

    def docs_with(self, token: str) -> set[str]:
        """The documents whose chunks contain the token."""
        codes = np.unique(self.table.codes["doc"][self.table.rows_with(token)])
        values = self.table.values["doc"]
        return {str(values[c]) for c in codes.tolist() if c >= 0}

    def documents(self) -> dict[str, dict[str, Any]]:
        """Each indexed document's filter metadata (that of its first chunk in id order)."""
        out: dict[str, dict[str, Any]] = {}
        docs = self.table.codes["doc"]
        _, first_rows = np.unique(docs, return_index=True)
        for row in first_rows.tolist():
            meta = self.table.meta(row)
            if "doc" in meta:
                out[str(meta["doc"])] = meta
        return out


def top_positive(scores: np.ndarray, k: int) -> np.ndarray:
    """Rows of the k highest positive scores, best first, ties by row (chunk id order).

    Only the positive scores are partitioned: bm25s's retrieve partitions every row's score, most
    of them 0 for a filtered or rare-term query, and np.argpartition over so many equal values took
    ~18 ms at 100k chunks (1.4 ms over distinct values).
    """
    rows = np.flatnonzero(scores > 0) if k > 0 else np.zeros(0, dtype=np.intp)
    if len(rows) > k:
        kth = np.partition(scores[rows], len(rows) - k)[len(rows) - k]
        rows = rows[scores[rows] >= kth]  # the k best, and whatever ties the k-th
    return rows[np.lexsort((rows, -scores[rows]))][:k]


def sync_lexical(source: ChunkSource, lexical: LexicalIndex) -> bool:
    """Make the lexical index match the store's chunks; True if rebuilt.

    When the index in memory does not match, the copy on disk is tried first (another process on
    this machine may have rebuilt it already), then the index is rebuilt from the store.
    """
    want = fingerprint(source.chunk_ids())
    if lexical.fingerprint == want:
        return False
    previous = LexicalIndex(lexical.directory)
    previous.table, previous.fingerprint = lexical.table, lexical.fingerprint
    if lexical.load() and lexical.fingerprint == want:
        return False
    lexical.rebuild(source.chunks(), reuse=previous)
    return True


def refreshed(source: ChunkSource, current: LexicalIndex) -> LexicalIndex | None:
    """A new index matching the store's chunks, or None when `current` already does.

    `current` is left untouched, so threads still searching it are not disturbed; the tokens of its
    chunks are reused.
    """
    want = fingerprint(source.chunk_ids())
    if current.fingerprint == want:
        return None
    fresh = LexicalIndex(current.directory)
    if fresh.load() and fresh.fingerprint == want:
        return fresh
    fresh.rebuild(source.chunks(), reuse=current)
    return fresh


@contextlib.contextmanager
def _swap_lock(directory: Path, exclusive: bool) -> Iterator[None]:
    """`lexical.lock` beside the index: exclusive to swap a new version in, shared to read one.

    A local lock is all the cache needs: it is per machine. Without write access to the store
    directory (a read-only copy) nobody can swap, and reading goes ahead unlocked.
    """
    try:
        fh = open(directory.with_name(directory.name + ".lock"), "a+b")  # noqa: SIM115 - closed below
    except OSError:
        fh = None
    try:
        if fh is not None:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        if fh is not None:
            fh.close()  # releases the lock


def _remove_leftovers(directory: Path) -> None:
    """Temp and old copies of the index left by processes that died while saving (caller holds the lock)."""
    for kind in ("tmp", "old"):
        for path in directory.parent.glob(f"{directory.name}.{kind}-*"):
            pid = path.name[len(f"{directory.name}.{kind}-") :].split("-")[0]  # <pid>-<random>
            if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
                shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _filter_meta(meta: Mapping[str, Any]) -> dict[str, Any]:
    return {key: meta[key] for key in FILTER_KEYS if key in meta}
