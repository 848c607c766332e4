"""Run in a fresh process after an ingest was killed: what a new reader of the store sees.

`ASSISTANT_STORE_DIR=… python -m tests.integration.crash_check` prints one JSON object:
  settled     writes the kill left half done, as settled on opening (doc, outcome)
  docs        doc id -> {"sha": [distinct doc_sha256 of its chunks], "ids": [ids of its entries]}
  units       number of entries (chunks + sentence units)
  not_own_nn  entries whose stored vector does not find the entry itself as nearest neighbour
  lexical_ok  the BM25 index, synced in this process, holds exactly the store's chunks
  pending     journal entries left after opening (should be none)
"""

from __future__ import annotations

import json
from collections import Counter

import numpy as np

from assistant.config import Settings
from assistant.embeddings import embedder_name
from assistant.services import Services
from assistant.store.journal import WriteJournal


def main() -> None:
    settings = Settings.from_env()  # ASSISTANT_STORE_DIR names the store
    journal = WriteJournal(settings.store_dir / "journal")
    before = [e.doc_id for e in journal.pending()]
    services = Services.open(settings)  # settles interrupted writes, as every process does on opening
    after = [e.doc_id for e in journal.pending()]
    collection = services.store._collection
    got = collection.get(include=["embeddings", "metadatas"])
    ids, metas, vectors = got["ids"], got["metadatas"], np.asarray(got["embeddings"], dtype=np.float32)
    docs: dict[str, dict[str, set[str]]] = {}
    for uid, meta in zip(ids, metas, strict=True):
        entry = docs.setdefault(str(meta["doc"]), {"sha": set(), "ids": set()})
        entry["sha"].add(str(meta.get("doc_sha256", "")))
        entry["ids"].add(uid)
    not_own = []
    # The same sentence in several reports has one vector exactly (same text, same embedding): ask
    # for enough neighbours that an entry and all its identical twins fit in the answer.
    twins = Counter(v.tobytes() for v in vectors)
    wanted = min(len(ids), max(3, max(twins.values(), default=1) + 2))
    for start in range(0, len(ids), 64):
        batch = vectors[start : start + 64]
        result = collection.query(query_embeddings=list(batch), n_results=wanted, include=["distances"])
        for i, (hits, dists) in enumerate(zip(result["ids"], result["distances"], strict=True)):
            uid = ids[start + i]
            # The entry itself must come back at distance ~0 (an identical twin vector may tie with it).
            nearest = {h for h, d in zip(hits, dists, strict=True) if d <= dists[0] + 1e-6}
            if uid not in nearest or dists[0] > 1e-4:
                not_own.append(uid)
    services.sync_lexical()
    chunk_ids = set(services.store.chunk_ids())
    lexical_ids = set(services.lexical.ids)
    print(
        json.dumps(
            {
                "embedder": embedder_name(settings.embedding_model),
                "settled": [d for d in before if d not in after],
                "docs": {d: {"sha": sorted(v["sha"]), "ids": sorted(v["ids"])} for d, v in docs.items()},
                "units": len(ids),
                "not_own_nn": not_own,
                "lexical_ok": chunk_ids == lexical_ids,
                "pending": after,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
