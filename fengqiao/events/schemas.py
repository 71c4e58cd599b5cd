"""API schemas of events (kept apart from the table models)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from fengqiao.events.kinds import (
    IntakeType,
    PartyKind,
    PartyRole,
    Satisfaction,
    SupervisionLevel,
)
from fengqiao.events.lifecycle import Action

TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PartyIn(_In):
    role: PartyRole
    kind: PartyKind = PartyKind.PERSON
    name: str = Field(min_length=1, max_length=64, pattern=TEXT)
    id_number: str | None = Field(default=None, max_length=18)
    credit_code: str | None = Field(default=None, max_length=18)
    phone: str | None = Field(default=None, max_length=20)
    address: str | None = Field(default=None, max_length=200, pattern=TEXT)


class EventCreateIn(_In):
    """A registration at a front desk (一窗受理, B1) or by a grid worker on patrol."""

    intake_type: IntakeType
    title: str = Field(min_length=1, max_length=200, pattern=TEXT)
    content: str = Field(min_length=1, max_length=10_000, pattern=TEXT)
    is_dispute: bool = False
    is_sensitive: bool = False
    unit_code: str | None = Field(default=None, max_length=24, pattern=r"^[0-9A-Z]+$")
    building_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    room_id: int | None = Field(default=None, ge=1, le=2**31 - 1, description="户室（须属于 building_id）")
    address: str | None = Field(default=None, max_length=200, pattern=TEXT)
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    occurred_at: datetime | None = None
    reporter_name: str | None = Field(default=None, max_length=32, pattern=TEXT)
    reporter_phone: str | None = Field(default=None, max_length=20)
    involved_count: int | None = Field(default=None, ge=1, le=100_000)
    amount: int | None = Field(default=None, ge=0, le=10**12)
    parties: list[PartyIn] = Field(default_factory=list, max_length=100)


class MediationIn(_In):
    outcome: Literal["success", "failed", "ongoing"] = "ongoing"
    mediators: list[str] = Field(default_factory=list, max_length=20)
    agreement: str | None = Field(default=None, max_length=10_000, pattern=TEXT)


class ActionIn(_In):
    version: int = Field(ge=1, le=2**31 - 1, description="您看到的事件版本；被他人更新后返回409")
    note: str | None = Field(default=None, max_length=10_000, pattern=TEXT)
    target_unit_code: str | None = Field(default=None, max_length=24, pattern=r"^[0-9A-Z]+$")
    joint_unit_code: str | None = Field(default=None, max_length=24, pattern=r"^[0-9A-Z]+$")
    target_event_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    supervision_level: SupervisionLevel | None = None
    satisfaction: Satisfaction | None = None
    callback_method: Literal["phone", "sms", "visit", "online"] = "phone"
    mediation: MediationIn | None = None


class Labelled(BaseModel):
    value: str
    label: str


class TaskOut(BaseModel):
    id: int
    unit_code: str
    unit_name: str
    role: Labelled
    status: Labelled
    dispatched_at: datetime
    accept_deadline: datetime | None
    handle_deadline: datetime | None
    accepted_at: datetime | None
    reported_back_at: datetime | None


class PartyOut(BaseModel):
    role: Labelled
    kind: str
    name: str | None
    id_number: str | None
    credit_code: str | None
    phone: str | None
    address: str | None


class TimelineEntryOut(BaseModel):
    id: int
    action: Labelled
    from_status: str | None
    to_status: Labelled
    actor_name: str | None
    actor_unit_name: str | None
    at: datetime
    note: str | None
    data: dict[str, Any] | None


class EventSummaryOut(BaseModel):
    id: int
    dispute_code: str
    channel: Labelled
    title: str
    status: Labelled
    risk_level: Labelled
    category: str | None
    level: Labelled | None
    owner_unit_name: str
    location_unit_code: str
    location_unit_name: str
    registered_at: datetime
    step_deadline: datetime | None
    is_overdue: bool
    supervision_level: Labelled | None
    is_sensitive: bool
    version: int


class CallbackOut(BaseModel):
    satisfaction: Labelled
    comment: str | None
    method: str
    at: datetime


class EventDetailOut(EventSummaryOut):
    content: str
    intake_type: Labelled | None
    is_dispute: bool
    address: str | None
    building_id: int | None = None
    lon: float | None
    lat: float | None
    occurred_at: datetime | None
    closed_at: datetime | None
    reporter_name: str | None
    reporter_phone: str | None
    involved_count: int | None
    amount: int | None
    merged_into_id: int | None
    masked: bool = Field(description="个人信息是否已脱敏；查看完整信息请调用 unmask（将记入审计）")
    parties: list[PartyOut]
    tasks: list[TaskOut]
    callbacks: list[CallbackOut]
    allowed_actions: list[Labelled]


class EventListOut(BaseModel):
    total: int
    items: list[EventSummaryOut]


class InboxItemOut(BaseModel):
    reason: str
    event: EventSummaryOut


class InboxOut(BaseModel):
    total: int
    items: list[InboxItemOut]
    counts: dict[str, int]


class IntakeOut(BaseModel):
    created: bool
    event: EventSummaryOut


class BatchIntakeOut(BaseModel):
    created: int
    existing: int
    failed: int
    results: list[dict[str, Any]]


class AttachmentOut(BaseModel):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime


class ProgressStepOut(BaseModel):
    at: datetime
    label: str


class ProgressOut(BaseModel):
    """What a citizen may see of their matter: no names, no phones, no notes."""

    dispute_code: str
    status: Labelled
    registered_at: datetime
    closed_at: datetime | None
    handling_unit: str | None
    steps: list[ProgressStepOut]


# Reclassifying goes through triage (``POST /events/{id}/reclassify``), which also records the correction.
ACTION_PATHS: tuple[Action, ...] = tuple(
    a for a in Action if a not in (Action.REGISTER, Action.DEADLINE_WARNING, Action.OVERDUE, Action.RECLASSIFY)
)
