"""The tables behind a bulletin as an Excel workbook: a cover sheet naming the bulletin, then one sheet per table,
numbers kept as numbers (rates as fractions with a percent format) so they can be summed and charted again."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from fengqiao.reports import document as doc

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", "_"))


def sheet_name(title: str, taken: set[str]) -> str:
    """Excel allows 31 characters and none of []:*?/\\ in a sheet name, and no two alike."""
    base = title.translate(_FORBIDDEN)[:28]
    name, n = base, 2
    while name in taken:
        name, n = f"{base}{n}", n + 1
    taken.add(name)
    return name


def render(document: doc.Document) -> bytes:
    book = Workbook()
    cover = book.active
    assert cover is not None
    cover.title = "说明"
    for row, (label, text) in enumerate(
        [
            ("标题", document.title),
            ("文号", document.doc_number),
            ("发文单位", document.issuer),
            ("印发日期", document.issued_label),
        ],
        start=1,
    ):
        cover.cell(row=row, column=1, value=label).font = Font(bold=True)
        cover.cell(row=row, column=2, value=text)
    cover.column_dimensions["A"].width = 12
    cover.column_dimensions["B"].width = 60
    taken = {cover.title}
    for table in document.tables:
        sheet = book.create_sheet(sheet_name(table.title, taken))
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True, size=12)
        sheet.append(table.header)
        for head in sheet[2]:
            head.font = Font(bold=True)
            head.fill = _HEADER_FILL
            head.border = _BORDER
            head.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for r, values in enumerate(table.rows, start=3):
            bold = table.has_total and r == len(table.rows) + 2
            for c, value in enumerate(values, start=1):
                cell = sheet.cell(row=r, column=c)
                if isinstance(value, doc.Pct):
                    cell.value = value.value
                    cell.number_format = "0.0%"
                else:
                    cell.value = value
                cell.border = _BORDER
                if bold:
                    cell.font = Font(bold=True)
        if table.note:
            sheet.cell(row=len(table.rows) + 4, column=1, value=table.note)
        for c, head in enumerate(table.header, start=1):
            longest = max([len(head), *(len(doc.cell_text(row[c - 1])) for row in table.rows)])
            sheet.column_dimensions[get_column_letter(c)].width = min(max(8, longest * 2 + 2), 60)
        sheet.freeze_panes = "A3"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
