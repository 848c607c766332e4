"""Outline-first drafting on the ingested store: the time to propose an outline and to draft its
first four sections (extractive writer), p50 over a few runs, and the uncited sentences of every
section (the draft check of assistant.eval.metrics). Run after `assistant ingest seeds/`:

    ASSISTANT_STORE_DIR=vectorstore python scripts/bench_outline.py [--runs 5] [TOPIC:STYLE …]

Measured on the seeds (2 shared cores, load average 6–9), p50 of 5 warm runs: outline 0.026–0.044 s,
four sections (1200 characters) 0.28–0.88 s; 0 uncited sentences, 0 abstained sections, no unsupported
numbers for the three default topics.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from assistant.config import Settings
from assistant.eval.metrics import uncited_sentences
from assistant.generation.outline import OutlineProposer
from assistant.generation.sections import SectionDrafter
from assistant.services import Services

TOPICS = ["安民乡2023年红色旅游工作总结:总结", "2023年乡村振兴工作总结:总结", "2024年乡村振兴工作计划:计划"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("topics", nargs="*", default=TOPICS, help="主题:文体")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sections", type=int, default=4)
    parser.add_argument("--length", type=int, default=1200, help="全文字数")
    args = parser.parse_args()
    services = Services.open(Settings.from_env())
    started = time.perf_counter()
    proposer = OutlineProposer(services.retriever(), services.corpus())
    drafter = SectionDrafter(services.drafter(writer="extractive"))
    setup = time.perf_counter() - started
    rows = []
    for item in args.topics:
        topic, _, style = item.partition(":")
        outline_s, draft_s = [], []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            outline = proposer.propose(topic, style or "总结")
            t1 = time.perf_counter()
            drafted = drafter.draft(topic, outline.texts[: args.sections], style or "总结", args.length)
            t2 = time.perf_counter()
            outline_s.append(t1 - t0)
            draft_s.append(t2 - t1)
        whole = drafted.assembled()
        rows.append(
            {
                "topic": topic,
                "style": style,
                "headings": outline.texts[: args.sections],
                "outline_p50_s": round(statistics.median(outline_s), 3),
                "draft_p50_s": round(statistics.median(draft_s), 3),
                "first_run_outline_s": round(outline_s[0], 3),
                "first_run_draft_s": round(draft_s[0], 3),
                "abstained_sections": sum(s.answer.abstained for s in drafted.sections),
                "uncited_sentences": sum(uncited_sentences(s.answer.answer) for s in drafted.sections),
                "unsupported_numbers": whole.unsupported_numbers,
                "citations": len(whole.citations),
                "chars": sum(len(p) for p in drafted.parts()),
            }
        )
    print(json.dumps({"setup_s": round(setup, 2), "runs": args.runs, "results": rows}, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
