"""Benchmark: the same corpus and queries through the embedded store and through `chroma run`.

    python scripts/bench_server_mode.py [PATH ...] [--queries N] [--json]   (default PATH: seeds/)

Starts a Chroma server on a free 127.0.0.1 port with a temporary --path (stopped at the end), then
ingests the corpus into a fresh embedded store and through the server (one embedder, loaded once,
not timed), and times search and ask per query, alternating the two modes so that load from other
processes hits both alike. Also times the app's per-request change check (Services.refresh) and a
full chunk-id fingerprint. Reports p50 in milliseconds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.bench.process import free_port  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.ingest.pipeline import ingest_paths  # noqa: E402
from assistant.services import Services  # noqa: E402
from assistant.store.lexical import fingerprint  # noqa: E402


def start_server(path: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with log.open("wb") as fh:
        proc = subprocess.Popen(
            ["chroma", "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
            stdout=fh,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2):
                return proc, url
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"chroma run did not start:\n{log.read_text(errors='replace')[-3000:]}")


class TimedEmbedder:
    """The embedder, with the time spent embedding documents added up (to separate it from store time)."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.name, self.seconds = inner, inner.name, 0.0

    def embed_documents(self, texts: Any, progress: Any = None) -> Any:
        t0 = time.perf_counter()
        try:
            return self.inner.embed_documents(texts, progress=progress)
        finally:
            self.seconds += time.perf_counter() - t0

    def embed_query(self, text: str) -> Any:
        return self.inner.embed_query(text)


def p50_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 1)


def ingest_figures(modes: dict[str, Services], paths: list[Path], embedder: Any) -> dict[str, Any]:
    """Ingest the corpus into each store, timing what is not embedding too (ingest_paths directly:
    the embedder is wrapped to time it, and each store is fresh, nothing to settle)."""
    figures: dict[str, Any] = {}
    for name, services in modes.items():
        timed = TimedEmbedder(embedder)
        t0 = time.perf_counter()
        report = ingest_paths(paths, services.store, timed, max_chars=services.settings.chunk_max_chars)
        services.sync_lexical()
        figures[f"{name}.ingest_s"] = round(time.perf_counter() - t0, 2)
        figures[f"{name}.ingest_not_embedding_s"] = round(time.perf_counter() - t0 - timed.seconds, 2)
        figures[f"{name}.chunks"] = report.chunks
        figures["chars"] = report.chars
    return figures


def query_timings(modes: dict[str, Services], questions: list[str], embedder: Any) -> dict[str, list[float]]:
    """Search (with a ready vector, and embedding the query) and ask, per question, alternating the modes;
    then the server's per-request change check and a full fingerprint."""
    retrievers = {name: s.retriever() for name, s in modes.items()}
    answerers = {name: s.answerer() for name, s in modes.items()}
    timings: dict[str, list[float]] = {}

    def timed(key: str, call: Any, *args: Any, **kwargs: Any) -> None:
        t0 = time.perf_counter()
        call(*args, **kwargs)
        timings.setdefault(key, []).append(time.perf_counter() - t0)

    for question in questions:
        vector = embedder.embed_query(question)
        for name in modes:
            timed(f"{name}.search_store_ms", retrievers[name].search, question, k=5, vector=vector)
            timed(f"{name}.search_ms", retrievers[name].search, question, k=5)
            timed(f"{name}.ask_ms", answerers[name].ask, question)
    server = modes["server"]
    server.refresh()
    for _ in range(len(questions)):
        timed("server.refresh_unchanged_ms", server.refresh)
        timed("server.full_fingerprint_ms", lambda: fingerprint(server.store.chunk_ids()))
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, default=[ROOT / "seeds"])
    parser.add_argument("--queries", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    questions = [
        json.loads(line)["question"]
        for line in (ROOT / "seeds" / "qa" / "dev.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ][: args.queries]
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        proc, url = start_server(base / "server-data", base / "server.log")
        try:
            embedded = Services.open(Settings(store_dir=base / "embedded"))
            embedder = embedded.embedder
            server = Services.open(Settings(store_dir=base / "client", chroma_url=url), embedder=embedder)
            modes = {"embedded": embedded, "server": server}
            embedder.embed_query("预热")
            figures: dict[str, Any] = {"load_avg_1m_before": round(os.getloadavg()[0], 2)}
            figures.update(ingest_figures(modes, args.paths, embedder))
            timings = query_timings(modes, questions, embedder)
            figures.update({key: p50_ms(samples) for key, samples in timings.items()})
            figures["queries"] = len(questions)
            figures["load_avg_1m_after"] = round(os.getloadavg()[0], 2)
        finally:
            proc.terminate()
            proc.wait(timeout=15)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key:32} {value}")


if __name__ == "__main__":
    main()
