"""A bulletin as a document, independent of its format: the head (issuer, 文号, title), numbered sections of
paragraphs, tables and charts, and the closing block (版记). The Word, Excel and PDF writers each render this one
structure, so the three files always say the same thing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Pct:
    """A rate in a table cell: a fraction, shown as a percentage (Excel keeps the number with a % format)."""

    value: float | None

    def __str__(self) -> str:
        return "—" if self.value is None else f"{self.value * 100:.1f}%"


Cell = str | int | float | Pct | None


def cell_text(value: Cell) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:.0f}"
    return str(value)


@dataclass
class Paragraph:
    text: str


@dataclass
class Table:
    title: str  # the caption, and the Excel sheet's name (at most 31 characters)
    header: list[str]
    rows: list[list[Cell]]
    has_total: bool = False  # the last row sums the others: shown bold
    note: str = ""


@dataclass
class Chart:
    title: str
    png: bytes
    width_cm: float = 15.0


Block = Paragraph | Table | Chart


@dataclass
class Section:
    heading: str  # "一、总体情况"
    blocks: list[Block] = field(default_factory=list)

    def add(self, block: Block) -> Section:
        self.blocks.append(block)
        return self


@dataclass
class Document:
    masthead: str  # the red banner: "社会治理工作简报"
    doc_number: str  # 温岭市社会治理中心〔2026〕3号
    title: str
    issuer: str
    issued_on: date
    sections: list[Section] = field(default_factory=list)
    copy_to: str = ""  # 抄送

    @property
    def tables(self) -> list[Table]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Table)]

    @property
    def charts(self) -> list[Chart]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Chart)]

    @property
    def issued_label(self) -> str:
        return f"{self.issued_on.year}年{self.issued_on.month}月{self.issued_on.day}日"


CHINESE_NUMERALS = "一二三四五六七八九十"


def section_number(index: int) -> str:
    """一、二、…十、十一、 for sections counted from 0."""
    n = index + 1
    if n <= 10:
        return CHINESE_NUMERALS[n - 1]
    if n < 20:
        return "十" + CHINESE_NUMERALS[n - 11]
    return str(n)
