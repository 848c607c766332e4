"""Retrieval without a store: weighted RRF fusion, metadata filters (Chroma and in-memory), hint re-ranking."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest

from assistant.retrieval import HINT_WEIGHT, RRF_K, Filters, fuse, prefer
from assistant.types import Passage, part_years


def _ids(fused: list[tuple[str, float]]) -> list[str]:
    return [cid for cid, _ in fused]


# ---------------------------------------------------------------- fuse


def test_fuse_single_list_keeps_its_order_with_rrf_scores() -> None:
    fused = fuse([("c", 0.9), ("a", 0.8), ("b", 0.1)], [], 1.0, 1.0)
    assert _ids(fused) == ["c", "a", "b"]
    assert [s for _, s in fused] == pytest.approx([1 / (RRF_K + 1), 1 / (RRF_K + 2), 1 / (RRF_K + 3)])


def test_fuse_ignores_raw_scores_only_ranks_count() -> None:
    # Lexical BM25 scores are on another scale than cosine scores; only ranks may matter.
    a = fuse([("x", 0.99), ("y", 0.01)], [("y", 1000.0), ("x", 0.5)], 1.0, 1.0)
    b = fuse([("x", 0.51), ("y", 0.50)], [("y", 1.0), ("x", 0.9)], 1.0, 1.0)
    assert a == b


def test_passage_found_by_both_lists_beats_one_found_by_one() -> None:
    dense = [("only-dense", 0.9), ("both", 0.8)]
    lexical = [("only-lex", 12.0), ("both", 11.0)]
    fused = dict(fuse(dense, lexical, 1.0, 1.0))
    assert fused["both"] == pytest.approx(2 / (RRF_K + 2))
    assert fused["both"] > fused["only-dense"]
    assert fused["both"] > fused["only-lex"]
    assert _ids(fuse(dense, lexical, 1.0, 1.0))[0] == "both"


def test_fuse_weights_favour_the_heavier_side() -> None:
    dense, lexical = [("d", 0.9)], [("l", 5.0)]
    assert _ids(fuse(dense, lexical, 2.0, 1.0)) == ["d", "l"]
    assert _ids(fuse(dense, lexical, 1.0, 2.0)) == ["l", "d"]
    fused = dict(fuse(dense, lexical, 2.0, 0.5))
    assert fused["d"] == pytest.approx(2.0 / (RRF_K + 1))
    assert fused["l"] == pytest.approx(0.5 / (RRF_K + 1))


def test_fuse_weight_moves_a_lower_ranked_passage_up() -> None:
    # Rank 1 on the lexical side vs rank 1 + rank 3 split: weights decide.
    dense = [("a", 0.9), ("x", 0.8), ("b", 0.7)]
    lexical = [("b", 9.0)]
    assert _ids(fuse(dense, lexical, 1.0, 1.0))[0] == "b"
    assert _ids(fuse(dense, lexical, 1.0, 0.01))[0] == "a"


def test_zero_weight_disables_a_side() -> None:
    dense = [("a", 0.9), ("b", 0.8), ("c", 0.7)]
    lexical = [("c", 9.0), ("b", 8.0), ("z", 7.0)]
    fused = fuse(dense, lexical, 1.0, 0.0)
    # The enabled side's order is untouched by the disabled side's ranks ...
    assert _ids(fused)[:3] == ["a", "b", "c"]
    assert dict(fused)["c"] == pytest.approx(1 / (RRF_K + 3))
    # ... and what only the disabled side found gets no credit.
    assert all(score == 0.0 for cid, score in fused if cid == "z")
    fused = fuse(dense, lexical, 0.0, 1.0)
    assert _ids(fused)[:3] == ["c", "b", "z"]
    assert all(score == 0.0 for cid, score in fused if cid == "a")


def test_fuse_ties_broken_by_id() -> None:
    assert _ids(fuse([("b", 0.9)], [("a", 3.0)], 1.0, 1.0)) == ["a", "b"]
    assert _ids(fuse([("k2", 0.9), ("k1", 0.8)], [("k1", 3.0), ("k2", 2.0)], 1.0, 1.0)) == ["k1", "k2"]
    # Stable whatever side the tied ids come from.
    assert _ids(fuse([("a", 0.9)], [("b", 3.0)], 1.0, 1.0)) == ["a", "b"]


def test_fuse_of_nothing_is_empty() -> None:
    assert fuse([], [], 1.0, 1.0) == []


# ---------------------------------------------------------------- Filters.chroma_where


def _conds(where: dict[str, Any] | None) -> set[str]:
    """The conditions of a where clause as a comparable set (order within $and is not part of the contract)."""
    assert where is not None
    parts = where.get("$and", [where])
    return {json.dumps(c, ensure_ascii=False, sort_keys=True) for c in parts}


def _c(**cond: Any) -> str:
    return json.dumps(cond, ensure_ascii=False, sort_keys=True)


def test_empty_filters_give_no_where_clause() -> None:
    assert Filters().is_empty()
    assert Filters().chroma_where() is None
    assert Filters().matches({"township": "安民乡", "year_min": 2023, "year_max": 2024})
    assert Filters().matches({})


def test_township_str_is_an_equality() -> None:
    assert Filters(township="安民乡").chroma_where() == {"township": "安民乡"}


def test_township_tuple_is_an_in_clause() -> None:
    where = Filters(township=("安民乡", "X乡")).chroma_where()
    assert where is not None and set(where) == {"township"}
    assert sorted(where["township"]["$in"]) == ["X乡", "安民乡"]


def test_one_township_tuple_means_that_township() -> None:
    one = Filters(township=("安民乡",))
    where = one.chroma_where()
    assert where in ({"township": "安民乡"}, {"township": {"$in": ["安民乡"]}})
    assert one.matches({"township": "安民乡"})
    assert not one.matches({"township": "X乡"})


def test_year_is_a_range_on_year_min_and_year_max() -> None:
    where = Filters(year=2023).chroma_where()
    assert where is not None and len(where["$and"]) == 2
    assert _conds(where) == {_c(year_min={"$lte": 2023}), _c(year_max={"$gte": 2023})}


def test_kind_and_doc() -> None:
    assert Filters(kind="述职").chroma_where() == {"kind": "述职"}
    assert Filters(doc="002_501c0fb6689f0a4e").chroma_where() == {"doc": "002_501c0fb6689f0a4e"}


@pytest.mark.parametrize("kind", ["总结", "计划", "存在问题"])
def test_part_kind_words_filter_on_part_kind(kind: str) -> None:
    assert Filters(part=kind).chroma_where() == {"part_kind": kind}


@pytest.mark.parametrize("part", ["2024年工作计划", "2023年工作总结"])
def test_full_part_name_filters_on_part(part: str) -> None:
    assert Filters(part=part).chroma_where() == {"part": part}


def test_combined_filters_are_anded() -> None:
    f = Filters(township=("安民乡", "X乡"), year=2024, kind="总结", part="计划", doc="002")
    where = f.chroma_where()
    assert where is not None and set(where) == {"$and"}
    conds = _conds(where)
    assert len(where["$and"]) == 6
    assert _c(kind="总结") in conds
    assert _c(part_kind="计划") in conds
    assert _c(doc="002") in conds
    assert _c(year_min={"$lte": 2024}) in conds
    assert _c(year_max={"$gte": 2024}) in conds
    (town,) = [c for c in where["$and"] if "township" in c]
    assert sorted(town["township"]["$in"]) == ["X乡", "安民乡"]


def test_two_conditions_use_and_one_does_not() -> None:
    assert "$and" not in (Filters(kind="总结").chroma_where() or {})
    assert _conds(Filters(kind="总结", doc="001").chroma_where()) == {_c(kind="总结"), _c(doc="001")}


# ---------------------------------------------------------------- Filters.matches

ANMIN_2023 = {
    "doc": "002",
    "township": "安民乡",
    "kind": "总结",
    "part": "2023年工作总结",
    "part_kind": "总结",
    "year_min": 2023,
    "year_max": 2024,
}
ANMIN_PLAN = {**ANMIN_2023, "part": "2024年工作计划", "part_kind": "计划"}
X_2023 = {
    "doc": "001",
    "township": "X乡",
    "kind": "总结",
    "part": "2023年工作总结",
    "part_kind": "总结",
    "year_min": 2023,
    "year_max": 2024,
}
SHUZHI = {
    "doc": "004",
    "township": "XX乡",
    "kind": "述职",
    "part": "",
    "part_kind": "",
    "year_min": 2023,
    "year_max": 2023,
}
NO_YEARS = {
    "doc": "009",
    "township": "石门乡",
    "kind": "其他",
    "part": "",
    "part_kind": "",
    "year_min": 0,
    "year_max": 0,
}
MISSING_KEYS: dict[str, Any] = {"doc": "010"}
METAS = [ANMIN_2023, ANMIN_PLAN, X_2023, SHUZHI, NO_YEARS, MISSING_KEYS]


def test_matches_township() -> None:
    assert Filters(township="安民乡").matches(ANMIN_2023)
    assert not Filters(township="安民乡").matches(X_2023)
    both = Filters(township=("安民乡", "X乡"))
    assert both.matches(ANMIN_2023) and both.matches(X_2023)
    assert not both.matches(SHUZHI)
    assert not both.matches(MISSING_KEYS)


def test_matches_year_range() -> None:
    assert Filters(year=2024).matches(ANMIN_2023)  # 2023–2024 covers 2024
    assert not Filters(year=2024).matches(SHUZHI)  # 2023 only
    assert Filters(year=2023).matches(SHUZHI)
    assert not Filters(year=2022).matches(ANMIN_2023)
    assert not Filters(year=2025).matches(ANMIN_2023)
    assert not Filters(year=2023).matches(NO_YEARS)
    assert not Filters(year=2023).matches(MISSING_KEYS)


def test_matches_part_kind_and_full_part() -> None:
    assert Filters(part="计划").matches(ANMIN_PLAN)
    assert not Filters(part="计划").matches(ANMIN_2023)
    assert Filters(part="2024年工作计划").matches(ANMIN_PLAN)
    assert not Filters(part="2024年工作计划").matches(ANMIN_2023)
    assert not Filters(part="存在问题").matches(SHUZHI)


def test_matches_kind_doc_and_combination() -> None:
    assert Filters(kind="述职").matches(SHUZHI)
    assert not Filters(kind="述职").matches(ANMIN_2023)
    assert Filters(doc="001").matches(X_2023)
    assert not Filters(doc="001").matches(ANMIN_2023)
    f = Filters(township="安民乡", year=2024, part="计划")
    assert [f.matches(m) for m in METAS] == [False, True, False, False, False, False]


def _chroma_eval(where: dict[str, Any] | None, meta: dict[str, Any]) -> bool:
    """An independent reading of the Chroma `where` semantics used here ($and, $in, $lte, $gte, equality)."""
    if where is None:
        return True
    if "$and" in where:
        return all(_chroma_eval(c, meta) for c in where["$and"])
    ((key, want),) = where.items()
    if key not in meta:
        return False
    value = meta[key]
    if isinstance(want, dict):
        ((op, bound),) = want.items()
        return {"$in": lambda: value in bound, "$lte": lambda: value <= bound, "$gte": lambda: value >= bound}[op]()
    return bool(value == want)


_FILTER_GRID = [
    Filters(**dict(zip(("township", "year", "kind", "part", "doc"), values, strict=True)))
    for values in itertools.product(
        [None, "安民乡", ("安民乡", "X乡"), ("XX乡",)],
        [None, 2023, 2024],
        [None, "总结", "述职"],
        [None, "计划", "2023年工作总结"],
        [None, "001"],
    )
]


def test_matches_agrees_with_chroma_where_on_every_filter_and_meta() -> None:
    disagreements = [
        (f, m["doc"]) for f in _FILTER_GRID for m in METAS if f.matches(m) != _chroma_eval(f.chroma_where(), m)
    ]
    assert disagreements == []
    # The grid is not vacuous: some combinations match, some do not.
    outcomes = {f.matches(m) for f in _FILTER_GRID for m in METAS}
    assert outcomes == {True, False}


# ---------------------------------------------------------------- part_year / prefer


@pytest.mark.parametrize(
    ("part", "years"),
    [
        ("2024年工作计划", (2024, 2024)),
        ("2023年工作总结", (2023, 2023)),
        ("2021-2025年工作总结", (2021, 2025)),
        ("存在问题", None),
        ("工作总结", None),
        ("", None),
    ],
)
def test_part_years(part: str, years: tuple[int, int] | None) -> None:
    assert part_years(part) == years


def test_prefer_lifts_the_part_of_the_kind_asked_for() -> None:
    # A 2026 report reviews 2025 and plans 2026; a five-year review spans 2021-2025.
    ps = [
        _p("plan", "r26", 0.032, 1, part="2026年工作计划"),
        _p("span", "r26", 0.031, 2, part="2021-2025年工作总结"),
        _p("none", "r26", 0.030, 3, part=""),
    ]
    assert [p.chunk_id for p in prefer(ps, set(), (2025,), target=False)] == ["span", "plan", "none"]
    assert [p.chunk_id for p in prefer(ps, set(), (2026,), target=True)] == ["plan", "span", "none"]


def _p(cid: str, doc: str, score: float, rank: int, part: str = "2023年工作总结") -> Passage:
    return Passage(cid, doc, "sec", f"text of {cid}", score, rank, {"doc": doc, "part": part})


BONUS = HINT_WEIGHT / (RRF_K + 1)


def test_prefer_without_hints_changes_nothing() -> None:
    ps = [_p("a", "001", 0.03, 1), _p("b", "002", 0.02, 2)]
    assert prefer(ps, set(), ()) == ps


def test_prefer_lifts_passages_of_referenced_reports() -> None:
    ps = [_p("a", "001", 0.032, 1), _p("b", "002", 0.031, 2), _p("c", "001", 0.030, 3)]
    out = prefer(ps, {"002"}, ())
    assert [p.chunk_id for p in out] == ["b", "a", "c"]
    assert [p.rank for p in out] == [1, 2, 3]


def test_prefer_bonus_is_one_rrf_vote_not_more() -> None:
    # A lead larger than one rank-1 vote survives the hint.
    ps = [_p("a", "001", 0.03 + BONUS + 0.001, 1), _p("b", "002", 0.03, 2)]
    assert [p.chunk_id for p in prefer(ps, {"002"}, ())] == ["a", "b"]
    ps = [_p("a", "001", 0.03 + BONUS - 0.001, 1), _p("b", "002", 0.03, 2)]
    assert [p.chunk_id for p in prefer(ps, {"002"}, ())] == ["b", "a"]


def test_prefer_lifts_the_part_of_a_named_year() -> None:
    ps = [
        _p("sum", "002", 0.032, 1, part="2023年工作总结"),
        _p("plan", "002", 0.031, 2, part="2024年工作计划"),
        _p("none", "002", 0.030, 3, part="存在问题"),
    ]
    assert [p.chunk_id for p in prefer(ps, set(), (2024,))] == ["plan", "sum", "none"]
    assert [p.chunk_id for p in prefer(ps, set(), (2023,))] == ["sum", "plan", "none"]


def test_prefer_doc_and_year_votes_add_up() -> None:
    ps = [
        _p("a", "001", 0.032, 1, part="2024年工作计划"),
        _p("b", "002", 0.030, 2, part="2024年工作计划"),
        _p("c", "002", 0.031, 3, part="2023年工作总结"),
    ]
    out = prefer(ps, {"002"}, (2024,))
    assert [p.chunk_id for p in out] == ["b", "a", "c"]


def test_prefer_ties_keep_the_fused_rank() -> None:
    ps = [_p("z", "002", 0.03, 1), _p("a", "002", 0.03, 2), _p("m", "001", 0.03 + BONUS, 3)]
    out = prefer(ps, {"002"}, ())
    assert [p.chunk_id for p in out] == ["z", "a", "m"]
    assert [p.rank for p in out] == [1, 2, 3]
