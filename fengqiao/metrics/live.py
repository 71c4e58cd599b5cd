"""Live metrics of one territorial unit (county, town, village or grid), as the command cockpit shows them.

Every figure counts the events that lie in the unit's territory: ``location_path`` under the unit's path. Each query
groups by the child unit the event lies in (the next code of its path), so the children's figures and the parent's
come from the same rows and always add up; events placed at the unit itself (known only to the town, say) form the
"本级" row beside the children.

Definitions (one function each below; the rates are those of ``fengqiao.metrics.definitions``, read from the
rollups through ``fengqiao.metrics.service`` — see docs/metrics.md):

- open: status in ``OPEN_STATUSES`` (not closed, merged or voided).
- overdue: open, and flagged overdue by the timers or past its step deadline now (the work screens' red light).
- intake today: every event registered since 00:00 Asia/Shanghai today, whatever became of it since.
- heat: events registered in the window (default 30 days), neither merged nor voided, by category × child unit.
- resolution rate: of the events registered in the window that are neither merged nor voided, the share closed.
- satisfaction rate: of the callbacks recorded in the window on events of the unit, the share 满意 or 基本满意.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from fengqiao.accounts.scope import Viewer
from fengqiao.core.clock import CHINA_TZ, utcnow
from fengqiao.core.errors import Forbidden, NotFound
from fengqiao.events.kinds import OPEN_STATUSES, RiskLevel
from fengqiao.events.models import Callback, Event
from fengqiao.jurisdiction.kinds import TERRITORIAL_LEVELS, UnitKind
from fengqiao.jurisdiction.models import Unit
from fengqiao.jurisdiction.paths import under_path
from fengqiao.metrics import service
from fengqiao.metrics.definitions import NONE, local_day

DEFAULT_WINDOW_DAYS = 30
SELF = ""  # the child key of events placed at the unit itself rather than in one of its children
_OPEN = [s.value for s in OPEN_STATUSES]
_TERRITORIAL = [k.value for k in TERRITORIAL_LEVELS]


# --- the unit and who may look at it -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The unit looked at, its territorial children, and how to read an event's child from its path."""

    unit: Unit
    children: tuple[Unit, ...]
    breadcrumb: tuple[Unit, ...]  # from the county down to the unit's parent

    @property
    def child_codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.children)

    def key_column(self) -> ColumnElement[str]:
        """The event path cut just after the child's code: a few distinct values to GROUP BY instead of one per
        grid. Codes of one level share a length, so a fixed cut works; otherwise the whole path is grouped."""
        lengths = {len(c.path) for c in self.children}
        if len(lengths) == 1:
            return func.substr(Event.location_path, 1, lengths.pop())
        return Event.location_path.expression

    def child_of(self, key: str) -> str:
        """The child code an event path (or its cut) falls in; ``SELF`` for the unit itself."""
        rest = key[len(self.unit.path) :]
        code = rest.split("/", 1)[0]
        return code if code in self._codes else SELF

    @cached_property
    def _codes(self) -> frozenset[str]:
        return frozenset(self.child_codes)

    def events_here(self) -> ColumnElement[bool]:
        in_county = Event.county_code == self.unit.county_code
        if self.unit.kind == UnitKind.COUNTY.value:
            # Every event of the county lies under its path: without the range, the planner is free to use the
            # (county, registered_at) index or a plain scan instead of one index lookup per event.
            return in_county
        return and_(in_county, under_path(Event.location_path, self.unit.path))


def viewer_may_see(viewer: Viewer, unit: Unit) -> bool:
    if viewer.is_county_wide:
        return unit.county_code == viewer.county_code
    return viewer.covers_path(unit.path)


def default_unit_code(*, session: Session, viewer: Viewer) -> str:
    """The unit a viewer's cockpit opens on: the county for the county centre, else their widest territory."""
    if viewer.is_county_wide:
        code = session.scalar(
            select(Unit.code).where(Unit.county_code == viewer.county_code, Unit.kind == UnitKind.COUNTY.value)
        )
        if code is not None:
            return code
    if not viewer.territorial_paths:
        raise Forbidden("您的岗位没有所辖区域，无法查看指挥大屏", code="no_territory")
    top = min(viewer.territorial_paths, key=lambda p: (len(p), p))
    return top.rstrip("/").rsplit("/", 1)[-1]


def resolve_scope(*, session: Session, viewer: Viewer, code: str) -> Scope:
    """The unit by code, if it is territorial and within the viewer's jurisdiction; 404 otherwise (as if it did not
    exist, the same answer the events API gives)."""
    unit = session.scalars(select(Unit).where(Unit.code == code, Unit.kind.in_(_TERRITORIAL))).one_or_none()
    if unit is None or not viewer_may_see(viewer, unit):
        raise NotFound(f"未找到单位“{code}”或不在您的辖区内", code="unit_not_found")
    children = session.scalars(
        select(Unit).where(Unit.parent_id == unit.id, Unit.kind.in_(_TERRITORIAL)).order_by(Unit.code)
    ).all()
    ancestor_codes = unit.path.rstrip("/").split("/")[:-1]
    ancestors = session.scalars(select(Unit).where(Unit.code.in_(ancestor_codes))).all() if ancestor_codes else []
    breadcrumb = tuple(sorted(ancestors, key=lambda u: len(u.path)))
    return Scope(unit=unit, children=tuple(children), breadcrumb=breadcrumb)


# --- time -----------------------------------------------------------------------------------------------------------


def local_day_start(now: datetime) -> datetime:
    """00:00 Asia/Shanghai of the day ``now`` falls in (as an aware moment)."""
    return now.astimezone(CHINA_TZ).replace(hour=0, minute=0, second=0, microsecond=0)


def window_start(now: datetime, days: int = DEFAULT_WINDOW_DAYS) -> datetime:
    """The start of the rolling window: 00:00 Asia/Shanghai ``days - 1`` days before today (today included)."""
    return local_day_start(now) - timedelta(days=days - 1)


def _overdue(now: datetime) -> ColumnElement[bool]:
    return or_(Event.is_overdue.is_(True), and_(Event.step_deadline.is_not(None), Event.step_deadline <= now))


# --- the grouped queries --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        """None when nothing was counted: a rate of 0 % would be a claim the data does not make."""
        return self.numerator / self.denominator if self.denominator else None


@dataclass(frozen=True)
class OpenCell:
    child: str
    risk_level: str
    level: str | None
    open: int
    overdue: int


def open_events(*, session: Session, scope: Scope, now: datetime) -> list[OpenCell]:
    """Open events (status in ``OPEN_STATUSES``) by child × risk level × handling level, with how many of them are
    overdue: flagged by the timers or past their step deadline at ``now``."""
    key = scope.key_column()
    rows = session.execute(
        select(key, Event.risk_level, Event.level, func.count(), func.count().filter(_overdue(now)))
        .where(scope.events_here(), Event.status.in_(_OPEN))
        .group_by(key, Event.risk_level, Event.level)
    ).all()
    return [OpenCell(scope.child_of(k), risk, level, int(n), int(late or 0)) for k, risk, level, n, late in rows]


@dataclass(frozen=True)
class IntakeCell:
    child: str
    channel: str
    count: int


def intake_today(*, session: Session, scope: Scope, now: datetime) -> list[IntakeCell]:
    """Events registered today (from 00:00 Asia/Shanghai up to ``now``) by child × channel, whatever their status
    since — merged duplicates and voided reports included: this is what came in, not what is left."""
    key = scope.key_column()
    rows = session.execute(
        select(key, Event.channel, func.count())
        .where(scope.events_here(), Event.registered_at >= local_day_start(now), Event.registered_at <= now)
        .group_by(key, Event.channel)
    ).all()
    return [IntakeCell(scope.child_of(k), channel, int(n)) for k, channel, n in rows]


@dataclass(frozen=True)
class RecentCell:
    child: str
    category: str | None
    registered: int
    closed: int


def recent_events(*, session: Session, scope: Scope, since: datetime, now: datetime) -> list[RecentCell]:
    """Events registered in the window (the days of [since, now], China local dates), neither merged nor voided, by
    child × category, with how many are closed: the ``counted`` and ``closed`` counters of the metrics rollups, so
    the cockpit's 化解率 is the API's ``resolution_rate``."""
    breakdown = service.Breakdown(
        unit_depth=service.depth_of(scope.unit) + 1 if scope.children else None, dimension="category"
    )
    sums = service.counters(
        session=session,
        unit=scope.unit,
        start=local_day(since),
        end=local_day(now),
        breakdown=breakdown,
        names=("counted", "closed"),
    )
    cells = []
    for (child, category, _), (counted, closed) in sums.items():
        key = SELF if not child or child not in scope.child_codes else child
        cells.append(RecentCell(key, None if category == NONE else category, counted, closed))
    return cells


def satisfaction_rate(*, session: Session, scope: Scope, since: datetime, now: datetime) -> Rate:
    """满意率: callbacks recorded on the days of [since, now] on events of the unit whose answer is 满意 or 基本满意,
    over all those callbacks (the metric ``satisfaction_rate``). An event called back twice (after a reopening)
    counts twice: each callback is one verdict."""
    sums = service.counters(
        session=session, unit=scope.unit, start=local_day(since), end=local_day(now), names=("satisfied", "callbacks")
    )
    return Rate(numerator=sum(v[0] for v in sums.values()), denominator=sum(v[1] for v in sums.values()))


# --- the metrics derived from the grouped rows ----------------------------------------------------------------------


def open_count(cells: Iterable[OpenCell]) -> int:
    """在办事件: open events."""
    return sum(c.open for c in cells)


def overdue_count(cells: Iterable[OpenCell]) -> int:
    """超期事件: open events flagged overdue or past their step deadline."""
    return sum(c.overdue for c in cells)


def risk_split(cells: Iterable[OpenCell]) -> dict[str, int]:
    """Open events by risk level (every level present, zero included), highest first."""
    split = {r.value: 0 for r in (RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW)}
    for c in cells:
        split[c.risk_level] = split.get(c.risk_level, 0) + c.open
    return split


def level_split(cells: Iterable[OpenCell]) -> dict[str | None, int]:
    """Open events by handling level (grid/village/town/county); ``None``: not dispatched yet, so no level."""
    split: dict[str | None, int] = defaultdict(int)
    for c in cells:
        split[c.level] += c.open
    return dict(split)


def intake_by_channel(cells: Iterable[IntakeCell]) -> dict[str, int]:
    """今日受理 by channel."""
    split: dict[str, int] = defaultdict(int)
    for c in cells:
        split[c.channel] += c.count
    return dict(split)


def resolution_rate(cells: Iterable[RecentCell]) -> Rate:
    """化解率: events registered in the window and closed by now, over the events registered in the window; merged
    duplicates and voided reports count in neither."""
    cells = list(cells)
    return Rate(numerator=sum(c.closed for c in cells), denominator=sum(c.registered for c in cells))


def category_heat(cells: Iterable[RecentCell]) -> dict[tuple[str | None, str], int]:
    """Events registered in the window by (category, child); ``None`` category: not classified."""
    heat: dict[tuple[str | None, str], int] = defaultdict(int)
    for c in cells:
        heat[(c.category, c.child)] += c.registered
    return dict(heat)


@dataclass
class ChildFigures:
    """One row of the children table (or the "本级" row): the counts the map colours and the drill-down shows."""

    open: int = 0
    overdue: int = 0
    high_risk: int = 0
    today: int = 0
    recent: int = 0


def child_figures(
    *, scope: Scope, open_cells: Iterable[OpenCell], intake: Iterable[IntakeCell], recent: Iterable[RecentCell]
) -> dict[str, ChildFigures]:
    """Figures per child code (every child, zero included) and for ``SELF``; summed, they give the unit's."""
    rows: dict[str, ChildFigures] = {code: ChildFigures() for code in (*scope.child_codes, SELF)}
    for o in open_cells:
        rows[o.child].open += o.open
        rows[o.child].overdue += o.overdue
        if o.risk_level == RiskLevel.HIGH.value:
            rows[o.child].high_risk += o.open
    for i in intake:
        rows[i.child].today += i.count
    for r in recent:
        rows[r.child].recent += r.registered
    return rows


# --- events shown one by one ----------------------------------------------------------------------------------------


_RISK_RANK = case(
    (Event.risk_level == RiskLevel.HIGH.value, 2), (Event.risk_level == RiskLevel.MEDIUM.value, 1), else_=0
)


@dataclass(frozen=True)
class Point:
    """An open event on the map: only the columns a dot needs (whole rows would drag their JSON along)."""

    id: int
    lon: float
    lat: float
    risk_level: str
    title: str
    is_sensitive: bool
    category: str | None
    status: str
    is_overdue: bool
    step_deadline: datetime | None


def map_points(*, session: Session, scope: Scope, limit: int = 1000) -> list[Point]:
    """Open events with coordinates, highest risk then newest first, at most ``limit`` (a map with more dots than
    that shows nothing more; the counts say how many there are)."""
    rows = session.execute(
        select(
            Event.id,
            Event.lon,
            Event.lat,
            Event.risk_level,
            Event.title,
            Event.is_sensitive,
            Event.category,
            Event.status,
            Event.is_overdue,
            Event.step_deadline,
        )
        .where(scope.events_here(), Event.status.in_(_OPEN), Event.lon.is_not(None), Event.lat.is_not(None))
        .order_by(_RISK_RANK.desc(), Event.registered_at.desc(), Event.id.desc())
        .limit(limit)
    ).all()
    return [Point(**row._mapping) for row in rows]


def top_risk_events(*, session: Session, scope: Scope, limit: int = 8) -> list[Event]:
    """重大风险事件: open high-risk events, overdue first, then the newest."""
    return list(
        session.scalars(
            select(Event)
            .where(scope.events_here(), Event.status.in_(_OPEN), Event.risk_level == RiskLevel.HIGH.value)
            .order_by(Event.is_overdue.desc(), Event.registered_at.desc(), Event.id.desc())
            .limit(limit)
        )
    )


# --- version: is there anything new? --------------------------------------------------------------------------------


def data_version(*, session: Session, scope: Scope, now: datetime | None = None) -> str:
    """A short tag that changes whenever a figure may have: an event added or changed (``updated_at`` moves on every
    write), a callback recorded, or a minute passed (deadlines fall due and days turn with time alone).

    Read for the whole county, not the scope: the latest ``updated_at`` of a county is one step down an index, where
    the scope's own aggregate had to visit every event of it — at ten million events, seconds per poll. So a change
    anywhere in the county changes every screen's tag: a screen may fetch figures that did not move, never keep ones
    that did."""
    now = now or utcnow()
    county = scope.unit.county_code
    latest = session.scalar(select(func.max(Event.updated_at)).where(Event.county_code == county))
    callback = session.scalar(select(func.max(Callback.id)))
    minute = now.astimezone(CHINA_TZ).strftime("%Y%m%d%H%M")
    raw = f"{scope.unit.code}|{latest}|{callback}|{minute}"
    return hashlib.blake2b(raw.encode(), digest_size=8).hexdigest()


# --- the whole cockpit ----------------------------------------------------------------------------------------------


@dataclass
class Cockpit:
    scope: Scope
    now: datetime
    window_days: int
    version: str
    open: int
    overdue: int
    today: int
    risk: dict[str, int]
    levels: dict[str | None, int]
    intake: dict[str, int]
    heat: dict[tuple[str | None, str], int]
    resolution: Rate
    satisfaction: Rate
    children: dict[str, ChildFigures]
    points: list[Point] = field(default_factory=list)
    top_risks: list[Event] = field(default_factory=list)


def cockpit(
    *, session: Session, scope: Scope, now: datetime | None = None, window_days: int = DEFAULT_WINDOW_DAYS
) -> Cockpit:
    """Everything the cockpit shows of one unit: four grouped queries, the satisfaction count, two short lists."""
    now = now or utcnow()
    since = window_start(now, window_days)
    open_cells = open_events(session=session, scope=scope, now=now)
    intake_cells = intake_today(session=session, scope=scope, now=now)
    recent = recent_events(session=session, scope=scope, since=since, now=now)
    intake = intake_by_channel(intake_cells)
    return Cockpit(
        scope=scope,
        now=now,
        window_days=window_days,
        version=data_version(session=session, scope=scope, now=now),
        open=open_count(open_cells),
        overdue=overdue_count(open_cells),
        today=sum(intake.values()),
        risk=risk_split(open_cells),
        levels=level_split(open_cells),
        intake=intake,
        heat=category_heat(recent),
        resolution=resolution_rate(recent),
        satisfaction=satisfaction_rate(session=session, scope=scope, since=since, now=now),
        children=child_figures(scope=scope, open_cells=open_cells, intake=intake_cells, recent=recent),
        points=map_points(session=session, scope=scope),
        top_risks=top_risk_events(session=session, scope=scope),
    )
