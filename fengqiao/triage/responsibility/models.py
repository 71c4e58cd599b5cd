"""Table model of responsibility rules."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fengqiao.core.clock import utcnow
from fengqiao.db.base import Base
from fengqiao.db.types import UTCDateTime


class ResponsibilityRule(Base):
    """In ``scope_unit`` (the county, a town or a village) matters of ``category`` (a top-level code such as
    ``environment`` or a subcategory such as ``labour.wage_arrears``) are owned by ``department_unit``."""

    __tablename__ = "responsibility_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6))
    category: Mapped[str] = mapped_column(String(64), index=True)
    scope_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    department_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    note: Mapped[str | None] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (UniqueConstraint("category", "scope_unit_id", name="uq_responsibility_rules_category_scope"),)
