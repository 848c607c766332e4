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
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from assistant.numbers import figures
from assistant.text import sentence_spans

# Bump when the rows extracted from a text change: stores rebuild their ledger (store.py).
EXTRACTOR_VERSION = "1"

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
_RANK_VERB = re.compile(r"(?:位居|居|排名|排|列|位列|名列|进入|跻身)(?:全国|全省|全区|全市|全盟|全县|同类\S{0,4})?$")
_ROUND = {"百": 100, "千": 1000, "万": 10000}
_ROUND_APPROX = re.compile(rf"(?<![\d.一二三四五六七八九十两数几上近])(?P<r>[百千万])余(?P<unit>{_UNIT})")
_RANK = re.compile(r"(?:第|前)(?P<n>\d+|[一二三四五六七八九十]{1,3})(?P<unit>位|名)")
_PRE_QUALIFIER = re.compile(r"(超过|超|逾|近|约|不少于|不低于|不到)$")
_YEAR = re.compile(r"((?:19|20)\d{2})(?:\s*[-—–~至到]\s*(?:19|20)?\d{2,4})?\s*年")
_BASE_YEAR = re.compile(r"(?:比|较|与|同|是|于|相比|对比)\s*$")
_CHANGE_UP = "增长|增加|提高|提升|上升|上涨|递增|增|扩大|拉动"
_CHANGE_DOWN = "下降|减少|降低|回落|下滑|递减|降|缩小|缩减|压减|减"
_CHANGE = re.compile(rf"(?P<verb>{_CHANGE_UP}|{_CHANGE_DOWN})(?:了)?(?:超过|超|约|近|逾)?$")
_DOWN = re.compile(rf"(?:{_CHANGE_DOWN})(?:了)?(?:超过|超|约|近|逾)?$")
_TARGET_CUES = re.compile(r"目标|力争|预期|计划|争取|确保|预计|拟|将要|要达到|任务是")
# In a review, a plan stated at the head of a clause (计划投入资金75万元; not 雨露计划补贴, a programme).
_REVIEW_TARGET_CUES = re.compile(r"(?:^|[，,；;：:、])(?:计划|争取|力争)|目标是|目标为|预期目标")
_VERSUS = re.compile(r"(?:高于|低于|快于|慢于|领先|落后于?)(?:全国|全省|全市|全区|全县|全盟)?(?:平均)?(?:水平)?$")
_BOUNDARY = re.compile(r"[，,：:（(）)]")
# Verbs and links between an indicator and its figure, stripped from the end of the clause before it.
_TRAILING = re.compile(
    r"(?:完成了|完成|达到了|达到|达|实现了|实现|为|是|有|突破|超过|超|共计|累计|合计|总计|共|计|分别|同比|"
    r"比上年|比去年|较上年|较去年|年均|平均|增至|增到|降至|降到|提高到|提升到|增加到|增长到|达成|到|至|了|已|均|"
    r"约|近|逾|占|的|由|从|在|以|按可比口径|可比口径|按|比|较|"
    rf"{_CHANGE_UP}|{_CHANGE_DOWN}|，|,|、|\s)+$"
)
_LEADING = re.compile(
    r"^(?:其中|全年|年内|当年|今年|去年|上年|全区|全市|全省|全县|全乡|全镇|全村|我区|我市|我省|我县|我乡|我镇|"
    r"共|累计|并|和|及|与|同时|此外|另外|以及|了|力争|争取|计划|确保|预计|截至\S{0,8}?(?:月底|年底|月末|年末|底|末)|完成|实现|达到|使|让|将|"
    r"[一二三四五六七八九十]+是|\d+[.、．]|[（(][一二三四五六七八九十\d]+[）)]|[、，,\s])+"
)
_TIME = re.compile(
    r"(?:(?:19|20)\d{2}\s*(?:[-—–~至到]\s*(?:19|20)?\d{2,4})?\s*年(?:度|底|末|初|的)?|今年|去年|上年|全年)"
)
_NOUN_AFTER = re.compile(r"[\u4e00-\u9fff]{1,8}?(?=[，,。；;、的（(]|$)|[\u4e00-\u9fff]{1,8}")
# Names that are no names: examples before their category (实施光电、制储氢等10个专项), verbs in a row (新建、重组).
_NOT_A_NAME = re.compile(r".*等$|(?:[\u4e00-\u9fff]{2}、)+[\u4e00-\u9fff]{2}")
# What may stand between a figure and the one before it when both are of one indicator.
_LINK = re.compile(
    rf"(?:达到|达|为|是|实现|完成|增加到|提高到|增至|同比|比上年|较上年|比|较|年均|分别|其中|和|、|与|共计|合计|累计|总计|共|"
    rf"{_CHANGE_UP}|{_CHANGE_DOWN}|了|约|近|超过|超|按可比口径)*"
)
# A clause that names an action, not what was counted: the noun follows the figure.
_ACTION = re.compile(
    r"(?:启动实施|启动|实施了|实施|推进|确保|全面完成|全面|严格|建成|重点实施|重点|以及|圆满|完成|新建|改造|"
    r"打造|创建|争取|开展|举办|组织|引进|签约|落实|帮助|慰问|建设|培育|发展|带动|解决|新增|累计|共|了)+"
)
_JOINS = ("和", "、", "与", "及", "至", "，", ",", "")
_PARTIAL = ("增速", "增幅", "总量", "增量", "降幅", "占比", "比重")
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
        name = _indicator(before)
        linked = not name and _LINK.fullmatch(_TIME.sub("", before).strip())
        if subject and (linked or (hit.unit == "倍" and before.startswith("是"))):  # 是2010年的2.6倍
            name = subject
        elif not name or _ACTION.fullmatch(name) or _NOT_A_NAME.fullmatch(name):
            name += _noun_after(sentence, hit.end)  # 完成9.2公里管网改造, 实施36个老旧小区改造
        elif subject and name in _PARTIAL:
            name = subject + name
        else:
            subject = name
        indicator = _name(name, kind, direction, hit, before)
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
    return rows


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
                continue
            tail_end = tail.end("unit")
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
                f.value,
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
    return bool(re.search(r"[+＋]", sentence[left : nxt.start() if nxt else len(sentence)]))


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


def _indicator(before: str) -> str:
    """The noun phrase of a clause before its figure: time words, links and verbs stripped."""
    text = _TIME.sub("", before)
    text = re.sub(r"[“”\"'‘’《》【】]", "", text)
    for _ in range(3):
        text = _TRAILING.sub("", text)
        text = _LEADING.sub("", text)
    text = re.sub(r"(?:累计|共计|合计)", "", text)
    text = text.strip(" ，,、")
    if len(text) > 16 and "的" in text[:-3]:  # 非公经济增加值占地区生产总值的比重: the head noun
        text = text[text.rindex("的", 0, len(text) - 3) + 1 :]
    if len(re.findall(r"[\u4e00-\u9fff]", text)) < 2:
        return ""
    return text[-20:]


def _noun_after(sentence: str, end: int) -> str:
    m = _NOUN_AFTER.match(sentence, end)
    return m.group(0) if m else ""


def _name(name: str, kind: str, direction: str, hit: _Hit, before: str) -> str:
    """The indicator's table name: a rate of change is the indicator's 增速/降幅, a rank its 排名."""
    if hit.rank:
        base = _RANK_VERB.sub("", name)
        return base + "排名"
    if not direction:
        return name
    yearly = "年均" if "年均" in before else ""
    if hit.unit in ("%", "个百分点", "百分点", "倍"):
        word = "增速" if direction == "up" else "降幅"
    else:
        word = "增加" if direction == "up" else "减少"
    return f"{name}{yearly}{word}" if name else ""


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
