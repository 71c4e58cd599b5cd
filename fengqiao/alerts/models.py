"""Table models of sensor alerts: devices, the messages they send, the groups those messages form, silences, the
dead letters of bad messages, the integrations allowed to send, and the dispatch of promoted groups (三必到).

Every row keeps ``county_code``. The alert table is the big one (a county: ~530,000 alerts a year, bursts of
200,000): it is written with Core bulk inserts, and (device_id, alert_id) is the idempotency key of intake.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fengqiao.core.clock import utcnow
from fengqiao.db.base import Base
from fengqiao.db.types import UTCDateTime, ordered_text


class AlertDevice(Base):
    """A sensor or camera channel (smoke detector, water-area camera, no-entry zone camera, key-person algorithm).

    ``grid_id``/``location_path`` are resolved once at registration (building's grid, else the point's grid), so
    intake and dispatch never locate a point per alert. ``last_seen_at`` is the server time of the last valid
    message of any signal (a heartbeat or an alert both prove the device is alive)."""

    __tablename__ = "alert_devices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6))
    code: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(String(64))
    # A named spot (a reservoir bank, a school gate) that several cameras watch: their alerts may group by it.
    place: Mapped[str | None] = mapped_column(String(64))
    model: Mapped[str | None] = mapped_column(String(64))
    vendor: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="active")
    building_id: Mapped[int | None] = mapped_column(ForeignKey("buildings.id"))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"))
    address: Mapped[str | None] = mapped_column(String(200))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    location_path: Mapped[str | None] = mapped_column(ordered_text(160))
    owner_name: Mapped[str | None] = mapped_column(String(32))
    owner_phone: Mapped[str | None] = mapped_column(String(20))
    heartbeat_seconds: Mapped[int | None] = mapped_column(Integer)  # overrides the kind's interval when set
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    offline_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    flapping_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    __table_args__ = (
        UniqueConstraint("county_code", "code", name="uq_alert_devices_county_code_code"),
        Index("ix_alert_devices_code", "code"),
        Index("ix_alert_devices_location_path", "location_path"),
        Index("ix_alert_devices_county_kind", "county_code", "kind"),
        Index("ix_alert_devices_last_seen_at", "last_seen_at"),
    )


class Alert(Base):
    """One message a device sent (alarm, cancel or test; heartbeats only touch the device). ``at`` is the device's
    clock, ``received_at`` and ``grouped_at`` the server's, so publish → grouped latency can be measured."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6))
    device_id: Mapped[int] = mapped_column(ForeignKey("alert_devices.id"))
    alert_id: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))
    signal: Mapped[str] = mapped_column(String(12))
    level: Mapped[str | None] = mapped_column(String(8))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    grouped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    group_id: Mapped[int | None] = mapped_column(ForeignKey("alert_groups.id"), index=True)
    source: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    __table_args__ = (
        UniqueConstraint("device_id", "alert_id", name="uq_alerts_device_id_alert_id"),
        Index("ix_alerts_county_received_at", "county_code", "received_at"),
    )


class AlertGroup(Base):
    """Alerts of one device (or one place) and kind within a window, like an Alertmanager group: repeats update it.

    ``open_key`` holds the grouping key while the group takes new alerts and is NULL once closed; being unique (NULLs
    never collide) it keeps one open group per key even with concurrent writers. ``due_at`` is when the promotion
    sweeper must decide a pending group; it is cleared once decided."""

    __tablename__ = "alert_groups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6))
    group_key: Mapped[str] = mapped_column(String(120))
    open_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("alert_devices.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    level: Mapped[str | None] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))
    last_signal: Mapped[str] = mapped_column(String(12))
    first_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Device time of the alarm that (re-)armed the pending state: the policy's cancel window counts from it.
    armed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_at: Mapped[datetime] = mapped_column(UTCDateTime())
    window_ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    alert_count: Mapped[int] = mapped_column(Integer, default=0)
    alarm_count: Mapped[int] = mapped_column(Integer, default=0)
    cancel_count: Mapped[int] = mapped_column(Integer, default=0)
    flaps: Mapped[int] = mapped_column(Integer, default=0)
    location_path: Mapped[str | None] = mapped_column(ordered_text(160))
    silence_id: Mapped[int | None] = mapped_column(ForeignKey("alert_silences.id"))
    reason: Mapped[str | None] = mapped_column(String(200))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"), index=True)
    result: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index("ix_alert_groups_location_path_first_at", "location_path", "first_at"),
        Index("ix_alert_groups_county_status_first_at", "county_code", "status", "first_at"),
    )


class AlertSilence(Base):
    """A maintenance silence: alerts of a device, or of every device under a unit (an area), optionally of one kind,
    between ``starts_at`` and ``ends_at``, are kept but never become events."""

    __tablename__ = "alert_silences"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("alert_devices.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    unit_path: Mapped[str | None] = mapped_column(ordered_text(160))
    kind: Mapped[str | None] = mapped_column(String(16))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))

    __table_args__ = (Index("ix_alert_silences_county_ends_at", "county_code", "ends_at"),)


class AlertDeadLetter(Base):
    """A message intake could not accept, with the reason and the payload as received — never dropped silently."""

    __tablename__ = "alert_dead_letters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_code: Mapped[str | None] = mapped_column(String(6))
    source: Mapped[str] = mapped_column(String(64))
    reason_code: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(String(300))
    device_code: Mapped[str | None] = mapped_column(String(64))
    alert_id: Mapped[str | None] = mapped_column(String(128))
    payload: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_alert_dead_letters_received_at", "received_at"),)


class AlertIntegration(Base):
    """A vendor platform allowed to post alerts for one county. Only the SHA-256 of its bearer token is stored (the
    token is high-entropy and random, so a slow password hash buys nothing and would cost at 5,000 alerts/s)."""

    __tablename__ = "alert_integrations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6))
    name: Mapped[str] = mapped_column(String(64))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("county_code", "name", name="uq_alert_integrations_county_code_name"),)


class AlertDispatch(Base):
    """The dispatch of a promoted group (三必到): who was notified, the acknowledgement and arrival deadlines, who
    acknowledged and arrived when, escalations, and the result. Changes are mirrored on the event's timeline."""

    __tablename__ = "alert_dispatches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6))
    group_id: Mapped[int] = mapped_column(ForeignKey("alert_groups.id"), unique=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("alert_devices.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    grid_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)  # where it sits now (escalation moves it)
    location_path: Mapped[str] = mapped_column(ordered_text(160))  # the grid's path: scoping by territory
    notified_staff_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    dispatched_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ack_deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    arrive_by: Mapped[datetime] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    arrived_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    arrived_late: Mapped[bool | None] = mapped_column(Boolean)
    escalations: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[str | None] = mapped_column(String(16))
    result_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    result_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    result_note: Mapped[str | None] = mapped_column(String(500))
    history: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        Index("ix_alert_dispatches_location_path", "location_path"),
        Index("ix_alert_dispatches_county_result", "county_code", "result"),
    )
