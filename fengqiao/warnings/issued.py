"""Warnings (预警, E3): issued by a risk rule on an event or by a topic scan, pushed to the responsible unit's inbox
(and to the outgoing webhook), acknowledged by that unit's staff before a deadline — or escalated to the parent unit
with a new deadline, again and again up to the county.

Acknowledgement deadlines run on the clock, not on working hours: a warning is about risk that does not wait for
Monday (high 1 hour, medium 4 hours, low 24 hours unless the rule says otherwise).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, false, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fengqiao.accounts.scope import Viewer
from fengqiao.audit import service as audit
from fengqiao.core.clock import utcnow
from fengqiao.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from fengqiao.core.logging import get_logger
from fengqiao.events.kinds import EventStatus
from fengqiao.events.models import Event
from fengqiao.jobs import service as jobs
from fengqiao.jurisdiction.models import Unit
from fengqiao.jurisdiction.paths import under_path
from fengqiao.warnings import outbox
from fengqiao.warnings.models import RiskWarning
from fengqiao.warnings.rules.evaluate import Hit

ACK_DUE = "warnings.ack_due"
DEFAULT_ACK_HOURS: Mapping[str, float] = {"high": 1.0, "medium": 4.0, "low": 24.0}
log = get_logger(__name__)


class WarningStatus(StrEnum):
    ISSUED = "issued"
    ESCALATED = "escalated"
    ACKNOWLEDGED = "acknowledged"
    CLOSED = "closed"


WARNING_STATUS_LABELS: dict[WarningStatus, str] = {
    WarningStatus.ISSUED: "待签收",
    WarningStatus.ESCALATED: "已升级待签收",
    WarningStatus.ACKNOWLEDGED: "已签收",
    WarningStatus.CLOSED: "已办结",
}
PENDING_STATUSES: tuple[str, ...] = (WarningStatus.ISSUED.value, WarningStatus.ESCALATED.value)
SOURCE_LABELS: dict[str, str] = {"rule": "风险规则", "topic": "态势扫描"}


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _note(history: list[dict[str, Any]], **entry: Any) -> list[dict[str, Any]]:
    # A new list: SQLAlchemy sees an assignment, not an in-place change of the JSON value.
    return [*history, {"at": _stamp(utcnow()), **entry}]


def _arm(*, session: Session, warning: RiskWarning) -> None:
    stamp = _stamp(warning.ack_deadline)
    jobs.schedule(
        session=session,
        kind=ACK_DUE,
        run_at=warning.ack_deadline,
        payload={"warning_id": warning.id, "deadline": stamp},
        dedupe_key=f"warning:{warning.id}:ack:{stamp}",
        county_code=warning.county_code,
    )


def issue(
    *,
    session: Session,
    county_code: str,
    source: str,
    kind: str,
    level: str,
    title: str,
    reason: str,
    evidence: dict[str, Any],
    unit: Unit,
    dedupe_key: str,
    ack_hours: float | None = None,
    event_id: int | None = None,
    pattern_id: int | None = None,
    rule_set_id: int | None = None,
    now: datetime | None = None,
) -> RiskWarning | None:
    """Store a warning, arm its acknowledgement timer and queue the webhook. The same ``dedupe_key`` twice is one
    warning: the second call returns None."""
    if level not in DEFAULT_ACK_HOURS:
        raise InvalidInput("预警等级应为高、中或低", code="invalid_warning_level")
    if session.scalar(select(RiskWarning.id).where(RiskWarning.dedupe_key == dedupe_key)) is not None:
        return None
    now = now or utcnow()
    warning = RiskWarning(
        county_code=county_code,
        source=source,
        kind=kind,
        level=level,
        title=title[:120],
        reason=reason,
        evidence=evidence,
        event_id=event_id,
        pattern_id=pattern_id,
        rule_set_id=rule_set_id,
        unit_id=unit.id,
        unit_path=unit.path,
        first_unit_id=unit.id,
        status=WarningStatus.ISSUED.value,
        escalations=0,
        ack_deadline=now + timedelta(hours=ack_hours or DEFAULT_ACK_HOURS[level]),
        dedupe_key=dedupe_key,
        history=[{"at": _stamp(now), "action": "issued", "unit": unit.name}],
    )
    try:
        with session.begin_nested():
            session.add(warning)
    except IntegrityError:
        return None  # issued at the same moment by another transaction
    _arm(session=session, warning=warning)
    outbox.queue(session=session, warning=warning, unit=unit, change="issued")
    audit.record(
        session=session,
        county_code=county_code,
        actor_id=None,
        action="warning.issued",
        entity_type="risk_warning",
        entity_id=warning.id,
        detail={"unit_id": unit.id, "level": level, "kind": kind},
    )
    return warning


def responsible_unit_of(*, session: Session, event_id: int) -> Unit | None:
    """The unit answerable for an event's warning: the one that owns (dispatches) the event."""
    return session.scalar(select(Unit).join(Event, Event.owner_unit_id == Unit.id).where(Event.id == event_id))


def issue_for_hits(*, session: Session, hits: Sequence[Hit], rule_set_id: int | None) -> list[RiskWarning]:
    """One warning per (rule, event) whose rule asks for one — for events still open: a matter already closed (an
    event analysed late) needs no one to act on it."""
    issued: list[RiskWarning] = []
    wanted = sorted({h.event.id for h in hits if h.rule.then.warning is not None})
    finished = (EventStatus.CLOSED.value, EventStatus.MERGED.value, EventStatus.VOIDED.value)
    open_ids = (
        set(session.scalars(select(Event.id).where(Event.id.in_(wanted), Event.status.not_in(finished))))
        if wanted
        else set()
    )
    for hit in hits:
        spec = hit.rule.then.warning
        if spec is None or hit.event.id not in open_ids:
            continue
        unit = responsible_unit_of(session=session, event_id=hit.event.id)
        if unit is None:
            continue
        evidence: dict[str, Any] = {
            "rule": hit.rule.code,
            "rule_name": hit.rule.name,
            "event_ids": [hit.event.id, *hit.prior_event_ids],
            "reasons": list(hit.reasons),
            "tags": list(hit.rule.then.tags),
        }
        if hit.pattern_id is not None:
            evidence["pattern_id"] = hit.pattern_id
        warning = issue(
            session=session,
            county_code=hit.event.county_code,
            source="rule",
            kind=hit.rule.code,
            level=spec.level,
            title=spec.title,
            reason=hit.reason(),
            evidence=evidence,
            unit=unit,
            dedupe_key=f"rule:{hit.rule.code}:event:{hit.event.id}",
            ack_hours=spec.ack_hours,
            event_id=hit.event.id,
            pattern_id=hit.pattern_id,
            rule_set_id=rule_set_id,
        )
        if warning is not None:
            issued.append(warning)
    return issued


# --- reading as a viewer ------------------------------------------------------------------------------------------


def visible_warning(viewer: Viewer) -> ColumnElement[bool]:
    """Warnings of the viewer's own units (also those escalated away from them), or of units in their territory; the
    county centre sees the county."""
    if viewer.is_county_wide:
        return RiskWarning.county_code == viewer.county_code
    conditions: list[ColumnElement[bool]] = [under_path(RiskWarning.unit_path, p) for p in viewer.territorial_paths]
    if viewer.unit_ids:
        conditions.append(RiskWarning.unit_id.in_(list(viewer.unit_ids)))
        conditions.append(RiskWarning.first_unit_id.in_(list(viewer.unit_ids)))
    return or_(*conditions) if conditions else false()


def list_warnings(
    *,
    session: Session,
    viewer: Viewer,
    status: str | None = None,
    level: str | None = None,
    pending_only: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[RiskWarning], int]:
    conditions: list[ColumnElement[bool]] = [visible_warning(viewer)]
    if pending_only:
        conditions.append(RiskWarning.status.in_(PENDING_STATUSES))
    if status:
        conditions.append(RiskWarning.status == status)
    if level:
        conditions.append(RiskWarning.level == level)
    total = session.scalar(select(func.count()).select_from(RiskWarning).where(*conditions)) or 0
    rows = session.scalars(
        select(RiskWarning)
        .where(*conditions)
        .order_by(RiskWarning.created_at.desc(), RiskWarning.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total


def awaiting(*, session: Session, viewer: Viewer, limit: int = 50) -> list[RiskWarning]:
    """What the viewer's own units must acknowledge (the inbox's 待签收预警), nearest deadline first."""
    if not viewer.unit_ids:
        return []
    return list(
        session.scalars(
            select(RiskWarning)
            .where(RiskWarning.unit_id.in_(list(viewer.unit_ids)), RiskWarning.status.in_(PENDING_STATUSES))
            .order_by(RiskWarning.ack_deadline, RiskWarning.id)
            .limit(limit)
        )
    )


def get_warning(*, session: Session, viewer: Viewer, warning_id: int) -> RiskWarning:
    warning = session.scalars(
        select(RiskWarning).where(RiskWarning.id == warning_id, visible_warning(viewer))
    ).one_or_none()
    if warning is None:
        raise NotFound(f"未找到预警{warning_id}", code="warning_not_found")
    return warning


def may_acknowledge(viewer: Viewer, warning: RiskWarning) -> bool:
    return warning.status in PENDING_STATUSES and warning.unit_id in viewer.unit_ids


def may_close(viewer: Viewer, warning: RiskWarning) -> bool:
    return warning.status == WarningStatus.ACKNOWLEDGED.value and warning.unit_id in viewer.unit_ids


def _locked(*, session: Session, viewer: Viewer, warning_id: int, version: int) -> RiskWarning:
    get_warning(session=session, viewer=viewer, warning_id=warning_id)
    warning = session.scalars(
        select(RiskWarning)
        .where(RiskWarning.id == warning_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if warning.version != version:
        raise Conflict("该预警已被更新（可能已升级或被签收），请刷新后再操作", code="stale_warning")
    return warning


def acknowledge(*, session: Session, viewer: Viewer, warning_id: int, version: int, note: str = "") -> RiskWarning:
    """签收: only staff of the unit the warning now sits with, and only while it awaits acknowledgement."""
    warning = _locked(session=session, viewer=viewer, warning_id=warning_id, version=version)
    if warning.status not in PENDING_STATUSES:
        raise InvalidInput("该预警已签收或已办结", code="warning_not_pending")
    if warning.unit_id not in viewer.unit_ids:
        raise Forbidden("只有预警的责任单位人员可以签收", code="not_responsible_unit")
    now = utcnow()
    warning.status = WarningStatus.ACKNOWLEDGED.value
    warning.acknowledged_at = now
    warning.acknowledged_by_id = viewer.staff_id
    warning.ack_note = note.strip()[:500] or None
    warning.history = _note(warning.history, action="acknowledged", by=viewer.full_name, note=warning.ack_note)
    jobs.cancel(session=session, dedupe_key=f"warning:{warning.id}:ack:{_stamp(warning.ack_deadline)}")
    audit.record(
        session=session,
        county_code=warning.county_code,
        actor_id=viewer.staff_id,
        action="warning.acknowledged",
        entity_type="risk_warning",
        entity_id=warning.id,
        detail={"unit_id": warning.unit_id},
    )
    session.flush()
    return warning


def close(*, session: Session, viewer: Viewer, warning_id: int, version: int, note: str) -> RiskWarning:
    """办结: the responsible unit says how the risk was dealt with."""
    warning = _locked(session=session, viewer=viewer, warning_id=warning_id, version=version)
    if warning.status != WarningStatus.ACKNOWLEDGED.value:
        raise InvalidInput("请先签收预警再办结", code="warning_not_acknowledged")
    if warning.unit_id not in viewer.unit_ids:
        raise Forbidden("只有预警的责任单位人员可以办结", code="not_responsible_unit")
    if not note.strip():
        raise InvalidInput("请填写处置情况", code="note_required")
    warning.status = WarningStatus.CLOSED.value
    warning.closed_at = utcnow()
    warning.closed_by_id = viewer.staff_id
    warning.history = _note(warning.history, action="closed", by=viewer.full_name, note=note.strip()[:500])
    session.flush()
    return warning


# --- escalation ---------------------------------------------------------------------------------------------------


def escalate_due(*, session: Session, warning_id: int, deadline: str, now: datetime | None = None) -> bool:
    """The acknowledgement timer fired: if the warning still awaits acknowledgement for that deadline, move it to the
    parent unit with a new deadline (the same span as the level's). Returns whether it escalated."""
    warning = session.scalars(
        select(RiskWarning)
        .where(RiskWarning.id == warning_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if warning is None or warning.status not in PENDING_STATUSES or _stamp(warning.ack_deadline) != deadline:
        return False  # acknowledged, closed, or already escalated for this deadline: the timer is stale
    unit = session.get(Unit, warning.unit_id)
    parent = session.get(Unit, unit.parent_id) if unit is not None and unit.parent_id is not None else None
    now = now or utcnow()
    if parent is None:
        # Already at the top: stays with the county centre, marked overdue in its history; nothing further to climb.
        warning.history = _note(warning.history, action="overdue", unit=unit.name if unit else "")
        session.flush()
        log.warning("warning.unacknowledged_at_top", warning_id=warning.id)
        return False
    span = timedelta(hours=DEFAULT_ACK_HOURS.get(warning.level, 4.0))
    previous = unit.name if unit is not None else ""
    warning.unit_id = parent.id
    warning.unit_path = parent.path
    warning.status = WarningStatus.ESCALATED.value
    warning.escalations += 1
    warning.ack_deadline = now + span
    warning.history = _note(warning.history, action="escalated", unit=parent.name, previous=previous)
    session.flush()
    _arm(session=session, warning=warning)
    outbox.queue(session=session, warning=warning, unit=parent, change="escalated")
    audit.record(
        session=session,
        county_code=warning.county_code,
        actor_id=None,
        action="warning.escalated",
        entity_type="risk_warning",
        entity_id=warning.id,
        detail={"from_unit": unit.id if unit else None, "to_unit": parent.id, "escalations": warning.escalations},
    )
    return True
