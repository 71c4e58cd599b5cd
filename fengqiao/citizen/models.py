"""Tables of the citizen pages: the printed place codes (市域共治码) and what each citizen report carried besides
the event itself (where it came from, who sent it, the guard's flags)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from fengqiao.core.clock import utcnow
from fengqiao.db.base import Base
from fengqiao.db.types import UTCDateTime


class PlaceCode(Base):
    """The token behind one printed QR code. A random token, not the unit code or the building id, so that codes
    cannot be enumerated or forged; one code per grid or building (``rotate`` replaces a leaked one)."""

    __tablename__ = "place_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6))
    token: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # PlaceKind
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), unique=True)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("buildings.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CitizenReport(Base):
    """One event reported through a place code. ``client_hash`` is a keyed hash of the sender's address (never the
    address itself), enough to recognise a repeat; ``query_pin`` stands in for the phone's last four digits when the
    reporter left no phone."""

    __tablename__ = "citizen_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), unique=True)
    place_code_id: Mapped[int] = mapped_column(ForeignKey("place_codes.id"))
    client_hash: Mapped[str] = mapped_column(String(64))
    text_hash: Mapped[str] = mapped_column(String(64))
    query_pin: Mapped[str | None] = mapped_column(String(4))
    flags: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        Index("ix_citizen_reports_place_created", "place_code_id", "created_at"),
        Index("ix_citizen_reports_client_created", "client_hash", "created_at"),
    )
