"""Turning events into what a viewer may see: labels in Chinese, names of units, personal data masked."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from fengqiao.accounts.masking import SENSITIVE_PLACEHOLDER, mask_id_number, mask_name, mask_phone
from fengqiao.accounts.scope import Viewer
from fengqiao.duty.models import Staff
from fengqiao.events.kinds import (
    CHANNEL_LABELS,
    EVENT_STATUS_LABELS,
    HANDLING_LEVEL_LABELS,
    INTAKE_TYPE_LABELS,
    PARTY_ROLE_LABELS,
    RISK_LEVEL_LABELS,
    SATISFACTION_LABELS,
    SUPERVISION_LEVEL_LABELS,
    TASK_ROLE_LABELS,
    TASK_STATUS_LABELS,
    Channel,
    EventStatus,
    HandlingLevel,
    IntakeType,
    PartyRole,
    RiskLevel,
    Satisfaction,
    SupervisionLevel,
    TaskRole,
    TaskStatus,
)
from fengqiao.events.lifecycle import ACTION_LABELS, Action, allowed_actions
from fengqiao.events.models import Callback, Event, EventAction
from fengqiao.events.relations import active_primary, relations_of
from fengqiao.events.schemas import (
    CallbackOut,
    EventDetailOut,
    EventSummaryOut,
    Labelled,
    PartyOut,
    ProgressOut,
    ProgressStepOut,
    TaskOut,
    TimelineEntryOut,
)
from fengqiao.jurisdiction.models import Unit


def _units(session: Session, ids: Iterable[int | None]) -> dict[int, Unit]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(wanted)))}


def _staff_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {
        row.id: row.full_name for row in session.execute(select(Staff.id, Staff.full_name).where(Staff.id.in_(wanted)))
    }


def _summary(event: Event, units: dict[int, Unit], *, reveal: bool = False) -> EventSummaryOut:
    """``reveal``: show a sensitive event's title — only after an audited unmask."""
    location = units[event.location_unit_id]
    return EventSummaryOut(
        id=event.id,
        dispute_code=event.dispute_code,
        channel=Labelled(value=event.channel, label=CHANNEL_LABELS[Channel(event.channel)]),
        title=SENSITIVE_PLACEHOLDER if event.is_sensitive and not reveal else event.title,
        status=Labelled(value=event.status, label=EVENT_STATUS_LABELS[EventStatus(event.status)]),
        risk_level=Labelled(value=event.risk_level, label=RISK_LEVEL_LABELS[RiskLevel(event.risk_level)]),
        category=event.category,
        level=Labelled(value=event.level, label=HANDLING_LEVEL_LABELS[HandlingLevel(event.level)])
        if event.level
        else None,
        owner_unit_name=units[event.owner_unit_id].name,
        location_unit_code=location.code,
        location_unit_name=location.name,
        registered_at=event.registered_at,
        step_deadline=event.step_deadline,
        is_overdue=event.is_overdue,
        supervision_level=Labelled(
            value=event.supervision_level,
            label=SUPERVISION_LEVEL_LABELS[SupervisionLevel(event.supervision_level)],
        )
        if event.supervision_level
        else None,
        is_sensitive=event.is_sensitive,
        version=event.version,
    )


def summaries(*, session: Session, events: Sequence[Event]) -> list[EventSummaryOut]:
    """List rows: sensitive events keep their title hidden whoever looks; the detail's unmask reveals it."""
    units = _units(session, [i for e in events for i in (e.owner_unit_id, e.location_unit_id)])
    return [_summary(e, units) for e in events]


def detail(*, session: Session, viewer: Viewer, event: Event, unmasked: bool) -> EventDetailOut:
    """The event as this viewer sees it. ``unmasked`` only after ``Permission.UNMASK`` was checked and audited."""
    units = _units(session, [event.owner_unit_id, event.location_unit_id, *(t.unit_id for t in event.tasks)])
    hide_content = event.is_sensitive and not unmasked
    masked = not unmasked

    def name(value: str | None) -> str | None:
        return mask_name(value) if masked and event.is_sensitive else value

    callbacks = session.scalars(select(Callback).where(Callback.event_id == event.id).order_by(Callback.id)).all()
    relations = relations_of(session=session, viewer=viewer, event=event)
    summary = _summary(event, units, reveal=unmasked)
    return EventDetailOut(
        **summary.model_dump(),
        content=SENSITIVE_PLACEHOLDER if hide_content else event.content,
        intake_type=Labelled(value=event.intake_type, label=INTAKE_TYPE_LABELS[IntakeType(event.intake_type)])
        if event.intake_type
        else None,
        is_dispute=event.is_dispute,
        address=event.address,
        building_id=event.building_id,
        lon=event.lon,
        lat=event.lat,
        occurred_at=event.occurred_at,
        closed_at=event.closed_at,
        reporter_name=name(event.reporter_name),
        reporter_phone=mask_phone(event.reporter_phone) if masked else event.reporter_phone,
        involved_count=event.involved_count,
        amount=event.amount,
        merged_into_id=event.merged_into_id,
        masked=masked,
        parties=[
            PartyOut(
                role=Labelled(value=p.role, label=PARTY_ROLE_LABELS[PartyRole(p.role)]),
                kind=p.kind,
                name=name(p.name),
                id_number=mask_id_number(p.id_number) if masked else p.id_number,
                credit_code=p.credit_code,
                phone=mask_phone(p.phone) if masked else p.phone,
                address=p.address if not hide_content else None,
            )
            for p in event.parties
        ],
        tasks=[
            TaskOut(
                id=t.id,
                unit_code=units[t.unit_id].code,
                unit_name=units[t.unit_id].name,
                role=Labelled(value=t.role, label=TASK_ROLE_LABELS[TaskRole(t.role)]),
                status=Labelled(value=t.status, label=TASK_STATUS_LABELS[TaskStatus(t.status)]),
                dispatched_at=t.dispatched_at,
                accept_deadline=t.accept_deadline,
                handle_deadline=t.handle_deadline,
                accepted_at=t.accepted_at,
                reported_back_at=t.reported_back_at,
            )
            for t in event.tasks
        ],
        callbacks=[
            CallbackOut(
                satisfaction=Labelled(value=c.satisfaction, label=SATISFACTION_LABELS[Satisfaction(c.satisfaction)]),
                comment=c.comment,
                method=c.method,
                at=c.at,
            )
            for c in callbacks
        ],
        allowed_actions=[
            Labelled(value=a.value, label=ACTION_LABELS[a])
            for a in allowed_actions(status=EventStatus(event.status), relations=relations)
        ],
    )


def timeline(*, session: Session, event: Event) -> list[TimelineEntryOut]:
    actions: list[EventAction] = list(event.actions)
    units = _units(session, [a.actor_unit_id for a in actions])
    names = _staff_names(session, [a.actor_id for a in actions])
    return [
        TimelineEntryOut(
            id=a.id,
            action=Labelled(value=a.action, label=ACTION_LABELS[Action(a.action)]),
            from_status=a.from_status,
            to_status=Labelled(value=a.to_status, label=EVENT_STATUS_LABELS[EventStatus(a.to_status)]),
            actor_name=names.get(a.actor_id) if a.actor_id else "系统",
            actor_unit_name=units[a.actor_unit_id].name if a.actor_unit_id in units else None,
            at=a.at,
            note=a.note if not event.is_sensitive else None,
            data=a.data,
        )
        for a in actions
    ]


# What a citizen sees of each step: only the fact and the time, never who or why.
_PUBLIC_STEPS: dict[Action, str] = {
    Action.REGISTER: "已受理",
    Action.DISPATCH: "已交办承办单位",
    Action.REASSIGN: "已改派承办单位",
    Action.ACCEPT: "承办单位已签收",
    Action.MEDIATE: "正在调解",
    Action.HANDLE: "正在处置",
    Action.REPORT_BACK: "承办单位已反馈处理结果",
    Action.REVIEW_PASS: "处理结果已审核",
    Action.CLOSE: "已办结",
    Action.ESCALATE: "已上报上级处理",
    Action.REOPEN: "重新办理",
    Action.CALLBACK: "已回访",
}


def progress(*, session: Session, event: Event) -> ProgressOut:
    primary = active_primary(event)
    unit = session.get(Unit, primary.unit_id) if primary else session.get(Unit, event.owner_unit_id)
    steps = [
        ProgressStepOut(at=a.at, label=_PUBLIC_STEPS[Action(a.action)])
        for a in event.actions
        if Action(a.action) in _PUBLIC_STEPS
    ]
    return ProgressOut(
        dispute_code=event.dispute_code,
        status=Labelled(value=event.status, label=EVENT_STATUS_LABELS[EventStatus(event.status)]),
        registered_at=event.registered_at,
        closed_at=event.closed_at,
        handling_unit=unit.name if unit else None,
        steps=steps,
    )
