"""`assistant doctor`: check the store, and with `repair` rebuild a broken one from its sources.

Checks (each {"name", "ok", "detail"}): `sqlite` (PRAGMA quick_check of chroma.sqlite3), `collection`
(present, entries), `embedder` (the name the store records against the configured one), `lexical`
(the BM25 index in line with the store), `hnsw` (the vector index files of each segment), `lock`
(free, or who holds it), `journal` (writes a crash left to settle).

Repair (the caller holds the write lock): a store whose database is broken or unreadable is moved
aside (store/health.move_aside, never deleted) and built anew from the source files the store
recorded for its documents (sources.json in the store directory, written after every ingest; what
can still be read from the broken database too) and the staged uploads (`uploads/`). A healthy store
only has its interrupted writes settled and its lexical index brought in line.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.embeddings import embedder_name
from assistant.ingest.pipeline import IngestReport
from assistant.store import health
from assistant.store.client import chroma_dir
from assistant.store.lock import LOCK_NAME, StoreBusyError, StoreLock

SOURCES_FILE = "sources.json"  # {doc id: source path} of the ingested documents (Services.ingest)
UPLOADS_DIR = "uploads"  # the app's staged uploads (ui/server.py)
HNSW_FILES = ("header.bin", "data_level0.bin", "length.bin", "link_lists.bin")
REPORT_SUFFIXES = (".txt", ".md", ".docx", ".pdf")


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


@dataclass
class Repair:
    set_aside: str | None = None  # where the broken chroma folder went
    reingested: list[str] = field(default_factory=list)  # files ingested into the new store
    missing: list[str] = field(default_factory=list)  # recorded source files no longer there
    errors: list[dict[str, str]] = field(default_factory=list)  # files the new ingest could not read
    settled: list[dict[str, str]] = field(default_factory=list)  # interrupted writes settled
    lexical_rebuilt: bool = False


@dataclass
class Diagnosis:
    store: str
    checks: list[Check]
    repair: Repair | None = None

    @property
    def healthy(self) -> bool:
        return all(c.ok for c in self.checks)

    def broken(self, *names: str) -> bool:
        return any(not c.ok for c in self.checks if c.name in names)

    def to_json(self) -> dict[str, Any]:
        return {
            "store": self.store,
            "healthy": self.healthy,
            "checks": [asdict(c) for c in self.checks],
            "repair": asdict(self.repair) if self.repair is not None else None,
        }


def diagnose(settings: Settings, *, holding_lock: bool = False) -> Diagnosis:
    """Every check, cheapest first; the collection is not opened when the database file is broken."""
    checks: list[Check] = []
    server = settings.chroma_url is not None
    problem = None if server else health.sqlite_problem(settings, thorough=True)
    path = health.sqlite_path(settings)
    if server:
        checks.append(Check("sqlite", True, f"Chroma 服务器模式（{settings.chroma_url}），数据库由服务器管理"))
    elif problem is not None:
        checks.append(Check("sqlite", False, f"{path} 已损坏：{problem}"))
    else:
        checks.append(Check("sqlite", True, f"{path} 完好" if path.is_file() else "尚未创建（新向量库）"))
    if problem is None:
        checks += _collection_checks(settings)
    if not server:
        checks.append(_hnsw_check(settings))
    checks.append(_lock_check(settings, holding_lock))
    pending = len(list((settings.store_dir / "journal").glob("*.json")))
    checks.append(Check("journal", True, f"{pending} 个中断的写入待收尾（下次写入时自动处理）" if pending else "无"))
    return Diagnosis(str(settings.store_dir), checks)


def _collection_checks(settings: Settings) -> list[Check]:
    from assistant.store.lexical import LexicalIndex, fingerprint

    try:
        client = health_client(settings)
        names = [c.name for c in client.list_collections()]
        if settings.collection not in names:
            return [Check("collection", True, f"集合 {settings.collection} 尚未创建（尚未导入）")]
        collection = client.get_collection(settings.collection)
        entries = int(collection.count())
        recorded = (collection.metadata or {}).get("embedder")
        chunk_ids = collection.get(where={"unit": "chunk"}, include=[])["ids"]
    except Exception as exc:
        failure = health.store_failure(exc, settings)
        return [Check("collection", False, failure.message if failure else f"无法读取：{type(exc).__name__}: {exc}")]
    configured = embedder_name(settings.embedding_model)
    checks = [
        Check("collection", True, f"集合 {settings.collection}：{len(chunk_ids)} 个段落，共 {entries} 条"),
        Check(
            "embedder",
            recorded == configured,
            f"{recorded}"
            if recorded == configured
            else f"向量库由 {recorded} 构建，当前配置 {configured}；请改回原模型或 assistant ingest --rebuild",
        ),
    ]
    lexical = LexicalIndex(settings.store_dir / "lexical")
    if not lexical.load():
        checks.append(Check("lexical", bool(not chunk_ids), "关键词索引缺失或损坏（下次检索时自动重建）"))
    elif lexical.fingerprint != fingerprint(chunk_ids):
        checks.append(Check("lexical", False, "关键词索引与向量库不一致（下次检索时自动重建）"))
    else:
        checks.append(Check("lexical", True, f"{len(lexical)} 个段落"))
    return checks


def health_client(settings: Settings) -> Any:
    from assistant.store.client import open_client

    return open_client(settings)


def _hnsw_check(settings: Settings) -> Check:
    root = chroma_dir(settings)
    segments = [d for d in root.iterdir() if d.is_dir()] if root.is_dir() else []
    bad = []
    for seg in segments:
        absent = [f for f in HNSW_FILES if not (seg / f).is_file()]
        if absent or (seg / "header.bin").stat().st_size == 0:
            bad.append(f"{seg.name} 缺少 {'、'.join(absent) or 'header.bin 内容'}")
    if bad:
        return Check("hnsw", False, "向量索引文件不全：" + "；".join(bad) + "（Chroma 打开时会从数据库重建）")
    none = "尚无向量索引文件（条目少时只在数据库中）"
    return Check("hnsw", True, f"{len(segments)} 个向量索引" if segments else none)


def _lock_check(settings: Settings, holding_lock: bool) -> Check:
    if holding_lock:
        return Check("lock", True, "本进程持有写锁")
    try:
        lock = StoreLock(settings.store_dir).acquire()
    except StoreBusyError:
        holder = (settings.store_dir / LOCK_NAME).read_text(encoding="utf-8", errors="replace").strip()
        return Check("lock", True, f"正被写入：{holder or '未知进程'}")
    lock.release()
    return Check("lock", True, "空闲")


# -- the record of sources -------------------------------------------------------------------------
def record_sources(settings: Settings, sources: dict[str, str]) -> None:
    """Write the documents' source paths (doc id -> path) to the store directory, atomically."""
    path = settings.store_dir / SOURCES_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(sources, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
    tmp.replace(path)


def recorded_sources(settings: Settings, broken_db: Path | None = None) -> dict[str, str]:
    """doc id -> source path: sources.json, then whatever a (broken) database file still yields."""
    sources: dict[str, str] = {}
    if broken_db is not None and broken_db.is_file():
        sources.update(_salvage(broken_db))
    try:
        saved = json.loads((settings.store_dir / SOURCES_FILE).read_text(encoding="utf-8"))
        sources.update({str(k): str(v) for k, v in saved.items() if v})
    except (OSError, ValueError, AttributeError):
        pass
    return sources


def _salvage(db: Path) -> dict[str, str]:
    """Documents' sources read from a damaged Chroma database, as far as sqlite still reads it."""
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    except sqlite3.Error:
        return {}
    out: dict[str, str] = {}
    try:
        rows = con.execute(
            "SELECT d.string_value, s.string_value FROM embedding_metadata d JOIN embedding_metadata s "
            "ON d.id = s.id AND s.key = 'source' WHERE d.key = 'doc'"
        )
        for doc, source in rows:
            if doc and source:
                out[str(doc)] = str(source)
    except sqlite3.Error:
        pass
    finally:
        con.close()
    return out


def uploads(settings: Settings) -> list[Path]:
    folder = settings.store_dir / UPLOADS_DIR
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in REPORT_SUFFIXES)


def repair(settings: Settings, lock: StoreLock) -> Diagnosis:
    """Diagnose, then repair what is broken (see the module docstring); `lock` is the held write lock."""
    from assistant.services import Services

    found = diagnose(settings, holding_lock=True)
    fix = Repair()
    if settings.chroma_url is None and found.broken("sqlite", "collection"):
        db = health.sqlite_path(settings)
        sources = recorded_sources(settings, db)
        moved = health.move_aside(settings)
        fix.set_aside = str(moved) if moved else None
        paths: dict[str, Path] = {}
        for source in sorted(set(sources.values())):
            path = Path(source)
            if path.is_file():
                paths[str(path.resolve())] = path
            else:
                fix.missing.append(source)
        for path in uploads(settings):
            paths.setdefault(str(path.resolve()), path)
        services = Services.open(settings, lock=lock)
        report: IngestReport = services.ingest(list(paths.values())) if paths else IngestReport()
        fix.reingested = [str(p) for p in paths.values()]
        fix.errors = report.errors
    else:
        # Opened as a reader (it cannot take the lock this process holds), so settling is left to here.
        services = Services.open(settings)
        fix.settled = [{"doc": d, "outcome": o} for d, o in services.settle(holding_lock=True)]
        fix.lexical_rebuilt = services.sync_lexical()
    after = diagnose(settings, holding_lock=True)
    after.repair = fix
    return after
