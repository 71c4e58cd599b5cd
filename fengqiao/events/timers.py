"""Deadline and supervision timers of events, as database jobs run by ``fengqiao worker``.

Each step's timers carry the deadline they were set for; when one fires it locks the event and acts only if the
event is still in that step — so a timer left behind by an event that moved on simply drops, and a timer that
fires twice acts once.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from fengqiao.core.clock import utcnow
from fengqiao.events.deadlines import default_policy
from fengqiao.events.kinds import OPEN_STATUSES, EventStatus, SupervisionLevel
from fengqiao.events.lifecycle import Action
from fengqiao.events.models import Event, EventAction, Supervision
from fengqiao.events.relations import active_primary
from fengqiao.jobs import service as jobs
from fengqiao.jobs.models import Job
from fengqiao.jobs.registry import job_handler
from fengqiao.workcalendar import WorkCalendar

STEP_DEADLINE = "events.step_deadline"
STEP_WARNING = "events.step_warning"
SUPERVISION_DUE = "events.supervision_due"

# Unanswered supervision climbs: 普通 → 黄牌 → 红牌 (Tianque's supervise levels); listed supervision only reminds.
_NEXT_SUPERVISION: dict[SupervisionLevel, SupervisionLevel] = {
    SupervisionLevel.NORMAL: SupervisionLevel.YELLOW,
    SupervisionLevel.YELLOW: SupervisionLevel.RED,
}
_SUPERVISION_RANK = {level: i for i, level in enumerate(SupervisionLevel)}


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _is_open(event: Event) -> bool:
    return EventStatus(event.status) in OPEN_STATUSES and event.status != EventStatus.CLOSED.value


def schedule_for(*, session: Session, event: Event) -> None:
    """Arm the timers of the event's current step (no-op for a step already armed)."""
    if event.step_deadline is None or not _is_open(event):
        return
    stamp = _stamp(event.step_deadline)
    payload = {"event_id": event.id, "deadline": stamp}
    specs = [
        jobs.JobSpec(
            STEP_DEADLINE,
            event.step_deadline,
            payload,
            dedupe_key=f"event:{event.id}:deadline:{stamp}",
            county_code=event.county_code,
        )
    ]
    if event.warning_at is not None:
        specs.append(
            jobs.JobSpec(
                STEP_WARNING,
                event.warning_at,
                payload,
                dedupe_key=f"event:{event.id}:warning:{stamp}",
                county_code=event.county_code,
            )
        )
    jobs.schedule_all(session=session, specs=specs)


def schedule_supervision(
    *, session: Session, supervision: Supervision, reminder_days: int | None = None, now: datetime | None = None
) -> None:
    run_at = supervision.deadline
    if reminder_days is not None:
        calendar = WorkCalendar.load(session=session, county_code=supervision.county_code)
        run_at = min(run_at, calendar.add_working_days(now or utcnow(), reminder_days))
    jobs.schedule(
        session=session,
        kind=SUPERVISION_DUE,
        run_at=run_at,
        payload={"supervision_id": supervision.id, "deadline": _stamp(supervision.deadline)},
        dedupe_key=f"supervision:{supervision.id}:{_stamp(run_at)}",
        county_code=supervision.county_code,
    )


def _locked_event(session: Session, event_id: int) -> Event | None:
    return session.scalars(select(Event).where(Event.id == event_id).with_for_update()).one_or_none()


def _still_current(event: Event | None, job: Job) -> bool:
    return (
        event is not None
        and _is_open(event)
        and event.step_deadline is not None
        and _stamp(event.step_deadline) == job.payload.get("deadline")
    )


def _system_action(event: Event, action: Action, *, note: str, data: dict[str, object]) -> None:
    event.actions.append(
        EventAction(
            county_code=event.county_code,
            action=action.value,
            from_status=event.status,
            to_status=event.status,
            actor_id=None,
            actor_unit_id=None,
            at=utcnow(),
            note=note,
            data=data,
        )
    )


@job_handler(STEP_WARNING)
def step_warning(session: Session, job: Job) -> None:
    event = _locked_event(session, int(job.payload["event_id"]))
    if event is None or not _still_current(event, job) or event.is_overdue:
        return
    _system_action(event, Action.DEADLINE_WARNING, note="办理时限即将到期（黄灯预警）", data=dict(job.payload))


@job_handler(STEP_DEADLINE)
def step_deadline(session: Session, job: Job) -> None:
    """Overdue: flag the event, record it, and put it under supervision of the level above."""
    event = _locked_event(session, int(job.payload["event_id"]))
    if event is None or not _still_current(event, job) or event.is_overdue:
        return
    event.is_overdue = True
    event.overdue_since = event.step_deadline
    _system_action(event, Action.OVERDUE, note="已超过办理时限", data=dict(job.payload))
    policy = default_policy()
    limits = policy.supervision[SupervisionLevel.NORMAL]
    calendar = WorkCalendar.load(session=session, county_code=event.county_code)
    # Count from the moment the deadline passed, not from when a (possibly late) worker got to it.
    now = job.run_at
    primary = active_primary(event)
    supervision = Supervision(
        county_code=event.county_code,
        event_id=event.id,
        level=SupervisionLevel.NORMAL.value,
        reason="超期未办结，系统自动督办",
        by_id=None,
        by_unit_id=None,
        target_unit_id=primary.unit_id if primary else event.owner_unit_id,
        deadline=calendar.add_working_days(now, limits.days),
        created_at=now,
    )
    session.add(supervision)
    session.flush()
    if event.supervision_level is None:
        event.supervision_level = SupervisionLevel.NORMAL.value
    _system_action(
        event,
        Action.SUPERVISE,
        note=supervision.reason,
        data={"level": supervision.level, "supervision_id": supervision.id, "deadline": _stamp(supervision.deadline)},
    )
    schedule_supervision(session=session, supervision=supervision)


@job_handler(SUPERVISION_DUE)
def supervision_due(session: Session, job: Job) -> None:
    """A supervision's deadline (or reminder) came: resolved if the event is done, otherwise press harder."""
    supervision = session.scalars(
        select(Supervision).where(Supervision.id == int(job.payload["supervision_id"])).with_for_update()
    ).one_or_none()
    if supervision is None or supervision.resolved_at is not None:
        return
    event = _locked_event(session, supervision.event_id)
    if event is None:
        return
    now = job.run_at
    if not _is_open(event):
        supervision.resolved_at = now
        return
    level = SupervisionLevel(supervision.level)
    policy = default_policy()
    calendar = WorkCalendar.load(session=session, county_code=event.county_code)
    next_level: SupervisionLevel = level
    if level == SupervisionLevel.LISTED:
        note = "挂牌督办事项提醒：尚未办结"
        if supervision.deadline <= now:
            supervision.deadline = calendar.add_working_days(now, policy.supervision[level].days)
    else:
        next_level = _NEXT_SUPERVISION.get(level, level)
        note = f"督办到期仍未办结，升级为{'红牌' if next_level == SupervisionLevel.RED else '黄牌'}督办"
        supervision.level = next_level.value
        supervision.deadline = calendar.add_working_days(now, policy.supervision[next_level].days)
        current = SupervisionLevel(event.supervision_level) if event.supervision_level else None
        if current is None or _SUPERVISION_RANK[current] < _SUPERVISION_RANK[next_level]:
            event.supervision_level = next_level.value
    _system_action(
        event,
        Action.SUPERVISE,
        note=note,
        data={"level": next_level.value, "supervision_id": supervision.id, "deadline": _stamp(supervision.deadline)},
    )
    session.flush()
    schedule_supervision(
        session=session, supervision=supervision, reminder_days=policy.supervision[next_level].reminder_days, now=now
    )


def resolve_supervisions(*, session: Session, event: Event) -> None:
    """When an event closes its open supervisions end."""
    now = utcnow()
    for supervision in session.scalars(
        select(Supervision).where(Supervision.event_id == event.id, Supervision.resolved_at.is_(None))
    ):
        supervision.resolved_at = now
