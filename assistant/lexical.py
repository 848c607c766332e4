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
import fcntl
import hashlib
import json
import logging
import os
import shutil
import threading
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

TOKENIZER_VERSION = "jieba-search-nfkc-v1"
_MANIFEST = "manifest.json"
_RECORDS = "records.jsonl"
_BM25_DIR = "bm25"
_jieba_lock = threading.Lock()


# Words that say how to answer, not what about; they must not drive sentence matching.
QUESTION_WORDS = frozenset(
    "多少 几 几个 几次 几项 几条 几家 哪些 哪个 哪几 哪 什么 怎么 怎么样 怎样 如何 是否 有没有 有无 吗 呢 吧 啊 "
    "了 的 得 地 是 有 在 和 与 及 或 都 也 还 又 各 各自 分别 一共 总共 共 合计 大概 大约 情况 方面 "
    "请问 一下 说说 讲讲 介绍 告诉 我 你 报告 报告里 里 中 上 那个 这个 那 这 去年 今年 明年 搞 做 弄 "
    "哪里 为什么 多大 多久 多长 谁 乡 镇 全乡 工作 年 多 各是 写 那个乡 几份 份 钱 要 说 给 来 能 想 叫 跟 "
    "种 办 投 所在 这块 一年 打算 准备 县 村 个 月 名 处 号 样 里 到 现在 已经 目前 一共有 各种 "
    "哪几个 哪几 多少钱 几名 几处 几场 几期 几块 几样 啥 些 些啥 咋 咋样 么 哪儿 号称 各乡 各镇 各村 几个乡 "
    # drafting requests: how to write, not what about
    "帮 帮我 帮忙 起草 拟 拟个 拟一份 写 写个 写一份 一份 一个 一篇 份 篇 替 请 稿 材料 方案".split()
)


def tokenize_precise(text: str) -> list[str]:
    """jieba default-mode tokens (one token per word, no overlapping sub-words); punctuation dropped."""
    normalised = unicodedata.normalize("NFKC", text).lower()
    with _jieba_lock:
        tokens = _jieba().lcut(normalised)
    return [t for t in (tok.strip() for tok in tokens) if t and any(ch.isalnum() for ch in t)]


def query_tokens(text: str) -> list[str]:
    """BM25 query tokens: like `tokenize`, without the words that only say how to answer (多少, 哪些 …)."""
    tokens = [t for t in tokenize(text) if t not in QUESTION_WORDS]
    return tokens or tokenize(text)


def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


def tokenize(text: str) -> list[str]:
    """jieba search-mode tokens of NFKC-normalised, lower-cased text; punctuation and spaces dropped."""
    normalised = unicodedata.normalize("NFKC", text).lower()
    with _jieba_lock:  # jieba's lazy dictionary load is not thread-safe
        tokens = _jieba().lcut_for_search(normalised)
    return [t for t in (tok.strip() for tok in tokens) if t and any(ch.isalnum() for ch in t)]


@dataclass(frozen=True)
class LexicalRecord:
    """One indexed chunk: its id, tokens, and the metadata that filters look at."""

    chunk_id: str
    tokens: tuple[str, ...]
    meta: dict[str, Any]


def fingerprint(chunk_ids: Iterable[str]) -> str:
    digest = hashlib.sha256(TOKENIZER_VERSION.encode())
    for cid in sorted(chunk_ids):
        digest.update(cid.encode())
        digest.update(b"\n")
    return digest.hexdigest()


def index_text(text: str, meta: dict[str, Any]) -> str:
    """What BM25 sees for a chunk: title and section headings add the terms a user names."""
    return "\n".join(str(x) for x in (meta.get("title", ""), meta.get("section", ""), text) if x)


class LexicalIndex:
    """BM25 over chunk tokens with a metadata mask for filters; load/save under `directory`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.records: list[LexicalRecord] = []
        self.fingerprint = ""
        self._bm25: Any = None
        self._df: dict[str, int] | None = None
        self._doc_tokens: dict[str, set[str]] | None = None

    def __len__(self) -> int:
        return len(self.records)

    def load(self) -> bool:
        """Load the persisted index; False when there is none or it is unreadable."""
        if not (self.directory / _MANIFEST).exists():
            return False
        try:
            with _swap_lock(self.directory, exclusive=False):
                manifest = json.loads((self.directory / _MANIFEST).read_text(encoding="utf-8"))
                if manifest.get("tokenizer") != TOKENIZER_VERSION:
                    return False
                with (self.directory / _RECORDS).open(encoding="utf-8") as fh:
                    records = [_record_from_json(line) for line in fh if line.strip()]
                bm25 = None
                if records:
                    import bm25s

                    bm25 = bm25s.BM25.load(str(self.directory / _BM25_DIR), show_progress=False, verbosity=0)
        except (OSError, ValueError, KeyError):
            return False
        self.records, self.fingerprint, self._bm25 = records, str(manifest["fingerprint"]), bm25
        self._df, self._doc_tokens = None, None
        return True

    def rebuild(self, chunks: Sequence[tuple[str, str, dict[str, Any]]], reuse: Sequence[LexicalRecord] = ()) -> None:
        """Index (chunk id, text, metadata) triples, reusing tokens of chunks already indexed (here or
        in `reuse`), and save."""
        known = {r.chunk_id: r.tokens for r in (*reuse, *self.records)}
        records = [
            LexicalRecord(cid, known.get(cid) or tuple(tokenize(index_text(text, meta))), _filter_meta(meta))
            for cid, text, meta in sorted(chunks, key=lambda c: c[0])
        ]
        bm25 = None
        if records:
            import bm25s

            bm25 = bm25s.BM25()
            bm25.index([list(r.tokens) for r in records], show_progress=False)
        self.records, self._bm25, self._df, self._doc_tokens = records, bm25, None, None
        self.fingerprint = fingerprint(r.chunk_id for r in records)
        self._save()

    def _save(self) -> None:
        """Write to a private sibling temp dir, then swap it in under the exclusive lock, so a crash never
        leaves a half-written index and processes saving at the same time never collide (the last wins)."""
        tag = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"  # unique per process and per thread
        tmp = self.directory.with_name(f"{self.directory.name}.tmp-{tag}")
        tmp.mkdir(parents=True)
        with (tmp / _RECORDS).open("w", encoding="utf-8") as fh:
            for r in self.records:
                fh.write(json.dumps(asdict(r), ensure_ascii=False) + "\n")
        if self._bm25 is not None:
            self._bm25.save(str(tmp / _BM25_DIR), show_progress=False)
        manifest = {"tokenizer": TOKENIZER_VERSION, "fingerprint": self.fingerprint, "chunks": len(self.records)}
        (tmp / _MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
        old = self.directory.with_name(f"{self.directory.name}.old-{tag}")
        with _swap_lock(self.directory, exclusive=True):
            if self.directory.exists():
                self.directory.rename(old)
            tmp.rename(self.directory)
            _remove_leftovers(self.directory)
        shutil.rmtree(old, ignore_errors=True)

    def search(self, query: str, k: int, allowed: set[str] | None = None) -> list[tuple[str, float]]:
        """(chunk id, BM25 score) of the k best chunks with a positive score; `allowed` restricts ids."""
        tokens = query_tokens(query)
        if self._bm25 is None or not tokens or k <= 0:
            return []
        mask = None
        if allowed is not None:
            mask = np.array([r.chunk_id in allowed for r in self.records], dtype=np.float32)
            if not mask.any():
                return []
        n = min(k, len(self.records))
        ids, scores = self._bm25.retrieve([tokens], k=n, show_progress=False, weight_mask=mask)
        return [(self.records[int(i)].chunk_id, float(s)) for i, s in zip(ids[0], scores[0], strict=True) if s > 0]

    def idf(self, token: str) -> float:
        """Inverse document frequency of a token over the indexed chunks (BM25's smoothed form)."""
        if self._df is None:
            df: dict[str, int] = {}
            for r in self.records:
                for tok in set(r.tokens):
                    df[tok] = df.get(tok, 0) + 1
            self._df = df
        n = len(self.records)
        return float(np.log(1.0 + (n - self._df.get(token, 0) + 0.5) / (self._df.get(token, 0) + 0.5)))

    def doc_tokens(self, doc_id: str) -> set[str]:
        """All tokens of one document's chunks (for terms that locate a report rather than a sentence)."""
        if self._doc_tokens is None:
            by_doc: dict[str, set[str]] = {}
            for r in self.records:
                by_doc.setdefault(str(r.meta.get("doc", "")), set()).update(r.tokens)
            self._doc_tokens = by_doc
        return self._doc_tokens.get(doc_id, set())

    def ids_matching(self, predicate: Callable[[dict[str, Any]], bool]) -> set[str]:
        """Ids of chunks whose filter metadata satisfies `predicate`."""
        return {r.chunk_id for r in self.records if predicate(r.meta)}


_FILTER_KEYS = ("doc", "township", "kind", "part", "part_kind", "year_min", "year_max")


class ChunkSource(Protocol):
    """What the index is synced from (the dense store)."""

    def chunk_ids(self) -> list[str]: ...

    def chunks(self, ids: Sequence[str] | None = None) -> list[tuple[str, str, dict[str, Any]]]: ...


def sync_lexical(source: ChunkSource, lexical: LexicalIndex) -> bool:
    """Make the lexical index match the store's chunks; True if rebuilt.

    When the index in memory does not match, the copy on disk is tried first (another process on
    this machine may have rebuilt it already), then the index is rebuilt from the store.
    """
    want = fingerprint(source.chunk_ids())
    if lexical.fingerprint == want:
        return False
    previous = lexical.records
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
    fresh.rebuild(source.chunks(), reuse=current.records)
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


def _filter_meta(meta: dict[str, Any]) -> dict[str, Any]:
    return {key: meta[key] for key in _FILTER_KEYS if key in meta}


def _record_from_json(line: str) -> LexicalRecord:
    raw = json.loads(line)
    return LexicalRecord(str(raw["chunk_id"]), tuple(raw["tokens"]), dict(raw["meta"]))
