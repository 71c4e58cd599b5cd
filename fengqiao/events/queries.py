"""Reading events within the viewer's jurisdiction: one visibility condition used by every query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, exists, false, func, or_, select, union
from sqlalchemy.orm import Session, selectinload

from fengqiao.accounts.permissions import Permission
from fengqiao.accounts.scope import Viewer
from fengqiao.core.errors import InvalidInput, NotFound
from fengqiao.events.kinds import ACTIVE_TASK_STATUSES, OPEN_STATUSES, EventStatus, TaskStatus
from fengqiao.events.models import Callback, Event, EventTask
from fengqiao.jurisdiction.models import Unit
from fengqiao.jurisdiction.paths import under_path


def visible(viewer: Viewer) -> ColumnElement[bool]:
    """Events the viewer may see: in their territory, owned by their unit, or dispatched to their unit.

    As ``id IN (… UNION …)`` rather than an OR of the three: each part is then one index range (location path,
    owner unit, task unit), where an OR with a correlated EXISTS makes both databases scan every event."""
    if viewer.is_county_wide:
        return Event.county_code == viewer.county_code
    parts: list[Select[Any]] = [
        select(Event.id).where(under_path(Event.location_path, p)) for p in viewer.territorial_paths
    ]
    if viewer.unit_ids:
        unit_ids = list(viewer.unit_ids)
        parts.append(select(Event.id).where(Event.owner_unit_id.in_(unit_ids)))
        parts.append(select(EventTask.event_id).where(EventTask.unit_id.in_(unit_ids)))
    if not parts:
        return false()
    return Event.id.in_(union(*parts).scalar_subquery() if len(parts) > 1 else parts[0].scalar_subquery())


def may_see(*, session: Session, viewer: Viewer, event: Event) -> bool:
    """:func:`visible` for one event already loaded: the same three parts, checked in that order."""
    if viewer.is_county_wide:
        return event.county_code == viewer.county_code
    if viewer.covers_path(event.location_path):
        return True
    unit_ids = viewer.unit_ids
    if not unit_ids:
        return False
    if event.owner_unit_id in unit_ids:
        return True
    tasked = select(EventTask.id).where(EventTask.event_id == event.id, EventTask.unit_id.in_(list(unit_ids)))
    return session.scalars(tasked.limit(1)).first() is not None


def get_visible_event(*, session: Session, viewer: Viewer, event_id: int, for_update: bool = False) -> Event:
    """The event, or 404 — the same answer whether it does not exist or lies outside the viewer's scope.

    Read by key (from the session when it holds the event) and checked in Python: the UNION of :func:`visible` is
    built for lists, and for one event it cost more than the action that needed the event."""
    event = session.get(Event, event_id, with_for_update=True if for_update else None)
    if event is None or not may_see(session=session, viewer=viewer, event=event):
        raise NotFound(f"未找到事件{event_id}", code="event_not_found")
    return event


class SortKey(StrEnum):
    REGISTERED_DESC = "-registered_at"
    REGISTERED_ASC = "registered_at"
    DEADLINE_ASC = "step_deadline"
    RISK_DESC = "-risk"


@dataclass
class EventFilter:
    status: list[EventStatus] | None = None
    open_only: bool = False
    unit_code: str | None = None
    category: str | None = None
    channel: str | None = None
    risk_level: str | None = None
    overdue: bool | None = None
    registered_from: datetime | None = None
    registered_to: datetime | None = None
    text: str | None = None
    sort: SortKey = SortKey.REGISTERED_DESC


def _apply_filter(*, session: Session, query: Select[Event], flt: EventFilter) -> Select[Event]:
    if flt.status:
        query = query.where(Event.status.in_([s.value for s in flt.status]))
    if flt.open_only:
        query = query.where(Event.status.in_([s.value for s in OPEN_STATUSES]))
    if flt.unit_code:
        unit = session.scalars(select(Unit).where(Unit.code == flt.unit_code)).one_or_none()
        if unit is None:
            raise NotFound(f"未找到单位“{flt.unit_code}”", code="unit_not_found")
        query = query.where(
            or_(
                under_path(Event.location_path, unit.path),
                exists().where(EventTask.event_id == Event.id, EventTask.unit_id == unit.id),
            )
        )
    if flt.category:
        query = query.where(Event.category == flt.category)
    if flt.channel:
        query = query.where(Event.channel == flt.channel)
    if flt.risk_level:
        query = query.where(Event.risk_level == flt.risk_level)
    if flt.overdue is not None:
        query = query.where(Event.is_overdue.is_(flt.overdue))
    if flt.registered_from and flt.registered_to and flt.registered_from > flt.registered_to:
        raise InvalidInput("开始时间不能晚于结束时间", code="invalid_time_range")
    if flt.registered_from:
        query = query.where(Event.registered_at >= flt.registered_from)
    if flt.registered_to:
        query = query.where(Event.registered_at < flt.registered_to)
    if flt.text:
        pattern = f"%{flt.text.strip()}%"
        query = query.where(or_(Event.title.like(pattern), Event.content.like(pattern), Event.address.like(pattern)))
    return query


def _order(query: Select[Event], sort: SortKey) -> Select[Event]:
    match sort:
        case SortKey.REGISTERED_ASC:
            return query.order_by(Event.registered_at, Event.id)
        case SortKey.DEADLINE_ASC:
            return query.order_by(Event.step_deadline.is_(None), Event.step_deadline, Event.id)
        case SortKey.RISK_DESC:
            risk_rank = case((Event.risk_level == "high", 2), (Event.risk_level == "medium", 1), else_=0)
            return query.order_by(risk_rank.desc(), Event.registered_at.desc(), Event.id.desc())
        case _:
            return query.order_by(Event.registered_at.desc(), Event.id.desc())


def list_events(
    *, session: Session, viewer: Viewer, flt: EventFilter, limit: int = 20, offset: int = 0
) -> tuple[list[Event], int]:
    base = _apply_filter(session=session, query=select(Event).where(visible(viewer)), flt=flt)
    total = session.scalar(select(func.count()).select_from(base.order_by(None).subquery())) or 0
    rows = session.scalars(_order(base, flt.sort).options(selectinload(Event.tasks)).limit(limit).offset(offset)).all()
    return list(rows), total


@dataclass(frozen=True)
class InboxItem:
    event: Event
    reason: str  # what awaits the viewer: 待签收, 待反馈, 待流转, 待审核, 待销号, 待回访


def inbox(*, session: Session, viewer: Viewer, limit: int = 100) -> list[InboxItem]:
    """What awaits this viewer's action, most urgent deadline first."""
    unit_ids = list(viewer.unit_ids)
    items: list[InboxItem] = []
    task_rows = session.execute(
        select(Event, EventTask)
        .join(EventTask, EventTask.event_id == Event.id)
        .where(
            EventTask.unit_id.in_(unit_ids),
            EventTask.status.in_([s.value for s in ACTIVE_TASK_STATUSES]),
            Event.status.in_([s.value for s in OPEN_STATUSES]),
        )
        .order_by(Event.step_deadline.is_(None), Event.step_deadline, Event.id)
        .limit(limit)
    ).all()
    for event, task in task_rows:
        reason = "待签收" if task.status == TaskStatus.DISPATCHED.value else "待反馈"
        items.append(InboxItem(event, reason))
    dispatch_units = list(viewer.units_with(Permission.DISPATCH))
    if dispatch_units:
        owner_waiting = {
            EventStatus.REGISTERED.value: "待流转",
            EventStatus.RETURNED.value: "待重新流转",
            EventStatus.ESCALATED.value: "待流转",
            EventStatus.REPORTED_BACK.value: "待审核",
            EventStatus.REVIEWED.value: "待销号",
        }
        owned = session.scalars(
            select(Event)
            .where(Event.owner_unit_id.in_(dispatch_units), Event.status.in_(list(owner_waiting)))
            .order_by(Event.step_deadline.is_(None), Event.step_deadline, Event.id)
            .limit(limit)
        ).all()
        items.extend(InboxItem(e, owner_waiting[e.status]) for e in owned)
        awaiting_callback = session.scalars(
            select(Event)
            .where(
                Event.owner_unit_id.in_(dispatch_units),
                Event.status == EventStatus.CLOSED.value,
                ~exists().where(Callback.event_id == Event.id),
            )
            .order_by(Event.closed_at, Event.id)
            .limit(limit)
        ).all()
        items.extend(InboxItem(e, "待回访") for e in awaiting_callback)
    seen: set[int] = set()
    unique = [i for i in items if not (i.event.id in seen or seen.add(i.event.id))]  # type: ignore[func-returns-value]
    return unique[:limit]


def open_counts(*, session: Session, viewer: Viewer) -> dict[str, int]:
    """Counts of open and overdue events in the viewer's scope (for the screens' headers)."""
    row = session.execute(
        select(
            func.count().filter(Event.status.in_([s.value for s in OPEN_STATUSES])),
            func.count().filter(and_(Event.is_overdue.is_(True), Event.status.in_([s.value for s in OPEN_STATUSES]))),
        ).where(visible(viewer))
    ).one()
    return {"open": int(row[0] or 0), "overdue": int(row[1] or 0)}
