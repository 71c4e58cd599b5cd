"""Table model of organisational units. Territorial units form a tree by ``parent_id`` and carry a boundary."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, LargeBinary, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from fengqiao.core.clock import utcnow
from fengqiao.db.base import Base
from fengqiao.db.types import UTCDateTime, ordered_text


class Unit(Base):
    """One organisational unit. ``path`` is the chain of codes from the county down ("331081/331081100/…/"),
    so "everything under this unit" is a prefix match — the natural way to scope queries by jurisdiction."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6), index=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20), index=True)
    variant: Mapped[str | None] = mapped_column(String(20))
    level: Mapped[int] = mapped_column(SmallInteger)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    path: Mapped[str] = mapped_column(ordered_text(160), index=True)
    # Overlays that are not part of the tree: which joint-duty station and police station serve a village.
    joint_station_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    police_station_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    # WGS84 boundary as WKB (portable across SQLite and PostgreSQL without PostGIS); bbox for cheap prefilters.
    boundary: Mapped[bytes | None] = mapped_column(LargeBinary)
    centroid_lon: Mapped[float | None] = mapped_column(Float)
    centroid_lat: Mapped[float | None] = mapped_column(Float)
    min_lon: Mapped[float | None] = mapped_column(Float)
    min_lat: Mapped[float | None] = mapped_column(Float)
    max_lon: Mapped[float | None] = mapped_column(Float)
    max_lat: Mapped[float | None] = mapped_column(Float)
    area_km2: Mapped[float | None] = mapped_column(Float)
    phone: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (Index("ix_units_county_kind", "county_code", "kind"),)

    def __repr__(self) -> str:
        return f"<Unit {self.kind} {self.code} {self.name}>"
