"""Word tables, Excel sheets and CSV files through the real CLI: built by python-docx (merged cells
made with cell.merge) and openpyxl, read by the real parse worker, stored in a real Chroma store,
found by `search --json` and answered by `ask --json` with the row and column headers in the cited
text and the table's caption and year in its section."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest

from assistant.config import Settings
from assistant.services import Services
from assistant.types import Filters
from tests.conftest import run_cli

pytestmark = pytest.mark.integration

TITLE = "2024年安民乡工作总结和2025年工作计划"
CAPTION = "表1 2024年重点项目资金及进度情况表"
# Data rows of the merged-cell table: (类别, 项目名称, 中央, 地方, 进度); 类别 is merged down two rows.
ROWS = [
    ("基础设施", "青年大道改造", "300", "200", "完成80%"),
    ("基础设施", "污水管网延伸", "150", "70", "完成65%"),
    ("产业发展", "肉牛养殖基地", "420", "180", "已投产"),
]


def _docx(path: Path) -> Path:
    d = docx.Document()
    d.add_paragraph(TITLE)
    d.add_paragraph("一、2024年工作总结")
    d.add_paragraph("全乡重点项目建设稳步推进，各项目资金及进度见下表。")
    d.add_paragraph(CAPTION)
    t = d.add_table(rows=2 + len(ROWS) + 1, cols=5)
    head = ["类别", "项目名称", "资金（万元）", "", "进度"]
    for c, text in enumerate(head):
        t.cell(0, c).text = text
    t.cell(1, 2).text, t.cell(1, 3).text = "中央", "地方"
    for c in (0, 1, 4):  # header cells spanning both header rows
        t.cell(0, c).merge(t.cell(1, c))
    t.cell(0, 2).merge(t.cell(0, 3))  # the group header 资金（万元） over 中央 and 地方
    for r, row in enumerate(ROWS, start=2):
        for c, text in enumerate(row):
            if not (c == 0 and r == 3):  # 基础设施 is written once and merged down
                t.cell(r, c).text = text
    t.cell(2, 0).merge(t.cell(3, 0))
    total = 2 + len(ROWS)
    t.cell(total, 0).text = "合计"
    t.cell(total, 0).merge(t.cell(total, 1))
    t.cell(total, 2).text, t.cell(total, 3).text = "870", "450"
    d.add_paragraph("以上项目均按期推进，群众满意度持续提升。")
    d.add_paragraph("二、2025年工作计划")
    d.add_paragraph("2025年计划新建村级文化广场3处，完成投资900万元。")
    d.save(str(path))
    return path


def _xlsx(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2024年民生实事"
    ws.append(["事项", "计划投资（万元）", "完成率"])
    ws.append(["农村饮水安全巩固提升", 260.0, 0.95])
    ws.append([None, None, None])  # an empty row: left out
    ws.append(["敬老院改扩建", 180, 1])
    ws.append(["小计", "=B2+B4", None])  # a formula; openpyxl saves no value: named in a note
    for row in ws.iter_rows(min_row=2, min_col=3, max_col=3):
        row[0].number_format = "0%"
    hidden = wb.create_sheet("内部测算")
    hidden.append(["事项", "金额"])
    hidden.append(["不应导入的测算项", 999])
    hidden.sheet_state = "hidden"
    wb.save(path)
    return path


def _with_cached_value(path: Path, cell: str, value: str) -> None:
    """Give a formula cell the value Excel would have saved with it (openpyxl writes none)."""
    with zipfile.ZipFile(path) as src:
        entries = {name: src.read(name) for name in src.namelist()}
    sheet = entries["xl/worksheets/sheet1.xml"].decode()
    sheet, n = re.subn(rf'(<c r="{cell}"[^>]*>\s*<f>[^<]*</f>)\s*(?:<v\s*/>|<v></v>)?', rf"\g<1><v>{value}</v>", sheet)
    assert n == 1, sheet
    entries["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in entries.items():
            dst.writestr(name, data)


@pytest.fixture(scope="module")
def tables_store(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("tables")
    folder = root / "材料"
    folder.mkdir()
    _docx(folder / "安民乡2024年工作总结.docx")
    _xlsx(folder / "安民乡民生实事台账.xlsx")
    cached = _xlsx(root / "算好的台账.xlsx")
    _with_cached_value(cached, "B5", "440")
    shutil.move(cached, folder / "安民乡算好的台账.xlsx")
    csv_text = "村名,户数,人均收入（元）\n红旗村,312,18650\n胜利村,275,17320\n"
    (folder / "各村收入.csv").write_bytes(csv_text.encode("gbk"))
    store = root / "store"
    out = run_cli(["ingest", str(folder), "--json"], store)
    assert out.returncode == 0, out.stderr
    return {"store": store, "report": json.loads(out.stdout)}


@pytest.fixture(scope="module")
def services(tables_store: dict[str, Any]) -> Services:
    return Services.open(Settings(store_dir=tables_store["store"]))


def _search(store: Path, query: str, *extra: str) -> list[dict[str, Any]]:
    out = run_cli(["search", query, "--json", *extra], store)
    assert out.returncode == 0, out.stderr
    passages: list[dict[str, Any]] = json.loads(out.stdout)["passages"]
    return passages


def _row(name: str) -> str:
    kind, project, central, local, progress = next(r for r in ROWS if r[1] == name)
    funds = f"资金（万元）·中央：{central}，资金（万元）·地方：{local}"
    return f"｜类别：{kind}，项目名称：{project}，{funds}，进度：{progress}"


def test_ingest_reads_every_table_file_and_notes_what_it_left_out(tables_store: dict[str, Any]) -> None:
    report = tables_store["report"]
    assert report["added"] == 4 and not report["errors"] and not report["skipped"]
    notes = {Path(n["path"]).name: [] for n in report["notes"]}
    for n in report["notes"]:
        notes[Path(n["path"]).name].append(n["note"])
    assert any("隐藏的工作表“内部测算”未导入" in n for n in notes["安民乡民生实事台账.xlsx"])
    assert any("B5" in n and "没有保存计算结果" in n for n in notes["安民乡民生实事台账.xlsx"])
    assert not any("B5" in n for n in notes["安民乡算好的台账.xlsx"])  # its formula has its value
    folder = Path(next(iter(report["notes"]))["path"]).parent
    again = run_cli(["ingest", str(folder)], tables_store["store"])  # the human output says it too
    assert again.returncode == 0 and "未变 4" in again.stderr, again.stderr
    assert any(ln.startswith("注意 ") and "隐藏的工作表“内部测算”未导入" in ln for ln in again.stderr.splitlines())


def test_every_row_of_the_merged_cell_table_is_found_with_its_headers_and_caption(
    tables_store: dict[str, Any], services: Services
) -> None:
    store = tables_store["store"]
    top = _search(store, "青年大道改造资金")[0]  # the CLI, as a user types it
    assert _row("青年大道改造") in top["text"].split("\n"), top
    assert top["section"] == f"一、2024年工作总结 > {CAPTION}"
    retriever = services.retriever()
    for _, project, *_figures in ROWS:  # every row, on the same store in this process
        best = retriever.search(f"{project}资金", k=3)[0]
        assert _row(project) in best.text.split("\n"), best
        assert best.section == f"一、2024年工作总结 > {CAPTION}"
    # The merged 合计 label appears once, the merged 类别 counts for the row below it.
    best = retriever.search("合计 资金", k=3)[0]
    assert "｜合计，资金（万元）·中央：870，资金（万元）·地方：450" in best.text.split("\n")
    # Rows of a 2024 table are 2024's, not the following 2025年工作计划's.
    assert any("污水管网延伸" in p.text for p in retriever.search("污水管网延伸", k=3, filters=Filters(year=2024)))
    assert not any("污水管网延伸" in p.text for p in retriever.search("污水管网延伸", k=5, filters=Filters(year=2025)))


def test_ask_answers_every_figure_of_the_table_quoting_its_row(
    tables_store: dict[str, Any], services: Services
) -> None:
    out = run_cli(["ask", "青年大道改造的中央资金是多少？", "--json"], tables_store["store"])
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    assert not answer["abstained"] and "300" in answer["answer"], answer
    cited = answer["citations"][0]
    assert cited["quote"].strip() == _row("青年大道改造")
    assert cited["section"] == f"一、2024年工作总结 > {CAPTION}" and answer["unsupported_numbers"] == []
    answerer = services.answerer()
    for _, project, central, local, progress in ROWS:
        for question, figure in (
            (f"{project}的中央资金是多少？", central),
            (f"{project}的地方资金是多少？", local),
            (f"{project}的进度如何？", progress),
        ):
            result = answerer.ask(question)
            assert not result.abstained and figure in result.answer, (question, result.answer)
            assert any(_row(project) in c.quote for c in result.citations), (question, result.citations)
            assert result.unsupported_numbers == []


def test_sheets_and_csv_rows_carry_their_headers(services: Services) -> None:
    retriever = services.retriever()
    best = retriever.search("农村饮水安全巩固提升 完成率", k=3)[0]
    assert "｜事项：农村饮水安全巩固提升，计划投资（万元）：260，完成率：95%" in best.text.split("\n")
    assert best.section == "2024年民生实事"
    cached = [p for p in retriever.search("小计 计划投资", k=10) if p.doc_id == "安民乡算好的台账"]
    assert "｜事项：小计，计划投资（万元）：440" in cached[0].text.split("\n")
    assert not any("不应导入的测算项" in p.text for p in retriever.search("不应导入的测算项", k=10))
    best = retriever.search("胜利村人均收入", k=3)[0]
    assert "｜村名：胜利村，户数：275，人均收入（元）：17320" in best.text.split("\n")  # GBK decoded
