"""Benchmark: the figure ledger (issue 15) on real reports, and `assistant ledger --json` on a large one.

    python scripts/bench_ledger.py [PATH ...] [--chunks N] [--json]
        (default PATH: seeds/ and ../shared/corpora; default N: 100000)

1. Build: every report parsed and chunked as ingest does (not timed), then its rows extracted and
   written to a ledger (`Ledger.write_chunks`, what the ingest writer does per document): documents,
   chunks, rows, build seconds. Compare with `assistant bench --ingest PATH` (its `ledger_s` and
   `ledger_share` are the same work measured inside a real ingest).
2. Scale: the rows repeated (other doc ids) until they stand for N chunks, in the ledger file of a
   store directory whose Chroma collection is empty (the command's check that the ledger is current
   is one count request, whatever the store's size); then `python -m assistant ledger --json` (and
   `--place`, `--indicator` filtered) timed as a subprocess (after one warm-up run): wall clock from
   start to exit, and its CPU seconds (user + system: the figure that holds on a loaded machine).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    from dataclasses import replace

    from assistant.config import Settings
    from assistant.embeddings import embedder_name
    from assistant.ingest.chunking import chunk_document
    from assistant.ingest.document import parse_file
    from assistant.ingest.walk import expand_paths
    from assistant.ledger.evaluate import corpora_dir
    from assistant.ledger.extract import EXTRACTOR_VERSION
    from assistant.ledger.store import LEDGER_FILE, Ledger
    from assistant.store.collection import ReportStore

    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    paths = args.paths or [ROOT / "seeds", corpora_dir()]
    files, _ = expand_paths(paths, [])
    docs = []
    for path in files:
        parsed = parse_file(path.resolve(), timeout_s=0)
        docs.append((parsed, chunk_document(parsed)))
    chunks = sum(len(c) for _, c in docs)
    with tempfile.TemporaryDirectory(prefix="bench-ledger-") as tmp:
        ledger = Ledger(Path(tmp) / "build.sqlite")
        started = time.perf_counter()
        for parsed, doc_chunks in docs:
            ledger.write_chunks(parsed.meta.doc_id, parsed.meta.sha256, doc_chunks)
        build_s = time.perf_counter() - started
        rows = ledger.rows()
        store_dir = Path(tmp) / "store"
        settings = replace(Settings.from_env(), store_dir=store_dir, chroma_url=None)
        ReportStore.open(settings, embedder_name(settings.embedding_model))  # an empty collection
        big = Ledger(store_dir / LEDGER_FILE)
        copies = max(1, math.ceil(args.chunks / max(chunks, 1)))
        for i in range(copies):
            by_doc: dict[str, list] = {}
            for r in rows:
                by_doc.setdefault(r.doc, []).append(replace(r, doc=f"{r.doc}#{i}"))
            for doc, doc_rows in by_doc.items():
                big.write(doc, "x", doc_rows)
        big.set_meta("entries", "0")
        big.set_meta("version", EXTRACTOR_VERSION)
        env = {**os.environ, "ASSISTANT_STORE_DIR": str(store_dir), "PYTHONPATH": str(ROOT)}
        timings = {}
        queries = {"all": [], "place": ["--place", "海拉尔区"], "indicator": ["--indicator", "地区生产总值"]}
        subprocess.run([sys.executable, "-m", "assistant", "ledger", "--doc", "-", "--json"], env=env, check=True,
                       capture_output=True)  # fmt: skip
        for label, extra in queries.items():
            cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            out = subprocess.run([sys.executable, "-m", "assistant", "ledger", *extra, "--json"],
                                 capture_output=True, env=env, check=True)  # fmt: skip
            wall = time.perf_counter() - started
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu_s = after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime
            timings[label] = {"wall_s": round(wall, 2), "cpu_s": round(cpu_s, 2),
                              "rows": len(json.loads(out.stdout)["rows"]), "bytes": len(out.stdout)}  # fmt: skip
        result_load = round(os.getloadavg()[0], 2)
        result = {
            "files": len(files),
            "chunks": chunks,
            "rows": len(rows),
            "build_s": round(build_s, 2),
            "build_ms_per_chunk": round(build_s * 1000 / max(chunks, 1), 3),
            "scale_chunks": chunks * copies,
            "scale_rows": big.count(),
            "ledger_json": timings,
            "load_avg_1m": result_load,
            "cpu_count": os.cpu_count(),
        }
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        for key, value in result.items():
            print(f"{key}: {value}")


if __name__ == "__main__":
    main()
