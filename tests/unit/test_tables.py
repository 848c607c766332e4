"""Table rows as citable lines (assistant.ingest.tables) and where they land in the section tree
(ingest.structure): merged cells both ways, two-row headers, empty cells, label-only rows, rows that
look like headings, captions, and spreadsheet values (ingest.sheets.format_value)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from assistant.ingest.chunking import chunk_document
from assistant.ingest.document import parse_file, parse_text
from assistant.ingest.loaders import LoadError, load_file
from assistant.ingest.sheets import format_number, format_value
from assistant.ingest.structure import TABLE_LEVEL, parse_sections
from assistant.ingest.tables import ROW_MARK, Cell, column_names, header_depth, row_text, table_lines
from tests.builders import add_zip_bomb


def grid(rows: list[list[str]]) -> list[list[Cell]]:
    """A grid from text; a cell "<" repeats the cell to its left (horizontal merge), "^" the cell
    above (vertical merge), as python-docx reports merged cells."""
    out: list[list[Cell]] = []
    for r, row in enumerate(rows):
        cells: list[Cell] = []
        for c, text in enumerate(row):
            if text == "<":
                cells.append(cells[c - 1])
            elif text == "^":
                cells.append(out[r - 1][c])
            else:
                cells.append(Cell(text, (r, c)))
        out.append(cells)
    return out


def test_each_row_keeps_its_column_headers() -> None:
    lines = table_lines(grid([["项目名称", "投资", "进度"], ["XX大道改造", "500万元", "完成80%"]]))
    assert lines == [ROW_MARK + "项目名称：XX大道改造，投资：500万元，进度：完成80%"]


def test_vertical_merge_counts_for_every_row() -> None:
    table = grid(
        [
            ["类别", "项目名称", "投资"],
            ["基础设施", "XX大道改造", "500万元"],
            ["^", "污水管网", "320万元"],
        ]
    )
    assert table_lines(table) == [
        ROW_MARK + "类别：基础设施，项目名称：XX大道改造，投资：500万元",
        ROW_MARK + "类别：基础设施，项目名称：污水管网，投资：320万元",
    ]


def test_horizontal_merge_appears_once_per_row() -> None:
    table = grid([["项目名称", "投资", "备注"], ["XX大道改造", "500万元", "已完工"], ["合计", "<", "<"]])
    lines = table_lines(table)
    assert lines[1] == ROW_MARK + "合计"  # one label spanning the whole row: the label alone
    table = grid([["项目名称", "计划投资", "完成投资"], ["XX大道改造", "500万元", "<"]])
    (line,) = table_lines(table)
    assert line.count("500万元") == 1
    assert line == ROW_MARK + "项目名称：XX大道改造，500万元"  # columns sharing no header: the value alone
    table = grid([["类别", "项目名称", "投资"], ["合计", "<", "820万元"]])
    assert table_lines(table) == [ROW_MARK + "合计，投资：820万元"]


def test_two_row_header_with_group_headers() -> None:
    table = grid(
        [
            ["项目名称", "资金（万元）", "<", "进度"],
            ["^", "中央", "地方", "^"],
            ["XX大道改造", "300", "200", "完成80%"],
        ]
    )
    assert header_depth(table) == 2
    assert column_names(table, 2) == ["项目名称", "资金（万元）·中央", "资金（万元）·地方", "进度"]
    assert table_lines(table) == [
        ROW_MARK + "项目名称：XX大道改造，资金（万元）·中央：300，资金（万元）·地方：200，进度：完成80%"
    ]
    # A data cell merged across the two sub-columns is named by the group header they share.
    merged = grid([["项目名称", "资金（万元）", "<"], ["^", "中央", "地方"], ["村道", "120", "<"]])
    assert table_lines(merged) == [ROW_MARK + "项目名称：村道，资金（万元）：120"]


def test_empty_cells_and_rows_are_left_out() -> None:
    table = grid([["项目名称", "投资", "进度"], ["XX大道改造", "", "完成80%"], ["", "", ""]])
    assert table_lines(table) == [ROW_MARK + "项目名称：XX大道改造，进度：完成80%"]


def test_row_with_only_a_label() -> None:
    table = grid([["项目名称", "投资"], ["一、基础设施类", "<"], ["XX大道改造", "500万元"]])
    assert table_lines(table) == [ROW_MARK + "一、基础设施类", ROW_MARK + "项目名称：XX大道改造，投资：500万元"]
    # A label in one column with the others empty keeps its header.
    assert row_text(grid([["村道", ""]])[0], ["项目名称", "投资"]) == "项目名称：村道"


def test_a_first_row_of_figures_is_data_not_a_header() -> None:
    table = grid([["耕地", "728个"], ["林地", "35个"]])
    assert header_depth(table) == 0
    assert table_lines(table) == [ROW_MARK + "耕地，728个", ROW_MARK + "林地，35个"]


def test_cell_text_on_one_line() -> None:
    table = grid([["项目\n名称", "投资"], ["XX大道\n改造", "500 万元"]])
    assert table_lines(table) == [ROW_MARK + "项目 名称：XX大道 改造，投资：500 万元"]


REPORT = "\n".join(
    [
        "2024年安民乡工作总结和2025年工作计划",
        "一、2024年工作总结",
        "全年重点项目进展顺利，投资完成情况见下表。",
        "表1 2024年重点项目进展情况表",
        ROW_MARK + "项目名称：XX大道改造，投资：500万元，进度：完成80%",
        ROW_MARK + "一、基础设施类",
        ROW_MARK + "项目名称：一是道路硬化，投资：30万元",
        "以上项目均按期推进。",
        "二、2025年工作计划",
        "（一）重点项目",
        ROW_MARK + "项目名称：XX广场，投资：800万元",
        "三、存在问题",
    ]
)


def test_rows_never_become_headings_or_items() -> None:
    root = parse_sections(REPORT)
    headings = [node.heading for _, node in root.walk()]
    assert "一、基础设施类" not in headings
    assert not any(h.startswith("一是") for h in headings)
    assert [n.level for _, n in root.walk() if n.level and n.level < TABLE_LEVEL] == [2, 2, 3, 2]


def test_caption_heads_the_table_and_the_table_ends_with_its_rows() -> None:
    doc = parse_text(REPORT, "d")
    by_heading = {node.heading: (path, node) for path, node in doc.root.walk()}
    path, table = by_heading["表1 2024年重点项目进展情况表"]
    assert table.level == TABLE_LEVEL
    assert path == ("一、2024年工作总结", "表1 2024年重点项目进展情况表")
    assert doc.text[slice(*table.body_spans[0])].startswith(ROW_MARK + "项目名称：XX大道改造")
    assert len(table.body_spans) == 3
    # The paragraph after the table belongs to the section again, not to the table.
    _, summary = by_heading["一、2024年工作总结"]
    assert "以上项目均按期推进。" in [doc.text[s:e] for s, e in summary.body_spans]
    # Rows under a heading with no caption stay in that heading's section.
    _, plan = by_heading["（一）重点项目"]
    assert [doc.text[s:e] for s, e in plan.body_spans] == [ROW_MARK + "项目名称：XX广场，投资：800万元"]


def test_table_rows_are_chunked_under_their_own_year() -> None:
    doc = parse_text(REPORT, "d")
    chunks = chunk_document(doc)
    row = next(c for c in chunks if "XX大道改造" in c.text)
    assert row.section_path[-1] == "表1 2024年重点项目进展情况表"
    assert row.year_range == (2024, 2024)
    assert "表1 2024年重点项目进展情况表" in row.text  # the caption is quoted with its rows
    plan_row = next(c for c in chunks if "XX广场" in c.text)
    assert plan_row.year_range == (2025, 2025)


def test_spreadsheet_values_as_written() -> None:
    assert format_number(500.0) == "500"
    assert format_number(12.5) == "12.5"
    assert format_number(0.8, "0%") == "80%"
    assert format_number(0.125, "0.0%") == "12.5%"
    assert format_number(0.1 + 0.2) == "0.3"
    assert format_value(dt.datetime(2024, 3, 1)) == "2024年3月1日"
    assert format_value(True) == "是"
    assert format_value(None) == ""
    assert format_value("  XX大道 ") == "XX大道"


def _xlsx(path: Path) -> Path:
    wb = openpyxl.Workbook()
    wb.active.append(["事项", "金额"])
    wb.active.append(["敬老院改扩建", 180])
    wb.save(path)
    return path


def test_xlsx_bombs_are_refused_before_openpyxl_opens_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = add_zip_bomb(_xlsx(tmp_path / "bomb.xlsx"), name="xl/media/image1.bin", megabytes=300)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("openpyxl opened a file the zip guard should have refused")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)
    with pytest.raises(LoadError) as info:
        load_file(path)
    assert "Excel 文件解压后过大" in str(info.value) and "压缩炸弹" in str(info.value)


def test_xlsx_through_the_parse_worker_within_its_limits(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "台账.xlsx")
    doc = parse_file(path, timeout_s=30)  # the sandboxed worker (ingest.sandbox)
    assert doc.text.split("\n") == ["台账", "Sheet", ROW_MARK + "事项：敬老院改扩建，金额：180"]
    with pytest.raises(LoadError, match="文件过大"):
        parse_file(path, max_bytes=100, timeout_s=30)


def test_text_after_rows_with_no_caption_stays_in_their_section() -> None:
    """Rows with no caption are their section's body: the paragraph after them stays in that section
    (it popped the section, and with the title as the section the parser crashed)."""
    text = (
        "XX镇2024年工作总结\n一、重点项目\n（一）交通\n"
        "｜项目名称：XX公路，投资：129万元\n以上项目均已完工。\n二、下步打算"
    )
    root = parse_sections(text)
    by_heading = {node.heading: node for _, node in root.walk()}
    assert [text[s:e] for s, e in by_heading["（一）交通"].body_spans] == [
        ROW_MARK + "项目名称：XX公路，投资：129万元",
        "以上项目均已完工。",
    ]
    assert [n.heading for n in by_heading["一、重点项目"].children] == ["（一）交通"]
    lone = "一、项目清单\n｜项目名称：XX公路，投资：129万元\n以上项目均已完工。"
    assert [lone[s:e] for s, e in parse_sections(lone).body_spans][-1] == "以上项目均已完工。"
