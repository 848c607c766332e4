"""The 公文-format .docx (assistant/generation/gongwen.py) read back with python-docx: page, margins,
fonts in every slot, sizes, line pitch, heading fonts, footnotes and the footer's page number."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
from docx.oxml.ns import qn

from assistant.generation.export import LINK_REMOVED
from assistant.generation.gongwen import gongwen_docx
from assistant.types import Answer, Citation
from tests.docx_parts import footnotes
from tests.unit.seed_reports import SEED_TITLES, seed_text

SLOTS = ("ascii", "hAnsi", "eastAsia", "cs")

# Lines of seed 001 as written: its 一、 and （一） headings and a body paragraph.
LINES = seed_text("001").split("\n")
H1, H2, BODY = LINES[2], LINES[3], LINES[4]
FIRST, SECOND = BODY.split("。")[0] + "。", BODY.split("。")[1] + "。"
TITLE = SEED_TITLES["001"]


def citation(n: int, quote: str, title: str = TITLE, section: str = H2) -> Citation:
    return Citation(n=n, doc="001_dfb12432eec8a521", section=section, quote=quote, text=BODY, title=title)


def draft(answer_text: str, citations: list[Citation], unsupported: list[str] | None = None) -> Answer:
    return Answer(
        question="X乡2023年农业工作总结",
        answer=answer_text,
        abstained=False,
        citations=citations,
        unsupported_numbers=unsupported or [],
        mode="extractive",
    )


@pytest.fixture
def written(tmp_path: Path) -> Any:
    lines = [
        H1,
        H2,
        f"{FIRST[:-1]}[1]。{SECOND[:-1]}[2]。",
        "（二）坚持惠民生增福祉。民生事业发展新篇章[1]。",
        "1.保持稳中有进",
    ]
    text = "\n".join(lines)
    answer = draft(text, [citation(1, FIRST), citation(2, SECOND)])
    path = gongwen_docx(answer, "X乡2023年农业工作总结（总结）", tmp_path / "草稿.docx")
    return docx.Document(str(path)), path


def fonts(run: Any) -> dict[str, str | None]:
    rfonts = run._r.rPr.rFonts
    return {slot: rfonts.get(qn(f"w:{slot}")) for slot in SLOTS}


def assert_font(run: Any, name: str, pt: float) -> None:
    assert fonts(run) == dict.fromkeys(SLOTS, name), (run.text, fonts(run))
    assert run.font.size.pt == pt


def footnotes_of(document: Any) -> tuple[Any, dict[str, str]]:
    return document.part.part_related_by(RELATIONSHIP_TYPE.FOOTNOTES), footnotes(document)


def test_page_is_a4_with_the_gb_margins(written: Any) -> None:
    section = written[0].sections[0]
    assert round(section.page_width.mm, 1) == 210.0 and round(section.page_height.mm, 1) == 297.0
    assert [round(m.mm, 1) for m in (section.top_margin, section.bottom_margin)] == [37.0, 35.0]
    assert [round(m.mm, 1) for m in (section.left_margin, section.right_margin)] == [28.0, 26.0]


def test_title_is_xiaobiaosong_22pt_centred_then_a_blank_line(written: Any) -> None:
    title, blank = written[0].paragraphs[:2]
    assert title.text == "X乡2023年农业工作总结（总结）"
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert title.paragraph_format.first_line_indent.pt == 0
    for run in title.runs:
        assert_font(run, "方正小标宋简体", 22)
    assert blank.text == ""


def test_body_is_fangsong_16pt_at_an_exact_28_95pt_pitch_indented_two_characters(written: Any) -> None:
    document = written[0]
    body = next(p for p in document.paragraphs if p.text.startswith(FIRST[:10]))
    fmt = body.paragraph_format
    assert fmt.line_spacing_rule == WD_LINE_SPACING.EXACTLY and fmt.line_spacing.pt == pytest.approx(28.95)
    assert fmt.first_line_indent.pt == 32 and fmt.space_before.pt == fmt.space_after.pt == 0
    assert body._p.pPr.ind.get(qn("w:firstLineChars")) == "200"
    text_runs = [r for r in body.runs if r.text]
    assert "".join(r.text for r in text_runs) == FIRST + SECOND
    for run in text_runs:
        assert_font(run, "仿宋_GB2312", 16)
    # The Normal style says the same, so text a clerk adds is in the body format too.
    normal = document.styles["Normal"]
    assert normal.font.size.pt == 16 and normal.paragraph_format.line_spacing.pt == pytest.approx(28.95)
    assert normal.element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    styles_xml = document.styles.element.xml
    assert "Theme=" not in styles_xml.split("</w:docDefaults>")[0], "theme fonts would override the names"


def test_headings_are_found_by_the_structure_parser_and_set_in_heiti_and_kaiti(written: Any) -> None:
    by_start = {p.text[:4]: p for p in written[0].paragraphs if p.text}
    h1, h2, h2_with_body, level4 = by_start[H1[:4]], by_start[H2[:4]], by_start["（二）坚"], by_start["1.保持"]
    assert h1.text == H1 and [fonts(r)["eastAsia"] for r in h1.runs] == ["黑体"]
    assert h2.text == H2 and [fonts(r)["eastAsia"] for r in h2.runs] == ["楷体_GB2312"]
    # A heading carrying its body: the heading sentence in 楷体, the rest in 仿宋.
    head, *rest = [r for r in h2_with_body.runs if r.text]
    assert head.text == "（二）坚持惠民生增福祉。" and fonts(head)["eastAsia"] == "楷体_GB2312"
    assert rest and all(fonts(r)["eastAsia"] == "仿宋_GB2312" for r in rest)
    assert [fonts(r)["eastAsia"] for r in level4.runs] == ["仿宋_GB2312"]
    for p in (h1, h2, h2_with_body):
        assert all(r.font.size.pt == 16 for r in p.runs)
        assert p.paragraph_format.first_line_indent.pt == 32


def test_every_marker_is_a_footnote_holding_the_quote_and_the_report_title(written: Any) -> None:
    document, path = written
    part, notes = footnotes_of(document)
    assert part.content_type == CONTENT_TYPE.WML_FOOTNOTES
    body_xml = document.element.body.xml
    refs = re.findall(r'<w:footnoteReference w:id="(\d+)"/>', body_xml)
    assert refs == ["1", "2", "3"], "three [n] markers, three references in order"
    assert set(refs) == set(notes)
    assert FIRST in notes["1"] and SECOND in notes["2"] and FIRST in notes["3"]
    assert all(f"《{TITLE}》" in n and H2 in n for n in notes.values())
    assert not re.search(r"\[\d\]", "".join(p.text for p in document.paragraphs)), "markers left as text"
    settings = document.settings.element
    (pr,) = settings.findall(qn("w:footnotePr"))
    assert [n.get(qn("w:id")) for n in pr] == ["-1", "0"], "the separators, as Word lists them"
    assert pr.getnext().tag == qn("w:compat"), "schema order: footnotePr right before compat"
    with zipfile.ZipFile(path) as z:
        assert "word/footnotes.xml" in z.namelist()
        assert "footnotes+xml" in z.read("[Content_Types].xml").decode()


def test_page_numbers_are_a_page_field_between_dashes_odd_right_even_left(written: Any) -> None:
    document = written[0]
    assert document.settings.odd_and_even_pages_header_footer
    section = document.sections[0]
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT), (section.even_page_footer, "left")):
        (paragraph,) = footer.paragraphs
        assert paragraph.alignment == (WD_ALIGN_PARAGRAPH.LEFT if align == "left" else align)
        xml = paragraph._p.xml
        assert re.findall(r"<w:instrText[^>]*>([^<]*)</w:instrText>", xml) == [" PAGE "]
        assert [m for m in re.findall(r'fldCharType="(\w+)"', xml)] == ["begin", "separate", "end"]
        assert paragraph.text == "— 1 —"
        for run in paragraph.runs:
            assert_font(run, "宋体", 14)


def test_links_are_removed_from_text_and_footnotes_and_odd_markers_stay(tmp_path: Path) -> None:
    quote = "详见 http://attacker.example/x 。"
    answer = draft(f"{FIRST[:-1]}[1]，另见 javascript:alert(1)[7]。", [citation(1, quote)], unsupported=["3.76万亩"])
    document = docx.Document(str(gongwen_docx(answer, "标题", tmp_path / "a.docx")))
    _, notes = footnotes_of(document)
    assert LINK_REMOVED in notes["1"] and "attacker" not in notes["1"]
    text = "\n".join(p.text for p in document.paragraphs)
    assert "javascript" not in text and "[7]" in text, "a marker with no citation stays as written"
    assert "3.76万亩" in text.split("\n")[-1] and "核对" in text.split("\n")[-1]


def test_a_citation_no_marker_names_is_still_footnoted(tmp_path: Path) -> None:
    answer = draft(FIRST, [citation(1, FIRST, title="", section="")])
    document = docx.Document(str(gongwen_docx(answer, "标题", tmp_path / "a.docx")))
    _, notes = footnotes_of(document)
    assert list(notes.values()) == [f" 001_dfb12432eec8a521：“{FIRST}”"], "no title: the document id, no 《》"
    assert 'w:footnoteReference w:id="1"' in document.paragraphs[-1]._p.xml


def test_a_draft_without_citations_has_no_footnotes_part(tmp_path: Path) -> None:
    document = docx.Document(str(gongwen_docx(draft(FIRST, []), "标题", tmp_path / "a.docx")))
    with pytest.raises(KeyError):
        document.part.part_related_by(RELATIONSHIP_TYPE.FOOTNOTES)


def test_sentences_from_one_source_in_a_row_share_one_footnote(tmp_path: Path) -> None:
    third = LINES[5].split("。")[0] + "。"
    text = f"{FIRST}[1]{SECOND}[1]{third}[2]{FIRST}[1]\n{SECOND}[1]"
    answer = draft(text, [citation(1, FIRST), citation(2, third)])
    document = docx.Document(str(gongwen_docx(answer, "标题", tmp_path / "a.docx")))
    _, notes = footnotes_of(document)
    body = document.paragraphs[2]
    xml = body._p.xml
    assert re.findall(r'<w:footnoteReference w:id="(\d+)"/>', xml) == ["1", "2", "3"]
    assert xml.index(SECOND) < xml.index('w:id="1"') < xml.index(third), "after the last sentence of the run"
    assert [FIRST in notes["1"], third in notes["2"], FIRST in notes["3"]] == [True] * 3
    assert 'w:footnoteReference w:id="4"' in document.paragraphs[3]._p.xml, "a new line starts a new run"
