"""Issue 16's quieter gaps through the real CLI and a real store: a folder ingest names every file it
leaves out and why (it skipped .doc/.xlsx/scans without a word); a long ingest with stderr piped
prints progress lines there, also with --json, whose stdout stays one JSON document (it printed
nothing until the end); `eval` refuses an empty or mistyped Q&A set, naming the lines, exit 2
(an empty set ran to a 0.0 report, a string `expected` was split into characters)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pypdf import PdfWriter

from tests.conftest import run_cli

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
SEED_TEXT = "\n".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("quiet-gaps") / "store"


def _folder(root: Path) -> Path:
    folder = root / "材料"
    for sub in ("2023", ".git", "__pycache__"):
        (folder / sub).mkdir(parents=True)
    (folder / "2023" / "红星镇2023年工作总结.txt").write_text(SEED_TEXT[:2500], encoding="utf-8")
    (folder / "旧版总结.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))
    (folder / "2023" / "台账.et").write_bytes(b"PK\x03\x04" + bytes(64))
    (folder / "公文.wps").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))
    (folder / "扫描页.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(64))
    (folder / "无扩展名").write_text("红星镇", encoding="utf-8")
    (folder / "README.md").write_text("本文件夹是2023年材料。", encoding="utf-8")
    scan = PdfWriter()
    scan.add_blank_page(595, 842)
    with open(folder / "扫描件.pdf", "wb") as fh:
        scan.write(fh)
    (folder / "空白.txt").write_bytes(b"")
    (folder / ".git" / "config").write_text("[core]\n", encoding="utf-8")
    (folder / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\x00" * 16)
    return folder


def test_a_folder_ingest_names_every_file_it_leaves_out_and_why(tmp_path: Path, store: Path) -> None:
    folder = _folder(tmp_path)
    out = run_cli(["ingest", str(folder), "--json"], store)
    assert out.returncode == 1, out.stderr  # the broken files failed; the report landed
    report = json.loads(out.stdout)
    assert report["added"] == 1
    skipped = {Path(s["path"]).relative_to(folder).as_posix(): s for s in report["skipped"]}
    assert set(skipped) == {"2023/台账.et", "无扩展名", "README.md"}
    for name in ("2023/台账.et", "无扩展名"):
        assert skipped[name]["kind"] == "unsupported"
        assert skipped[name]["reason"].startswith("不支持的文件类型") and ".docx" in skipped[name]["reason"]
    assert "另存为 .xlsx" in skipped["2023/台账.et"]["reason"]
    assert skipped["README.md"]["kind"] == "not_report" and "说明文件" in skipped["README.md"]["reason"]
    # .doc/.wps (LibreOffice) and images (OCR) are read now: these broken ones fail with their reason.
    failed = {Path(e["path"]).name: e["error"] for e in report["errors"]}
    assert set(failed) == {"扫描件.pdf", "空白.txt", "旧版总结.doc", "公文.wps", "扫描页.jpg"}
    assert "没有文字层" in failed["扫描件.pdf"] and "文字识别" in failed["扫描件.pdf"] and "为空" in failed["空白.txt"]
    assert "无法打开图片" in failed["扫描页.jpg"]
    assert all("\n" not in failed[name] for name in ("旧版总结.doc", "公文.wps")), failed

    again = run_cli(["ingest", str(folder)], store)  # the human output says the same
    assert again.returncode == 1 and "Traceback" not in again.stderr
    lines = again.stderr.splitlines()
    assert any("另有 3 个文件未导入" in ln for ln in lines), again.stderr
    for name in ("台账.et", "无扩展名"):
        assert any(ln.startswith("未导入 ") and name in ln and "不支持的文件类型" in ln for ln in lines), again.stderr
    assert any(ln.startswith("未导入说明文件 1 个") and "README.md" in ln for ln in lines), again.stderr
    assert "config" not in again.stderr and "pyc" not in again.stderr  # hidden and cache folders: quiet


def test_a_long_ingest_with_stderr_piped_prints_progress_lines_and_json_alone_on_stdout(
    tmp_path: Path, store: Path
) -> None:
    big = tmp_path / "长文件.txt"
    data = (SEED_TEXT + "\n").encode("utf-8")
    big.write_bytes(data * (1024 * 1024 // len(data) + 1))  # 1 MB: ~2,000 chunks, ~10,000 entries to write
    out = run_cli(["ingest", str(big), "--json"], store)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)  # stdout holds the JSON and nothing else
    assert report["added"] == 1 and report["chunks_embedded"] > 1500
    progress = [ln for ln in out.stderr.splitlines() if re.match(r"导入进度（\d+ 秒）：", ln)]
    assert len(progress) >= 2, out.stderr
    counted = [ln for ln in progress if re.search(r"(向量化|写入) 长文件：[\d,]+/[\d,]+ 条（\d+%）", ln)]
    assert counted, out.stderr
    assert all(len(ln) < 120 for ln in progress)  # plain lines, no bar drawing


def test_eval_refuses_an_empty_set(tmp_path: Path, store: Path) -> None:
    qa = tmp_path / "空.jsonl"
    qa.write_text("\n  \n", encoding="utf-8")
    out = run_cli(["eval", str(qa), "--out", str(tmp_path / "runs")], store)
    assert out.returncode == 2, out.stderr
    lines = [ln for ln in out.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "没有条目" in lines[0] and str(qa) in lines[0], out.stderr
    assert not (tmp_path / "runs").exists()


def test_eval_refuses_mistyped_lines_naming_each_and_runs_nothing(tmp_path: Path, store: Path) -> None:
    good = {"id": "ok", "kind": "fact", "question": "红星镇2023年完成了多少财税收入？", "expected": ["1200万元"]}
    rows = [
        json.dumps(good, ensure_ascii=False),
        json.dumps({**good, "id": "s", "expected": "1200万元"}, ensure_ascii=False),  # line 2: a string
        "",
        json.dumps({"id": "q", "kind": "fact", "expected": ["1"]}),  # line 4: no question
        '{"id": "j", "kind": "fact",',  # line 5: not JSON
        json.dumps({**good, "id": "a", "kind": "unanswerable", "expected": [], "answerable": "no"}),  # line 6
        json.dumps({**good, "id": "e", "evidence": "2023年完成财税1200万元"}, ensure_ascii=False),  # line 7
    ]
    qa = tmp_path / "qa.jsonl"
    qa.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = run_cli(["eval", str(qa), "--out", str(tmp_path / "runs")], store)
    assert out.returncode == 2, out.stderr
    lines = [ln for ln in out.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in out.stderr, out.stderr
    message = lines[0]
    assert "共 5 行" in message
    assert "第 2 行 expected 应为字符串列表" in message
    assert "第 4 行缺少字段：question" in message
    assert "第 5 行不是合法 JSON" in message
    assert "第 6 行 answerable" in message
    assert "第 7 行 evidence" in message
    assert "第 1 行" not in message
    assert not (tmp_path / "runs").exists()
