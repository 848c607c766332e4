"""A sentence unit stores its chunk's filter columns, its document's version, its unit and its chunk,
nothing else; every filter decides a unit exactly as it decides the unit's chunk."""

from __future__ import annotations

import itertools

from assistant.ingest.chunking import chunk_document
from assistant.store.lexical_table import FILTER_KEYS
from assistant.store.rows import chunk_meta, sentence_meta
from assistant.types import Filters
from tests.unit.seed_reports import seed_doc


def test_units_keep_the_filter_columns_and_filters_treat_them_like_their_chunk() -> None:
    chunks = [c for prefix in ("000", "002") for c in chunk_document(seed_doc(prefix))]
    parts = sorted({c.part for c in chunks if c.part})
    filters = [Filters(township=t) for t in {c.meta.township for c in chunks}]
    filters += [Filters(year=y) for y in (2023, 2024)] + [Filters(part=p) for p in [*parts, "总结", "计划"]]
    filters += [Filters(kind=c.meta.kind, doc=c.doc_id) for c in chunks[:1]]
    for chunk, flt in itertools.product(chunks, filters):
        unit, whole = sentence_meta(chunk), chunk_meta(chunk)
        kept = [k for k in (*FILTER_KEYS, "doc_sha256") if k in whole]
        assert set(unit) == {*kept, "unit", "parent"}
        assert unit["unit"] == "sentence" and unit["parent"] == chunk.chunk_id
        assert all(unit[k] == whole[k] for k in kept)  # type: ignore[literal-required]
        assert flt.matches(unit) == flt.matches(whole)
    assert any(f.matches(sentence_meta(c)) for c in chunks for f in filters[1:])  # the filters select something
