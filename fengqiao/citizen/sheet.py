"""Printable sheets of place codes: A4 pages, a grid of labelled QR codes (place name and address under each, the
unit and page number on top), drawn as vectors with reportlab from segno's module matrix so they print sharp."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import select
from sqlalchemy.orm import Session

from fengqiao.citizen.places import PLACE_KIND_LABELS, PlaceKind, SheetEntry, places_under, report_url
from fengqiao.core.errors import NotFound
from fengqiao.jurisdiction.models import Unit

WQY_ZENHEI = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
COLUMNS = 3
ROWS = 4
PER_PAGE = COLUMNS * ROWS
MARGIN = 12 * mm
HEADER = 16 * mm
QR_SIZE = 38 * mm


@lru_cache(maxsize=1)
def chinese_font() -> str:
    """WenQuanYi Zen Hei embedded when installed (Debian fonts-wqy-zenhei); otherwise the reader's built-in
    STSong, which every PDF reader with Asian fonts supplies."""
    if WQY_ZENHEI.is_file():
        pdfmetrics.registerFont(TTFont("WQYZenHei", str(WQY_ZENHEI), subfontIndex=0))
        return "WQYZenHei"
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


@dataclass(frozen=True)
class SheetResult:
    pdf: bytes
    codes: int
    pages: int


def _wrap(text: str, *, font: str, size: float, width: float, max_lines: int) -> list[str]:
    """Chinese wraps between any two characters; the last line ends in an ellipsis when text remains."""
    lines: list[str] = []
    current = ""
    for ch in text:
        if pdfmetrics.stringWidth(current + ch, font, size) > width:
            lines.append(current)
            current = ch
            if len(lines) == max_lines:
                break
        else:
            current += ch
    else:
        if current:
            lines.append(current)
        return lines
    last = lines[-1]
    while last and pdfmetrics.stringWidth(last + "…", font, size) > width:
        last = last[:-1]
    lines[-1] = last + "…"
    return lines


def _draw_qr(canvas: Canvas, url: str, x: float, y: float, size: float) -> None:
    qr = segno.make(url, error="m")
    rows = [list(r) for r in qr.matrix_iter(scale=1, border=0)]
    module = size / len(rows)
    canvas.setFillColorRGB(0, 0, 0)
    for r, row in enumerate(rows):
        top = y + size - (r + 1) * module
        start = None
        for c, dark in enumerate([*row, 0]):
            if dark and start is None:
                start = c
            elif not dark and start is not None:
                # One rectangle per run of dark modules, slightly overlapping so no hairline gaps show in print.
                canvas.rect(x + start * module, top, (c - start) * module + 0.05, module + 0.05, stroke=0, fill=1)
                start = None


def render_sheet(
    *,
    entries: Sequence[SheetEntry],
    base_url: str,
    title: str,
    on_page: Callable[[int, int], None] | None = None,
) -> SheetResult:
    font = chinese_font()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(title)
    canvas.setAuthor("枫桥·基层社会治理平台")
    page_width, page_height = A4
    cell_width = (page_width - 2 * MARGIN) / COLUMNS
    cell_height = (page_height - 2 * MARGIN - HEADER) / ROWS
    pages = max(1, -(-len(entries) // PER_PAGE))
    for page in range(pages):
        canvas.setFont(font, 15)
        canvas.drawString(MARGIN, page_height - MARGIN - 7 * mm, title)
        canvas.setFont(font, 9)
        canvas.drawRightString(
            page_width - MARGIN, page_height - MARGIN - 7 * mm, f"第{page + 1}页 / 共{pages}页　扫码反映身边事"
        )
        if not entries:
            canvas.setFont(font, 12)
            canvas.drawString(MARGIN, page_height - MARGIN - HEADER - 10 * mm, "该范围内没有可打印的共治码")
        for slot, entry in enumerate(entries[page * PER_PAGE : (page + 1) * PER_PAGE]):
            column, row = slot % COLUMNS, slot // COLUMNS
            left = MARGIN + column * cell_width
            top = page_height - MARGIN - HEADER - row * cell_height
            canvas.setStrokeColorRGB(0.75, 0.75, 0.75)
            canvas.setDash(2, 2)
            canvas.rect(left, top - cell_height, cell_width, cell_height, stroke=1, fill=0)
            canvas.setDash()
            url = report_url(base_url, entry.token)
            qr_x = left + (cell_width - QR_SIZE) / 2
            qr_y = top - 3 * mm - QR_SIZE
            _draw_qr(canvas, url, qr_x, qr_y, QR_SIZE)
            canvas.linkURL(url, (qr_x, qr_y, qr_x + QR_SIZE, qr_y + QR_SIZE), relative=0)
            text_width = cell_width - 6 * mm
            y = qr_y - 5 * mm
            canvas.setFillColorRGB(0, 0, 0)
            for line in _wrap(entry.title, font=font, size=10.5, width=text_width, max_lines=2):
                canvas.setFont(font, 10.5)
                canvas.drawCentredString(left + cell_width / 2, y, line)
                y -= 4.6 * mm
            canvas.setFillColorRGB(0.25, 0.25, 0.25)
            for line in _wrap(entry.address, font=font, size=8, width=text_width, max_lines=2):
                canvas.setFont(font, 8)
                canvas.drawCentredString(left + cell_width / 2, y, line)
                y -= 3.6 * mm
            canvas.setFillColorRGB(0, 0, 0)
        canvas.showPage()
        if on_page is not None:
            on_page(page + 1, pages)
    canvas.save()
    return SheetResult(pdf=buffer.getvalue(), codes=len(entries), pages=pages)


def build_sheet(
    *,
    session: Session,
    unit_code: str,
    kind: PlaceKind,
    base_url: str,
    scope: Sequence[str] | None = None,
    on_page: Callable[[int, int], None] | None = None,
) -> SheetResult:
    """The sheet of every grid's or building's code under a unit, creating missing codes. ``scope`` (the viewer's
    territory; None = the whole county) bounds which units may be printed: outside it the unit does not exist."""
    unit = session.scalars(select(Unit).where(Unit.code == unit_code)).one_or_none()
    if unit is None or (scope is not None and not any(unit.path.startswith(p) for p in scope)):
        raise NotFound(f"未找到代码为“{unit_code}”的单位", code="unit_not_found")
    entries = places_under(session=session, unit=unit, kind=kind)
    title = f"{unit.name} 市域共治码（{PLACE_KIND_LABELS[kind]}）"
    return render_sheet(entries=entries, base_url=base_url, title=title, on_page=on_page)
