"""The bulletin as a Word document, in the fonts of official documents (方正小标宋 title, 黑体 headings, 仿宋 body),
which the recipients' machines have; the layout follows the PDF: red masthead, 文号 over a red rule, sections,
tables, charts, the closing block, page numbers in the footer."""

from __future__ import annotations

import io
from typing import Any

import docx
from docx.document import Document as DocxDocument
from docx.enum.section import WD_SECTION_START
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run

from fengqiao.reports import document as doc

TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
BODY_FONT = "仿宋_GB2312"
RED = RGBColor(0xD4, 0x00, 0x00)


def _font(run: Run, name: str, size: float, *, bold: bool = False, color: RGBColor | None = None) -> Run:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    # Word picks Chinese glyphs from the east-Asian font slot, which ``font.name`` alone does not set.
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)
    return run


def _rule(paragraph: DocxParagraph, *, color: str, size: int, where: str = "bottom") -> None:
    """A horizontal rule as the paragraph's border (how Word itself draws the red line under the 文号)."""
    borders = OxmlElement("w:pBdr")
    line = OxmlElement(f"w:{where}")
    line.set(qn("w:val"), "single")
    line.set(qn("w:sz"), str(size))
    line.set(qn("w:space"), "4")
    line.set(qn("w:color"), color)
    borders.append(line)
    paragraph._p.get_or_add_pPr().append(borders)


def _page_number(paragraph: DocxParagraph) -> None:
    _font(paragraph.add_run("— "), BODY_FONT, 12)
    run = _font(paragraph.add_run(), BODY_FONT, 12)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)
    _font(paragraph.add_run(" —"), BODY_FONT, 12)


def _shade(cell_element: Any, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:fill"), fill)
    cell_element.get_or_add_tcPr().append(shading)


def render(document: doc.Document) -> bytes:
    out = docx.Document()
    section = out.sections[0]
    section.start_type = WD_SECTION_START.NEW_PAGE
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_number(footer)

    head = out.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(head.add_run(document.masthead), TITLE_FONT, 36, color=RED)
    number = out.add_paragraph()
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    number.paragraph_format.space_before = Pt(18)
    _font(number.add_run(document.doc_number), BODY_FONT, 16)
    _rule(number, color="D40000", size=18)
    title = out.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_before = Pt(18)
    title.paragraph_format.space_after = Pt(12)
    _font(title.add_run(document.title), TITLE_FONT, 22)

    for part in document.sections:
        heading = out.add_paragraph()
        heading.paragraph_format.first_line_indent = Pt(32)
        heading.paragraph_format.space_before = Pt(6)
        _font(heading.add_run(part.heading), HEADING_FONT, 16)
        for block in part.blocks:
            if isinstance(block, doc.Paragraph):
                p = out.add_paragraph()
                p.paragraph_format.first_line_indent = Pt(32)
                p.paragraph_format.line_spacing = Pt(28)
                p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
                _font(p.add_run(block.text), BODY_FONT, 16)
            elif isinstance(block, doc.Table):
                _table(out, block)
            else:
                picture = out.add_paragraph()
                picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
                picture.add_run().add_picture(io.BytesIO(block.png), width=Cm(min(block.width_cm, 15.6)))

    out.add_paragraph()
    if document.copy_to:
        copy = out.add_paragraph()
        _rule(copy, color="000000", size=8, where="top")
        _font(copy.add_run(f"抄送：{document.copy_to}"), BODY_FONT, 14)
    closing = out.add_paragraph()
    _rule(closing, color="000000", size=8, where="top")
    _rule(closing, color="000000", size=8, where="bottom")
    closing.paragraph_format.tab_stops.add_tab_stop(Cm(15.6), alignment=2)  # right-aligned tab: the date
    _font(closing.add_run(f"{document.issuer}\t{document.issued_label}印发"), BODY_FONT, 14)

    buffer = io.BytesIO()
    out.core_properties.title = document.title
    out.core_properties.author = document.issuer
    out.core_properties.subject = document.doc_number
    out.save(buffer)
    return buffer.getvalue()


def _table(out: DocxDocument, table: doc.Table) -> None:
    caption = out.add_paragraph()
    caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption.paragraph_format.space_before = Pt(6)
    _font(caption.add_run(table.title), HEADING_FONT, 12)
    grid = out.add_table(rows=1 + len(table.rows), cols=len(table.header))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    rows: list[list[doc.Cell]] = [list(table.header), *table.rows]
    for r, values in enumerate(rows):
        bold = r == 0 or (table.has_total and r == len(table.rows))
        for c, value in enumerate(values):
            cell = grid.cell(r, c)
            paragraph = cell.paragraphs[0]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            text = value if r == 0 else doc.cell_text(value)
            _font(paragraph.add_run(str(text)), BODY_FONT, 10.5, bold=bold)
            if r == 0:
                _shade(cell._tc, "F2F2F2")
    if table.note:
        note = out.add_paragraph()
        _font(note.add_run(table.note), BODY_FONT, 10)
