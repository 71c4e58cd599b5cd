"""The indices' history: one row per index × month × subject, with the whole drill-down tree as it was computed
(raw values, normalised scores, weights, contributions) and the SHA-256 of the configuration that made it — so a
past month reads back exactly as it was published (晾晒), even after the weights change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fengqiao.core.clock import utcnow
from fengqiao.db.base import Base
from fengqiao.db.types import UTCDateTime, ordered_text


class IndexScore(Base):
    """One subject's score of one index for one month. ``subject`` is the unit's code, or ``w<staff id>`` for a grid
    worker (whose ``unit_code``/``path`` are their grid's: the path scopes who may see the row). ``rank`` is among
    every subject of the same level in the county; ``final`` says the month was over when it was computed."""

    __tablename__ = "index_scores"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6))
    index_code: Mapped[str] = mapped_column(String(32))
    period: Mapped[str] = mapped_column(String(7))  # "2026-10"
    level: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(String(24))
    name: Mapped[str] = mapped_column(String(64))
    unit_code: Mapped[str] = mapped_column(String(24))
    unit_name: Mapped[str] = mapped_column(String(64))
    parent_name: Mapped[str] = mapped_column(String(64), default="")
    path: Mapped[str] = mapped_column(ordered_text(160))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    score: Mapped[float | None] = mapped_column(Float)
    rank: Mapped[int | None] = mapped_column(Integer)
    peers: Mapped[int] = mapped_column(Integer)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    config_sha256: Mapped[str] = mapped_column(String(64))
    final: Mapped[bool] = mapped_column(Boolean, default=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        UniqueConstraint("county_code", "index_code", "period", "level", "subject", name="uq_index_scores_subject"),
        # The ranking of a month: one range; a subject's history: the subject's rows across months.
        Index("ix_index_scores_ranking", "county_code", "index_code", "level", "period"),
        Index("ix_index_scores_history", "county_code", "index_code", "subject", "period"),
    )
