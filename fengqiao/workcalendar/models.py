"""Local calendar overrides: a county declares an extra day off (a typhoon day) or an extra working day."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fengqiao.core.clock import utcnow
from fengqiao.db.base import Base
from fengqiao.db.types import UTCDateTime


class CalendarOverride(Base):
    __tablename__ = "calendar_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6), index=True)
    # The column is "date"; the attribute is not, so it does not shadow the type inside the class.
    day: Mapped[dt.date] = mapped_column("date", Date)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (UniqueConstraint("county_code", "date", name="uq_calendar_overrides_county_code_date"),)
