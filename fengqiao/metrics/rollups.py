"""Keeping ``metric_facts`` and ``metric_rollups`` equal to what ``definitions.facts_of`` says of the events.

- ``refresh``: the incremental path — for a batch of marked events, subtract their stored facts from the rollups,
  add their current ones, replace the stored facts, drop the marks (run by the worker every few seconds).
- ``pending``: the same difference for the events still marked, without writing: reads add it, so figures are exact
  even before the worker got to a change.
- ``rebuild``: everything again from the events (facts in Python, rollups summed from them in SQL).
- ``check``: stored facts == recomputed facts, and rollups == sums of stored facts (the tests' invariant).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    Date,
    MetaData,
    SmallInteger,
    String,
    Table,
    case,
    delete,
    func,
    insert,
    literal,
    select,
    tuple_,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from fengqiao.duty.models import DutyAssignment
from fengqiao.duty.roles import DutyRole
from fengqiao.events.kinds import HandlingLevel
from fengqiao.events.models import Callback, Event, EventAction
from fengqiao.jurisdiction.kinds import UnitKind
from fengqiao.jurisdiction.models import Unit
from fengqiao.metrics.definitions import DIMENSIONS, Fact, FactContext, facts_of
from fengqiao.metrics.models import COUNTERS, FLAG_COUNTERS, MetricDirty, MetricFact, MetricRollup

# The rollups hold county, town and village rows; grids are summed from the facts (a grid has few events, and a
# grid level would make the rollup about as large as the events table).
ROLLUP_DEPTHS = 3
_CHUNK = 1000  # ids per IN (...) list
# The handling level of a unit that owns an event not yet dispatched (the same ladder as events.actions).
UNIT_LEVELS: dict[str, str] = {
    UnitKind.GRID.value: HandlingLevel.GRID.value,
    UnitKind.VILLAGE.value: HandlingLevel.VILLAGE.value,
    UnitKind.TOWN.value: HandlingLevel.TOWN.value,
    UnitKind.JOINT_STATION.value: HandlingLevel.TOWN.value,
    UnitKind.POLICE_STATION.value: HandlingLevel.TOWN.value,
    UnitKind.COUNTY.value: HandlingLevel.COUNTY.value,
    UnitKind.DEPARTMENT.value: HandlingLevel.COUNTY.value,
}
_FACT_FIELDS = [f.name for f in fields(Fact)]
_FACTS_TABLE = cast(Table, MetricFact.__table__)

RollupKey = tuple[str, str, str, date, str, str, int]  # county, dimension, parent_path, day, path, value, depth


# --- pure mapping of facts to rollup rows -------------------------------------------------------------------------


def ancestors(path: str, depths: int = ROLLUP_DEPTHS) -> list[tuple[int, str, str]]:
    """(depth, parent path, path) of the units a location path lies in, from the county down, at most ``depths``."""
    out: list[tuple[int, str, str]] = []
    parent = current = ""
    for depth, code in enumerate(c for c in path.split("/") if c):
        if depth >= depths:
            break
        current = f"{current}{code}/"
        out.append((depth, parent, current))
        parent = current
    return out


def rollup_deltas(signed: Iterable[tuple[int, Fact]]) -> dict[RollupKey, list[int]]:
    """What adding (+1) or removing (−1) facts does to the rollup rows."""
    deltas: dict[RollupKey, list[int]] = {}
    for sign, fact in signed:
        vector = [sign * v for v in fact.vector()]
        for depth, parent, path in ancestors(fact.path):
            for dimension in DIMENSIONS:
                key = (fact.county_code, dimension, parent, fact.day, path, fact.attribute(dimension), depth)
                row = deltas.get(key)
                if row is None:
                    deltas[key] = list(vector)
                else:
                    for i, v in enumerate(vector):
                        row[i] += v
    return deltas


# --- reading events and facts ------------------------------------------------------------------------------------


class EventRow(NamedTuple):
    id: int
    county_code: str
    registered_at: datetime
    closed_at: datetime | None
    location_path: str
    category: str | None
    channel: str
    status: str
    level: str | None
    owner_unit_id: int
    is_dispute: bool


class ActionRow(NamedTuple):
    action: str
    actor_id: int | None
    data: dict[str, Any] | None


class CallbackRow(NamedTuple):
    at: datetime
    satisfaction: str


_EVENT_COLUMNS = (
    Event.id,
    Event.county_code,
    Event.registered_at,
    Event.closed_at,
    Event.location_path,
    Event.category,
    Event.channel,
    Event.status,
    Event.level,
    Event.owner_unit_id,
    Event.is_dispute,
)


def _chunks(ids: Sequence[int], size: int = _CHUNK) -> Iterator[Sequence[int]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


class Contexts:
    """``FactContext`` per county, loaded once per use."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._loaded: dict[str, FactContext] = {}

    def get(self, county_code: str) -> FactContext:
        context = self._loaded.get(county_code)
        if context is None:
            units = self._session.execute(select(Unit.id, Unit.kind).where(Unit.county_code == county_code))
            heads = self._session.scalars(
                select(DutyAssignment.staff_id).where(
                    DutyAssignment.county_code == county_code, DutyAssignment.role == DutyRole.VILLAGE_HEAD.value
                )
            )
            context = FactContext(
                unit_levels={i: UNIT_LEVELS[k] for i, k in units if k in UNIT_LEVELS},
                village_heads=frozenset(heads),
            )
            self._loaded[county_code] = context
        return context


def current_facts(session: Session, event_ids: Sequence[int], contexts: Contexts) -> dict[int, list[Fact]]:
    """What ``facts_of`` says of these events now; an event that no longer exists has no facts."""
    out: dict[int, list[Fact]] = {}
    for chunk in _chunks(sorted(set(event_ids))):
        out.update(_facts_where(session, contexts, Event.id.in_(chunk), EventAction.event_id.in_(chunk),
                                Callback.event_id.in_(chunk)))  # fmt: skip
    return out


def range_facts(session: Session, first: int, last: int, contexts: Contexts) -> dict[int, list[Fact]]:
    """``current_facts`` of the events with ids in [first, last] — one range read per table (for rebuilds)."""
    return _facts_where(
        session,
        contexts,
        Event.id.between(first, last),
        EventAction.event_id.between(first, last),
        Callback.event_id.between(first, last),
    )


def _facts_where(
    session: Session,
    contexts: Contexts,
    events_where: ColumnElement[bool],
    actions_where: ColumnElement[bool],
    callbacks_where: ColumnElement[bool],
) -> dict[int, list[Fact]]:
    events = [EventRow(*r) for r in session.execute(select(*_EVENT_COLUMNS).where(events_where))]
    if not events:
        return {}
    actions: dict[int, list[ActionRow]] = defaultdict(list)
    for event_id, *rest in session.execute(
        select(EventAction.event_id, EventAction.action, EventAction.actor_id, EventAction.data)
        .where(actions_where)
        .order_by(EventAction.event_id, EventAction.at, EventAction.id)
    ):
        actions[event_id].append(ActionRow(*rest))
    callbacks: dict[int, list[CallbackRow]] = defaultdict(list)
    for event_id, at, satisfaction in session.execute(
        select(Callback.event_id, Callback.at, Callback.satisfaction)
        .where(callbacks_where)
        .order_by(Callback.event_id, Callback.at, Callback.id)
    ):
        callbacks[event_id].append(CallbackRow(at, satisfaction))
    return {
        e.id: facts_of(e, actions.get(e.id, []), callbacks.get(e.id, []), contexts.get(e.county_code)) for e in events
    }


def stored_facts(session: Session, event_ids: Sequence[int]) -> dict[int, list[Fact]]:
    out: dict[int, list[Fact]] = defaultdict(list)
    columns = [getattr(MetricFact, name) for name in _FACT_FIELDS]
    for chunk in _chunks(sorted(set(event_ids))):
        for row in session.execute(
            select(*columns).where(MetricFact.event_id.in_(chunk)).order_by(MetricFact.event_id, MetricFact.part)
        ):
            out[row.event_id].append(Fact(*row))
    return dict(out)


def _fact_rows(facts: Iterable[Fact]) -> list[dict[str, Any]]:
    return [
        {
            "event_id": f.event_id,
            "part": f.part,
            "county_code": f.county_code,
            "day": f.day,
            "path": f.path,
            "category": f.category,
            "channel": f.channel,
            "level": f.level,
            "flags": f.flags,
            "handling_seconds": f.handling_seconds,
            "callbacks": f.callbacks,
            "satisfied": f.satisfied,
        }
        for f in facts
    ]


def _insert_facts(session: Session, facts: Iterable[Fact]) -> None:
    """Core executemany on the table: the ORM's bulk path costs more than the rows for millions of facts."""
    rows = _fact_rows(facts)
    if rows:
        session.connection().execute(insert(_FACTS_TABLE), rows)


# --- writing -----------------------------------------------------------------------------------------------------


def apply_deltas(session: Session, deltas: dict[RollupKey, list[int]]) -> None:
    """Add the deltas to the rollup rows (creating missing ones). Keys in sorted order, so two workers updating
    overlapping rows lock them in the same order and cannot deadlock."""
    if not deltas:
        return
    connection = session.connection()
    dialect_insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    stmt = dialect_insert(MetricRollup)
    stmt = stmt.on_conflict_do_update(
        index_elements=["county_code", "dimension", "parent_path", "day", "path", "value"],
        set_={name: getattr(MetricRollup, name) + stmt.excluded[name] for name in COUNTERS},
    )
    rows = []
    for key in sorted(deltas):
        vector = deltas[key]
        if not any(vector):
            continue
        county, dimension, parent, day, path, value, depth = key
        row: dict[str, Any] = {
            "county_code": county,
            "dimension": dimension,
            "parent_path": parent,
            "day": day,
            "path": path,
            "value": value,
            "depth": depth,
        }
        row.update(zip(COUNTERS, vector, strict=True))
        rows.append(row)
    for i in range(0, len(rows), 2000):
        connection.execute(stmt, rows[i : i + 2000])


def refresh(session: Session, *, limit: int = 2000) -> int:
    """Fold up to ``limit`` marked events into facts and rollups; returns how many. Never commits. On PostgreSQL the
    marks are taken with SKIP LOCKED, so several workers share the backlog; a mark changed meanwhile stays."""
    query = select(MetricDirty.event_id, MetricDirty.mark).order_by(MetricDirty.event_id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    marks = session.execute(query).all()
    if not marks:
        return 0
    ids = [event_id for event_id, _ in marks]
    old = stored_facts(session, ids)
    new = current_facts(session, ids, Contexts(session))
    signed = [(-1, f) for facts in old.values() for f in facts] + [(1, f) for facts in new.values() for f in facts]
    apply_deltas(session, rollup_deltas(signed))
    for chunk in _chunks(ids):
        session.execute(delete(MetricFact).where(MetricFact.event_id.in_(chunk)))
    _insert_facts(session, (f for facts in new.values() for f in facts))
    session.execute(
        delete(MetricDirty).where(
            tuple_(MetricDirty.event_id, MetricDirty.mark).in_([(event_id, mark) for event_id, mark in marks])
        )
    )
    return len(marks)


def refresh_all(session: Session, *, batch: int = 2000) -> int:
    total = 0
    while n := refresh(session, limit=batch):
        total += n
    return total


@dataclass(frozen=True)
class Pending:
    """The difference the events still marked make: their stored facts to take out (−1), current ones to add."""

    signed: list[tuple[int, Fact]]

    @property
    def events(self) -> int:
        return len({f.event_id for _, f in self.signed})


def pending(session: Session, *, county_code: str) -> Pending:
    ids = list(session.scalars(select(MetricDirty.event_id).where(MetricDirty.county_code == county_code)))
    if not ids:
        return Pending([])
    old = stored_facts(session, ids)
    new = current_facts(session, ids, Contexts(session))
    return Pending([(-1, f) for fs in old.values() for f in fs] + [(1, f) for fs in new.values() for f in fs])


# --- rebuild and check ------------------------------------------------------------------------------------------


def _flag_sum(name: str) -> ColumnElement[int]:
    bit = 1 << FLAG_COUNTERS.index(name)
    return func.sum(case((MetricFact.flags.op("&")(bit) != 0, 1), else_=0))


def fact_sums(names: Sequence[str] = COUNTERS) -> list[ColumnElement[int]]:
    """The counters ``names`` summed over fact rows (the SQL twin of ``Fact.vector``)."""
    return [
        (_flag_sum(name) if name in FLAG_COUNTERS else func.sum(getattr(MetricFact, name))).label(name)
        for name in names
    ]


def rebuild(
    session: Session,
    *,
    county_code: str | None = None,
    chunk: int = 20_000,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Recompute facts and rollups from the events (of one county, or all). Returns the number of events. The caller
    commits; for millions of events, call it on a session of its own."""
    for table in (MetricRollup, MetricFact, MetricDirty):
        stmt = delete(table)
        if county_code is not None:
            stmt = stmt.where(table.county_code == county_code)
        session.execute(stmt)
    in_county = [Event.county_code == county_code] if county_code is not None else []
    total = session.scalar(select(func.count()).select_from(Event).where(*in_county)) or 0
    contexts = Contexts(session)
    done = 0
    last = 0
    while True:
        ids = list(session.scalars(select(Event.id).where(Event.id > last, *in_county).order_by(Event.id).limit(chunk)))
        if not ids:
            break
        facts = range_facts(session, ids[0], ids[-1], contexts)
        if county_code is not None:
            facts = {i: fs for i, fs in facts.items() if fs[0].county_code == county_code}
        _insert_facts(session, (f for fs in facts.values() for f in fs))
        last = ids[-1]
        done += len(ids)
        if progress:
            progress(done, total)
    _sum_rollups(session, county_code=county_code)
    return done


def _sum_rollups(session: Session, *, county_code: str | None) -> None:
    """INSERT … SELECT the rollups from the facts, in two steps so the big table is read once per dimension: facts
    summed per (deepest rollup unit, day, value) into a scratch table, then those cells summed into every unit they
    lie in. Which unit a path lies in comes from ``ancestors``, the mapping the incremental path uses."""
    in_county = [MetricFact.county_code == county_code] if county_code is not None else []
    connection = session.connection()
    paths = connection.execute(select(MetricFact.path).where(*in_county).distinct()).scalars().all()
    scratch = MetaData()
    leaves = Table(
        "metric_rebuild_leaves",
        scratch,
        Column("path", String(160), primary_key=True),  # keyed: the join looks every fact's path up
        Column("leaf", String(160)),
        prefixes=["TEMPORARY"],
    )
    links = Table(
        "metric_rebuild_links",
        scratch,
        Column("leaf", String(160), primary_key=True),
        Column("depth", SmallInteger, primary_key=True),
        Column("parent_path", String(160)),
        Column("unit_path", String(160)),
        prefixes=["TEMPORARY"],
    )
    cells = Table(
        "metric_rebuild_cells",
        scratch,
        Column("county_code", String(6)),
        Column("leaf", String(160)),
        Column("day", Date),
        Column("value", String(32)),
        *(Column(name, BigInteger) for name in COUNTERS),
        prefixes=["TEMPORARY"],
    )
    for table in (leaves, links, cells):
        table.drop(connection, checkfirst=True)
        table.create(connection)
    chains = {p: ancestors(p) for p in paths}
    leaf_rows = [{"path": p, "leaf": chain[-1][2]} for p, chain in chains.items() if chain]
    link_rows = {(chain[-1][2], d, parent, unit) for chain in chains.values() if chain for d, parent, unit in chain}
    if leaf_rows:
        connection.execute(insert(leaves), leaf_rows)
        connection.execute(
            insert(links), [{"leaf": lf, "depth": d, "parent_path": p, "unit_path": u} for lf, d, p, u in link_rows]
        )
    # A whole rebuild writes every row: the secondary indexes are cheaper built once afterwards than kept up per row.
    secondary = list(cast(Table, MetricRollup.__table__).indexes) if county_code is None else []
    for index in secondary:
        index.drop(connection)
    for dimension in DIMENSIONS:
        connection.execute(delete(cells))
        value = getattr(MetricFact, dimension)
        connection.execute(
            insert(cells).from_select(
                ["county_code", "leaf", "day", "value", *COUNTERS],
                select(MetricFact.county_code, leaves.c.leaf, MetricFact.day, value, *fact_sums())
                .join(leaves, leaves.c.path == MetricFact.path)
                .where(*in_county)
                .group_by(MetricFact.county_code, leaves.c.leaf, MetricFact.day, value),
            )
        )
        group = (cells.c.county_code, links.c.parent_path, cells.c.day, links.c.unit_path, cells.c.value, links.c.depth)
        connection.execute(
            insert(MetricRollup).from_select(
                ["county_code", "dimension", "parent_path", "day", "path", "value", "depth", *COUNTERS],
                select(
                    cells.c.county_code,
                    literal(dimension),
                    links.c.parent_path,
                    cells.c.day,
                    links.c.unit_path,
                    cells.c.value,
                    links.c.depth,
                    *(func.sum(cells.c[name]) for name in COUNTERS),
                )
                .join(links, links.c.leaf == cells.c.leaf)
                .group_by(*group),
            )
        )
    for index in secondary:
        index.create(connection)
    for table in (cells, links, leaves):
        table.drop(connection)


def check(session: Session, *, county_code: str | None = None) -> list[str]:
    """Differences between what is stored and what the events say (empty: consistent). Events still marked are
    compared after their pending difference, as reads see them. Reads everything: for tests and small counties."""
    in_county = [Event.county_code == county_code] if county_code is not None else []
    problems: list[str] = []
    ids = list(session.scalars(select(Event.id).where(*in_county).order_by(Event.id)))
    dirty = set(session.scalars(select(MetricDirty.event_id)))
    stored = stored_facts(session, list(set(ids) | dirty))
    current = current_facts(session, ids, Contexts(session))
    for event_id in sorted(set(stored) | set(current)):
        if event_id in dirty:
            continue
        if stored.get(event_id, []) != current.get(event_id, []):
            problems.append(f"event {event_id}: facts {stored.get(event_id)} != {current.get(event_id)}")
    expected = rollup_deltas((1, f) for event_id, fs in stored.items() for f in fs)
    columns = [getattr(MetricRollup, n) for n in ("county_code", "dimension", "parent_path", "day", "path", "value")]
    found: dict[RollupKey, list[int]] = {}
    rollup_filter = [MetricRollup.county_code == county_code] if county_code is not None else []
    for row in session.execute(
        select(*columns, MetricRollup.depth, *(getattr(MetricRollup, n) for n in COUNTERS)).where(*rollup_filter)
    ):
        key: RollupKey = tuple(row[:7])
        found[key] = list(row[7:])
    for key in sorted(set(expected) | set(found)):
        want = expected.get(key, [0] * len(COUNTERS))
        have = found.get(key, [0] * len(COUNTERS))
        if want != have:
            problems.append(f"rollup {key}: {have} != {want}")
    return problems
