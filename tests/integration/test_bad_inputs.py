"""Bad input through the real CLI (`python -m assistant ingest --json`, bundled embedder, real Chroma).

The whole corpus is generated here at test time: empty and blank files, 0-byte .pdf/.docx, random
bytes under every suffix, a truncated and a password-protected PDF, a .docx zip bomb, a sparse
200 MB .txt, NUL and control characters, one enormous line, a PDF slower to parse than the time
limit, a duplicate under another name, and paths with `../`, absolute paths and Chinese names. Each
bad file must get its own specific error, the good files must land and be searchable, and nothing
may be written outside the store.
"""

from __future__ import annotations

import io
import json
import random
from pathlib import Path
from typing import Any

import pytest
from pypdf import PasswordType, PdfReader, PdfWriter

from assistant.ingest.clean import clean_text
from tests.builders import add_zip_bomb, make_cjk_pdf, make_docx, slow_pdf
from tests.conftest import SEEDS, run_cli

pytestmark = pytest.mark.integration

PDF_LINES = ["安民乡2023年工作总结", "一、2023年工作总结", "推出6条红色旅游精品线路，培养红色讲解员20余名。"]
PASSWORD = "wsx2023"

# name in the corpus folder -> words its error message must contain
BAD_FILES: dict[str, list[str]] = {
    "empty.txt": ["文件为空（0 字节）"],
    "blank.txt": ["文件中没有文字内容"],
    "empty-pdf.pdf": ["文件为空（0 字节）"],
    "empty-docx.docx": ["文件为空（0 字节）"],
    "random-txt.txt": ["二进制文件"],
    "random-pdf.pdf": ["不是 PDF 文件", "%PDF"],
    "random-docx.docx": ["不是有效的 .docx"],
    "old-word.docx": ["旧版 Word（.doc）", "另存为 .docx"],
    "truncated.pdf": ["PDF 文件不完整", "%%EOF"],
    "encrypted.pdf": ["PDF 已加密", "打开密码"],
    "bomb.docx": ["解压后过大", "压缩炸弹"],
    "huge.txt": ["文件过大（200.0 MB）", "上限为 50 MB"],
    "nul.txt": ["NUL"],
    "slow.pdf": ["解析超时（超过 2 秒），已跳过"],
}
# Low enough for slow.pdf (a valid PDF pypdf needs several seconds for), far above every other file.
PARSE_TIMEOUT_S = "2"
# The same report twice under different names: one of them is kept, the other reported as a duplicate.
TWINS = {"安民乡2023年工作总结", "安民乡总结（副本）"}
OTHER_GOOD_DOCS = {"good_004", "控制字符", "一行"}


def _cut(path: Path, chars: int) -> str:
    """The start of a seed report, ending at the last 。 before `chars` characters."""
    text = path.read_text(encoding="utf-8")[:chars]
    return text[: text.rindex("。") + 1] + "\n"


def _seed(prefix: str) -> Path:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path


def _encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_cjk_pdf(PDF_LINES))))
    writer.encrypt(user_password=PASSWORD, owner_password=PASSWORD)
    out = io.BytesIO()
    writer.write(out)
    data = out.getvalue()
    # Truly protected: it does not open without the password, and does with it.
    reader = PdfReader(io.BytesIO(data))
    assert reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED
    assert reader.decrypt(PASSWORD) != PasswordType.NOT_DECRYPTED
    assert reader.pages[0].extract_text().split("\n") == PDF_LINES
    return data


def _build(base: Path) -> tuple[list[str], dict[str, str]]:
    """Write the corpus under base; returns the ingest arguments (relative to base) and good texts."""
    rng = random.Random(20240601)
    corpus = base / "corpus"
    corpus.mkdir()
    good = {
        "安民乡2023年工作总结": _cut(_seed("002"), 600),
        "good_004": _cut(_seed("004"), 600),
        "控制字符": "XX乡2024年工作计划\n一、重点工作\n一是推进\x07人居环境\x1b整治，\x0c完成旱厕改造\u200b30户\x7f。"
        "二是加强森林防火巡查，全年开展巡查120次。\n",
        # One enormous line: seed 003's body without its title or any line break.
        "一行": "".join(_seed("003").read_text(encoding="utf-8").split("\n")[1:])[:900],
    }
    assert "\n" not in good["一行"] and len(good["一行"]) == 900
    (corpus / "安民乡2023年工作总结.txt").write_text(good["安民乡2023年工作总结"], encoding="utf-8")
    # The same report again under another name, in GBK: other bytes, same text.
    (corpus / "安民乡总结（副本）.txt").write_bytes(good["安民乡2023年工作总结"].encode("gbk"))
    (corpus / "一行.txt").write_text(good["一行"], encoding="utf-8")
    extra = base / "extra"
    (extra / "sub").mkdir(parents=True)
    (extra / "good_004.txt").write_text(good["good_004"], encoding="utf-8")
    outside = base / "elsewhere"
    outside.mkdir()
    (outside / "控制字符.txt").write_text(good["控制字符"], encoding="utf-8")

    real_pdf = make_cjk_pdf(PDF_LINES)
    data: dict[str, bytes] = {
        "empty.txt": b"",
        "blank.txt": " \r\n\u3000\u3000\n\t\n".encode(),
        "empty-pdf.pdf": b"",
        "empty-docx.docx": b"",
        "random-txt.txt": rng.randbytes(4096),
        "random-pdf.pdf": rng.randbytes(4096),
        "random-docx.docx": rng.randbytes(4096),
        "old-word.docx": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + rng.randbytes(4088),
        "truncated.pdf": real_pdf[: len(real_pdf) * 6 // 10],
        "encrypted.pdf": _encrypted_pdf(),
        "nul.txt": (good["good_004"][:200] + "\x00" + good["good_004"][200:]).encode(),
    }
    for name, content in data.items():
        (corpus / name).write_bytes(content)
    add_zip_bomb(make_docx(corpus / "bomb.docx", PDF_LINES), megabytes=300)
    # Sorted before the good files' names, so they are parsed after the timed-out worker was replaced.
    (corpus / "slow.pdf").write_bytes(slow_pdf())
    with open(corpus / "huge.txt", "wb") as fh:
        fh.truncate(200 * 1024 * 1024)  # sparse: 200 MB without using the disk
    assert set(BAD_FILES) | {"安民乡2023年工作总结.txt", "安民乡总结（副本）.txt", "一行.txt"} == {
        p.name for p in corpus.iterdir()
    }
    args = ["corpus", "extra/sub/../good_004.txt", str(outside / "控制字符.txt")]
    return args, good


def _tree(base: Path, skip: Path) -> dict[str, int]:
    return {str(p.relative_to(base)): p.stat().st_size for p in base.rglob("*") if skip not in (p, *p.parents)}


@pytest.fixture(scope="module")
def bad_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("bad-inputs")
    args, good = _build(base)
    store = base / "store"
    before = _tree(base, store)
    out = run_cli(["ingest", *args, "--json"], store, cwd=base, ASSISTANT_PARSE_TIMEOUT_S=PARSE_TIMEOUT_S)
    after = _tree(base, store)
    docs = run_cli(["docs", "--json"], store)
    assert docs.returncode == 0, docs.stderr
    return {
        "store": store,
        "good": good,
        "out": out,
        "before": before,
        "after": after,
        "docs": json.loads(docs.stdout)["documents"],
    }


def _report(bad_run: dict[str, Any]) -> dict[str, Any]:
    out = bad_run["out"]
    assert out.stdout.strip(), out.stderr
    return json.loads(out.stdout)


def test_every_bad_file_has_its_own_specific_error(bad_run: dict[str, Any]) -> None:
    report = _report(bad_run)
    errors = {Path(e["path"]).name: e["error"] for e in report["errors"]}
    assert len(errors) == len(report["errors"]), report["errors"]  # one entry per file
    assert set(errors) == set(BAD_FILES)
    for name, words in BAD_FILES.items():
        for word in words:
            assert word in errors[name], (name, errors[name])
    assert bad_run["out"].returncode == 1  # errors make the run fail; the good files still land


def test_good_files_land_despite_the_bad_ones(bad_run: dict[str, Any]) -> None:
    report = _report(bad_run)
    assert report["files"] == len(BAD_FILES) + len(OTHER_GOOD_DOCS) + len(TWINS)
    docs = bad_run["docs"]
    by_id = {d["doc_id"]: d for d in docs}
    assert report["added"] == len(by_id)
    # Chinese names, `../` and absolute paths all give the bare file stem.
    assert set(by_id) - TWINS == OTHER_GOOD_DOCS
    assert set(by_id) & TWINS  # one twin, or both before duplicate detection (see the next test)
    assert all(d["chunks"] > 0 for d in docs)
    # One enormous line is text, not a title: its title is a short label and all of it is chunked.
    assert by_id["一行"]["title"] == bad_run["good"]["一行"][:40] + "…"
    assert by_id["一行"]["chunks"] >= 900 // 360


def test_duplicate_under_another_name_is_reported_not_ingested(bad_run: dict[str, Any]) -> None:
    report = _report(bad_run)
    assert "duplicates" in report, "duplicate detection (lead's indexing change) has not landed"
    (dup,) = report["duplicates"]
    assert {Path(dup["path"]).stem, dup["same_as"]} == TWINS
    assert "重复" in dup["message"] or "相同" in dup["message"], dup["message"]
    assert not {Path(e["path"]).stem for e in report["errors"]} & TWINS  # a duplicate is not an error
    assert report["added"] == len(OTHER_GOOD_DOCS) + 1
    stored = {d["doc_id"] for d in bad_run["docs"]}
    assert dup["same_as"] in stored
    assert Path(dup["path"]).stem not in stored


def test_nothing_is_written_outside_the_store(bad_run: dict[str, Any]) -> None:
    assert bad_run["after"] == bad_run["before"]
    assert (bad_run["store"] / "chroma").is_dir()


def _stored_chunks(store: Path, doc: str) -> list[str]:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    client = chromadb.PersistentClient(path=str(store / "chroma"), settings=ChromaSettings(anonymized_telemetry=False))
    got = client.get_collection("reports").get(where={"$and": [{"doc": doc}, {"unit": "chunk"}]}, include=["documents"])
    return list(got["documents"])


def test_search_finds_the_good_content(bad_run: dict[str, Any]) -> None:
    out = run_cli(["search", "推出几条红色旅游精品线路", "--k", "3", "--json"], bad_run["store"])
    assert out.returncode == 0, out.stderr
    top = json.loads(out.stdout)["passages"][0]
    assert top["doc"] in TWINS
    assert "推出6条红色旅游精品线路" in top["text"]


def test_control_characters_are_cleaned_and_one_long_line_is_chunked(bad_run: dict[str, Any]) -> None:
    text = "\n".join(_stored_chunks(bad_run["store"], "控制字符"))
    assert "完成旱厕改造30户。" in text  # control and zero-width characters are gone, the words kept
    assert not any((ord(ch) < 0x20 and ch != "\n") or ch in "\x7f\u200b" for ch in text)
    chunks = _stored_chunks(bad_run["store"], "一行")
    assert max(len(c) for c in chunks) <= 360
    assert sum(len(c) for c in chunks) == len(clean_text(bad_run["good"]["一行"]))  # all of it, in pieces
    assert any("《走遍中国》栏目" in c for c in chunks)


def test_parse_time_limit_skips_the_slow_file_and_the_rest_still_parse(bad_run: dict[str, Any]) -> None:
    report = _report(bad_run)
    (error,) = [e["error"] for e in report["errors"] if Path(e["path"]).name == "slow.pdf"]
    assert error == "解析超时（超过 2 秒），已跳过"
    # The files after it in the batch were parsed by a fresh worker: truncated.pdf got its own
    # error, and the good ones (sorted after slow.pdf) were added.
    assert "truncated.pdf" in {Path(e["path"]).name for e in report["errors"]}
    assert {d["doc_id"] for d in bad_run["docs"]} >= OTHER_GOOD_DOCS
