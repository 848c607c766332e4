"""Document metadata (township, years, kind) and the report part (总结 / 计划 / 问题) of each section."""

from __future__ import annotations

import re

from assistant.types import Section

_YEAR = re.compile(r"(20\d{2})\s*年")
# A township name: 2–4 Han characters or an anonymised X/XX/XXX, followed by 乡 or 镇.
_TOWNSHIP = re.compile(r"((?:[Xx×]{1,3})|(?:[\u4e00-\u9fff]{2,4}?))([乡镇])(?![镇村长党政])")
# Words that end up before 乡/镇 without naming a township (全乡, 我乡, 乡镇领导 …).
_NOT_A_NAME = re.compile(r"[全本我该各此每他年县市区省的在和与及等为对把将从]|领导|城")
_PLAN_WORDS = ("计划", "思路", "安排", "打算", "要点", "下一步", "目标任务")
_SUMMARY_WORDS = ("总结", "履职", "回顾", "工作情况", "完成情况", "成效")
_PROBLEM_WORDS = ("存在问题", "问题和不足", "不足")


def find_township(title: str, body: str) -> str:
    """The township the report is about: from the title, else the opening paragraphs; '' if none."""
    for source in (title, body[:600]):
        for match in _TOWNSHIP.finditer(source):
            name = match.group(1)
            if not _NOT_A_NAME.search(name):
                return name + match.group(2)
    return ""


def find_years(title: str, body: str) -> tuple[int, ...]:
    """Years named in the title (else in the opening paragraph), ascending."""
    for source in (title, body[:600]):
        years = sorted({int(y) for y in _YEAR.findall(source)})
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
    years = [int(y) for y in _YEAR.findall(heading)]
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
