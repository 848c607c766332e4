"""Export a draft as a .docx in 公文 format (GB/T 9704-2012 党政机关公文格式).

A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; title 方正小标宋简体 二号 (22 pt)
centred, a blank line under it; body 仿宋_GB2312 三号 (16 pt), fixed line pitch 28.95 pt (22 lines
a page), first line indented two characters; headings found by the project's own heading parser
(assistant/ingest/structure.py): 一、 (and 第一部分) in 黑体, （一） in 楷体_GB2312, deeper levels
(1. and （1）) stay 仿宋. Page numbers 宋体 四号 “— 1 —” (a PAGE field) under the text block: odd
pages on the right, even pages on the left, one character in from the edge.

Each [n] marker becomes a real Word footnote (word/footnotes.xml, which python-docx has no API for)
holding the report title, its section and the quoted sentence; a run of markers naming the same
source within a line (…。[1]…。[1]) gets one footnote, after its last sentence. A marker with no
citation stays as text; a citation no marker names is footnoted at the end of the last paragraph.

Every font is named in all four slots (ascii, hAnsi, eastAsia, cs), and the template's theme fonts
are removed, so Word/WPS pick the 公文 fonts wherever they are installed. Formatting is set on each
paragraph as well as in the Normal style, so it survives a paste into a unit's own template.
Like the plain export (export.py), text only: every URL becomes 〔链接已移除〕, and the only field
in the file is PAGE.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.generation.citations import MARKER
from assistant.generation.export import inert
from assistant.ingest.structure import heading_head, heading_level
from assistant.types import Answer, Citation

if TYPE_CHECKING:
    from docx.document import Document
    from docx.section import Section
    from docx.text.paragraph import Paragraph

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
PAGE_FONT = "宋体"
# Parser levels (structure.py) → font: 第一部分 and 一、 are the 公文 first level, （一） the second.
HEADING_FONTS = {1: "黑体", 2: "黑体", 3: "楷体_GB2312"}
NOTE_FONT = "楷体_GB2312"  # the 核对提示 paragraph, set apart from the text to be sent

TITLE_PT = 22.0  # 二号
BODY_PT = 16.0  # 三号
PAGE_PT = 14.0  # 四号
FOOTNOTE_PT = 12.0  # 小四: GB/T 9704 does not size footnotes; one size under the body keeps them apart
LINE_PITCH_PT = 28.95  # (297 − 37 − 35) mm / 22 lines
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
FOOTER_MM = 23  # footer distance: the number's line sits about 7 mm under the text block
A4_TWIPS = (11906, 16838)
PAGE_DASH = "—"  # 一字线 each side of the number

_FOOTNOTES_XML = (
    '<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
    'w:lineRule="auto"/><w:ind w:firstLine="0"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
    'w:lineRule="auto"/><w:ind w:firstLine="0"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
    "</w:footnotes>"
)

_SETTINGS_FOOTNOTE_PR = (
    '<w:footnotePr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    '<w:footnote w:id="-1"/><w:footnote w:id="0"/></w:footnotePr>'
)


def footnote_text(c: Citation) -> str:
    """What a source's footnote says: 《report title》section：“quoted sentence”."""
    where = (f"《{c.title.strip('《》')}》" if c.title else c.doc) + c.section
    return inert(f"{where}：“{c.quote}”")


def gongwen_docx(answer: Answer, title: str, path: Path) -> Path:
    """Write the draft as a 公文-format .docx with its sources as footnotes; returns the path."""
    import docx

    document = docx.Document()
    _setup(document)
    notes = _Footnotes()
    cited = {c.n: c for c in answer.citations}
    used: set[int] = set()
    heading = _paragraph(document, centred=True, indent=False)
    _text_run(heading, inert(title), TITLE_FONT, TITLE_PT)
    _paragraph(document)  # GB/T 9704: a blank line between the title and the text
    last = None
    for raw in answer.answer.split("\n"):
        line = inert(raw.strip())
        if not line:
            continue
        last = _paragraph(document)
        line = _one_note_per_run(line, cited)
        head = heading_head(line)
        font = HEADING_FONTS.get(heading_level(line) or 0) if head else None
        if head and font:
            _marked_runs(last, head, font, notes, cited, used)
            line = line[len(head) :]
        _marked_runs(last, line, BODY_FONT, notes, cited, used)
    unused = [c for c in answer.citations if c.n not in used]
    if unused:
        last = last or _paragraph(document)
        for c in unused:
            _footnote_reference(last, notes.add(footnote_text(c)))
    if answer.unsupported_numbers:
        warn = _paragraph(document)
        numbers = "、".join(answer.unsupported_numbers)
        _text_run(warn, f"【核对提示，定稿前删除】以下数字在所引段落中找不到，请核对：{numbers}", NOTE_FONT, BODY_PT)
    _page_numbers(document)
    notes.attach(document)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


# --- page, styles and fonts ---------------------------------------------------------------------


def _setup(document: Document) -> None:
    from docx.shared import Mm, Twips

    section = document.sections[0]
    section.page_width, section.page_height = Twips(A4_TWIPS[0]), Twips(A4_TWIPS[1])
    for side, mm in MARGINS_MM.items():
        setattr(section, f"{side}_margin", Mm(mm))
    section.footer_distance = Mm(FOOTER_MM)
    grid = section._sectPr.find(_qn("w:docGrid"))
    if grid is not None:  # the 22-line grid, for text a clerk later sets to single spacing
        grid.set(_qn("w:type"), "lines")
        grid.set(_qn("w:linePitch"), str(round(LINE_PITCH_PT * 20)))
    styles = document.styles.element
    defaults = styles.find(_qn("w:docDefaults"))
    if defaults is not None:
        for rfonts in defaults.iter(_qn("w:rFonts")):
            _name_fonts(rfonts, BODY_FONT)
        for spacing in defaults.iter(_qn("w:spacing")):
            spacing.set(_qn("w:after"), "0")
    normal = document.styles["Normal"]
    _name_fonts(normal.element.get_or_add_rPr().get_or_add_rFonts(), BODY_FONT)
    normal.font.size = _pt(BODY_PT)
    _body_format(normal.paragraph_format, indent=True)


def _name_fonts(rfonts: Any, name: str) -> None:
    """The font in every slot (East Asian included); theme fonts would override the names."""
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        rfonts.attrib.pop(_qn(f"w:{attr}"), None)
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        rfonts.set(_qn(f"w:{attr}"), name)
    rfonts.set(_qn("w:hint"), "eastAsia")


def _body_format(fmt: Any, indent: bool, centred: bool = False) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING

    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = _pt(LINE_PITCH_PT)
    fmt.space_before = fmt.space_after = _pt(0)
    fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER if centred else WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt.first_line_indent = _pt(2 * BODY_PT if indent else 0)
    ind = fmt._element.get_or_add_pPr().get_or_add_ind()
    ind.set(_qn("w:firstLineChars"), "200" if indent else "0")  # Word/WPS indent by characters


def _paragraph(document: Document, centred: bool = False, indent: bool = True) -> Paragraph:
    paragraph = document.add_paragraph()
    _body_format(paragraph.paragraph_format, indent=indent and not centred, centred=centred)
    return paragraph


def _text_run(paragraph: Paragraph, text: str, font: str, size: float) -> Any:
    run = paragraph.add_run(text)
    _name_fonts(run._r.get_or_add_rPr().get_or_add_rFonts(), font)
    run.font.size = _pt(size)
    return run


def _one_note_per_run(line: str, cited: dict[int, Citation]) -> str:
    """The line without a cited marker whose next marker in the line names the same source: sentences
    drawn from one passage in a row (…。[1]…。[1]…。[1]) get one footnote, after the last of them."""
    marks = [m for m in MARKER.finditer(line) if int(m.group(1)) in cited]
    drop = [m for m, nxt in pairwise(marks) if m.group(1) == nxt.group(1)]
    for m in reversed(drop):
        line = line[: m.start()] + line[m.end() :]
    return line


def _marked_runs(
    paragraph: Paragraph, text: str, font: str, notes: _Footnotes, cited: dict[int, Citation], used: set[int]
) -> None:
    """`text` as runs in `font`, each [n] of a citation turned into a footnote reference."""
    at = 0
    for m in MARKER.finditer(text):
        c = cited.get(int(m.group(1)))
        if c is None:
            continue
        if m.start() > at:
            _text_run(paragraph, text[at : m.start()], font, BODY_PT)
        _footnote_reference(paragraph, notes.add(footnote_text(c)))
        used.add(c.n)
        at = m.end()
    if at < len(text):
        _text_run(paragraph, text[at:], font, BODY_PT)


def _footnote_reference(paragraph: Paragraph, note_id: int) -> None:
    from docx.oxml import OxmlElement

    run = _text_run(paragraph, "", BODY_FONT, BODY_PT)
    run.font.superscript = True
    ref = OxmlElement("w:footnoteReference")
    ref.set(_qn("w:id"), str(note_id))
    run._r.append(ref)


# --- page numbers -------------------------------------------------------------------------------


def _page_numbers(document: Document) -> None:
    """“— n —” in 宋体 四号: odd pages right, even pages left, one character in from the edge."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document.settings.odd_and_even_pages_header_footer = True
    section: Section = document.sections[0]
    for footer, align in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        fmt = paragraph.paragraph_format
        fmt.alignment = align
        fmt.first_line_indent = _pt(0)
        fmt.space_before = fmt.space_after = _pt(0)
        one_char = _pt(PAGE_PT)
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            fmt.right_indent = one_char
        else:
            fmt.left_indent = one_char
        _text_run(paragraph, f"{PAGE_DASH} ", PAGE_FONT, PAGE_PT)
        _page_field(paragraph)
        _text_run(paragraph, f" {PAGE_DASH}", PAGE_FONT, PAGE_PT)


def _page_field(paragraph: Paragraph) -> None:
    """A complex PAGE field: begin, instruction, separate, the shown number, end."""
    from docx.oxml import OxmlElement

    for part in ("begin", " PAGE ", "separate", "1", "end"):
        run = _text_run(paragraph, "", PAGE_FONT, PAGE_PT)
        if part in ("begin", "separate", "end"):
            child = OxmlElement("w:fldChar")
            child.set(_qn("w:fldCharType"), part)
        else:
            child = OxmlElement("w:instrText" if part == " PAGE " else "w:t")
            child.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            child.text = part
        run._r.append(child)


# --- footnotes ----------------------------------------------------------------------------------


class _Footnotes:
    """word/footnotes.xml built by hand: python-docx reads and writes it only as an opaque part."""

    def __init__(self) -> None:
        from docx.oxml import parse_xml

        self.root = parse_xml(_FOOTNOTES_XML)
        self.count = 0

    def add(self, text: str) -> int:
        """A footnote holding `text`; returns its id for the w:footnoteReference."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml import OxmlElement
        from docx.text.paragraph import Paragraph

        self.count += 1
        note = OxmlElement("w:footnote")
        note.set(_qn("w:id"), str(self.count))
        p = OxmlElement("w:p")
        note.append(p)
        self.root.append(note)
        paragraph = Paragraph(p, None)  # type: ignore[arg-type]  # detached: only run/format methods used
        fmt = paragraph.paragraph_format
        fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        fmt.first_line_indent = _pt(0)
        fmt.space_before = fmt.space_after = _pt(0)
        fmt.line_spacing = 1.0
        fmt._element.get_or_add_pPr().get_or_add_ind().set(_qn("w:firstLineChars"), "0")
        mark = _text_run(paragraph, "", BODY_FONT, FOOTNOTE_PT)
        mark.font.superscript = True
        mark._r.append(OxmlElement("w:footnoteRef"))
        _text_run(paragraph, " " + text, BODY_FONT, FOOTNOTE_PT)
        return self.count

    def attach(self, document: Document) -> None:
        """The part, its content type and its relationship from the main document (none when empty)."""
        if not self.count:
            return
        from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
        from docx.opc.packuri import PackURI
        from docx.opc.part import Part
        from lxml import etree

        blob = etree.tostring(self.root, xml_declaration=True, encoding="UTF-8", standalone=True)
        part = Part(PackURI("/word/footnotes.xml"), CONTENT_TYPE.WML_FOOTNOTES, blob, document.part.package)
        document.part.relate_to(part, RELATIONSHIP_TYPE.FOOTNOTES)
        # As Word writes it: settings name the two separator notes (w:footnotePr comes just before w:compat).
        settings = document.settings.element
        compat = settings.find(_qn("w:compat"))
        if compat is not None and settings.find(_qn("w:footnotePr")) is None:
            from docx.oxml import parse_xml

            compat.addprevious(parse_xml(_SETTINGS_FOOTNOTE_PR))


def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    return qn(tag)


def _pt(value: float) -> Any:
    from docx.shared import Pt

    return Pt(value)
