"""Figures in report text with their value: Arabic and Chinese numerals, 万/亿/千, percentages.

One job: find the figures a text states (`figures`) and say whether a source's figure states the
same one (`backs`). A figure keeps the text as written (`text`, what `unsupported_numbers` lists),
its numeral (`mantissa`) and the power of ten of the multiplier written after it (`scale`: 万 4,
亿 8, 万亿 12, Arabic 千 3), so 1200万元, 一千二百万元, 0.12亿元 and 12,000,000元 are one amount,
while 1200亿元 for a source's 1200万元 is a unit slip.

Arabic numbers are all figures, as they always were (2023年, 第2位, 20余名). A Chinese-numeral run is
a figure only when it is plainly an amount (docs/contracts.md, "Numbers"): it holds 万 or 亿 after a
digit (两万, 一千二百万元), or is 百分之…, or is followed by a measure (三万亩, 五千元, 三点五吨, 两倍)
or, when it is two or more characters, by a count word (十五个, 二十余名); a four-digit year
(二〇二四年) is a year. Not figures: list numbering and ordinals (一是, 第一, （一）, 初一), runs inside
words (一体化, 十四五, 三农, 统一, 万一, 千万 as an adverb: a run never starts with 百/千/万/亿), a
lone 一 before a measure (最后一公里), one-character counts, which in these reports are mostly
slogans (两个确保, 四个不摘, 八项规定, 五个乡镇 is therefore not checked), session ordinals
(十一次全会), fractions (三分之一), approximate magnitudes (数十万, 上千亩) and, in an answer, Chinese
numerals inside “…”, which name things (“万名党员进党校”). A source's figures are read loosely
(`loose=True`: any Chinese numeral before a measure or count word), so that they back more, never
less.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from decimal import Decimal

# A comma is a thousands separator only before exactly three digits (1,200). A full-width comma
# next to ASCII digits separates list items (分别为5，8个); only between full-width digits
# (１，２００) is it a thousands separator. List commas become 、 before NFKC could make them ','.
_LIST_COMMA = re.compile(r"(?<![０-９])，|，(?![０-９])")
_MULTIPLIER = r"[十百千]?(?:万亿|亿|万)|千(?![克瓦米帕伏卡焦])"
_ARABIC = re.compile(
    rf"(?P<num>\d{{1,3}}(?:,\d{{3}})+(?![\d,])|\d+(?:\.\d+)?)(?:[余多]?(?P<mult>{_MULTIPLIER}))?(?P<pct>%|‰)?"
)
_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_POWERS = {"万亿": 12, "亿": 8, "万": 4, "千": 3, "百": 2, "十": 1}
_CHINESE = re.compile(
    r"(?P<pct>百分之)?(?P<run>[零〇一二两三四五六七八九十百千万亿点]+)(?:[余多](?P<mult>万亿|亿|万))?"
)
_MEASURE = re.compile(
    r"(?:[余多])?(?:元|亩|吨|公里|千米|米|平方|立方|公顷|公斤|千克|克|斤|千瓦|兆瓦|瓦|度|倍|株|棵|盏|%|‰|个百分点)"
)
_COUNT = re.compile(
    r"(?:[余多])?(?:个|项|次|名|人|户|家|所|座|处|条|件|批|支|位|场|期|篇|份|册|本|台|辆|套|间|栋|幢|种|类|款|轮|天|岁|头|只|艘|架|列|公顷)"
)
_SESSION = re.compile(r"次(?:全会|全体会议|会议|代表大会|党代会)")
_ORDINAL_BEFORE = ("第", "初", "周", "星期", "礼拜", "分之")
_RANGE = frozenset({"-", "–", "—", "~", "至", "到"})


@dataclass(frozen=True)
class Figure:
    """A figure as written in a text: `text` (original characters), its numeral and multiplier."""

    text: str
    mantissa: Decimal
    scale: int = 0
    start: int = 0
    end: int = 0

    @property
    def value(self) -> Decimal:
        return self.mantissa.scaleb(self.scale)


def backs(source: Figure, figure: Figure) -> bool:
    """Whether a source's figure states `figure`: the same value (1200万 = 0.12亿 = 一千二百万), or
    the same numeral where the source writes no multiplier (a source's 1200、800万元 backs 1200万元;
    a bare 2023 backs 2023年). The same numeral with another multiplier (1200亿 for 1200万) is not."""
    return figure.value == source.value or (source.scale == 0 and figure.mantissa == source.mantissa)


def backed(figure: Figure, sources: list[Figure]) -> bool:
    return any(backs(s, figure) for s in sources)


def figures(text: str, *, loose: bool = False) -> list[Figure]:
    """The figures of `text` in order (`loose`: read as a source, see the module docstring)."""
    norm, starts, ends = _normalise(_LIST_COMMA.sub("、", text))
    found: list[_Found] = []
    for m in _ARABIC.finditer(norm):
        found.append(_Found(m.start(), m.end(), Decimal(m.group("num").replace(",", "")), _power(m.group("mult"))))
    for m in _CHINESE.finditer(norm):
        chinese = _chinese(norm, m, loose)
        if chinese is not None:
            found.append(_Found(m.start(), m.end(), *chinese))
    found.sort(key=lambda f: f.start)
    return [
        Figure(text[starts[f.start] : ends[f.end - 1]], f.mantissa, f.scale, starts[f.start], ends[f.end - 1])
        for f in _ranges(norm, found)
    ]


@dataclass(frozen=True)
class _Found:
    """A number found in the normalised text (offsets there); `accepted`: it is a figure (a Chinese
    run that is not may still head a range: 三至五万元)."""

    start: int
    end: int
    mantissa: Decimal
    scale: int
    accepted: bool = True


def _power(mult: str | None) -> int:
    """The power of ten of a multiplier written after a numeral: 千 3, 万 4, 千万 7, 亿 8, 万亿 12."""
    if not mult:
        return 0
    return _POWERS[mult] if mult in _POWERS else _POWERS[mult[0]] + _POWERS[mult[1:]]


def _normalise(text: str) -> tuple[str, list[int], list[int]]:
    """NFKC per character, with each normalised character's start and end in the original text."""
    out, starts, ends = [], [], []
    for i, ch in enumerate(text):
        for n in unicodedata.normalize("NFKC", ch):
            out.append(n)
            starts.append(i)
            ends.append(i + 1)
    return "".join(out), starts, ends


def _chinese(norm: str, m: re.Match[str], loose: bool) -> tuple[Decimal, int, bool] | None:
    """A Chinese-numeral run as (mantissa, scale, accepted), None when it is no number at all or sits
    where numbers are names (after 第, inside 十四五, next to Arabic digits). `accepted`: it is a figure
    here; a valid run that is not may still head a range (三至五万元)."""
    run, start, end = m.group("run"), m.start(), m.end()
    if run[0] in "百千万亿点" or run in ("零", "〇"):
        return None
    if (start and (norm[start - 1].isdigit() or norm[start - 1] == ".")) or (end < len(norm) and norm[end].isdigit()):
        return None
    if not m.group("pct") and any(norm[:start].endswith(w) for w in _ORDINAL_BEFORE):
        return None
    if start and norm[start - 1] in "数几上" and run[0] == "十":
        return None
    tail = norm[end : end + 8]
    if tail.startswith("分之") or _SESSION.match(tail):
        return None
    if not loose and _in_quotes(norm, start):
        return None
    parsed = _parse(run)
    if parsed is None:
        return _year(run, tail)
    mantissa, scale = parsed
    if m.group("mult"):
        scale += _POWERS[m.group("mult")]
    if m.group("pct") or "万" in run or "亿" in run or m.group("mult"):
        return mantissa, scale, True
    measure, count = bool(_MEASURE.match(tail)), bool(_COUNT.match(tail))
    if "点" in run or loose:  # 三点五吨 (一点一滴 is no figure)
        return mantissa, scale, measure or count
    return mantissa, scale, (measure and run != "一") or (count and len(run) >= 2)


def _year(run: str, tail: str) -> tuple[Decimal, int, bool] | None:
    """二〇二四年 (digit by digit, then 年) as the year 2024; other digit-by-digit runs are no figures."""
    if len(run) == 4 and all(ch in _DIGITS and ch != "两" for ch in run) and tail.startswith("年"):
        return Decimal("".join(str(_DIGITS[ch]) for ch in run)), 0, True
    return None


def _in_quotes(norm: str, at: int) -> bool:
    before = norm[:at]
    return before.count("“") > before.count("”") or before.count('"') % 2 == 1


def _parse(run: str) -> tuple[Decimal, int] | None:
    """A Chinese numeral as (mantissa, scale): 一千二百万 → (1200, 4), 三点五万 → (3.5, 4),
    两万五 → (25000, 0), 十五 → (15, 0); None for what no number is written as (十四五, 一二三)."""
    whole, point, fraction = run.partition("点")
    mark = next((m for m in ("万亿", "亿", "万") if (fraction if point else whole).endswith(m)), "")
    if point:
        fraction = fraction[: len(fraction) - len(mark)]
        if not fraction or any(ch not in _DIGITS or ch == "两" for ch in fraction):
            return None
    value = _positional(whole)
    if value is None:
        return None
    scale = _POWERS[mark] if mark else 0
    if point:
        return Decimal(f"{value}.{''.join(str(_DIGITS[ch]) for ch in fraction)}"), scale
    return Decimal(value).scaleb(-scale), scale


def _positional(s: str) -> int | None:
    """The value of a positional Chinese numeral (三亿五千万, 一千零五十, 两万五), None if it is none."""
    if not s:
        return None
    if "亿" in s:
        left, _, right = s.rpartition("亿")
        high = _positional(left)
        low = _below_yi(right, 10**7)
        return None if not high or low is None else high * 10**8 + low
    return _below_yi(s, None)


def _below_yi(s: str, abbrev: int | None) -> int | None:
    if not s:
        return 0
    if "万" in s:
        left, _, right = s.partition("万")
        if "万" in right:
            return None
        high = _section(left, None) if left else None
        low = _section(right, 1000) if right else 0
        return None if not high or low is None else high * 10**4 + low
    return _section(s, abbrev)


def _section(s: str, abbrev: int | None) -> int | None:
    """A numeral below 万: digits with 十/百/千 in falling order (零 a placeholder); a trailing digit
    after 百/千 is abbreviated (一千二 = 1200), as is a lone digit after 万/亿 (`abbrev`: 两万五)."""
    if not s:
        return None
    value, digit, last, zero = 0, None, 10**4, False
    for i, ch in enumerate(s):
        if ch in _DIGITS:
            if digit is not None:
                return None
            if _DIGITS[ch] == 0:
                if i and s[i - 1] in _DIGITS:
                    return None
                zero = True
            else:
                digit = _DIGITS[ch]
        elif ch in _UNITS:
            unit = _UNITS[ch]
            if unit >= last:
                return None
            if digit is None:
                if ch != "十" or not (i == 0 or zero):
                    return None
                digit = 1
            value, last, digit, zero = value + digit * unit, unit, None, False
        else:
            return None
    if digit is not None:
        if last < 10**4 and last >= 100 and not zero:
            value += digit * last // 10
        elif last == 10**4 and len(s) == 1 and abbrev:
            value += digit * abbrev
        else:
            value += digit
    return value


def _ranges(norm: str, found: list[_Found]) -> list[_Found]:
    """The accepted figures; the first number of a range takes the multiplier of the second
    (3-5万元, 三至五万元: 3万 to 5万), and a Chinese run heading such a range is a figure."""
    out: list[_Found] = []
    for i, f in enumerate(found):
        nxt = found[i + 1] if i + 1 < len(found) else None
        if nxt is not None and nxt.accepted and norm[f.end : nxt.start].strip() in _RANGE:
            f = replace(f, scale=f.scale or nxt.scale, accepted=True)
        if f.accepted:
            out.append(f)
    return out
