"""Table model of issued bulletins: the period, the number it was issued under, its headline figures and the three
files (kept in the file storage, content-addressed)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fengqiao.core.clock import utcnow
from fengqiao.db.base import Base
from fengqiao.db.types import UTCDateTime


class Bulletin(Base):
    """One bulletin of one unit for one period. Generated again for the same period, it keeps its number and its
    row; only the files and figures are replaced."""

    __tablename__ = "bulletins"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    kind: Mapped[str] = mapped_column(String(10))  # monthly | weekly
    period_key: Mapped[str] = mapped_column(String(10))  # 2026-10 | 2026-W42
    year: Mapped[int] = mapped_column(Integer)
    serial: Mapped[int] = mapped_column(Integer)  # the N of 〔year〕N号, per unit and year
    doc_number: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(200))
    period_start: Mapped[datetime] = mapped_column(UTCDateTime())
    period_end: Mapped[datetime] = mapped_column(UTCDateTime())
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    docx_key: Mapped[str] = mapped_column(String(200))
    xlsx_key: Mapped[str] = mapped_column(String(200))
    pdf_key: Mapped[str] = mapped_column(String(200))
    generated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        UniqueConstraint("unit_id", "kind", "period_key", name="uq_bulletins_unit_period"),
        UniqueConstraint("unit_id", "year", "serial", name="uq_bulletins_unit_serial"),
    )
