"""Benchmark: RGB zh_refine (300 questions, ~7,300 pooled passages) through the product's ingest and retrieval.

    python scripts/bench_rgb.py [--data FILE] [--store DIR] [--limit-questions N] [--modes dense,lexical,hybrid]

Pools the positive and negative passages of the questions, stores each as a short document with the
product's own ingest (files under STORE/passages, then ingest_paths: clean, structure, chunk, embed
sentences and headings, Chroma + BM25), and reports per retrieval mode whether a chunk holding the
answer is in the top 1 / 5 / 20, and how often the extractive Answerer's answer holds it (rules in
assistant/eval/rgb.py). The store is kept (default ~/.cache/assistant-rgb/<all|qN>) and reused: a
second run embeds nothing, an interrupted one resumes. Figures go to benchmarks/rgb_results.{json,md}
for a full run, to the store directory for a --limit-questions run; per-item details (they quote the
data) only to the store directory. The data (CC BY-NC-SA 4.0) is read in place, never copied here.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from assistant.config import Settings  # noqa: E402
from assistant.embeddings import Embedder  # noqa: E402
from assistant.eval import rgb  # noqa: E402
from assistant.generation.answer import Answerer  # noqa: E402
from assistant.ingest.chunking import chunk_document  # noqa: E402
from assistant.ingest.document import parse_text  # noqa: E402
from assistant.ingest.pipeline import ingest_paths  # noqa: E402
from assistant.ingest.vectors import EmbeddingPlan  # noqa: E402
from assistant.retrieval import DENSE_WEIGHT, LEXICAL_WEIGHT, RRF_K  # noqa: E402
from assistant.services import RETRIEVAL_MODES, Services  # noqa: E402
from assistant.store.lock import StoreLock  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "benchmarks" / "rgb" / "zh_refine.json"
DEFAULT_CACHE = Path.home() / ".cache" / "assistant-rgb"
BUILD_STATS = "build.json"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Progress:
    """One line on stderr every few seconds while embedding: done/total, rate, time left."""

    def __init__(self, every_s: float = 10.0) -> None:
        self.every_s, self.started, self.last = every_s, time.perf_counter(), 0.0

    def __call__(self, done: int, total: int, label: str) -> None:
        now = time.perf_counter()
        if now - self.last < self.every_s and done < total:
            return
        self.last = now
        rate = done / max(now - self.started, 1e-9)
        left = (total - done) / rate if rate else 0.0
        share = 100 * done / max(total, 1)
        log(f"  embedded {done}/{total} texts ({share:.1f}%), {rate:.1f}/s, ~{left / 60:.0f} min left")


def write_passage_files(passages: list[str], folder: Path) -> list[Path]:
    """One .txt file per passage, named by its doc id (rewritten only when its text differs)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for text in passages:
        path = folder / f"{rgb.passage_doc_id(text)}.txt"
        body = rgb.passage_document(text)
        if not path.exists() or path.read_text(encoding="utf-8") != body:
            tmp = path.with_suffix(".tmp")
            tmp.write_text(body, encoding="utf-8")
            tmp.rename(path)
        paths.append(path)
    return paths


class PrimedEmbedder:
    """The product's embedder, fed in large batches.

    The product's ingest embeds one document per call: for a short passage a handful of texts,
    which leaves the engine's threads mostly waiting. The texts ingest will ask for (chunk texts
    with their heading path, sentence units) are embedded ahead, many documents per call, and
    handed out when asked; a text not primed is embedded on the spot, so the vectors are the
    model's either way.
    """

    def __init__(self, inner: Embedder) -> None:
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        self._vectors: dict[str, np.ndarray] = {}

    def prime(self, texts: list[str], progress: Callable[[int], None]) -> None:
        missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if missing:
            self._vectors.update(zip(missing, self.inner.embed_documents(missing, progress=progress), strict=True))

    def embed_documents(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        self.prime(list(texts), progress or (lambda n: None))
        return np.vstack([self._vectors[t] for t in texts])

    def clear(self) -> None:
        self._vectors.clear()

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)


def texts_to_embed(passage: str, max_chars: int) -> tuple[str, list[str]]:
    """The cleaned text's digest, and what ingest will embed for this passage (see chunk_vectors)."""
    doc = parse_text(rgb.passage_document(passage), rgb.passage_doc_id(passage))
    chunks = chunk_document(doc, max_chars)
    return doc.meta.sha256, EmbeddingPlan.for_chunks(chunks).texts


def build_store(services: Services, passages: list[str], store_dir: Path, slice_size: int = 300) -> dict[str, Any]:
    """Ingest the pooled passages not stored yet, `slice_size` documents per ingest call (an interrupted
    run loses at most one slice); returns this run's and the store's cumulative build figures."""
    wanted = {rgb.passage_doc_id(p): p for p in passages}
    records = services.store.documents()
    stored, stored_texts = set(records), {r.sha256 for r in records.values()}
    if extra := stored - set(wanted):
        sys.exit(f"{store_dir} holds {len(extra)} passages outside this pool; use another --store")
    paths = write_passage_files(passages, store_dir / "passages")
    max_chars = services.settings.chunk_max_chars
    plans = []
    for path, text in zip(paths, passages, strict=True):
        if path.stem not in stored:
            digest, texts = texts_to_embed(text, max_chars)
            if digest not in stored_texts:  # else ingest skips it as a duplicate of a stored passage
                plans.append((path, texts))
    slices = [plans[i : i + slice_size] for i in range(0, len(plans), slice_size)] or [[]]
    total = sum(len({t for _, texts in part for t in texts}) for part in slices)
    log(f"{len(passages)} passages, {len(stored)} already stored; embedding {total} texts for {len(plans)} …")
    embedder, progress = PrimedEmbedder(services.embedder), Progress()
    done, seconds, embedded = 0, 0.0, 0
    with StoreLock(store_dir).acquire():
        services.settle(holding_lock=True)  # ingest_paths directly (primed embedder): settle as Services.ingest does
        for part in slices:
            texts = [t for _, ts in part for t in ts]
            started = time.perf_counter()

            def step(n: int) -> None:
                nonlocal done
                done += n
                progress(done, total, "")

            embedder.prime(texts, step)
            report = ingest_paths([p for p, _ in part] or paths, services.store, embedder, max_chars=max_chars)
            if report.errors:
                sys.exit(f"{len(report.errors)} passages failed to ingest, e.g. {report.errors[0]}")
            embedder.clear()
            seconds += time.perf_counter() - started
            embedded += report.chunks_embedded
    return _build_figures(store_dir, seconds, embedded, done)


def _build_figures(store_dir: Path, seconds: float, embedded: int, texts: int) -> dict[str, Any]:
    """This run's ingest figures plus the store's cumulative ones (kept in STORE/build.json)."""
    stats_path = store_dir / BUILD_STATS
    build = json.loads(stats_path.read_text(encoding="utf-8")) if stats_path.exists() else {}
    if embedded:
        build["ingest_s"] = round(build.get("ingest_s", 0.0) + seconds, 1)
        build["chunks_embedded"] = build.get("chunks_embedded", 0) + embedded
        build["texts_embedded"] = build.get("texts_embedded", 0) + texts  # chunks and sentence units
        build["runs"] = build.get("runs", 0) + 1
        stats_path.write_text(json.dumps(build, indent=2), encoding="utf-8")
    return {
        "this_run_ingest_s": round(seconds, 1),
        "this_run_chunks_embedded": embedded,
        "store_build_ingest_s": build.get("ingest_s", 0.0),
        "store_build_runs": build.get("runs", 0),
        "store_build_texts_embedded": build.get("texts_embedded", 0),
    }


def run_mode(
    services: Services, mode: str, items: list[rgb.RGBItem], answerable: set[str]
) -> tuple[list[rgb.ItemOutcome], list[dict[str, Any]], float]:
    """Search (top 20) and ask every question with one retrieval mode."""
    retriever = services.retriever(mode)
    answerer = Answerer(retriever, services.corpus())  # extractive even when an LLM is configured
    outcomes, details = [], []
    started = time.perf_counter()
    for n, item in enumerate(items, start=1):
        passages = retriever.search(item.query, k=max(rgb.TOP_KS))
        hit = rgb.first_hit([p.text for p in passages], item.answer)
        answer = answerer.ask(item.query)
        correct = not answer.abstained and rgb.answer_text_holds(answer.answer, item.answer)
        outcomes.append(
            rgb.ItemOutcome(item.id, hit, correct, answer.abstained, item.id in answerable, answer.latency_ms)
        )
        details.append(
            {"id": item.id, "mode": mode, "query": item.query, "hit_rank": hit, "correct": correct,
             "abstained": answer.abstained, "answerable": item.id in answerable, "answer": answer.answer,
             "top5_docs": [p.doc_id for p in passages[:5]]}
        )  # fmt: skip
        if n % 50 == 0:
            log(f"  {mode}: {n}/{len(items)} questions")
    return outcomes, details, time.perf_counter() - started


def markdown(results: dict[str, Any]) -> str:
    c, t, cfg = results["corpus"], results["timings"], results["config"]
    misses = [
        "| mode | no chunk holds the answer | rank 6–20 | below 20 | accuracy when in top 5 |",
        "|---|---|---|---|---|",
    ]
    for mode, f in results["modes"].items():
        m = f["misses_top5"]
        misses.append(
            f"| {mode} | {m['no_chunk_holds_answer']} | {m['rank_6_to_20']} | {m['below_20']} "
            f"| {f['accuracy_when_in_top5']:.3f} |"
        )
    overlap = "; ".join(
        f"{pair.replace('_vs_', ' vs ')}: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items())
        for pair, counts in results["top5_overlap"].items()
    )
    evals = ", ".join(f"{m} {s} s" for m, s in t["eval_s"].items())
    return f"""# RGB zh_refine: retrieval and extractive answers

`python scripts/bench_rgb.py`, {results["date"]}. Figures only: the data (RGB, Chen et al. 2024,
CC BY-NC-SA 4.0) is not in this repository.

{rgb.markdown_table(results["modes"])}

Top-5 misses by cause (questions):

{chr(10).join(misses)}

Answer in the top 5, by pair of modes: {overlap}.

- Questions {results["questions"]}. Passages listed {c["passages_listed"]}, distinct {c["passages_unique"]},
  stored as {c["documents"]} documents ({c["duplicate_passages_skipped"]} equal another after cleaning);
  {c["chunks"]} chunks; questions whose answer lies in some stored chunk: {c["answerable_questions"]}.
- Each passage is stored through the product's ingest as a document with the title line
  `{cfg["passage_title_line"]}` (before f2e2e2d a lone line of up to 100 characters became the title and got no
  chunk; kept so figures stay comparable); U+FFFD, which the loader refuses, removed from
  {c["passages_with_u_fffd_removed"]} passages.
- Embedder {cfg["embedder"]}; chunks of at most {cfg["chunk_max_chars"]} characters, sentence vectors,
  chunk vector = mean of its sentences' and heading vectors;
  RRF k={cfg["rrf_k"]}, weights dense {cfg["dense_weight"]} / lexical {cfg["lexical_weight"]}.
- Hit: a retrieved chunk holds the answer: every answer item, any alternative of an item given as a list
  (RGB's own rule); NFKC, case-folded, whitespace removed. Accuracy: the extractive answer (`[n]` markers
  removed) holds the answer and did not abstain.
- Timings: building the store took {t["store_build_ingest_s"]} s of ingest over {t["store_build_runs"]} run(s):
  {t["store_build_texts_embedded"]} distinct texts embedded (sentences and headings), embedding threads
  {cfg["embed_threads"]}, batches of {cfg["embed_batch_size"]}. This run: ingest {t["this_run_ingest_s"]} s
  ({t["this_run_chunks_embedded"]} chunks embedded); evaluation {evals}.
  The 2-core machine was shared with other work during the run: timings are indicative only, the
  accuracy figures do not depend on it.
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="RGB zh_refine.json (JSON lines)")
    parser.add_argument("--store", type=Path, help="store directory, kept for reuse (default ~/.cache/assistant-rgb/…)")
    parser.add_argument("--limit-questions", type=int, help="only the first N questions and their passages")
    parser.add_argument("--modes", default=",".join(("dense", "lexical", "hybrid")))
    parser.add_argument("--threads", type=int, help="embedding threads (OMP_NUM_THREADS; default: the engine's)")
    parser.add_argument("--out", type=Path, help="results directory (default: benchmarks/, or the store for a subset)")
    return parser.parse_args()


def evaluate_modes(
    services: Services, modes: list[str], items: list[rgb.RGBItem], answerable: set[str], details_path: Path
) -> tuple[dict[str, list[rgb.ItemOutcome]], dict[str, float]]:
    """Every mode's outcomes and evaluation seconds; per-item details to `details_path`."""
    by_mode: dict[str, list[rgb.ItemOutcome]] = {}
    eval_s: dict[str, float] = {}
    with details_path.open("w", encoding="utf-8") as details_file:
        for mode in modes:
            log(f"evaluating {mode} …")
            outcomes, details, seconds = run_mode(services, mode, items, answerable)
            by_mode[mode], eval_s[mode] = outcomes, round(seconds, 1)
            details_file.writelines(json.dumps(d, ensure_ascii=False) + "\n" for d in details)
    return by_mode, eval_s


def config_figures(settings: Settings, embedder: Embedder, threads: int | None) -> dict[str, Any]:
    return {
        "embedder": embedder.name,
        "chunk_max_chars": settings.chunk_max_chars,
        "embed_batch_size": settings.embed_batch_size,
        "embed_threads": threads or "engine default",
        "rrf_k": RRF_K,
        "dense_weight": DENSE_WEIGHT,
        "lexical_weight": LEXICAL_WEIGHT,
        "retrieved_k": max(rgb.TOP_KS),
        "passage_title_line": rgb.PASSAGE_TITLE,
    }


def corpus_figures(
    items: list[rgb.RGBItem], passages: list[str], documents: int, chunks: int, answerable: set[str]
) -> dict[str, Any]:
    return {
        "passages_listed": sum(len(it.passages) for it in items),
        "passages_unique": len(passages),
        "documents": documents,
        "duplicate_passages_skipped": len(passages) - documents,
        "passages_with_u_fffd_removed": sum(rgb.REPLACEMENT_CHAR in p for p in passages),
        "chunks": chunks,
        "answerable_questions": len(answerable),
    }


def main() -> None:
    args = parse_args()
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if unknown := set(modes) - set(RETRIEVAL_MODES):
        sys.exit(f"unknown mode(s) {sorted(unknown)}; choose from {RETRIEVAL_MODES}")
    if not args.data.exists():
        sys.exit(f"RGB data not found at {args.data}; pass --data")
    items = rgb.load_items(args.data, args.limit_questions)
    tag = "all" if args.limit_questions is None else f"q{args.limit_questions}"
    store_dir = (args.store or DEFAULT_CACHE / tag).expanduser().resolve()
    out_dir = args.out or (ROOT / "benchmarks" if args.limit_questions is None else store_dir)
    passages = rgb.pool_passages(items)

    if args.threads:  # read by the embedding engine's OpenMP runtime when it loads
        os.environ["OMP_NUM_THREADS"] = str(args.threads)
    env = Settings.from_env()
    settings = Settings(
        store_dir=store_dir,
        embedding_model=env.embedding_model,
        chunk_max_chars=env.chunk_max_chars,
        embed_batch_size=env.embed_batch_size,
    )
    t0 = time.perf_counter()
    services = Services.open(settings)
    embedder = services.embedder
    load_s = time.perf_counter() - t0
    build = build_store(services, passages, store_dir)

    chunk_texts = [text for _, text, _ in services.store.chunks()]
    documents = len(services.store.documents())
    answerable = {it.id for it in items if any(rgb.contains_answer(t, it.answer) for t in chunk_texts)}
    by_mode, eval_s = evaluate_modes(services, modes, items, answerable, store_dir / f"rgb_details_{tag}.jsonl")
    results = {
        "benchmark": "RGB zh_refine (Chen et al. 2024, CC BY-NC-SA 4.0; data not included)",
        "date": datetime.date.today().isoformat(),
        "questions": len(items),
        "limit_questions": args.limit_questions,
        "config": config_figures(settings, embedder, args.threads),
        "corpus": corpus_figures(items, passages, documents, len(chunk_texts), answerable),
        "modes": {mode: rgb.summarise(outcomes) for mode, outcomes in by_mode.items()},
        "top5_overlap": {
            f"{a}_vs_{b}": rgb.top5_overlap(by_mode, a, b)
            for a, b in (("hybrid", "dense"), ("hybrid", "lexical"), ("dense", "lexical"))
            if a in by_mode and b in by_mode
        },
        "timings": {
            "model_load_s": round(load_s, 2),
            **build,
            "eval_s": eval_s,
            "note": "2-core machine shared with other work during the run; timings are indicative only",
        },
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "rgb_results.json").write_text(
        json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    (out_dir / "rgb_results.md").write_text(markdown(results), encoding="utf-8")
    print(rgb.markdown_table(results["modes"]))
    log(f"results: {out_dir / 'rgb_results.json'}, {out_dir / 'rgb_results.md'}")


if __name__ == "__main__":
    main()
