"""Which ledger rows state the figure a question asks for: the question's indicator words matched
against each row's indicator (whole words, else the share of their character bigrams), within the
places, years and kind (target | achieved) it asks about. Used by generation/compare.py to answer
numeric comparisons from the rows (issue 15, item 6)."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from assistant.ledger.extract import Row
from assistant.text import tokenize_precise
from assistant.types import part_years

# Below this share of the question's indicator words in a row's indicator, the row is not about it.
MIN_RECALL = 0.6
# Below this share of a row's indicator named by the question, the row is about something else
# (经济 in 下放自治区级经济社会管理权限).
MIN_PRECISION = 0.3
ACHIEVED = ("actual", "change")
ALTERNATIVE = "|"  # between the alternatives of one indicator word (调解|化解矛盾)
MAX_OPTIONS = 16  # combinations of alternatives tried
# Words of a question that say how a figure moved: a row of kind `change` answers it.
CHANGE_WORDS = ("增长", "增速", "增幅", "增加了", "提高了", "提升了", "下降", "降低了", "减少了", "降幅", "年均增")
# Counting words a question asks a figure in (多少起): a row in the same unit is preferred.
_UNIT_SYNONYMS = {
    "起": "起件",
    "件": "件起",
    "人": "人名位",
    "名": "名人位",
    "位": "位人名",
    "家": "家个户",
    "个": "个家",
}


@dataclass(frozen=True)
class Match:
    """A row and how well its indicator fits the question: `recall` (share of the question's words
    it holds, by length), `precision` (share of its characters the question names), `unit` (in the
    unit asked)."""

    row: Row
    recall: float
    precision: float
    unit: bool

    @property
    def key(self) -> tuple[float, float, bool]:
        return (round(self.recall, 3), round(self.precision, 3), self.unit)


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


@functools.lru_cache(maxsize=65536)
def _words(indicator: str) -> tuple[frozenset[int], frozenset[str]]:
    """The indicator's word boundaries (offsets) and the bigrams inside its words (jieba, as the
    question's terms are cut): 调解 is not in 协调|解决, 化解 is in 成功|化解|各类|矛盾|纠纷."""
    bounds, grams, at = {0}, set(), 0
    for token in tokenize_precise(indicator):
        found = indicator.find(token, at)
        if found < 0:
            continue
        bounds.update((found, found + len(token)))
        grams |= _bigrams(token)
        at = found + len(token)
    return frozenset(bounds), frozenset(grams)


def term_score(term: str, indicator: str) -> float:
    """1 when the indicator holds the word as whole words; else the share of its bigrams found
    inside the indicator's words (化解矛盾 in 成功化解各类矛盾纠纷: 2 of 3; 调解 in 协调解决: 0)."""
    bounds, grams = _words(indicator)
    at = indicator.find(term)
    while at >= 0:
        if at in bounds and at + len(term) in bounds:
            return 1.0
        at = indicator.find(term, at + 1)
    own = _bigrams(term)
    if not own:
        return 0.0
    return len(own & grams) / len(own)


def recall(terms: Sequence[str], indicator: str) -> float:
    """The length-weighted share of the question's indicator words the row's indicator holds; for a
    word written `调解|化解矛盾` (调解、化解矛盾纠纷) the best of its alternatives, each taken whole."""
    options = list(itertools.islice(itertools.product(*(t.split(ALTERNATIVE) for t in terms)), MAX_OPTIONS))
    return max((_recall(option, indicator) for option in options), default=0.0)


def _recall(terms: Sequence[str], indicator: str) -> float:
    total = sum(len(t) for t in terms)
    if not total:
        return 0.0
    return sum(len(t) * term_score(t, indicator) for t in terms) / total


def precision(terms: Sequence[str], indicator: str) -> float:
    """The share of the indicator's characters that some question word holds (a tighter name first:
    地区生产总值 before 人均地区生产总值 for a question about 地区生产总值)."""
    if not indicator:
        return 0.0
    joined = "".join(terms).replace(ALTERNATIVE, "")
    return sum(1 for ch in indicator if ch in joined) / len(indicator)


def unit_fits(row: Row, unit: str) -> bool:
    if not unit:
        return False
    return any(row.unit.endswith(u) for u in _UNIT_SYNONYMS.get(unit, unit))


def wanted_kinds(text: str, wants_target: bool) -> tuple[str, ...]:
    """The row kinds that answer the question: targets for a plan question (目标, 预期 …), else what
    was achieved: only a change when it asks how a figure moved (增长了多少, 增速)."""
    changed = any(w in text for w in CHANGE_WORDS)
    if wants_target:
        return ("target",)
    return ("change",) if changed else ("actual", "change")  # 增速 is not answered by an amount


def matches(
    rows: Iterable[Row],
    terms: Sequence[str],
    *,
    kinds: Sequence[str] = ACHIEVED,
    unit: str = "",
    changed: bool = False,
    min_recall: float = MIN_RECALL,
) -> list[Match]:
    """The rows of the kinds asked whose indicator holds enough of the question's words, best first
    (recall, then a change when `changed`, precision, the unit asked). Rows without a number
    (undisclosed XX) are left out: they cannot be compared."""
    out = []
    for row in rows:
        if row.kind not in kinds or row.number is None or not row.indicator:
            continue
        if row.kind == "target" and changed != bool(row.direction):
            continue  # a growth target answers 增长目标, a level target 产量目标
        r, p = recall(terms, row.indicator), precision(terms, row.indicator)
        if r >= min_recall and p >= MIN_PRECISION:
            out.append(Match(row, r, p, unit_fits(row, unit)))
    kind_order = {k: i for i, k in enumerate(kinds)}
    out.sort(key=lambda m: (-m.key[0], kind_order[m.row.kind], -m.key[1], not m.unit, not _own_year(m.row)))
    return out


def _own_year(row: Row) -> bool:
    """The row's part is about its year alone (a 2014 review), not a five-year review that names it."""
    span = part_years(row.part)
    return span is not None and span[0] == span[1] == row.year


def ranked(chosen: Sequence[Row], highest: bool) -> list[Row]:
    """The rows in the order a superlative asks (largest first when `highest`), those in the most
    common unit only (a 亿元 total is not ranked against a %); a fall counts below zero."""
    if not chosen:
        return []
    units = [r.unit for r in chosen]
    unit = max(dict.fromkeys(units), key=units.count)
    same = [r for r in chosen if r.unit == unit and r.number is not None]

    def value(r: Row) -> float:
        number = float(r.number or 0.0)
        return -number if r.direction == "down" and r.kind == "change" else number

    return sorted(same, key=value, reverse=highest)
