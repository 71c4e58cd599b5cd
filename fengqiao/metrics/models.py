"""Tables of the metrics: per-event facts, the daily rollups summed from them, and the events waiting to be folded in.

``metric_facts`` holds what each event currently contributes (``fengqiao.metrics.definitions.facts_of``): one row
for the event on its registration day, one per callback on the callback's day. ``metric_rollups`` holds the sums of
those rows per day × unit (county, town, village) × one attribute (category, channel or handling level). An event
that changes is marked in ``metric_dirty`` (by the flush listener below, in the same transaction as the change); the
worker's ``metrics.refresh`` job replaces its facts and adds the difference to the rollups, and reads add the
difference of the events still marked, so figures are exact without the change itself touching the shared rollup
rows (which would serialise every intake of a county on its "today" rows).
"""

from __future__ import annotations

from datetime import date
from itertools import chain
from typing import Any

from sqlalchemy import BigInteger, Date, Index, Integer, SmallInteger, String, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from fengqiao.db.base import Base
from fengqiao.db.types import ordered_text
from fengqiao.events.models import Callback, Event, EventAction

# Counters summed in the rollups, in this order everywhere (a "vector" is a list of these). The first ones are 0/1
# flags of the registration fact, packed into ``MetricFact.flags`` bit by bit.
FLAG_COUNTERS: tuple[str, ...] = (
    "intake",
    "counted",
    "closed",
    "closed_first",
    "closed_on_time",
    "closed_local",
    "mediated",
    "mediated_ok",
    "disputes",
    "screened",
    "missed",
    "village_closed",
    "village_head_joined",
    "returned",
    "reworked",
)
COUNTERS: tuple[str, ...] = (*FLAG_COUNTERS, "handling_seconds", "callbacks", "satisfied")


class MetricFact(Base):
    """What one event adds to the metrics now. ``part`` 0: the event itself, on its registration day; ``part`` n:
    its n-th callback, on the callback's day. ``path`` is the event's location path; ``level`` its handling level
    (the owner unit's before any dispatch); ``category`` "~" when not classified."""

    __tablename__ = "metric_facts"

    event_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    part: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    county_code: Mapped[str] = mapped_column(String(6))
    day: Mapped[date] = mapped_column(Date)
    path: Mapped[str] = mapped_column(ordered_text(160))
    category: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(20))
    level: Mapped[str] = mapped_column(String(10))
    flags: Mapped[int] = mapped_column(Integer, default=0)
    handling_seconds: Mapped[int] = mapped_column(BigInteger, default=0)
    callbacks: Mapped[int] = mapped_column(SmallInteger, default=0)
    satisfied: Mapped[int] = mapped_column(SmallInteger, default=0)

    # Grid-level figures are summed from here (the rollups stop at villages): a path range, then the days.
    __table_args__ = (Index("ix_metric_facts_county_path_day", "county_code", "path", "day"),)


class MetricRollup(Base):
    """Sums of facts for one day, one unit and one value of one attribute. ``dimension`` is "category", "channel" or
    "level"; every fact counts once per dimension, so any one dimension summed over its values gives the totals.
    ``parent_path`` ("" for the county) lets a unit's children be read as one index range."""

    __tablename__ = "metric_rollups"

    county_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(10), primary_key=True)
    parent_path: Mapped[str] = mapped_column(ordered_text(160), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    path: Mapped[str] = mapped_column(ordered_text(160), primary_key=True)
    value: Mapped[str] = mapped_column(String(32), primary_key=True)
    depth: Mapped[int] = mapped_column(SmallInteger)
    intake: Mapped[int] = mapped_column(Integer, default=0)
    counted: Mapped[int] = mapped_column(Integer, default=0)
    closed: Mapped[int] = mapped_column(Integer, default=0)
    closed_first: Mapped[int] = mapped_column(Integer, default=0)
    closed_on_time: Mapped[int] = mapped_column(Integer, default=0)
    closed_local: Mapped[int] = mapped_column(Integer, default=0)
    mediated: Mapped[int] = mapped_column(Integer, default=0)
    mediated_ok: Mapped[int] = mapped_column(Integer, default=0)
    disputes: Mapped[int] = mapped_column(Integer, default=0)
    screened: Mapped[int] = mapped_column(Integer, default=0)
    missed: Mapped[int] = mapped_column(Integer, default=0)
    village_closed: Mapped[int] = mapped_column(Integer, default=0)
    village_head_joined: Mapped[int] = mapped_column(Integer, default=0)
    returned: Mapped[int] = mapped_column(Integer, default=0)
    reworked: Mapped[int] = mapped_column(Integer, default=0)
    handling_seconds: Mapped[int] = mapped_column(BigInteger, default=0)
    callbacks: Mapped[int] = mapped_column(Integer, default=0)
    satisfied: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        # A unit's own totals (any parent), and "every village of the county" (depth, then days).
        Index("ix_metric_rollups_path", "county_code", "dimension", "path", "day"),
        Index("ix_metric_rollups_depth", "county_code", "dimension", "depth", "day"),
    )


class MetricDirty(Base):
    """An event whose facts are out of date. ``mark`` grows with every change, so the refresh job removes the mark
    only if nothing changed the event again while it worked."""

    __tablename__ = "metric_dirty"

    event_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    county_code: Mapped[str] = mapped_column(String(6), index=True)
    mark: Mapped[int] = mapped_column(Integer, default=1)


def mark_dirty(session: Session, marks: dict[int, str]) -> None:
    """Mark events (id → county) as changed, inside the caller's transaction: a plain upsert of distinct keys."""
    if not marks:
        return
    connection = session.connection()
    rows = [{"event_id": i, "county_code": c, "mark": 1} for i, c in sorted(marks.items())]
    dialect_insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    stmt = dialect_insert(MetricDirty)
    connection.execute(
        stmt.on_conflict_do_update(index_elements=["event_id"], set_={"mark": MetricDirty.mark + 1}), rows
    )


@event.listens_for(Session, "after_flush")
def _track_changed_events(session: Session, flush_context: Any) -> None:
    """Every ORM change of an event, of its timeline or of its callbacks marks the event: whichever code path made
    it (actions, intake, timers, linking, tests), the metrics cannot miss it. (Core bulk updates bypass this and must
    call ``mark_dirty`` themselves.)"""
    marks: dict[int, str] = {}
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Event):
            if obj.id is not None:
                marks[obj.id] = obj.county_code
        elif isinstance(obj, EventAction | Callback) and obj.event_id is not None:
            marks[obj.event_id] = obj.county_code
    mark_dirty(session, marks)
