"""`draft --out x.docx` on the seeds writes the 公文 format (and `--plain` the plain document), read back
with python-docx and rendered to PDF by LibreOffice: A4 pages, 22 lines a page, the page number
“— n —” on every page and the sources' quotes in the footnotes.

LibreOffice (Debian libreoffice-writer-nogui) is part of the test setup (README test command, .ci/run):
without `soffice` these tests FAIL, they never skip."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import docx
import pypdf
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml.ns import qn

from assistant.generation.gongwen import gongwen_docx
from assistant.types import Answer
from tests.conftest import run_cli
from tests.docx_parts import FOOTNOTE_REF, field_problems, footnotes
from tests.unit.seed_reports import seed_text

pytestmark = pytest.mark.integration

TOPIC = "安民乡2023年红色旅游工作总结"
A4_PT = (595.3, 841.9)


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        pytest.fail(
            "soffice is missing: apt-get install -y libreoffice-writer-nogui (the 公文 export is checked in PDF)"
        )
    return found


def to_pdf(docx_path: Path, tmp: Path) -> pypdf.PdfReader:
    """The .docx rendered by headless LibreOffice, with its own profile (parallel runs do not share one)."""
    profile = tmp / "lo-profile"
    out = subprocess.run(
        [
            soffice(),
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp),
            str(docx_path),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    pdf = tmp / (docx_path.stem + ".pdf")
    assert out.returncode == 0 and pdf.is_file(), out.stdout + out.stderr
    return pypdf.PdfReader(str(pdf))


def squeeze(text: str) -> str:
    """PDF text without spaces, line breaks and quote marks (the text layer spaces digits from 汉字)."""
    return re.sub(r"[\s“”]", "", text)


@pytest.fixture(scope="module")
def drafted(seeded: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("gongwen")
    out = run_cli(["draft", TOPIC, "--out", str(tmp / "x.docx"), "--json"], seeded["store"])
    assert out.returncode == 0, out.stderr
    plain = run_cli(["draft", TOPIC, "--out", str(tmp / "plain.docx"), "--plain"], seeded["store"])
    assert plain.returncode == 0, plain.stderr
    answer = json.loads(out.stdout)
    assert not answer["abstained"] and answer["citations"], "the seeds hold this topic"
    return {"tmp": tmp, "answer": answer, "docx": tmp / "x.docx", "plain": tmp / "plain.docx"}


def test_cli_draft_docx_is_in_gongwen_format(drafted: dict[str, Any]) -> None:
    document = docx.Document(str(drafted["docx"]))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(m.mm, 1) for m in margins] == [37.0, 35.0, 28.0, 26.0]
    title, _, *body = document.paragraphs
    assert title.text == f"{TOPIC}（总结）"
    assert {r._r.rPr.rFonts.get(qn("w:eastAsia")) for r in title.runs} == {"方正小标宋简体"}
    text_runs = [r for p in body for r in p.runs if r.text]
    assert text_runs and {r.font.size.pt for r in text_runs} == {16}
    assert all(p.paragraph_format.line_spacing.pt == pytest.approx(28.95) for p in body)
    # The sources: one footnote per marker, holding the quote and the report title.
    notes = list(footnotes(document).values())
    refs = FOOTNOTE_REF.findall(document.element.body.xml)
    assert len(refs) == len(notes) >= len(drafted["answer"]["citations"])
    for c in drafted["answer"]["citations"]:
        assert any(c["quote"] in n and c["title"] in n for n in notes), c
    footer_xml = section.footer.paragraphs[0]._p.xml
    assert "<w:instrText" in footer_xml and " PAGE " in footer_xml
    assert not field_problems(drafted["docx"]), "PAGE in the footers is the only field"


def test_plain_flag_keeps_the_plain_document_with_its_reference_list(drafted: dict[str, Any]) -> None:
    document = docx.Document(str(drafted["plain"]))
    assert "参考来源" in [p.text for p in document.paragraphs]
    assert round(document.sections[0].page_width.mm) != 210, "python-docx's default Letter page"
    with pytest.raises(KeyError):
        document.part.part_related_by(RELATIONSHIP_TYPE.FOOTNOTES)


def test_cli_draft_renders_to_a4_pages_with_page_numbers_and_the_quotes_as_footnotes(drafted: dict[str, Any]) -> None:
    pdf = to_pdf(drafted["docx"], drafted["tmp"])
    assert len(pdf.pages) >= 1
    for page in pdf.pages:
        assert (round(float(page.mediabox.width), 1), round(float(page.mediabox.height), 1)) == A4_PT
    pages = [squeeze(p.extract_text()) for p in pdf.pages]
    for i, text in enumerate(pages, start=1):
        assert f"—{i}—" in text, f"page {i} shows its number"
    whole = "".join(pages)
    for c in drafted["answer"]["citations"]:
        assert squeeze(c["quote"]) in whole and squeeze(c["title"]) in whole, c["quote"]
    assert "[1]" not in whole, "markers became footnote numbers"


def test_a_page_holds_22_lines(tmp_path: Path) -> None:
    """Title, blank line and one-line paragraphs at the fixed pitch: 22 lines fill a page, the 23rd starts
    the next (the same with LibreOffice's stand-in fonts, since the pitch is exact)."""
    text = "\n".join(seed_text(s) for s in ("000", "001", "002", "003", "004"))
    clauses = [c for c in re.split(r"[，。；：\n]", text) if 6 <= len(c) <= 20]
    assert len(clauses) >= 43
    pages = {}
    for lines in (20, 21, 42, 43):
        answer = Answer("q", "\n".join(clauses[:lines]), False, [], [], "extractive")
        pages[lines] = len(
            to_pdf(gongwen_docx(answer, "安民乡2023年工作总结", tmp_path / f"l{lines}.docx"), tmp_path).pages
        )
    assert pages == {20: 1, 21: 2, 42: 2, 43: 3}
