"""Benchmark: ingest a corpus into a fresh temporary store and report the figures the issues ask for.

    python scripts/bench_ingest.py [PATH ...] [--json]      (default PATH: seeds/)

Prints chunk count, ingest wall time, cleaned chars/s, smallest/largest chunk, peak RSS.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.config import Settings  # noqa: E402
from assistant.embeddings import make_embedder  # noqa: E402
from assistant.ingest.pipeline import ingest_paths  # noqa: E402
from assistant.store.collection import ReportStore  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, default=[ROOT / "seeds"])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    env_settings = Settings.from_env()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(store_dir=Path(tmp), embedding_model=env_settings.embedding_model)
        t0 = time.perf_counter()
        embedder = make_embedder(settings.embedding_model, settings.embed_batch_size)
        load_s = time.perf_counter() - t0
        store = ReportStore.open(settings, embedder.name)
        report = ingest_paths(args.paths, store, embedder, max_chars=settings.chunk_max_chars)
        t1 = time.perf_counter()
        again = ingest_paths(args.paths, store, embedder, max_chars=settings.chunk_max_chars)
        reingest_s = time.perf_counter() - t1
        sizes = [int(m["end"]) - int(m["start"]) for m in store.chunk_metadata()]
    figures = {
        "embedder": embedder.name,
        "files": report.files,
        "errors": len(report.errors),
        "chunks": report.chunks,
        "cleaned_chars": report.chars,
        "model_load_s": round(load_s, 2),
        "ingest_s": report.seconds,
        "chars_per_s": round(report.chars / report.seconds, 1) if report.seconds else None,
        "reingest_unchanged_s": round(reingest_s, 2),
        "reingest_unchanged_docs": again.unchanged,
        "chunk_chars_min": min(sizes) if sizes else 0,
        "chunk_chars_max": max(sizes) if sizes else 0,
        "chunk_chars_mean": round(sum(sizes) / len(sizes), 1) if sizes else 0,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key:>24}: {value}")


if __name__ == "__main__":
    main()
