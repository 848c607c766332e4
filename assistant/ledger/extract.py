"""The figures of a report passage as ledger rows: value as written, number and unit, kind, indicator,
qualifier, the year the figure is about, and the sentence that holds it (docs/contracts.md, "Ledger").

Numbers are found by assistant/numbers.py (Arabic and Chinese numerals, 万/亿, %, ranges); this
module decides which of them are figures and what they are. A figure is a number with a measure or
count word after it (3.76万亩, 20余名, 5.4%, 1.31亿元), or a rank (第2位). Not figures: calendar years
(2023年), dates (2月19日), list numbering (1. （三） 一是), names with digits (5G, 4A级, 1+3+N,
十四五), ordinals (第十四届, 第3次). An XX/X placeholder where a number should stand (投资XX万元)
is an undisclosed row without a number.

Everything is rules over how report sentences phrase figures: the indicator is the noun phrase
before the verb that leads to the figure (达到/完成/增长/实现 …), inherited from the figure before
it in the same sentence when the clause names none (完成235.2亿元，同比增长18.5%); `kind` is
`change` after a verb of change (增长/下降 …, with `direction`), `rank` for 第N位, `target` in a plan
part or after 目标/力争/预期, else `actual` (`other` for multiples and shares of a whole).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal
from typing import Any

from assistant.ingest.tables import ROW_MARK
from assistant.ledger.names import CHANGE_DOWN as _CHANGE_DOWN
from assistant.ledger.names import CHANGE_UP as _CHANGE_UP
from assistant.ledger.names import choose_name, indicator_of, table_name
from assistant.ledger.table_rows import header_unit, row_indicator
from assistant.numbers import figures
from assistant.text import sentence_spans

# Bump when the rows extracted from a text change: stores rebuild their ledger (store.py).
EXTRACTOR_VERSION = "4"

KINDS = ("actual", "target", "change", "rank", "other")

# Measure and count words that make a number a figure (longest first where one is a prefix of another).
_UNIT = (
    r"个百分点|百分点|平方公里|平方米|平米|立方米|公里|千米|延长米|米|人次|户次|元/[吨亩斤人]|元|亩|公顷|"
    r"吨标准煤|吨|公斤|千克|斤|千瓦时|千瓦|兆瓦|度|倍|个|项|次|名|人|户|家|所|座|处|条|件|批|支|位|场|期|篇|"
    r"份|册|本|台|辆|套|间|栋|幢|种|类|款|轮|天|头|只|艘|架|列|笔|例|起|宗|标段|床|张|块|棵|株|盏|眼|口|部|"
    r"课时|小时|颗|村|万|亿"
)
_UNIT_AFTER = re.compile(rf"(?P<approx>[余多])?(?P<unit>{_UNIT})?(?P<post>以上|左右|以内|以下|多)?")
_PLACEHOLDER = re.compile(
    rf"(?<![A-Za-z])(?P<x>[XxＸ×]{{1,4}})(?P<approx>[余多])?(?P<mult>[十百千]?[万亿])?(?P<unit>%|{_UNIT})(?P<post>以上|左右)?"
)
_RANK_AFTER_VERB = re.compile(
    r"(?:排名|排|居|位居|位列|列)[\u4e00-\u9fff]{0,4}?(?P<v>第(?P<n>\d+|[一二三四五六七八九十]{1,3}))"
    r"(?![\u4e00-\u9fff\d])"
)
_ROUND = {"百": 100, "千": 1000, "万": 10000}
_ROUND_APPROX = re.compile(rf"(?<![\d.一二三四五六七八九十两数几上近])(?P<r>[百千万])余(?P<unit>{_UNIT})")
_RANK = re.compile(r"(?:第|前)(?P<n>\d+|[一二三四五六七八九十]{1,3})(?P<unit>位|名)")
_PRE_QUALIFIER = re.compile(r"(超过|超|逾|近|约|不少于|不低于|不到)$")
_YEAR = re.compile(r"((?:19|20)\d{2})(?:\s*[-—–~至到]\s*(?:19|20)?\d{2,4})?\s*年")
_BASE_YEAR = re.compile(r"(?:比|较|与|同|是|于|相比|对比)\s*$")
_CHANGE = re.compile(rf"(?P<verb>{_CHANGE_UP}|{_CHANGE_DOWN})(?:了)?(?:超过|超|约|近|逾)?$")
_DOWN = re.compile(rf"(?:{_CHANGE_DOWN})(?:了)?(?:超过|超|约|近|逾)?$")
_TARGET_CUES = re.compile(r"目标|力争|预期|计划|争取|确保|预计|拟|将要|要达到|任务是")
# In a review, a plan stated at the head of a clause (计划投入资金75万元; not 雨露计划补贴, a programme).
_REVIEW_TARGET_CUES = re.compile(r"(?:^|[，,；;：:、])(?:计划|争取|力争)|目标是|目标为|预期目标")
_VERSUS = re.compile(r"(?:高于|低于|快于|慢于|领先|落后于?)(?:全国|全省|全市|全区|全县|全盟)?(?:平均)?(?:水平)?$")
_BOUNDARY = re.compile(r"[，,：:（(）)]")
_MEASURE_WORD = re.compile(r"产量|增加值|产值|收入|总额|面积|人数|数量|规模|投资|销售额|营业额|增速|降幅|占比|比重")
_JOINS = ("和", "、", "与", "及", "至", "，", ",", "")
_NOT_AFTER = re.compile(r"[年月日号届A-Za-z+]")  # 2023年, 2月, 19日, 第十四届, 5G, 1+3+N


@dataclass(frozen=True)
class Context:
    """Where a passage sits: its document, place, report part and section, and the years to read
    relative years against (`part_years`: the part's first and last; `report_year`: the year the
    report was given, for 去年/今年)."""

    doc: str
    place: str = ""
    part: str = ""
    part_kind: str = ""  # 总结 | 计划 | 存在问题 | ""
    section: str = ""
    part_years: tuple[int, int] = (0, 0)
    report_year: int = 0
    chunk_id: str = ""
    offset: int = 0  # the passage's start in the document's cleaned text


@dataclass(frozen=True)
class Row:
    """One figure of the ledger (docs/contracts.md, "Ledger": the `ledger --json` row)."""

    doc: str
    place: str
    year: int
    part: str
    section: str
    kind: str
    indicator: str
    value: str
    number: float | None
    unit: str
    qualifier: str = ""
    direction: str = ""  # up | down for a change (and a target of one)
    undisclosed: bool = False
    quote: str = ""
    high: float | None = None  # a range's upper end (3-5万元)
    start: int = 0  # the value's offsets in the cleaned text
    end: int = 0
    chunk_id: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("extra")
        return out


def extract(text: str, ctx: Context) -> list[Row]:
    """Every figure of `text` (a chunk or a sentence) as a row, in order."""
    rows: list[Row] = []
    for s, e in sentence_spans(text, 0, len(text)):
        rows.extend(_sentence(text, s, e, ctx))
    return rows


@dataclass
class _Hit:
    start: int  # in the sentence
    end: int
    value: str
    number: Decimal | None
    unit: str
    approx: str = ""
    post: str = ""
    high: Decimal | None = None
    rank: bool = False


def _sentence(text: str, s: int, e: int, ctx: Context) -> list[Row]:
    raw = text[s:e]
    lead = len(raw) - len(raw.lstrip())
    sentence = raw.strip()
    if not sentence:
        return []
    base = s + lead
    hits = sorted(_hits(sentence), key=lambda h: h.start)
    rows: list[Row] = []
    prev_end, subject = 0, ""
    for hit in hits:
        clause_start = max(prev_end, _last_boundary(sentence, hit.start))
        before = sentence[clause_start : hit.start]
        pre = _PRE_QUALIFIER.search(before)
        qualifier = pre.group(1) if pre else ""
        if pre:
            before = before[: pre.start()]
        qualifier = _qualifier(qualifier, hit)
        kind, direction = _kind(sentence, hit, before, ctx)
        if rows and before.strip() in _JOINS:  # 分别增长7%和8%: the second as the first
            kind, direction = rows[-1].kind, rows[-1].direction
        versus = _VERSUS.search(before.rstrip())  # 高于全国1.8个百分点: the gap of the indicator before
        name = indicator_of(before[: versus.start()] if versus else before)
        inherited = subject
        name, subject = choose_name(name, before, sentence, hit.end, hit.unit, subject, bool(versus))
        indicator = table_name(name, direction, hit.unit, hit.rank, before, inherited)
        if sentence.startswith(ROW_MARK):  # a table row: its label and the figure's column header
            indicator = row_indicator(sentence, hit.start) or indicator
        rows.append(
            Row(
                doc=ctx.doc,
                place=ctx.place,
                year=_year_of(sentence, hit.start, ctx),
                part=ctx.part,
                section=ctx.section,
                kind=kind,
                indicator=indicator,
                value=hit.value,
                number=_num(hit.number),
                unit=hit.unit,
                qualifier=qualifier,
                direction=direction,
                undisclosed=hit.number is None and not hit.rank,
                quote=sentence,
                high=_num(hit.high),
                start=ctx.offset + base + hit.start,
                end=ctx.offset + base + hit.end,
                chunk_id=ctx.chunk_id,
            )
        )
        prev_end = hit.end
    return _distribute(rows)


def _distribute(rows: list[Row]) -> list[Row]:
    """A list's figures each to its item: 新能源汽车、集成电路产量分别增长49.8%、11.9% gives
    新能源汽车产量增速 and 集成电路产量增速 (as many items as figures in a row, the measure word of
    the last item shared)."""
    out: list[Row] = []
    i = 0
    while i < len(rows):
        j = i
        while j + 1 < len(rows) and rows[j + 1].indicator == rows[i].indicator:
            j += 1
        run = rows[i : j + 1]
        items = rows[i].indicator.split("、")
        measure = _MEASURE_WORD.search(items[-1], 1) if len(items) == len(run) > 1 else None
        if measure is not None and "分别" in rows[i].quote and all(len(item) >= 2 for item in items[:-1]):
            suffix = items[-1][measure.start() :]
            stems = [*items[:-1], items[-1][: measure.start()]]
            run = [replace(r, indicator=stem + suffix) for r, stem in zip(run, stems, strict=True)]
        out.extend(run)
        i = j + 1
    return out


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _hits(sentence: str) -> list[_Hit]:
    """The figures of a sentence: numbers with a unit, ranks, placeholders; ranges as one figure."""
    hits: list[_Hit] = []
    taken: list[tuple[int, int]] = []
    for m in _RANK.finditer(sentence):
        n = m.group("n")
        read = figures(n + "个", loose=True)  # 第七位: the Chinese numeral read as a count
        value = Decimal(n) if n.isdigit() else (read[0].value if read else None)
        if value is None:
            continue
        hits.append(_Hit(m.start(), m.end(), m.group(0), value, m.group("unit"), rank=True))
        taken.append((m.start(), m.end()))
    for m in _RANK_AFTER_VERB.finditer(sentence):  # 排西部第二: a rank without 位/名
        read = figures(m.group("n") + "个", loose=True)
        value = Decimal(m.group("n")) if m.group("n").isdigit() else (read[0].value if read else None)
        if value is not None and not any(a <= m.start("v") < b for a, b in taken):
            hits.append(_Hit(m.start("v"), m.end("v"), m.group("v"), value, "", rank=True))
            taken.append((m.start("v"), m.end("v")))
    for m in _PLACEHOLDER.finditer(sentence):
        unit = m.group("unit")
        post = m.group("post") or ""
        end = m.end() - len(post)
        hits.append(_Hit(m.start(), end, sentence[m.start() : end], None, unit, m.group("approx") or "", post))
        taken.append((m.start(), m.end()))
    for m in _ROUND_APPROX.finditer(sentence):  # 千余家, 百余人: an approximate round count
        unit = m.group("unit")
        hits.append(_Hit(m.start(), m.end(), m.group(0), Decimal(_ROUND[m.group("r")]), unit, approx="余"))
        taken.append((m.start(), m.end()))
    found = figures(sentence)
    i = 0
    while i < len(found):
        f = found[i]
        i += 1
        if any(a <= f.start < b for a, b in taken):
            continue
        high = None
        end = f.end
        nxt = found[i] if i < len(found) else None
        if nxt is not None and sentence[f.end : nxt.start].strip() in ("-", "–", "—", "~", "至", "到", "－", "～"):
            high, end = nxt, nxt.end
            i += 1
        last = high or f
        scale = Decimal(1)
        if not _is_figure(sentence, f.start, last.end, last.text):
            continue
        tail = _UNIT_AFTER.match(sentence, end)
        assert tail is not None
        unit = tail.group("unit") or ""
        if last.text.endswith(("%", "％", "‰")):
            unit, tail_end = last.text[-1].replace("％", "%"), end
            post = _post(sentence, end)
        else:
            if not unit and last.scale < 4:  # a bare number; 达50万 is a figure
                unit, scale = header_unit(sentence, f.start, end, _UNIT)  # a table cell 300 under 资金（万元）
                if not unit:
                    continue
            tail_end = tail.end("unit") if tail.group("unit") else end
            post = tail.group("post") or ""
            if post == "多":
                post = ""
        if unit in ("万", "亿"):  # 3万余人: the multiplier written after the approximation
            continue
        if _in_formula(sentence, f.start, tail_end):  # （即1名村干部+2名评议员+N名志愿者）: a formula's name
            continue
        approx = tail.group("approx") or ("余" if re.search(r"[余多]", f.text) else "")
        hits.append(
            _Hit(
                f.start,
                tail_end,
                sentence[f.start : tail_end],
                f.value * scale,
                unit,
                approx,
                post,
                high.value if high is not None else None,
            )
        )
    return hits


def _in_formula(sentence: str, start: int, end: int) -> bool:
    left = _last_boundary(sentence, start)
    nxt = _BOUNDARY.search(sentence, end)
    clause = re.sub(r"“[^”]*”", "", sentence[left : nxt.start() if nxt else len(sentence)])  # “4+4科创工程”: a name
    return bool(re.search(r"[+＋]", clause))


def _post(sentence: str, end: int) -> str:
    m = re.match(r"以上|左右|以内|以下", sentence[end:])
    return m.group(0) if m else ""


def _is_figure(sentence: str, start: int, end: int, text: str) -> bool:
    """Not a year, date, list number, name with digits or ordinal (see the module docstring)."""
    after = sentence[end : end + 1]
    before = sentence[max(0, start - 1) : start]
    if _NOT_AFTER.match(after) and not text.endswith(("%", "％")):
        return False
    if before and (re.match(r"[A-Za-z+#]", before) or before == "第"):
        return False
    opened, closed = sentence.rfind("“", 0, start), sentence.rfind("”", 0, start)
    if opened > closed and 0 <= sentence.find("”", end) - opened <= 16:  # “365天不落幕的科技博览会”: a name
        return False
    return not (before in "（(" and after in "）)")


def _last_boundary(sentence: str, at: int) -> int:
    ends = [m.end() for m in _BOUNDARY.finditer(sentence, 0, at)]
    return ends[-1] if ends else 0


def _qualifier(pre: str, hit: _Hit) -> str:
    if hit.post:
        return hit.post
    if hit.approx:
        return "余"
    return {"超过": "超", "逾": "超"}.get(pre, pre)


def _kind(sentence: str, hit: _Hit, before: str, ctx: Context) -> tuple[str, str]:
    change = _CHANGE.search(before.rstrip())
    direction = ("down" if _DOWN.search(before.rstrip()) else "up") if change else ""
    planned = ctx.part_kind == "计划" or (ctx.part_kind == "" and bool(_TARGET_CUES.search(sentence[: hit.start])))
    if ctx.part_kind in ("总结", "存在问题") and _REVIEW_TARGET_CUES.search(sentence[: hit.start]):
        planned = True  # 计划投入资金75万元 in a year-end review
    if hit.rank:
        return "rank", ""
    if planned:
        return "target", direction
    if change:
        return "change", direction
    if _VERSUS.search(before.rstrip()):  # 增幅高于全国0.7个百分点: a gap to a benchmark
        return "other", ""
    if hit.unit == "倍" or re.search(r"占\S{0,12}(?:比重|比例)?(?:达到|达|为)?$", before):
        return "other", ""
    return "actual", ""


def _year_of(sentence: str, at: int, ctx: Context) -> int:
    """The year a figure is about: an explicit year before it in its sentence (not a comparison's
    base: 比2010年增加), else 去年/今年 read against the report, else the part's (last) year."""
    best = None
    for m in _YEAR.finditer(sentence, 0, at):
        if _BASE_YEAR.search(sentence[: m.start()]):
            continue
        text = m.group(0)
        years = [int(y) for y in re.findall(r"(?:19|20)\d{2}", text)]
        best = max(years) if years else None
    if best is not None:
        return best
    head = sentence[:at]
    if re.search(r"(?<![比较])(?:去年|上年)|过去的一年|过去一年", head) and ctx.report_year:
        last = ctx.report_year - 1
        return last
    return ctx.part_years[1] or ctx.report_year
