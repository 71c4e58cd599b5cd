"""The bulletin as PDF, laid out like an official document (GB/T 9704 in spirit): the red masthead, the 文号 line
over a red rule, the title, sections 一、二、三…, tables and charts, the closing block between two rules, page
numbers "— 1 —". The CJK font is embedded (the one the QR sheets use), so every reader shows the same glyphs."""

from __future__ import annotations

import io

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm, mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import HRFlowable

from fengqiao.citizen.sheet import chinese_font
from fengqiao.reports import document as doc

OFFICIAL_RED = colors.HexColor("#d40000")
HEADER_FILL = colors.HexColor("#f2f2f2")
LEFT, RIGHT, TOP, BOTTOM = 2.8 * cm, 2.6 * cm, 3.0 * cm, 2.8 * cm
TEXT_WIDTH = A4[0] - LEFT - RIGHT


def _styles(font: str) -> dict[str, ParagraphStyle]:
    # CJK wrapping keeps a run of digits or Latin letters ("93件", "96.8%") on one line.
    base = ParagraphStyle(
        "body", fontName=font, fontSize=12, leading=21, firstLineIndent=24, alignment=TA_JUSTIFY, wordWrap="CJK"
    )
    return {
        "masthead": ParagraphStyle(
            "masthead", fontName=font, fontSize=34, leading=42, alignment=TA_CENTER, textColor=OFFICIAL_RED
        ),
        "number": ParagraphStyle("number", fontName=font, fontSize=12, leading=18, alignment=TA_CENTER),
        "title": ParagraphStyle("title", fontName=font, fontSize=19, leading=28, alignment=TA_CENTER, spaceAfter=10),
        "heading": ParagraphStyle(
            "heading", fontName=font, fontSize=14, leading=22, spaceBefore=10, spaceAfter=4, alignment=TA_LEFT
        ),
        "body": base,
        "caption": ParagraphStyle(
            "caption", fontName=font, fontSize=10.5, leading=15, alignment=TA_CENTER, spaceBefore=6, spaceAfter=3
        ),
        "note": ParagraphStyle("note", fontName=font, fontSize=9, leading=13, textColor=colors.HexColor("#555555")),
        "cell": ParagraphStyle("cell", fontName=font, fontSize=9, leading=12, alignment=TA_CENTER),
        "cell_left": ParagraphStyle("cell_left", fontName=font, fontSize=9, leading=12, alignment=TA_LEFT),
        "closing": ParagraphStyle("closing", fontName=font, fontSize=11, leading=20),
        "closing_right": ParagraphStyle("closing_right", fontName=font, fontSize=11, leading=20, alignment=TA_RIGHT),
    }


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _table(table: doc.Table, styles: dict[str, ParagraphStyle], font: str) -> list[Flowable]:
    def cell(value: doc.Cell, column: int) -> Paragraph:
        style = styles["cell_left"] if column == 0 and isinstance(value, str) and len(value) > 12 else styles["cell"]
        return Paragraph(_escape(doc.cell_text(value)), style)

    data = [[Paragraph(f"<b>{_escape(h)}</b>", styles["cell"]) for h in table.header]]
    data += [[cell(v, i) for i, v in enumerate(row)] for row in table.rows]
    widths = _column_widths(table)
    grid = Table(data, colWidths=widths, repeatRows=1, hAlign="CENTER")
    style = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if table.has_total and table.rows:
        style.append(("BACKGROUND", (0, -1), (-1, -1), HEADER_FILL))
    grid.setStyle(TableStyle(style))
    parts: list[Flowable] = [Paragraph(_escape(table.title), styles["caption"]), grid]
    if table.note:
        parts.append(Paragraph(_escape(table.note), styles["note"]))
    # A caption never sits alone at the foot of a page; long tables still break (the header repeats).
    return [KeepTogether(parts[:2]), *parts[2:]] if len(table.rows) <= 12 else parts


def _column_widths(table: doc.Table) -> list[float]:
    """Wider columns for longer text, within the text width."""
    lengths = []
    for i, head in enumerate(table.header):
        longest = max([len(head), *(len(doc.cell_text(r[i])) for r in table.rows)])
        lengths.append(min(max(longest, len(head) + 2, 6), 22))
    total = sum(lengths)
    return [TEXT_WIDTH * n / total for n in lengths]


def _chart(chart: doc.Chart) -> Image:
    image = Image(io.BytesIO(chart.png))
    width = min(chart.width_cm * cm, TEXT_WIDTH)
    image.drawHeight = image.drawHeight * width / image.drawWidth
    image.drawWidth = width
    image.hAlign = "CENTER"
    return image


def _head(document: doc.Document, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    return [
        Paragraph(_escape(document.masthead), styles["masthead"]),
        Spacer(1, 8 * mm),
        Paragraph(_escape(document.doc_number), styles["number"]),
        HRFlowable(width="100%", thickness=2, color=OFFICIAL_RED, spaceBefore=2 * mm, spaceAfter=8 * mm),
        Paragraph(_escape(document.title), styles["title"]),
    ]


def _closing(document: doc.Document, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    rows: list[Flowable] = [Spacer(1, 10 * mm), HRFlowable(width="100%", thickness=1, color=colors.black)]
    if document.copy_to:
        rows.append(Paragraph(_escape(f"抄送：{document.copy_to}"), styles["closing"]))
        rows.append(HRFlowable(width="100%", thickness=0.5, color=colors.black))
    closing = Table(
        [
            [
                Paragraph(_escape(document.issuer), styles["closing"]),
                Paragraph(_escape(f"{document.issued_label}印发"), styles["closing_right"]),
            ]
        ],
        colWidths=[TEXT_WIDTH / 2, TEXT_WIDTH / 2],
    )
    closing.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    rows += [closing, HRFlowable(width="100%", thickness=1, color=colors.black)]
    return [KeepTogether(rows)]


def render(document: doc.Document) -> bytes:
    font = chinese_font()
    styles = _styles(font)
    story: list[Flowable] = _head(document, styles)
    for section in document.sections:
        story.append(Paragraph(_escape(section.heading), styles["heading"]))
        for block in section.blocks:
            if isinstance(block, doc.Paragraph):
                story.append(Paragraph(_escape(block.text), styles["body"]))
            elif isinstance(block, doc.Table):
                story.extend(_table(block, styles, font))
            else:  # the chart draws its own title
                story.append(Spacer(1, 2 * mm))
                story.append(_chart(block))
    story.extend(_closing(document, styles))

    def page_number(canvas: Canvas, template: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(font, 11)
        canvas.drawCentredString(A4[0] / 2, BOTTOM / 2, f"— {template.page} —")
        canvas.restoreState()

    out = io.BytesIO()
    template = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=LEFT,
        rightMargin=RIGHT,
        topMargin=TOP,
        bottomMargin=BOTTOM,
        title=document.title,
        author=document.issuer,
        subject=document.doc_number,
    )
    template.build(story, onFirstPage=page_number, onLaterPages=page_number)
    return out.getvalue()
