"""Document metadata (township, years, kind) and the report part (总结 / 计划 / 问题) of each section."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.script import fold
from assistant.text import YEAR
from assistant.types import Section, part_years

# An anonymised township: X/XX/XXX before 乡/镇.
_ANON_TOWNSHIP = re.compile(r"[Xx×]{1,3}$")
_HAN = re.compile(r"^[\u4e00-\u9fff]+$")
# Characters that never belong to a township name but often stand right before one (县, 中共 …).
_NOT_IN_NAME = set("县市区省州共委党的在和与及等为对把将从年全本我该各此每他其那这哪个些第")
# Two-character words ending in 乡/镇 that are not names (城乡低保, 全乡, 森林康养名镇 …).
_COMMON_WORDS = {
    "城乡",
    "全乡",
    "本乡",
    "我乡",
    "该乡",
    "各乡",
    "此乡",
    "返乡",
    "下乡",
    "家乡",
    "老乡",
    "故乡",
    "回乡",
    "离乡",
    "同乡",
    "原乡",
    "城镇",
    "集镇",
    "村镇",
    "市镇",
    "小镇",
    "名镇",
    "古镇",
    "重镇",
    "强镇",
    "全镇",
    "本镇",
    "我镇",
    "各镇",
    "该镇",
    "建镇",
    "乡镇",
}


def _name_before(text: str, i: int) -> str:
    """The township name ending at text[i] (乡 or 镇), or '' if what precedes is not a name."""
    anon = _ANON_TOWNSHIP.search(text[max(0, i - 3) : i])
    if anon:
        return anon.group(0) + text[i]
    if text[max(0, i - 1) : i + 1] in _COMMON_WORDS:
        return ""
    for length in (3, 2):
        name = text[i - length : i] if i >= length else ""
        if not name or not _HAN.match(name) or set(name) & _NOT_IN_NAME:
            continue
        # A three-character name must start at a boundary (石门坎乡 in 县石门坎乡), not 进安民乡 in 推进安民乡.
        before = text[i - length - 1] if i - length - 1 >= 0 else ""
        if length == 2 or not before or not _HAN.match(before) or before in _NOT_IN_NAME:
            return name + text[i]
    return ""


_PLAN_WORDS = (
    "计划",
    "思路",
    "安排",
    "打算",
    "要点",
    "下一步",
    "目标",
    "任务",
    "重点工作",
    "规划",
    "部署",
    "展望",
)
_SUMMARY_WORDS = ("总结", "履职", "回顾", "工作情况", "完成情况", "成效", "成就", "述职")
_PROBLEM_WORDS = ("存在问题", "问题和不足", "不足")
# 十四五 / “十四五”时期 / 第十四个五年规划: the N-th five-year plan (the third began in 1966).
_FIVE_YEAR = re.compile(r"十([一二三四五六七八九])五|第十([一二三四五六七八九])个五年")
_CN_DIGIT = "一二三四五六七八九"


def five_year_spans(text: str) -> list[tuple[int, int]]:
    """(2021, 2025) for every 十四五 (or 第十四个五年) the text names, in order."""
    spans = []
    for match in _FIVE_YEAR.finditer(text):
        n = 10 + _CN_DIGIT.index(match.group(1) or match.group(2)) + 1
        start = 1966 + 5 * (n - 3)
        spans.append((start, start + 4))
    return spans


@dataclass(frozen=True)
class ReportDates:
    """When a report was given and which years its parts cover when a heading names none.

    `summary_year`: the year its review (总结, 回顾) reports on; `plan_year`: the year its plan sets
    targets for; `date`: the date it was delivered (YYYY-MM-DD, "" when not stated); `meeting`: the
    date-and-meeting line under the title (——2016年2月19日在…会议上), "" when there is none.
    """

    summary_year: int | None = None
    plan_year: int | None = None
    date: str = ""
    meeting: str = ""

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(sorted({y for y in (self.summary_year, self.plan_year) if y}))


_DATE = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_CN_DATE = re.compile("([〇零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,2})月([一二三四五六七八九十]{1,3})日")


def _cn_number(text: str) -> int:
    """二〇二六 → 2026 (digit by digit), 二十七 → 27, 十 → 10."""
    digits = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0}
    if "十" not in text:
        return int("".join(str(digits[c]) for c in text))
    tens, _, ones = text.partition("十")
    return (digits[tens] if tens else 1) * 10 + (digits[ones] if ones else 0)


def _arabic_dates(line: str) -> str:
    """The line with 二〇二六年一月二十七日 written 2026年1月27日 (for the date patterns)."""
    return _CN_DATE.sub(
        lambda m: f"{_cn_number(m.group(1))}年{_cn_number(m.group(2))}月{_cn_number(m.group(3))}日", line
    )


_MEETING = re.compile(r"^[—\-－─–]*\s*(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日.{0,60}?(?:会议|大会)")
_OPENING_LINES = 8  # lines under the title searched for the meeting line


def find_dates(title: str, body: str, title_years: tuple[int, ...]) -> ReportDates:
    """The report's date, meeting line, and the years its review and plan cover by default.

    A report given in the first half of year D (a 政府工作报告 in January) reviews D-1 and plans D;
    one given later (a township's December 总结) reviews D and plans D+1. Years the title names
    for 总结 or 计划 come first; a title year of a report that is neither (2026年吉林省政府工作报告)
    is the year it was given.
    """
    title, body = fold(title), fold(body)
    lines = [_arabic_dates(ln.strip()) for ln in [title, *body.split("\n")[:_OPENING_LINES]] if ln.strip()]
    meeting, date = "", None
    for i, line in enumerate(lines):
        if _MEETING.match(line) or (
            _DATE.match(line.lstrip("—-－─– ")) and i + 1 < len(lines) and lines[i + 1].endswith("会议上")
        ):
            meeting = line if line.endswith("上") or i + 1 >= len(lines) else line + lines[i + 1]
            date = _DATE.search(line)
            break
    if date is None:
        date = next((m for m in (_DATE.search(ln) for ln in lines[1:4]) if m), None)
    given = (int(date.group(1)), int(date.group(2))) if date else None
    summary_cue = any(w in title for w in _SUMMARY_WORDS)
    plan_cue = any(w in title for w in _PLAN_WORDS)
    summary = plan = None
    if title_years and (summary_cue or plan_cue):
        if summary_cue:
            summary = min(title_years)
        if plan_cue:
            plan = max(title_years) if (len(title_years) > 1 or not summary_cue) else None
    year_given = given[0] if given else (title_years[0] if title_years and not (summary_cue or plan_cue) else None)
    early = given is None or given[1] <= 6
    if summary is None and year_given:
        summary = year_given - 1 if early else year_given
    if plan is None and year_given:
        plan = year_given if early else year_given + 1
    if summary is None and plan is not None and not summary_cue:
        summary = min(title_years) if title_years else None  # a plan-only report: as before
    if plan is None and summary is not None:
        plan = summary + 1
    text_date = f"{given[0]:04d}-{given[1]:02d}-{int(date.group(3)):02d}" if date and given else ""
    return ReportDates(summary, plan, text_date, meeting)


_PART_LINE_CHARS = 30
_PART_LINE_CUES = (
    "回顾",
    "总结",
    "安排",
    "目标任务",
    "主要任务",
    "重点工作",
    "工作要点",
    "工作计划",
    "工作思路",
    "主要目标",
)


def names_part(line: str) -> bool:
    """An unnumbered line that opens a report part (“十四五”时期工作回顾, 2026年重点工作): short, no
    punctuation, and naming a part with a year or a five-year span."""
    text = fold(line.strip())
    if not text or len(text) > _PART_LINE_CHARS or any(ch in text for ch in "。；！？：:，,、"):
        return False
    return any(cue in text for cue in _PART_LINE_CUES) and bool(YEAR.search(text) or five_year_spans(text))


def part_name(kind: str, years: tuple[int, int] | None) -> str:
    """'2025年工作总结', '2021-2025年工作总结', or '工作计划' when the years are unknown."""
    if years is None:
        return f"工作{kind}"
    span = str(years[0]) if years[0] == years[1] else f"{years[0]}-{years[1]}"
    return f"{span}年工作{kind}"


def township_mentions(text: str) -> list[str]:
    """Every township name in text, in order (anonymised names like XX乡 included)."""
    names = []
    for i, ch in enumerate(text):
        if ch in "乡镇":
            name = _name_before(text, i)
            if name:
                names.append(name)
    return names


def find_township(title: str, body: str) -> str:
    """The township the report is about: from the title, else the opening paragraphs; '' if none
    (in Simplified characters: 鄉 is read as 乡)."""
    title, body = fold(title), fold(body)
    for source in (title, body[:600]):
        names = township_mentions(source)
        if names:
            return names[0]
    return ""


def find_years(title: str, body: str) -> tuple[int, ...]:
    """Years named in the title (else in the opening paragraph), ascending."""
    title, body = fold(title), fold(body)
    for source in (title, body[:600]):
        years = sorted({int(y) for y in YEAR.findall(source)})
        if years:
            return tuple(years)
    return ()


def find_kind(title: str) -> str:
    """述职 / 总结 / 计划 from the title (述职 wins: a 述职 report also summarises); 述職, 總結 … too."""
    title = fold(title)
    if "述职" in title:
        return "述职"
    if "总结" in title:
        return "总结"
    if any(word in title for word in _PLAN_WORDS):
        return "计划"
    return "其他"


def classify_part(heading: str, dates: ReportDates) -> str:
    """Name the report part a top-level heading opens: '2025年工作总结', '2026年工作计划',
    '2021-2025年工作总结' (一、“十四五”时期工作回顾), '存在问题'; '' when it opens none."""
    heading = fold(heading)
    if any(word in heading for word in _PROBLEM_WORDS):
        return "存在问题"
    cues = [(heading.find(w), "计划") for w in _PLAN_WORDS if w in heading]
    cues += [(heading.find(w), "总结") for w in _SUMMARY_WORDS if w in heading]
    years = [int(y) for y in YEAR.findall(heading)]
    spans = five_year_spans(heading)
    if not cues and not (years and not spans):
        return ""
    if cues:
        kind = max(cues)[1]  # the last cue names the part: 重点任务完成情况 → 总结
    elif dates.plan_year and min(years) >= dates.plan_year:
        kind = "计划"
    else:
        kind = "总结"
    covered = [*years, *(y for span in spans for y in span)]
    if covered:
        return part_name(kind, (min(covered), max(covered)))
    default = dates.plan_year if kind == "计划" else dates.summary_year
    return part_name(kind, (default, default) if default else None)


def assign_parts(root: Section, dates: ReportDates) -> None:
    """Set `part` on every node: the outermost heading (第X部分 or 一、) that names a part wins."""

    def visit(node: Section, inherited: str) -> None:
        part = inherited
        if not inherited and node.level in (1, 2):
            part = classify_part(node.heading, dates)
        node.part = part
        for child in node.children:
            visit(child, part)

    for child in root.children:
        visit(child, "")


def report_years(root: Section, title_years: tuple[int, ...]) -> tuple[int, ...]:
    """The years a report covers: those given (its title's, its review's and plan's) and the year of
    each one-year part. Five-year spans are left to the chunks' year ranges."""
    years = set(title_years)
    for _, node in root.walk():
        span = part_years(node.part)
        if span and span[0] == span[1]:
            years.add(span[0])
    return tuple(sorted(years))


# Lines around the title that are not report content: the date-and-meeting line, the newspaper's
# 来源/时间 lines, the speaker's signature (海拉尔区人民政府区长 杜联合), the salutation (各位代表：)
# and the opening formula (我代表…向大会报告工作，请予审议).
_FRONT_MATTER = (
    _MEETING,
    re.compile(r"^\s*(?:来源|时间|发布时间|作者|记者|编辑|责任编辑)[：:]"),
    re.compile(
        r"^.{0,30}(?:省长|市长|区长|县长|州长|盟长|旗长|乡长|镇长|主席|主任|书记)[\s\u3000]*[\u4e00-\u9fff·]{2,5}$"
    ),
    re.compile(r"^\s*各位代表[：:，,]?\s*$"),
    re.compile(r"向大会(?:作)?(?:报告|作工作报告)|请予审议"),
)


def is_front_matter(sentence: str) -> bool:
    """A date/meeting line, source line, signature, salutation or opening formula: never an answer."""
    text = _arabic_dates(fold(sentence.strip()))
    return any(pattern.search(text) for pattern in _FRONT_MATTER)


# A report's name: what a title line says it is.
_REPORT_NAME = re.compile(r"报告|总结|计划|要点|述职|安排|思路|汇报|方案")
_CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff])[ \u3000]+(?=[\u4e00-\u9fff])")
_TITLE_LINES = 4  # lines under the first searched for the title when the first is not one
_MAX_TITLE = 40


def display_title(first_line: str, body: str) -> str:
    """The report's title as people name it: the first line with the spaces of a spaced-out title
    closed (政 府 工 作 报 告 → 政府工作报告); when the first line is not a title (a newspaper column
    云南要闻, a photo caption …记者 李森 摄, the meeting line) the first short line under it naming a
    report (2026年政府工作报告); 政府工作报告 for a report given at a 人民代表大会 that names itself
    nowhere; else the first line as it is."""
    title = _CJK_GAP.sub("", first_line.strip())
    folded = fold(title)  # matched in Simplified characters, returned as written
    caption = folded.endswith("摄") or "记者" in folded
    if _REPORT_NAME.search(folded) and not caption and not _MEETING.match(_arabic_dates(folded)):
        return title
    for line in [ln.strip() for ln in body.split("\n") if ln.strip()][:_TITLE_LINES]:
        candidate = _CJK_GAP.sub("", line)
        if (
            len(candidate) <= _MAX_TITLE
            and _REPORT_NAME.search(fold(candidate))
            and not is_front_matter(candidate)
            and not fold(candidate).endswith("会议上")
        ):
            return candidate
    if "人民代表大会" in fold(_arabic_dates(first_line) + body[:300]):
        return "政府工作报告"
    return title
