"""The raw values of the indicators, read from the database for every subject of one level at once: the units of a
level in the county (by path prefix, like every territorial figure) or the full-time grid workers (by the staff id
recorded on the rows). One or two grouped reads per source, whatever the number of subjects.

Time basis: the metrics' rates are theirs (events by registration day with their state now; callbacks by their
day). The other sources count what happened in the period — a task accepted, reported back or due, an action taken,
a warning issued, an alert dispatched, a visit made — with the state known now ("now" capped at the period's end
for what is due)."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from fengqiao.alerts.models import AlertDispatch
from fengqiao.assessment import rates
from fengqiao.core.clock import CHINA_TZ
from fengqiao.duty.models import DutyAssignment, Staff
from fengqiao.duty.roles import DutyRole
from fengqiao.events.kinds import Channel, EventStatus, TaskStatus
from fengqiao.events.lifecycle import Action
from fengqiao.events.models import Event, EventAction, EventTask, Supervision
from fengqiao.indices.scoring import Raw
from fengqiao.indices.sources import METRIC_PREFIX, Level
from fengqiao.jurisdiction.kinds import UnitKind
from fengqiao.jurisdiction.models import Unit
from fengqiao.registers.models import KeyPerson, KeyPersonVisit
from fengqiao.warnings.models import RiskWarning

_NOT_COUNTED = (EventStatus.MERGED.value, EventStatus.VOIDED.value)
_UNIT_KIND = {Level.COUNTY: UnitKind.COUNTY, Level.TOWN: UnitKind.TOWN, Level.VILLAGE: UnitKind.VILLAGE}
_UNIT_KIND[Level.GRID] = UnitKind.GRID


@dataclass(frozen=True)
class Subject:
    """One scored subject: a unit, or a grid worker (``staff_id``) shown with their grid."""

    key: str  # the unit's code, or "w<staff id>"
    level: Level
    name: str
    unit_code: str
    unit_name: str
    path: str  # the unit's path; a worker's: their grid's
    parent_name: str = ""
    staff_id: int | None = None


@dataclass(frozen=True)
class Worker:
    staff_id: int
    name: str
    grid_code: str
    grid_name: str
    grid_path: str


def worker_key(staff_id: int) -> str:
    return f"w{staff_id}"


def grid_workers(session: Session, county_code: str) -> list[Worker]:
    """The full-time grid workers (专职网格员) on duty, each with one grid (the first by code, if several)."""
    rows = session.execute(
        select(Staff.id, Staff.full_name, Unit.code, Unit.name, Unit.path)
        .join(DutyAssignment, DutyAssignment.staff_id == Staff.id)
        .join(Unit, Unit.id == DutyAssignment.unit_id)
        .where(
            DutyAssignment.county_code == county_code,
            DutyAssignment.role == DutyRole.GRID_WORKER.value,
            Unit.kind == UnitKind.GRID.value,
            Staff.is_active.is_(True),
        )
        .order_by(Staff.id, Unit.code)
    ).all()
    out: dict[int, Worker] = {}
    for staff_id, name, code, grid_name, path in rows:
        out.setdefault(staff_id, Worker(staff_id, name, code, grid_name, path))
    return list(out.values())


def subjects(session: Session, *, county_code: str, level: Level) -> list[Subject]:
    if level is Level.WORKER:
        villages = _names_by_path(session, county_code, UnitKind.VILLAGE)
        return [
            Subject(
                key=worker_key(w.staff_id),
                level=level,
                name=w.name,
                unit_code=w.grid_code,
                unit_name=w.grid_name,
                path=w.grid_path,
                parent_name=villages.get(w.grid_path[: -len(w.grid_code) - 1], ""),
                staff_id=w.staff_id,
            )
            for w in grid_workers(session, county_code)
        ]
    parent = Unit.__table__.alias("parent")
    rows = session.execute(
        select(Unit.code, Unit.name, Unit.path, parent.c.name)
        .outerjoin(parent, parent.c.id == Unit.parent_id)
        .where(Unit.county_code == county_code, Unit.kind == _UNIT_KIND[level].value)
        .order_by(Unit.code)
    ).all()
    return [
        Subject(key=code, level=level, name=name, unit_code=code, unit_name=name, path=path, parent_name=pname or "")
        for code, name, path, pname in rows
    ]


def _names_by_path(session: Session, county_code: str, kind: UnitKind) -> dict[str, str]:
    rows = session.execute(select(Unit.path, Unit.name).where(Unit.county_code == county_code, Unit.kind == kind.value))
    return dict(rows.tuples().all())


@dataclass
class Context:
    session: Session
    county_code: str
    level: Level
    subjects: Sequence[Subject]
    start: datetime  # the period's first moment (UTC)
    end: datetime  # the first moment after it
    first_day: date  # local dates, both included
    last_day: date
    as_of: datetime  # min(now, end): what is due is judged at this moment
    _workers: list[Worker] | None = None
    _paths: dict[str, str] = field(default_factory=dict)
    _lengths: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._paths = {s.path: s.key for s in self.subjects if s.staff_id is None}
        self._lengths = sorted({len(p) for p in self._paths})

    @property
    def by_worker(self) -> bool:
        return self.level is Level.WORKER

    def unit_of(self, path: str | None) -> str | None:
        """The subject whose territory holds ``path`` (None: outside every subject, e.g. placed above them)."""
        if not path:
            return None
        for n in self._lengths:
            key = self._paths.get(path[:n])
            if key is not None:
                return key
        return None

    def workers(self) -> list[Worker]:
        if self._workers is None:
            self._workers = grid_workers(self.session, self.county_code)
        return self._workers

    def worker_units(self) -> dict[int, str | None]:
        """Each grid worker's subject: themselves (worker level) or the unit holding their grid."""
        if self.by_worker:
            return {w.staff_id: worker_key(w.staff_id) for w in self.workers()}
        return {w.staff_id: self.unit_of(w.grid_path) for w in self.workers()}

    def workers_per_subject(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for key in self.worker_units().values():
            if key is not None:
                counts[key] += 1
        return counts


Measure = Callable[[Context], dict[str, Raw]]
_MEASURES: dict[str, Measure] = {}


def measure(code: str) -> Callable[[Measure], Measure]:
    def register(fn: Measure) -> Measure:
        _MEASURES[code] = fn
        return fn

    return register


def measure_all(context: Context, sources: Iterable[str]) -> dict[str, dict[str, Raw]]:
    """``{subject key: {source: Raw}}`` for every subject of the context (a source with nothing measured for a
    subject is absent: no score)."""
    out: dict[str, dict[str, Raw]] = {s.key: {} for s in context.subjects}
    wanted = list(sources)
    metric_codes = [s.removeprefix(METRIC_PREFIX) for s in wanted if s.startswith(METRIC_PREFIX)]
    if metric_codes:
        for key, values in _metric_rates(context, metric_codes).items():
            if key in out:
                out[key].update(values)
    for source in wanted:
        if source.startswith(METRIC_PREFIX):
            continue
        for key, raw in _MEASURES[source](context).items():
            if key in out:
                out[key][source] = raw
    return out


def _ratios(pairs: Mapping[str, list[int]], *, scale: float = 1.0) -> dict[str, Raw]:
    return {key: Raw.ratio(n, d, scale=scale) for key, (n, d) in pairs.items()}


def _tally(rows: Iterable[tuple[str | None, bool]]) -> dict[str, list[int]]:
    """(subject key, hit) rows → {key: [hits, total]}."""
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for key, hit in rows:
        if key is None:
            continue
        out[key][1] += 1
        if hit:
            out[key][0] += 1
    return out


# --- the metrics' rates ----------------------------------------------------------------------------------------------


def _metric_rates(context: Context, codes: list[str]) -> dict[str, dict[str, Raw]]:
    county = context.session.scalars(
        select(Unit).where(Unit.county_code == context.county_code, Unit.kind == UnitKind.COUNTY.value)
    ).one()
    if context.level is Level.COUNTY:
        found = {county.code: rates.unit_rates(session=context.session, unit=county, names=codes, **_days(context))}
    else:
        found = rates.rates_by(
            session=context.session, unit=county, by=context.level.value, names=codes, **_days(context)
        )
    return {
        key: {f"{METRIC_PREFIX}{code}": Raw.ratio(r.numerator, r.denominator) for code, r in values.items()}
        for key, values in found.items()
    }


def _days(context: Context) -> dict[str, Any]:
    return {"start": context.first_day, "end": context.last_day}


# --- grid workers' activity -----------------------------------------------------------------------------------------


def _counted_events(context: Context) -> Any:
    return (
        Event.county_code == context.county_code,
        Event.registered_at >= context.start,
        Event.registered_at < context.end,
        Event.status.not_in(_NOT_COUNTED),
    )


@measure("patrol_reports")
def patrol_reports(context: Context) -> dict[str, Raw]:
    where = (*_counted_events(context), Event.channel == Channel.GRID_PATROL.value)
    if context.by_worker:
        ids = {w.staff_id for w in context.workers()}
        rows = context.session.execute(
            select(Event.created_by_id, func.count()).where(*where).group_by(Event.created_by_id)
        )
        counts = {worker_key(sid): n for sid, n in rows if sid in ids}
        return {worker_key(sid): Raw.ratio(counts.get(worker_key(sid), 0), 1) for sid in ids}
    totals: dict[str, int] = defaultdict(int)
    for path, n in context.session.execute(
        select(Event.location_path, func.count()).where(*where).group_by(Event.location_path)
    ):
        key = context.unit_of(path)
        if key is not None:
            totals[key] += n
    workers = context.workers_per_subject()
    return {
        s.key: Raw.ratio(totals.get(s.key, 0), workers.get(s.key, 0), note=f"专职网格员 {workers.get(s.key, 0)} 人")
        for s in context.subjects
    }


def _actions_per_worker(context: Context) -> dict[int, int]:
    grid_workers_ids = select(DutyAssignment.staff_id).where(
        DutyAssignment.county_code == context.county_code, DutyAssignment.role == DutyRole.GRID_WORKER.value
    )
    rows = context.session.execute(
        select(EventAction.actor_id, func.count())
        .where(
            EventAction.county_code == context.county_code,
            EventAction.at >= context.start,
            EventAction.at < context.end,
            EventAction.actor_id.in_(grid_workers_ids),
        )
        .group_by(EventAction.actor_id)
    )
    return {actor: n for actor, n in rows if actor is not None}


@measure("worker_actions")
def worker_actions(context: Context) -> dict[str, Raw]:
    per_worker = _actions_per_worker(context)
    totals: dict[str, int] = defaultdict(int)
    members: dict[str, int] = defaultdict(int)
    for staff_id, key in context.worker_units().items():
        if key is not None:
            totals[key] += per_worker.get(staff_id, 0)
            members[key] += 1
    return {
        key: Raw.ratio(totals[key], members[key], note=f"专职网格员 {members[key]} 人" if not context.by_worker else "")
        for key in members
    }


@measure("workload_balance")
def workload_balance(context: Context) -> dict[str, Raw]:
    per_worker = _actions_per_worker(context)
    groups: dict[str, list[int]] = defaultdict(list)
    for staff_id, key in context.worker_units().items():
        if key is not None:
            groups[key].append(per_worker.get(staff_id, 0))
    out: dict[str, Raw] = {}
    for key, counts in groups.items():
        mean = statistics.fmean(counts)
        shown = "/".join(str(c) for c in sorted(counts, reverse=True)[:12])
        note = f"专职网格员 {len(counts)} 人，操作数 {shown}{'…' if len(counts) > 12 else ''}"
        value = statistics.pstdev(counts) / mean if len(counts) >= 2 and mean > 0 else None
        out[key] = Raw(value, None, None, note)
    return out


@measure("staffing_rate")
def staffing_rate(context: Context) -> dict[str, Raw]:
    staffed = {w.grid_path for w in context.workers()}
    grids = context.session.scalars(
        select(Unit.path).where(Unit.county_code == context.county_code, Unit.kind == UnitKind.GRID.value)
    )
    return _ratios(_tally((context.unit_of(path), path in staffed) for path in grids))


# --- tasks ------------------------------------------------------------------------------------------------------------


def _task_rows(context: Context, *columns: Any, where: Sequence[Any]) -> list[Any]:
    return list(
        context.session.execute(
            select(Unit.path, EventTask.accepted_by_id, *columns)
            .select_from(EventTask)
            .join(Unit, Unit.id == EventTask.unit_id)
            .where(EventTask.county_code == context.county_code, *where)
        )
    )


def _task_subject(context: Context, path: str, accepted_by: int | None) -> str | None:
    if context.by_worker:
        return worker_key(accepted_by) if accepted_by is not None else None
    return context.unit_of(path)


def _only_known(context: Context, tallies: dict[str, list[int]]) -> dict[str, Raw]:
    keys = {s.key for s in context.subjects}
    return _ratios({k: v for k, v in tallies.items() if k in keys})


def _done_on_time(context: Context, done: Any, deadline: Any) -> dict[str, Raw]:
    """Tasks whose step was done in the month, by who did it: done by the step's deadline (none set: on time)."""
    rows = _task_rows(context, done, deadline, where=(done >= context.start, done < context.end))
    return _only_known(
        context,
        _tally((_task_subject(context, p, who), limit is None or at <= limit) for p, who, at, limit in rows),
    )


@measure("accept_on_time")
def accept_on_time(context: Context) -> dict[str, Raw]:
    return _done_on_time(context, EventTask.accepted_at, EventTask.accept_deadline)


@measure("report_back_on_time")
def report_back_on_time(context: Context) -> dict[str, Raw]:
    return _done_on_time(context, EventTask.reported_back_at, EventTask.handle_deadline)


@measure("task_overdue_rate")
def task_overdue_rate(context: Context) -> dict[str, Raw]:
    rows = _task_rows(
        context,
        EventTask.reported_back_at,
        EventTask.handle_deadline,
        where=(
            EventTask.handle_deadline >= context.start,
            EventTask.handle_deadline < context.as_of,
            EventTask.status.not_in((TaskStatus.WITHDRAWN.value, TaskStatus.RETURNED.value)),
        ),
    )
    return _only_known(
        context,
        _tally((_task_subject(context, p, who), back is None or back > deadline) for p, who, back, deadline in rows),
    )


@measure("task_return_rate")
def task_return_rate(context: Context) -> dict[str, Raw]:
    rows = context.session.execute(
        select(Unit.path, EventAction.actor_id, EventAction.action)
        .select_from(EventAction)
        .join(Unit, Unit.id == EventAction.actor_unit_id)
        .where(
            EventAction.county_code == context.county_code,
            EventAction.at >= context.start,
            EventAction.at < context.end,
            EventAction.action.in_((Action.ACCEPT.value, Action.RETURN.value)),
        )
    )
    return _only_known(
        context,
        _tally((_task_subject(context, p, who), action == Action.RETURN.value) for p, who, action in rows),
    )


# --- registers, warnings, alerts ------------------------------------------------------------------------------------


@measure("key_person_visits")
def key_person_visits(context: Context) -> dict[str, Raw]:
    visited = set(
        context.session.scalars(
            select(KeyPersonVisit.person_id).where(
                KeyPersonVisit.county_code == context.county_code,
                KeyPersonVisit.visited_on >= context.first_day,
                KeyPersonVisit.visited_on <= context.last_day,
            )
        )
    )
    rows = context.session.execute(
        select(KeyPerson.id, KeyPerson.unit_path, KeyPerson.responsible_staff_id).where(
            KeyPerson.county_code == context.county_code, KeyPerson.status == "active"
        )
    )
    if context.by_worker:
        tallies = _tally((worker_key(staff) if staff is not None else None, pid in visited) for pid, _, staff in rows)
    else:
        tallies = _tally((context.unit_of(path), pid in visited) for pid, path, _ in rows)
    return _only_known(context, tallies)


@measure("warning_ack_on_time")
def warning_ack_on_time(context: Context) -> dict[str, Raw]:
    rows = context.session.execute(
        select(Unit.path, RiskWarning.acknowledged_at, RiskWarning.ack_deadline, RiskWarning.escalations)
        .select_from(RiskWarning)
        .join(Unit, Unit.id == RiskWarning.first_unit_id)
        .where(
            RiskWarning.county_code == context.county_code,
            RiskWarning.created_at >= context.start,
            RiskWarning.created_at < context.end,
        )
    )
    return _only_known(
        context,
        _tally(
            (context.unit_of(path), at is not None and escalations == 0 and at <= deadline)
            for path, at, deadline, escalations in rows
        ),
    )


@measure("alert_arrival_on_time")
def alert_arrival_on_time(context: Context) -> dict[str, Raw]:
    rows = context.session.execute(
        select(AlertDispatch.location_path, AlertDispatch.arrived_at, AlertDispatch.arrived_late).where(
            AlertDispatch.county_code == context.county_code,
            AlertDispatch.dispatched_at >= context.start,
            AlertDispatch.dispatched_at < context.end,
            # Still running (not arrived, time not up): not judged yet.
            (AlertDispatch.arrived_at.is_not(None)) | (AlertDispatch.arrive_by <= context.as_of),
        )
    )
    return _only_known(
        context,
        _tally((context.unit_of(path), at is not None and not late) for path, at, late in rows),
    )


# --- citizens, supervision --------------------------------------------------------------------------------------------


def _events_by_subject(context: Context) -> dict[str, list[int]]:
    """Counted events registered in the period per subject: [by the citizen QR code, all]."""
    qr = func.sum(case((Event.channel == Channel.CITIZEN_QR.value, 1), else_=0))
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for path, n_qr, n in context.session.execute(
        select(Event.location_path, qr, func.count()).where(*_counted_events(context)).group_by(Event.location_path)
    ):
        key = context.unit_of(path)
        if key is not None:
            out[key][0] += int(n_qr or 0)
            out[key][1] += n
    return out


@measure("citizen_share")
def citizen_share(context: Context) -> dict[str, Raw]:
    return _only_known(context, _events_by_subject(context))


@measure("supervision_rate")
def supervision_rate(context: Context) -> dict[str, Raw]:
    events = _events_by_subject(context)
    pressed: dict[str, int] = defaultdict(int)
    for path, n in context.session.execute(
        select(Unit.path, func.count())
        .select_from(Supervision)
        .join(Unit, Unit.id == Supervision.target_unit_id)
        .where(
            and_(
                Supervision.county_code == context.county_code,
                Supervision.created_at >= context.start,
                Supervision.created_at < context.end,
            )
        )
        .group_by(Unit.path)
    ):
        key = context.unit_of(path)
        if key is not None:
            pressed[key] += n
    keys = {s.key for s in context.subjects}
    return {
        key: Raw.ratio(pressed.get(key, 0), events.get(key, [0, 0])[1], scale=100.0)
        for key in keys & (set(events) | set(pressed))
    }


def local_date(moment: datetime) -> date:
    return moment.astimezone(CHINA_TZ).date()
