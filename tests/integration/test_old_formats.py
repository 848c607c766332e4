"""Old office formats through LibreOffice headless (Debian libreoffice-writer-nogui, libreoffice-calc-nogui):
a real .doc and .wps built by converting a python-docx .docx with soffice itself, ingested from a folder
by the CLI into a real store and found by `search`; a real .xls from an openpyxl .xlsx converted back;
and the one-line message when soffice is not installed (PATH without it)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from assistant.ingest.convert import converted_copy
from assistant.ingest.loaders import SUPPORTED_SUFFIXES
from tests.builders import make_docx
from tests.conftest import run_cli

pytestmark = pytest.mark.integration

DOC_LINES = ["清溪镇2023年工作总结", "一、主要工作", "全年新修村组道路十二公里，改造危旧房屋四十六户。"]
WPS_LINES = ["清溪镇2024年工作计划", "一、重点任务", "计划新建高标准农田三千亩，完成河道清淤八公里。"]


def _soffice_convert(source: Path, target: str, out: Path) -> Path:
    """Convert with soffice itself (what builds the test's old-format files)."""
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice is needed: apt-get install libreoffice-writer-nogui libreoffice-calc-nogui"
    profile = (out / "profile").as_uri()
    subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation={profile}",
            "--convert-to",
            target,
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return out / f"{source.stem}.{target}"


@pytest.fixture(scope="module")
def old_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("old")
    build, folder = base / "build", base / "旧文件"
    build.mkdir()
    folder.mkdir()
    doc = _soffice_convert(make_docx(build / "总结.docx", DOC_LINES), "doc", build)
    wps = _soffice_convert(make_docx(build / "计划.docx", WPS_LINES), "doc", build)
    assert doc.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"  # a real Word 97 file
    shutil.copy(doc, folder / "清溪镇总结.doc")
    shutil.copy(wps, folder / "清溪镇计划.wps")  # WPS Office saves .wps in the same binary format
    return folder


def test_doc_and_wps_in_a_folder_are_read_and_found_by_search(old_files: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    out = run_cli(["ingest", str(old_files), "--json"], store)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert (report["files"], report["added"], report["errors"], report["skipped"]) == (2, 2, [], [])
    for query, doc, fragment in (
        ("新修村组道路", "清溪镇总结", "十二公里"),
        ("高标准农田", "清溪镇计划", "三千亩"),
    ):
        found = run_cli(["search", query, "--k", "1", "--json"], store)
        top = json.loads(found.stdout)["passages"][0]
        assert (top["doc"], fragment in top["text"]) == (doc, True)
        assert top["section"] == "一、" + ("主要工作" if doc.endswith("总结") else "重点任务")


def test_without_libreoffice_ingest_says_what_to_install(old_files: Path, tmp_path: Path) -> None:
    out = run_cli(["ingest", str(old_files / "清溪镇总结.doc"), "--json"], tmp_path / "store", PATH=str(tmp_path))
    assert out.returncode == 1, out.stderr
    (error,) = json.loads(out.stdout)["errors"]
    assert "libreoffice-writer-nogui" in error["error"] and "另存为 .docx" in error["error"]
    assert "\n" not in error["error"] and "Traceback" not in out.stderr


def test_a_real_xls_converts_to_xlsx_with_its_values(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["项目名称", "投资（万元）", "进度"])
    sheet.append(["村组道路硬化", 500, "已完工"])
    sheet.append(["高标准农田", 1200, "在建"])
    book.save(tmp_path / "项目.xlsx")
    xls = _soffice_convert(tmp_path / "项目.xlsx", "xls", tmp_path)
    assert xls.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"
    with converted_copy(xls, ".xlsx", time_limit_s=120) as copy:
        rows = [list(r) for r in openpyxl.load_workbook(copy).active.iter_rows(values_only=True)]
    assert rows == [["项目名称", "投资（万元）", "进度"], ["村组道路硬化", 500, "已完工"], ["高标准农田", 1200, "在建"]]
    # Ingested like an .xlsx: each row a citable line with its headers, its figures in the ledger.
    assert ".xls" in SUPPORTED_SUFFIXES and ".xlsx" in SUPPORTED_SUFFIXES
    store = tmp_path / "store"
    out = run_cli(["ingest", str(xls), "--json"], store)
    assert out.returncode == 0 and json.loads(out.stdout)["added"] == 1, out.stderr
    top = json.loads(run_cli(["search", "高标准农田投资", "--k", "1", "--json"], store).stdout)["passages"][0]
    assert "项目名称：高标准农田" in top["text"] and "投资（万元）：1200" in top["text"]
    ledger = json.loads(run_cli(["ledger", "--json"], store).stdout)["rows"]
    found = {(r["indicator"], r["value"], r["number"]) for r in ledger}
    assert ("高标准农田投资（万元）", "1200", 12_000_000) in found, found
