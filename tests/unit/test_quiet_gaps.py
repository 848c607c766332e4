"""Units of issue 16's quieter gaps: the folder walk's skipped list, the plain progress lines, the
Q&A set's checks (the real CLI: tests/integration/test_quiet_gaps.py)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from assistant.cli_progress import ProgressLines, stage_text
from assistant.eval.dataset import DatasetError, load_qa
from assistant.ingest.loaders import LoadError, load_file, unsupported_reason
from assistant.ingest.walk import NOT_REPORT, UNSUPPORTED, expand_paths
from assistant.ui.writer import stage_uploads


def test_the_walk_lists_what_it_leaves_out_and_stays_quiet_about_hidden_and_cache_folders(tmp_path: Path) -> None:
    for name in (
        "a/报告.txt",
        "a/旧.rtf",
        "README.md",
        ".git/x.txt",
        "__pycache__/m.pyc",
        "b/图.tif",
        "c/旧.doc",
        "c/扫描.png",
    ):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    skipped: list[dict[str, str]] = []
    files, errors = expand_paths([tmp_path], skipped)
    assert (
        sorted(p.name for p in files) == sorted(["报告.txt", "旧.doc", "扫描.png"]) and not errors
    )  # .doc, images: read now
    kinds = {Path(s["path"]).name: s["kind"] for s in skipped}
    assert kinds == {"旧.rtf": UNSUPPORTED, "图.tif": UNSUPPORTED, "README.md": NOT_REPORT}
    assert expand_paths([tmp_path])[0] == files  # without a list: as before


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("a.rtf", "另存为 .docx"),
        ("a.WPT", "另存为 .docx"),
        ("a.et", "另存为 .xlsx"),
        ("a.tif", "另存为 .png"),
        ("a.zip", "解压"),
    ],
)
def test_an_unsupported_type_says_what_is_supported_and_what_to_do(tmp_path: Path, name: str, hint: str) -> None:
    reason = unsupported_reason(Path(name))
    assert reason.startswith("不支持的文件类型") and ".txt、.md、.docx、.pdf" in reason and hint in reason
    (tmp_path / name).write_bytes(b"x")
    with pytest.raises(LoadError, match=hint):  # a file named explicitly gets the same reason
        load_file(tmp_path / name)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / name).write_bytes(b"x")
    _, upload_errors = stage_uploads([tmp_path / "in" / name], tmp_path / "in", max_mb=1)  # and the app's upload
    assert upload_errors[0]["error"].startswith("不支持的文件类型") and hint in upload_errors[0]["error"]


def test_stage_text_names_stage_file_and_count() -> None:
    assert stage_text("parse", "a.txt", 1, 5) == "解析 a.txt（第 2/5 个文件）"
    assert stage_text("embed", "a", 1200, 4800) == "向量化 a：1,200/4,800 条（25%）"
    assert stage_text("write", "a", 0, 0) == "写入 a：0/0 条"
    assert stage_text("index", "", 0, 0) == "更新关键词索引"


def test_progress_lines_repeat_the_latest_stage_until_stopped() -> None:
    lines: list[str] = []
    two = threading.Event()

    def write(line: str) -> None:
        lines.append(line)
        if len(lines) >= 2:
            two.set()

    with ProgressLines(write, every_s=0.02) as shown:
        shown.stage("write", "大文件", 5461, 50000)
        assert two.wait(5)
    count = len(lines)
    assert all(ln.startswith("导入进度（") and ln.endswith("写入 大文件：5,461/50,000 条（10%）") for ln in lines)
    two.wait(0.1)
    assert len(lines) == count  # nothing after the end


def test_progress_lines_say_nothing_before_the_first_stage() -> None:
    lines: list[str] = []
    with ProgressLines(lines.append, every_s=0.01):
        threading.Event().wait(0.1)
    assert lines == []


def _qa(tmp_path: Path, *rows: object) -> Path:
    path = tmp_path / "qa.jsonl"
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


GOOD = {"id": "g", "kind": "fact", "question": "多少？", "expected": ["1"]}


@pytest.mark.parametrize(
    ("row", "words"),
    [
        ({**GOOD, "expected": "1200万元"}, "expected 应为字符串列表"),
        ({**GOOD, "expected": [1200]}, "expected 应为非空字符串的列表"),
        ({**GOOD, "expected": []}, "expected 不能为空"),
        ({k: v for k, v in GOOD.items() if k != "expected"}, "expected 不能为空"),
        ({**GOOD, "question": ["多少？"]}, "question 应为非空字符串"),
        ({**GOOD, "evidence": "原文"}, "evidence 应为"),
        ({**GOOD, "evidence": [{"doc": "d", "quote": ""}]}, "evidence 应为"),
        ({**GOOD, "answerable": "yes"}, "answerable 应为 true 或 false"),
        ({**GOOD, "answerable": False}, "answerable=false 与 kind=fact 不符"),
        ({**GOOD, "kind": "unanswerable", "expected": [], "answerable": True}, "不符"),
        ({**GOOD, "tags": "alias"}, "tags 应为字符串列表"),
        ({**GOOD, "id": True}, "id 应为字符串"),
    ],
)
def test_a_mistyped_field_is_named_with_its_line(tmp_path: Path, row: dict[str, object], words: str) -> None:
    with pytest.raises(DatasetError, match=f"第 2 行.*{words}"):
        load_qa(_qa(tmp_path, {**GOOD, "id": "first"}, row))


def test_every_bad_line_is_named_in_one_error(tmp_path: Path) -> None:
    rows: list[object] = ["{oops"] * 12 + [GOOD, GOOD]
    with pytest.raises(DatasetError) as info:
        load_qa(_qa(tmp_path, *rows))
    message = str(info.value)
    assert "共 13 行" in message and "第 1 行不是合法 JSON" in message and "第 10 行" in message
    assert "第 11 行" not in message and "另有 3 行有误" in message  # the duplicate id on line 14 is counted too


def test_an_empty_set_is_an_error_and_consistent_answerable_is_accepted(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="没有条目"):
        load_qa(_qa(tmp_path, "", "  "))
    unanswerable = {"id": "u", "kind": "unanswerable", "question": "？", "answerable": False}
    items = load_qa(_qa(tmp_path, {**GOOD, "answerable": True}, unanswerable))
    assert [i.expected for i in items] == [("1",), ()]
