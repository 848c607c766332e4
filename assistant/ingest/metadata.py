"""Document metadata (township, years, kind) and the report part (总结 / 计划 / 问题) of each section."""

from __future__ import annotations

import re

from assistant.text import YEAR
from assistant.types import Section

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


_PLAN_WORDS = ("计划", "思路", "安排", "打算", "要点", "下一步", "目标任务")
_SUMMARY_WORDS = ("总结", "履职", "回顾", "工作情况", "完成情况", "成效")
_PROBLEM_WORDS = ("存在问题", "问题和不足", "不足")


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
    """The township the report is about: from the title, else the opening paragraphs; '' if none."""
    for source in (title, body[:600]):
        names = township_mentions(source)
        if names:
            return names[0]
    return ""


def find_years(title: str, body: str) -> tuple[int, ...]:
    """Years named in the title (else in the opening paragraph), ascending."""
    for source in (title, body[:600]):
        years = sorted({int(y) for y in YEAR.findall(source)})
        if years:
            return tuple(years)
    return ()


def find_kind(title: str) -> str:
    """述职 / 总结 / 计划 from the title (述职 wins: a 述职 report also summarises)."""
    if "述职" in title:
        return "述职"
    if "总结" in title:
        return "总结"
    if any(word in title for word in _PLAN_WORDS):
        return "计划"
    return "其他"


def classify_part(heading: str, report_years: tuple[int, ...]) -> str:
    """Name the report part a top-level heading opens, e.g. '2023年工作总结', '2024年工作计划'."""
    if any(word in heading for word in _PROBLEM_WORDS):
        return "存在问题"
    is_plan = any(word in heading for word in _PLAN_WORDS)
    is_summary = not is_plan and any(word in heading for word in _SUMMARY_WORDS)
    if not (is_plan or is_summary):
        return ""
    years = [int(y) for y in YEAR.findall(heading)]
    if years:
        year = years[0]
    elif report_years and is_summary:
        year = min(report_years)
    elif report_years:
        # 述职 reports say 下一步工作打算 without a year: a one-year report plans the following year.
        year = max(report_years) if len(report_years) > 1 else report_years[0] + 1
    else:
        return "工作计划" if is_plan else "工作总结"
    return f"{year}年工作{'计划' if is_plan else '总结'}"


def assign_parts(root: Section, report_years: tuple[int, ...]) -> None:
    """Set `part` on every node: the outermost heading (第X部分 or 一、) that names a part wins."""

    def visit(node: Section, inherited: str) -> None:
        part = inherited
        if not inherited and node.level in (1, 2):
            part = classify_part(node.heading, report_years)
        node.part = part
        for child in node.children:
            visit(child, part)

    for child in root.children:
        visit(child, "")
