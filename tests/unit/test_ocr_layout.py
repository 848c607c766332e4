"""OCR post-processing on synthetic boxes: reading order (one and two columns), line merging, paragraph
joining that keeps 一、/（一） headings at line starts, punctuation; and the settings and messages around it.
The real recognition runs in tests/integration/test_scanned_documents.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.cli_progress import stage_text
from assistant.config import Settings, SettingsError
from assistant.ingest.convert import converted_copy
from assistant.ingest.document import parse_text
from assistant.ingest.loaders import SUPPORTED_SUFFIXES, LoadError, load_file
from assistant.ingest.ocr import (
    TextBox,
    boxes_from_result,
    column_split,
    needs_ocr,
    normalize_punctuation,
    page_paragraphs,
    paragraphs,
    reading_order,
)

H = 25  # a line's height in pixels (12 pt at 150 dpi)
PITCH = 40


def _column(lines: list[tuple[str, bool, bool]], x0: float, x1: float, top: float = 100) -> list[TextBox]:
    """Boxes for lines (text, indented, ends short) of one column between x0 and x1."""
    boxes = []
    for i, (text, indented, short) in enumerate(lines):
        left = x0 + (2 * H if indented else 0)
        right = x0 + (x1 - x0) * 0.4 if short else x1
        y = top + i * PITCH
        boxes.append(TextBox(left, y, right, y + H, text))
    return boxes


REPORT = [
    ("一、2023年工作总结", True, True),
    ("2023年，是组织建设卓有成效的一年，我们转作风、强效能，锲而不", True, False),
    ("舍，推动全面从严治党纵深发展。", False, True),
    ("（一）聚焦理论学习，提升政治忠诚力。始终把第二批主题教育作为当", True, False),
    ("前最重要的政治任务，乡村干部担当作为意识得到持续提升。", False, True),
    ("二、2024年重点工作安排", True, True),
]


def test_one_column_lines_join_into_paragraphs_and_headings_stay_at_line_starts() -> None:
    boxes = _column(REPORT, 120, 1120)
    assert column_split(boxes) is None
    (block,) = reading_order(boxes)
    paras = paragraphs(block)
    assert paras == [
        "一、2023年工作总结",
        "2023年，是组织建设卓有成效的一年，我们转作风、强效能，锲而不舍，推动全面从严治党纵深发展。",
        "（一）聚焦理论学习，提升政治忠诚力。始终把第二批主题教育作为当前最重要的政治任务，乡村干部担当作为意识得到持续提升。",
        "二、2024年重点工作安排",
    ]
    root = parse_text("XX乡2023年工作总结\n" + "\n".join(paras), "scan").root
    headings = [(path, node.level) for path, node in root.walk() if node.level]
    assert headings[:2] == [
        (("一、2023年工作总结",), 2),
        (("一、2023年工作总结", "（一）聚焦理论学习，提升政治忠诚力"), 3),
    ]
    assert (("二、2024年重点工作安排",), 2) in headings


def test_a_heading_marker_starts_a_paragraph_even_without_indent_or_short_line() -> None:
    lines = [
        ("全面推进乡村振兴，持续巩固拓展脱贫攻坚成果，", True, False),
        ("二、存在问题和不足之处都在这里写着", False, False),
    ]
    assert paragraphs(_column(lines, 100, 1100)) == [lines[0][0], lines[1][0]]


def test_a_wider_gap_ends_a_paragraph() -> None:
    upper = _column([("第一段的文字一直写到了右边", False, False)], 100, 1100, top=100)
    lower = _column([("第二段的文字紧接着另起一行", False, False)], 100, 1100, top=100 + 3 * PITCH)
    assert paragraphs(upper + lower) == ["第一段的文字一直写到了右边", "第二段的文字紧接着另起一行"]


def test_two_columns_are_read_left_column_first_and_a_spanning_title_where_it_stands() -> None:
    left = _column([(f"左栏第{i}行文字内容", i == 0, False) for i in range(8)], 120, 580, top=200)
    right = _column([(f"右栏第{i}行文字内容", i == 0, False) for i in range(8)], 660, 1120, top=200)
    title = TextBox(300, 100, 940, 100 + H, "XX镇2024年政府工作报告")
    footer = TextBox(120, 600, 1120, 600 + H, "全文完，以上两栏内容结束后的一行通栏说明文字")
    boxes = [*right, footer, *left, title]  # recognition order is no reading order
    split = column_split(boxes)
    assert split is not None and 580 < split < 660
    texts = [ln.text for block in reading_order(boxes) for ln in block]
    assert texts == [title.text] + [b.text for b in left] + [b.text for b in right] + [footer.text]


def test_fragments_on_one_line_are_merged_left_to_right() -> None:
    boxes = [
        TextBox(600, 101, 900, 126, "稳中有进"),
        TextBox(120, 100, 560, 125, "乡域经济"),
        TextBox(120, 140, 900, 165, "下一行"),
    ]
    (block,) = reading_order(boxes)
    assert [ln.text for ln in block] == ["乡域经济稳中有进", "下一行"]


def test_ocr_result_rows_become_boxes() -> None:
    rows = [
        [[[171.0, 125.0], [405.0, 125.0], [405.0, 151.0], [171.0, 151.0]], "一、2023年工作总结", 0.99],
        [[[0, 0]] * 4, " ", 0.1],
    ]
    assert boxes_from_result(rows) == [TextBox(171.0, 125.0, 405.0, 151.0, "一、2023年工作总结")]
    assert boxes_from_result(None) == []


@pytest.mark.parametrize(
    ("raw", "fixed"),
    [
        ('开展"微党课"和"擂台比武"', "开展“微党课”和“擂台比武”"),
        ('指导其登录“学习之窗"开展自学', "指导其登录“学习之窗”开展自学"),
        ("(一)抓党建,促发展;成效:明显", "（一）抓党建，促发展；成效：明显"),
        ("GDP growth 5.2%, CPI 2.0", "GDP growth 5.2%, CPI 2.0"),
    ],
)
def test_half_width_punctuation_between_chinese_becomes_full_width(raw: str, fixed: str) -> None:
    assert normalize_punctuation(raw) == fixed


def test_a_page_with_almost_no_text_layer_is_read_by_ocr() -> None:
    assert (
        needs_ocr("")
        and needs_ocr(" 第 3 页 ")
        and not needs_ocr("全面推进乡村振兴，持续巩固拓展脱贫攻坚成果，扎实推进")
    )


def test_new_formats_are_supported_and_progress_names_the_page() -> None:
    assert {".png", ".jpg", ".jpeg", ".doc", ".wps"} <= set(SUPPORTED_SUFFIXES)
    assert stage_text("ocr", "scan.pdf", 2, 50) == "文字识别 scan.pdf：第 3/50 页"
    assert stage_text("ocr", "scan.pdf", 50, 50) == "文字识别 scan.pdf：50 页已完成"


def test_the_ocr_page_time_limit_is_a_validated_setting() -> None:
    assert Settings.from_env({}).ocr_page_timeout_s == 120.0
    assert Settings.from_env({"ASSISTANT_OCR_PAGE_TIMEOUT_S": "120"}).ocr_page_timeout_s == 120.0
    for bad in ("0", "abc", "99999"):
        with pytest.raises(SettingsError, match="ASSISTANT_OCR_PAGE_TIMEOUT_S"):
            Settings.from_env({"ASSISTANT_OCR_PAGE_TIMEOUT_S": bad})


def test_an_old_format_file_that_is_not_one_is_refused_before_libreoffice(tmp_path: Path) -> None:
    path = tmp_path / "旧报告.doc"
    path.write_bytes(b"just some bytes, not a Word 97 file")
    with pytest.raises(LoadError, match=r"不是有效的 \.doc 文件"):
        load_file(path)


def test_without_soffice_the_message_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no soffice here
    path = tmp_path / "表.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64)
    with pytest.raises(LoadError) as info, converted_copy(path, ".xlsx"):
        pass
    message = str(info.value)
    assert "libreoffice-writer-nogui" in message and "libreoffice-calc-nogui" in message and "\n" not in message


def test_a_one_column_page_with_a_right_aligned_signature_stays_one_column() -> None:
    body = _column(
        [(f"第{i}行正文写满了整行，从左边距一直写到右边距为止", i % 4 == 0, i % 4 == 3) for i in range(12)], 120, 1120
    )
    signature = [
        TextBox(800, 700 + i * PITCH, 1120, 700 + i * PITCH + H, t)
        for i, t in enumerate(["XX乡人民政府", "2023年12月1日", "（盖章）"])
    ]
    boxes = body + signature
    assert column_split(boxes) is None
    (block,) = reading_order(boxes)
    paras = paragraphs(block)
    assert len(paras) == 3 + 3  # three 4-line paragraphs, then the three signature lines


def test_a_paragraph_running_from_the_left_column_into_the_right_stays_one() -> None:
    left = _column(
        [("左栏第一段开头缩进", True, False), ("左栏第一段继续写满", False, False), ("一直写到栏底没有", False, False)],
        120,
        580,
    )
    right = _column(
        [("结束而是转到右栏", False, False), ("继续写完了。", False, True), ("（二）右栏新的小标题", False, True)],
        660,
        1120,
    )
    filler_l = _column([(f"左栏补充第{i}行", False, False) for i in range(3)], 120, 580, top=100 + 3 * PITCH)
    filler_r = _column([(f"右栏补充第{i}行", False, False) for i in range(3)], 660, 1120, top=100 + 3 * PITCH)
    blocks = reading_order(left + filler_l + right + filler_r)
    assert len(blocks) == 2
    paras = page_paragraphs(blocks)
    assert paras[0].startswith("左栏第一段开头缩进左栏第一段继续写满一直写到栏底没有左栏补充第0行")
    assert paras[0].endswith("左栏补充第2行结束而是转到右栏继续写完了。")  # one paragraph across the columns
    assert paras[1] == "（二）右栏新的小标题"


def test_a_title_block_does_not_swallow_the_first_column_line() -> None:
    title = [TextBox(300, 40, 940, 40 + H, "XX镇2024年政府工作报告")]
    assert page_paragraphs([title, _column(REPORT[1:3], 120, 1120)]) == [
        "XX镇2024年政府工作报告",
        "2023年，是组织建设卓有成效的一年，我们转作风、强效能，锲而不舍，推动全面从严治党纵深发展。",
    ]
