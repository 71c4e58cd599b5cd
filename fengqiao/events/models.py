"""Table models of events and everything that hangs off them. Every row keeps ``county_code`` for partitioning."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fengqiao.core.clock import utcnow
from fengqiao.db.base import Base
from fengqiao.db.types import UTCDateTime, ordered_text


class Event(Base):
    """Anything reported, from any channel. ``location_path`` is the path of the most specific unit the event is
    known to lie in: scoping by jurisdiction is a prefix match on it. ``version`` guards concurrent updates."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6))
    dispute_code: Mapped[str] = mapped_column(String(16), unique=True)
    channel: Mapped[str] = mapped_column(String(20))
    source_id: Mapped[str | None] = mapped_column(String(64))
    intake_type: Mapped[str | None] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(32), index=True)
    subcategory: Mapped[str | None] = mapped_column(String(32))
    is_dispute: Mapped[bool] = mapped_column(Boolean, default=False)
    is_sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    risk_level: Mapped[str] = mapped_column(String(8), default="low")
    status: Mapped[str] = mapped_column(String(20))
    level: Mapped[str | None] = mapped_column(String(10))
    owner_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    registered_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    location_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    location_path: Mapped[str] = mapped_column(ordered_text(160))
    address: Mapped[str | None] = mapped_column(String(200))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("buildings.id"))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"))
    involved_count: Mapped[int | None] = mapped_column(Integer)
    amount: Mapped[int | None] = mapped_column(Integer)
    reporter_name: Mapped[str | None] = mapped_column(String(32))
    reporter_phone: Mapped[str | None] = mapped_column(String(20))
    occurred_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Deadlines: the policy in force when the step began is copied here, so editing the policy never moves the
    # deadline of an event already running.
    deadline_policy: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    step_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    warning_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    is_overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    overdue_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    supervision_level: Mapped[str | None] = mapped_column(String(10))
    # What triage concluded: classification with its confidence and cues, and the dispatch suggestion with reasons.
    triage: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    parties: Mapped[list[EventParty]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventParty.id"
    )
    tasks: Mapped[list[EventTask]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventTask.id"
    )
    actions: Mapped[list[EventAction]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventAction.id"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        UniqueConstraint("channel", "source_id", name="uq_events_channel_source_id"),
        Index("ix_events_location_path", "location_path"),
        Index("ix_events_status_registered_at", "status", "registered_at"),
        Index("ix_events_county_registered_at", "county_code", "registered_at"),
        # The cockpit's version tag: the county's latest change, one step down this index.
        Index("ix_events_county_updated_at", "county_code", "updated_at"),
        # 一地多事: a building's events in a window.
        Index("ix_events_building_registered_at", "building_id", "registered_at"),
    )


class EventParty(Base):
    """A person or organisation in an event (当事人), linked to base data when resolved."""

    __tablename__ = "event_parties"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(64))
    id_number: Mapped[str | None] = mapped_column(String(18), index=True)
    credit_code: Mapped[str | None] = mapped_column(String(18))
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    address: Mapped[str | None] = mapped_column(String(200))
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"))

    event: Mapped[Event] = relationship(back_populates="parties")


class EventTask(Base):
    """One unit's share of an event: the primary handler, a co-handler, or the other side of a dual dispatch."""

    __tablename__ = "event_tasks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    dispatched_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    dispatched_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    accept_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    handle_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    reported_back_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(Text)

    event: Mapped[Event] = relationship(back_populates="tasks")

    __table_args__ = (Index("ix_event_tasks_unit_status", "unit_id", "status"),)


class EventAction(Base):
    """One step of an event's timeline — also its audit trail: who did what, when, why."""

    __tablename__ = "event_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(24))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    actor_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    event: Mapped[Event] = relationship(back_populates="actions")


class Attachment(Base):
    """A file attached to an event or to one of its actions; the bytes live in ``files.storage``."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("event_actions.id"))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(200))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Supervision(Base):
    """督办 / 挂牌督办: a supervisor presses a unit on an event, with its own deadline and reminders."""

    __tablename__ = "supervisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    level: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    by_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    target_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Callback(Base):
    """回访: the citizen's satisfaction after closure."""

    __tablename__ = "callbacks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    satisfaction: Mapped[str] = mapped_column(String(24))
    comment: Mapped[str | None] = mapped_column(Text)
    method: Mapped[str] = mapped_column(String(16), default="phone")
    by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
