"""Sentences from RGB passages (../shared/benchmarks/rgb/zh_refine.json) to widen the scale pool.

RGB is CC BY-NC-SA 4.0 and used for evaluation only: the file is read where it lies, nothing
from it is written into the project. Sentences are taken in a fixed pseudo-random order.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from assistant.text import sentence_spans

MIN_CHARS, MAX_CHARS = 12, 160


def rgb_sentences(path: Path, limit: int, seed: int = 3) -> list[str]:
    """Up to `limit` distinct sentences (12–160 characters) from the passages of an RGB file."""
    passages: dict[str, None] = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            item = json.loads(line)
            for key in ("positive", "negative"):
                for passage in item.get(key) or []:
                    passages.setdefault(str(passage), None)
    sentences: dict[str, None] = {}
    for passage in passages:
        for start, end in sentence_spans(passage, 0, len(passage)):
            text = passage[start:end].strip()
            if MIN_CHARS <= len(text) <= MAX_CHARS:
                sentences.setdefault(text, None)
    pool = list(sentences)
    random.Random(seed).shuffle(pool)
    return pool[:limit]
