"""`assistant bench`: throughput, latency, memory and cold start, measured in one run.

Figures (keys of the JSON object; times in ms unless named _s):
  embed_raw_chars_per_s   the embedder alone on the seed chunks' text, in batches
  ingest_chars_per_s      `Services.ingest` of the seeds into a fresh store (parse, embed chunk and
                          sentence vectors, store, BM25), cleaned characters per second
  ingest_ratio            ingest_chars_per_s / embed_raw_chars_per_s
  seed_search_{dense,lexical,hybrid}_{p50,p95}_ms, seed_ask_{p50,p95}_ms   on the seed store
  scale_chunks, scale_entries, scale_build_s, scale_lexical_build_s        the scale store
  search_{dense,lexical,hybrid}_{p50,p95}_ms, ask_{p50,p95}_ms             at scale (query
                          embedding included: every query is embedded afresh)
  serve_rss_mb            peak RSS of `assistant serve` on the scale store after answering
  serve_ready_s           `assistant serve` start to ready, on the scale store
  cold_start_s            `assistant ask` process start to printed answer, on the scale store
Questions are the non-draft questions of seeds/qa/dev.jsonl, in file order.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from assistant import resources
from assistant.bench.process import free_port, peak_rss_mb
from assistant.bench.rgb_sentences import rgb_sentences
from assistant.bench.scale_corpus import build_pools, fill_store
from assistant.config import Settings
from assistant.embeddings import Embedder, make_embedder
from assistant.errors import AssistantError
from assistant.eval.dataset import load_qa
from assistant.ingest.chunking import chunk_document
from assistant.ingest.document import parse_file
from assistant.services import Services, lexical_dir
from assistant.store.collection import ReportStore

Note = Callable[[str], None]


class BenchError(AssistantError):
    """The benchmark cannot run (its inputs are missing)."""

    exit_code = 2


def seed_inputs() -> tuple[Path, Path]:
    """The bundled sample reports and their dev Q&A set: the benchmark's corpus and questions."""
    seeds = resources.seeds_dir()
    qa_file = seeds / "qa" / "dev.jsonl"
    if not seeds.is_dir() or not any(seeds.glob("*.txt")) or not qa_file.is_file():
        raise BenchError("找不到示例报告 seeds/ 及其问答集 seeds/qa/dev.jsonl，请在项目目录中运行")
    return seeds, qa_file


def default_scale_dir(scale_chunks: int) -> Path:
    """Where the scale store is built once and reused."""
    return Path.home() / ".cache" / "assistant-bench" / f"scale-{scale_chunks}"


def percentile_ms(seconds: Sequence[float], q: float) -> float:
    return round(float(np.percentile(np.asarray(seconds) * 1000.0, q)), 1)


def questions(qa_file: Path) -> list[str]:
    return [item.question for item in load_qa(qa_file) if item.kind != "draft"]


def embed_raw(embedder: Embedder, seed_files: Sequence[Path], max_chars: int) -> float:
    """Characters per second of the embedder alone, on the seed chunks' text."""
    texts = [c.text for f in seed_files for c in chunk_document(parse_file(f.resolve()), max_chars=max_chars)]
    embedder.embed_documents(texts[:4])  # warm-up
    started = time.perf_counter()
    embedder.embed_documents(texts)
    return sum(len(t) for t in texts) / (time.perf_counter() - started)


def latencies(services: Services, qs: Sequence[str], prefix: str) -> dict[str, float]:
    """p50/p95 of search per mode and of extractive ask, each question once per measure."""
    out: dict[str, float] = {}
    clear = getattr(services.embedder, "clear", lambda: None)  # the query-vector cache: no free hits
    for mode in ("dense", "lexical", "hybrid"):
        clear()
        retriever = services.retriever(mode)
        times = []
        for q in qs:
            started = time.perf_counter()
            retriever.search(q, k=5)
            times.append(time.perf_counter() - started)
        out[f"{prefix}search_{mode}_p50_ms"] = percentile_ms(times, 50)
        out[f"{prefix}search_{mode}_p95_ms"] = percentile_ms(times, 95)
    clear()
    answerer = services.answerer()  # built once, as the app does; cold_start_s covers a fresh process
    times = []
    for q in qs:
        started = time.perf_counter()
        answerer.ask(q)
        times.append(time.perf_counter() - started)
    out[f"{prefix}ask_p50_ms"] = percentile_ms(times, 50)
    out[f"{prefix}ask_p95_ms"] = percentile_ms(times, 95)
    return out


def seed_figures(settings: Settings, embedder: Embedder, seeds: Path, qs: Sequence[str], note: Note) -> dict[str, Any]:
    seed_files = sorted(p for p in seeds.glob("*.txt"))
    note("嵌入模型原始吞吐")
    raw = embed_raw(embedder, seed_files, settings.chunk_max_chars)
    with tempfile.TemporaryDirectory(prefix="bench-seeds-") as tmp:
        # Parsed in-process (parse_timeout_s=0): the figure is the pipeline's, not the parse worker's start.
        local = replace(settings, store_dir=Path(tmp), chroma_url=None, parse_timeout_s=0)
        note("完整导入示例报告")
        started = time.perf_counter()
        services = Services.open(local, embedder=embedder)  # a fresh store of its own: nobody else writes
        report = services.ingest([seeds])
        ingest_s = time.perf_counter() - started
        note("示例库检索延迟")
        figures = latencies(services, qs, "seed_")
    ingest = report.chars / ingest_s
    return {
        "embed_raw_chars_per_s": round(raw),
        "ingest_chars_per_s": round(ingest),
        "ingest_ratio": round(ingest / raw, 3),
        "seed_chunks": report.chunks,
        "seed_chars": report.chars,
        "ingest_s": round(ingest_s, 2),
        **figures,
    }


def scale_store(
    settings: Settings, embedder: Embedder, seeds: Path, n_chunks: int, extra: Sequence[str], note: Note
) -> dict[str, Any]:
    """Open (or build once) the scale store in settings.store_dir; returns how it was built."""
    store = ReportStore.open(settings, embedder.name)
    have = store.count()
    figures: dict[str, Any] = {"scale_chunks": n_chunks}
    if have != n_chunks:
        if have:
            ReportStore.drop(settings)
            store = ReportStore.open(settings, embedder.name)
        note(f"构建 {n_chunks} 段的规模测试库（只需一次）")
        started = time.perf_counter()
        pools = build_pools(sorted(seeds.glob("*.txt")), extra, embedder, settings.chunk_max_chars)
        figures["scale_pool_sentences"] = len(pools.sentences)
        figures["scale_pool_headings"] = len(pools.headings)

        def progress(done: int, total: int) -> None:
            note(f"写入规模测试库 {done}/{total}")

        fill_store(store, pools, n_chunks, settings.chunk_max_chars, progress)
        figures["scale_build_s"] = round(time.perf_counter() - started, 1)
    figures["scale_entries"] = store.entry_count()
    services = Services(settings, store, lexical_dir(settings), embedder=embedder)
    started = time.perf_counter()
    services.sync_lexical()
    figures["scale_lexical_sync_s"] = round(time.perf_counter() - started, 2)
    return figures


def cold_start_s(store_dir: Path, question: str) -> float:
    """Wall time of a fresh `assistant ask --json` process on an existing store."""
    env = {**os.environ, "ASSISTANT_STORE_DIR": str(store_dir)}
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "assistant", "ask", question, "--json"], capture_output=True, text=True, env=env
    )
    if out.returncode != 0:
        raise RuntimeError(f"assistant ask 失败：{out.stderr[-2000:]}")
    json.loads(out.stdout)
    return round(time.perf_counter() - started, 2)


def serve_figures(store_dir: Path, qs: Sequence[str], note: Note) -> dict[str, Any]:
    """Start `assistant serve` on the store, answer questions through its API, read its peak RSS."""
    from gradio_client import Client

    port = free_port()
    env = {**os.environ, "ASSISTANT_STORE_DIR": str(store_dir), "GRADIO_ANALYTICS_ENABLED": "False"}
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 600
        while True:
            if proc.poll() is not None:
                raise RuntimeError("assistant serve 启动失败")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("assistant serve 未在 600 秒内就绪") from None
                time.sleep(0.2)
        ready = time.perf_counter() - started
        note("通过网页服务接口提问")
        client = Client(url, verbose=False)
        for q in qs:
            client.predict(q, api_name="/ask")
        return {"serve_ready_s": round(ready, 2), "serve_rss_mb": peak_rss_mb(proc.pid)}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def run_bench(
    settings: Settings,
    *,
    scale_chunks: int,
    scale_dir: Path | None = None,
    rgb: Path | None = None,
    rgb_limit: int = 2000,
    note: Note = lambda _: None,
) -> dict[str, Any]:
    """Every figure in one dict (see the module docstring). `rgb`: an RGB file whose sentences widen the
    scale store's sentence pool (up to `rgb_limit`, evaluation only)."""
    seeds, qa_file = seed_inputs()
    extra_sentences = rgb_sentences(rgb, rgb_limit) if rgb else []
    scale_dir = scale_dir or default_scale_dir(scale_chunks)
    qs = questions(qa_file)
    started = time.perf_counter()
    embedder = make_embedder(settings.embedding_model, settings.embed_batch_size)
    figures: dict[str, Any] = {"embedder": embedder.name, "model_load_s": round(time.perf_counter() - started, 2)}
    figures["queries"] = len(qs)
    figures.update(seed_figures(settings, embedder, seeds, qs, note))
    if scale_chunks > 0:
        scale_settings = replace(settings, store_dir=scale_dir, chroma_url=None)
        figures.update(scale_store(scale_settings, embedder, seeds, scale_chunks, extra_sentences, note))
        note("规模库检索延迟")
        figures.update(latencies(Services.open(scale_settings, embedder=embedder), qs, ""))
        note("冷启动（新进程到第一个回答）")
        figures["cold_start_s"] = cold_start_s(scale_dir, qs[0])
        note("网页服务内存")
        figures.update(serve_figures(scale_dir, qs[:20], note))
    figures["cpu_count"] = os.cpu_count()
    figures["load_avg_1m"] = round(os.getloadavg()[0], 2)
    figures["rgb_sentences"] = len(extra_sentences)
    return figures
