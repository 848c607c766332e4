"""Plan against achievement, and figures that disagree, over ledger rows (docs/contracts.md, "Ledger").

`plan_vs_actual`: a target for year N (a plan part's row) paired with the achieved value for year N
stated by another report of the same place (a review part's actual or change row of the same
indicator and unit). `met`: the achieved value reaches the target (下降/以内/以下 targets: stays at
or below it; 左右: within 0.5 percentage points or 3% below); None with a `reason` where the two are
not comparable (the names differ beyond the same words, other units, a figure not disclosed).

`check`: one indicator, place and year given with different values in two reports, and a stated
growth rate that the two years' stated values contradict (by more than 2 percentage points: a
real-terms rate differs from the nominal change of amounts at current prices, so small gaps are no
contradiction).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from assistant.ledger.extract import Row

_RATE_UNITS = ("%", "个百分点", "百分点")
_CUMULATIVE = re.compile(r"累计|累积|五年|期间")
_BASIS_CHANGED = re.compile(r"可比口径|同口径|口径调整|剔除")
_CLOSE_PCT = 0.5
_CLOSE_REL = 0.03
_CONTRADICTION_PCT = 2.0
_MIN_NAME = 4  # shorter names (投资, 新建) say too little to pair or compare


def _is_review(row: Row) -> bool:
    return row.part.endswith("总结") or row.part.endswith("存在问题")


def plan_vs_actual(rows: Iterable[Row]) -> list[dict[str, Any]]:
    """Each target with the achieved value of its indicator and year, best match first."""
    rows = list(rows)
    # Achieved rows by (place, year), then by (indicator, unit class): a target is compared with each
    # distinct name once, not with every row (a place's archive repeats its indicators year after year).
    actuals: dict[tuple[str, int], dict[tuple[str, str], list[Row]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        if row.kind in ("actual", "change") and _is_review(row):
            actuals[(row.place, row.year)][(row.indicator, _unit_class(row))].append(row)
    pairs = []
    for target in rows:
        if target.kind != "target" or len(target.indicator) < _MIN_NAME:
            continue
        actual, same = _match(target, actuals.get((target.place, target.year), {}))
        if actual is None:
            continue
        met, reason = _met(target, actual) if same else (None, "指标名称不一致，口径可能不同")
        pairs.append(
            {
                "indicator": target.indicator,
                "year": target.year,
                "place": target.place,
                "target": target.to_json(),
                "actual": actual.to_json(),
                "met": met,
                "reason": reason,
            }
        )
    return pairs


def _other(rows: list[Row], doc: str) -> Row | None:
    """The first of `rows` from another report than `doc` (a target is met in the next report)."""
    return next((r for r in rows if r.doc != doc), None)


def _match(target: Row, groups: Mapping[tuple[str, str], list[Row]]) -> tuple[Row | None, bool]:
    """The achieved row for a target: the same indicator and unit, or the same with a scope word of
    up to two characters before it (地方公共财政预算收入 for 公共财政预算收入, 城镇新增就业 for 新增就业)
    where neither sentence says the basis changed (可比口径, 同口径) (True); else one whose name holds
    the target's or is held in it (False: not comparable as such). `groups`: the achieved rows of the
    target's place and year by (indicator, unit class)."""
    unit = _unit_class(target)
    exact = _other(groups.get((target.indicator, unit), []), target.doc)
    if exact is not None:
        return exact, True
    for (name, name_unit), found in groups.items():
        short, long = sorted((name, target.indicator), key=len)
        if name_unit == unit and long.endswith(short) and len(long) - len(short) <= 2:
            a = _other(found, target.doc)
            if a is not None:
                return a, not any(_BASIS_CHANGED.search(r.quote) for r in (a, target))
    for (name, name_unit), found in groups.items():
        if name_unit != unit or len(name) < _MIN_NAME:
            continue
        if target.indicator in name or name in target.indicator:
            a = _other(found, target.doc)
            if a is not None:
                return a, False
    return None, False


def _unit_class(row: Row) -> str:
    return "%" if row.unit in _RATE_UNITS else row.unit


def _met(target: Row, actual: Row) -> tuple[bool | None, str]:
    if target.number is None or actual.number is None:
        return None, "数值未公开"
    if target.unit != actual.unit:
        return None, "单位不同"
    t, a = target.number, actual.number
    if target.direction == "down" or target.qualifier in ("以内", "以下"):
        if target.direction == "down" and actual.direction == "up":
            return False, ""
        return (a >= t if target.direction == "down" else a <= t), ""
    if actual.direction == "down":
        return False, ""
    if target.qualifier == "左右":
        slack = _CLOSE_PCT if target.unit in _RATE_UNITS else abs(t) * _CLOSE_REL
        return a >= t - slack, ""
    return a >= t, ""


def check(rows: Iterable[Row]) -> list[dict[str, Any]]:
    """Figures that disagree: {"type": "different_values" | "rate_contradiction", "indicator",
    "place", "year", "rows": [row, row], "reason"}."""
    rows = [r for r in rows if r.number is not None and len(r.indicator) >= _MIN_NAME]
    found: list[dict[str, Any]] = []
    stated: dict[tuple[str, str, int, str, str], list[Row]] = defaultdict(list)
    for r in rows:
        if r.kind in ("actual", "change"):
            stated[(r.place, r.indicator, r.year, r.unit, r.kind)].append(r)
    for (place, indicator, year, _, _), group in stated.items():
        first = group[0]
        for other in group[1:]:
            if other.doc != first.doc and not _same(first.number, other.number):
                found.append(
                    _issue(
                        "different_values",
                        indicator,
                        place,
                        year,
                        first,
                        other,
                        f"{first.doc} 作 {first.value}，{other.doc} 作 {other.value}",
                    )
                )
                break
    for (place, indicator, year, unit, kind), group in stated.items():
        if kind != "change" or unit != "%" or not indicator.endswith("增速") or "年均" in indicator:
            continue
        base = indicator[: -len("增速")]
        now = _level(stated, place, base, year)
        before = _level(stated, place, base, year - 1)
        if now is None or before is None or not before.number:
            continue
        assert now.number is not None and group[0].number is not None
        implied = (now.number / before.number - 1) * 100
        if abs(implied - group[0].number) > _CONTRADICTION_PCT:
            found.append(
                _issue(
                    "rate_contradiction",
                    indicator,
                    place,
                    year,
                    group[0],
                    now,
                    f"{year - 1} 年 {before.value}、{year} 年 {now.value}，折合增长 {implied:.1f}%，"
                    f"报告称 {group[0].value}",
                    extra=before,
                )
            )
    return found


def _level(stated: dict[tuple[str, str, int, str, str], list[Row]], place: str, base: str, year: int) -> Row | None:
    for (p, indicator, y, unit, kind), group in stated.items():
        if p == place and indicator == base and y == year and kind == "actual" and unit not in _RATE_UNITS:
            yearly = [r for r in group if not _CUMULATIVE.search(r.quote)]  # 五年累计完成…: no year's amount
            if yearly:
                return yearly[0]
    return None


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return True
    return abs(a - b) <= max(abs(a), abs(b)) * 0.005


def _issue(
    kind: str, indicator: str, place: str, year: int, a: Row, b: Row, reason: str, extra: Row | None = None
) -> dict[str, Any]:
    rows = [a.to_json(), b.to_json()] + ([extra.to_json()] if extra is not None else [])
    return {"type": kind, "indicator": indicator, "place": place, "year": year, "rows": rows, "reason": reason}
