"""Build test files at test time (no committed binaries): PDFs with Chinese text, .docx files, zip bombs."""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path

import docx

_FONT_OBJECTS = (
    b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [4 0 R] >>",
    b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
    b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /DW 1000 "
    b"/FontDescriptor 5 0 R >>",
    b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] "
    b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
)


def make_cjk_pdf(lines: list[str], *, pages: int = 1, compress: bool = False) -> bytes:
    """A minimal PDF with Chinese text on each page, written the way reportlab writes CJK text:
    the standard (non-embedded) Adobe font STSong-Light with the predefined UniGB-UCS2-H CMap,
    so each character is its UCS-2 code. Viewers with the Adobe CJK fonts render it; pypdf extracts it.
    Every page holds all the lines (one text object each)."""
    ops = []
    y = 800
    for line in lines:
        assert all(ord(ch) < 0x10000 for ch in line)
        hex_codes = "".join(f"{ord(ch):04X}" for ch in line)
        ops.append(f"BT /F1 10 Tf 20 {y} Td <{hex_codes}> Tj ET")
        y = y - 16 if y > 40 else 800
    stream = "\n".join(ops).encode("ascii")
    if compress:
        stream = zlib.compress(stream, 9)
        content = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream"
    else:
        content = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
    # 1 catalog, 2 pages, 3-5 font, 6 the shared content stream, 7… one object per page.
    kids = [7 + i for i in range(pages)]
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % k for k in kids) + b"] /Count %d >>" % pages,
        *_FONT_OBJECTS,
        content,
    ]
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
        b"/Contents 6 0 R >>"
    )
    objects += [page] * pages
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def slow_pdf() -> bytes:
    """A valid 30 KB PDF whose one page holds 40,000 text objects: pypdf needs several seconds
    for it (8 s here; its text extraction grows faster than linearly with a page's operators)."""
    return make_cjk_pdf(["安民乡2023年工作总结", *["全年召开党委理论中心组集中学习12次。"] * 40_000], compress=True)


def make_docx(path: Path, lines: list[str], table: list[list[str]] | None = None) -> Path:
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    if table:
        t = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                t.cell(r, c).text = value
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


def add_zip_bomb(path: Path, name: str = "word/media/image1.bin", megabytes: int = 300) -> Path:
    """Append an entry of `megabytes` MB of zeros (deflates about 1000:1) to a real .docx.

    Written in 1 MB pieces, so building a 300 MB entry takes little memory and under a second."""
    block = bytes(1024 * 1024)
    with (
        zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open(name, "w", force_zip64=True) as entry,
    ):
        for _ in range(megabytes):
            entry.write(block)
    return path
