"""The plain counts a bulletin tabulates: events registered in the period by channel, category and child unit, the
dispute sources (110, court, first petitions), overdue and supervised items, top risk warnings. Rates are not
computed here: they come from ``fengqiao.metrics`` (one implementation of every metric).

Definitions:

- registered (受理): events registered in [start, end) in the unit's territory, neither merged into another nor
  voided — a duplicate reported twice counts once, a void report not at all.
- disputes (矛盾纠纷): those of them flagged ``is_dispute``.
- newly overdue (新增超期): events that went overdue within the period — an ``overdue`` action in their timeline (the
  timers record one when a step deadline passes; the metrics' on-time rate reads the same action), each event once.
- supervised (督办): supervision orders issued in the period, counted where the pressed unit lies (the target
  unit's territory; orders to county departments form their own row).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from fengqiao.accounts.masking import SENSITIVE_PLACEHOLDER, mask_name
from fengqiao.core.clock import to_local
from fengqiao.events.kinds import OPEN_STATUSES, Channel, EventStatus, RiskLevel, SupervisionLevel
from fengqiao.events.lifecycle import Action
from fengqiao.events.models import Event, EventAction, Supervision
from fengqiao.jurisdiction.kinds import TERRITORIAL_LEVELS
from fengqiao.jurisdiction.models import Unit
from fengqiao.jurisdiction.paths import under_path
from fengqiao.metrics.live import SELF, Scope
from fengqiao.reports.period import Period
from fengqiao.warnings.models import RiskWarning

_NOT_COUNTED = [EventStatus.MERGED.value, EventStatus.VOIDED.value]
_OPEN = [s.value for s in OPEN_STATUSES]
_TERRITORIAL = [k.value for k in TERRITORIAL_LEVELS]
OUTSIDE = "outside"  # the child key of supervision orders to units outside the territory (county departments)
_RISK_RANK = {RiskLevel.HIGH.value: 0, RiskLevel.MEDIUM.value: 1, RiskLevel.LOW.value: 2}


def territory(*, session: Session, unit: Unit) -> Scope:
    """The unit with its territorial children, as the metrics group them."""
    children = session.scalars(
        select(Unit).where(Unit.parent_id == unit.id, Unit.kind.in_(_TERRITORIAL)).order_by(Unit.code)
    ).all()
    return Scope(unit=unit, children=tuple(children), breadcrumb=())


@dataclass
class ChildCounts:
    registered: int = 0
    disputes: int = 0
    police_110: int = 0
    court: int = 0
    first_petition: int = 0
    newly_overdue: int = 0
    supervised: int = 0


@dataclass(frozen=True)
class OverdueItem:
    event_id: int
    dispute_code: str
    title: str
    is_sensitive: bool
    child: str
    overdue_since: datetime | None
    supervision_level: str | None


@dataclass(frozen=True)
class WarningItem:
    warning_id: int
    level: str
    title: str
    unit_name: str
    status: str
    created_at: datetime


@dataclass
class Counts:
    registered: int = 0
    disputes: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)
    disputes_by_channel: dict[str, int] = field(default_factory=dict)
    disputes_by_category: dict[str | None, int] = field(default_factory=dict)
    by_day: dict[date, int] = field(default_factory=dict)
    children: dict[str, ChildCounts] = field(default_factory=dict)  # child code (SELF, OUTSIDE) → counts
    newly_overdue: int = 0
    open_overdue: int = 0
    supervised: dict[str, int] = field(default_factory=dict)  # supervision level → orders issued in the period
    overdue_items: list[OverdueItem] = field(default_factory=list)
    warnings: int = 0
    top_warnings: list[WarningItem] = field(default_factory=list)


_SOURCE_FIELDS = {
    Channel.POLICE_110.value: "police_110",
    Channel.COURT.value: "court",
    Channel.FIRST_PETITION.value: "first_petition",
}


def masked_title(event: Event) -> str:
    """A bulletin goes to many readers: the names of the reporter and the parties in a title are masked (陈海燕 →
    陈**); a sensitive event's title is hidden whole."""
    if event.is_sensitive:
        return SENSITIVE_PLACEHOLDER
    title = event.title
    names = {event.reporter_name, *(p.name for p in event.parties)}
    for name in sorted((n for n in names if n and len(n) > 1), key=len, reverse=True):
        title = title.replace(name, mask_name(name) or "")
    return title


def count(*, session: Session, scope: Scope, period: Period, now: datetime, top: int = 10) -> Counts:
    start, end = period.start, period.end
    result = Counts(
        by_day=dict.fromkeys(period.days, 0),
        children={code: ChildCounts() for code in (*scope.child_codes, SELF)},
    )
    by_channel: Counter[str] = Counter()
    disputes_by_channel: Counter[str] = Counter()
    by_category: Counter[str | None] = Counter()
    rows = session.execute(
        select(Event.location_path, Event.channel, Event.category, Event.is_dispute, Event.registered_at).where(
            scope.events_here(),
            Event.registered_at >= start,
            Event.registered_at < end,
            Event.status.not_in(_NOT_COUNTED),
        )
    ).all()
    for path, channel, category, is_dispute, registered_at in rows:
        child = result.children[scope.child_of(path)]
        child.registered += 1
        by_channel[channel] += 1
        day = to_local(registered_at).date()
        result.by_day[day] = result.by_day.get(day, 0) + 1
        if channel in _SOURCE_FIELDS:
            name = _SOURCE_FIELDS[channel]
            setattr(child, name, getattr(child, name) + 1)
        if is_dispute:
            child.disputes += 1
            disputes_by_channel[channel] += 1
            by_category[category] += 1
    result.registered = len(rows)
    result.disputes = sum(by_category.values())
    result.by_channel = {c.value: by_channel[c.value] for c in Channel}
    result.disputes_by_channel = {c.value: disputes_by_channel[c.value] for c in Channel}
    result.disputes_by_category = dict(by_category.most_common())

    went_overdue = (
        select(EventAction.event_id)
        .where(EventAction.action == Action.OVERDUE.value, EventAction.at >= start, EventAction.at < end)
        .distinct()
        .scalar_subquery()
    )
    for (path,) in session.execute(select(Event.location_path).where(scope.events_here(), Event.id.in_(went_overdue))):
        result.children[scope.child_of(path)].newly_overdue += 1
        result.newly_overdue += 1

    result.supervised = {level.value: 0 for level in SupervisionLevel}
    target_path = Unit.path
    sup_rows = session.execute(
        select(Supervision.level, target_path, Unit.kind)
        .join(Event, Event.id == Supervision.event_id)
        .outerjoin(Unit, Unit.id == Supervision.target_unit_id)
        .where(
            Supervision.county_code == scope.unit.county_code,
            Supervision.created_at >= start,
            Supervision.created_at < end,
            or_(
                under_path(Unit.path, scope.unit.path),
                and_(Supervision.target_unit_id.is_(None), scope.events_here()),
                and_(Unit.kind.not_in(_TERRITORIAL), scope.events_here()),
            ),
        )
    ).all()
    outside = ChildCounts()
    for level, unit_path, unit_kind in sup_rows:
        result.supervised[level] = result.supervised.get(level, 0) + 1
        if unit_path is not None and unit_kind in _TERRITORIAL and unit_path.startswith(scope.unit.path):
            result.children[scope.child_of(unit_path)].supervised += 1
        else:
            outside.supervised += 1
    if outside.supervised:
        result.children[OUTSIDE] = outside

    overdue_now = and_(
        scope.events_here(),
        Event.status.in_(_OPEN),
        or_(Event.is_overdue.is_(True), and_(Event.step_deadline.is_not(None), Event.step_deadline <= now)),
    )
    overdue_events = session.scalars(
        select(Event)
        .where(overdue_now)
        .order_by(func.coalesce(Event.overdue_since, Event.step_deadline).asc(), Event.id.asc())
        .limit(top)
    ).all()
    result.overdue_items = [
        OverdueItem(
            event_id=e.id,
            dispute_code=e.dispute_code,
            title=masked_title(e),
            is_sensitive=e.is_sensitive,
            child=scope.child_of(e.location_path),
            overdue_since=e.overdue_since or e.step_deadline,
            supervision_level=e.supervision_level,
        )
        for e in overdue_events
    ]
    result.open_overdue = session.scalar(select(func.count()).select_from(Event).where(overdue_now)) or 0

    warning_rows = session.execute(
        select(RiskWarning, Unit.name)
        .join(Unit, Unit.id == RiskWarning.unit_id)
        .where(
            RiskWarning.county_code == scope.unit.county_code,
            under_path(RiskWarning.unit_path, scope.unit.path),
            RiskWarning.created_at >= start,
            RiskWarning.created_at < end,
        )
    ).all()
    result.warnings = len(warning_rows)
    ranked = sorted(
        warning_rows,
        key=lambda r: (_RISK_RANK.get(r[0].level, 3), -r[0].escalations, -r[0].created_at.timestamp(), r[0].id),
    )
    result.top_warnings = [
        WarningItem(
            warning_id=w.id, level=w.level, title=w.title, unit_name=name, status=w.status, created_at=w.created_at
        )
        for w, name in ranked[:top]
    ]
    return result
