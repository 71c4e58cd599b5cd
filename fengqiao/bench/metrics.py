"""`fengqiao bench metrics` — the cockpit's metric queries at millions of events: rollups against a plain GROUP BY.

A database (temporary SQLite by default, or ``--database-url``, which must be empty) gets a synthetic county — 16
towns × 20 villages × 3 grids — and N events spread over a year, inserted in bulk with a share of timeline entries
(mediations, returns, overdue steps, failed reviews) and callbacks. ``fengqiao.metrics.rollups.rebuild`` then
builds the facts and rollups (timed). Each cockpit query is timed through ``metrics.service`` (p50/p99 over
``--repeat`` runs) and, in the same run, as the plain GROUP BY over the events table that would answer it without
rollups (``--baseline-repeat`` runs); both answers are compared where they count the same thing.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlalchemy import Engine, and_, func, insert, select, text
from sqlalchemy.orm import Session

from fengqiao.core.clock import CHINA_TZ
from fengqiao.db import migrate
from fengqiao.db.engine import for_writing, make_engine
from fengqiao.events.kinds import Channel, EventStatus, HandlingLevel, Satisfaction
from fengqiao.events.models import Callback, Event, EventAction
from fengqiao.jurisdiction.kinds import UnitKind
from fengqiao.jurisdiction.models import Unit
from fengqiao.metrics import rollups, service

console = Console(width=None if sys.stdout.isatty() else 130)

COUNTY = "331081"
NOW = datetime(2026, 11, 1, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
SPAN_DAYS = 365
TOWNS, VILLAGES, GRIDS = 16, 20, 3
_CHUNK = 20_000
CATEGORIES = (
    "neighbour",
    "labour",
    "property",
    "land",
    "family",
    "consumer",
    "traffic",
    "environment",
    "construction",
    "tenancy",
    "medical",
    "contract",
    "village_affairs",
    "safety",
    "petition",
    "other",
)
_CATEGORY_WEIGHTS = (20, 12, 10, 8, 8, 7, 6, 6, 5, 4, 3, 3, 3, 2, 1, 1)
_CHANNELS = tuple(Channel)
_CHANNEL_WEIGHTS = (10, 25, 10, 4, 6, 30, 3, 8, 4)
_LEVELS = (HandlingLevel.GRID, HandlingLevel.VILLAGE, HandlingLevel.TOWN, HandlingLevel.COUNTY)
_LEVEL_WEIGHTS = (40, 33, 26, 1)
_OPEN = (EventStatus.DISPATCHED, EventStatus.ACCEPTED, EventStatus.HANDLING, EventStatus.REPORTED_BACK)


@dataclass(frozen=True)
class Place:
    unit_id: int
    path: str
    town_id: int


def build_county(session: Session) -> list[Place]:
    """The unit tree, inserted with explicit ids; returns the grids (where events lie)."""
    rows: list[dict[str, Any]] = []
    grids: list[Place] = []
    next_id = 1

    def unit(code: str, name: str, kind: UnitKind, level: int, parent: int | None, path: str) -> int:
        nonlocal next_id
        uid = next_id
        next_id += 1
        rows.append(
            {
                "id": uid,
                "county_code": COUNTY,
                "code": code,
                "name": name,
                "kind": kind.value,
                "level": level,
                "parent_id": parent,
                "path": path,
            }
        )
        return uid

    county = unit(COUNTY, "温岭市", UnitKind.COUNTY, 0, None, f"{COUNTY}/")
    for t in range(TOWNS):
        town_code = f"{COUNTY}{100 + t:03d}"
        town_path = f"{COUNTY}/{town_code}/"
        town = unit(town_code, f"镇{t + 1}", UnitKind.TOWN, 1, county, town_path)
        for v in range(VILLAGES):
            village_code = f"{town_code}{200 + v:03d}"
            village_path = f"{town_path}{village_code}/"
            village = unit(village_code, f"村{t + 1}-{v + 1}", UnitKind.VILLAGE, 2, town, village_path)
            for g in range(GRIDS):
                grid_code = f"{village_code}{g + 1:03d}"
                grid_path = f"{village_path}{grid_code}/"
                grids.append(
                    Place(
                        unit(grid_code, f"网格{grid_code[-7:]}", UnitKind.GRID, 3, village, grid_path), grid_path, town
                    )
                )
    session.execute(insert(Unit), rows)
    return grids


def insert_events(
    engine: Engine, *, grids: list[Place], count: int, rng: random.Random, advance: Callable[[int], None]
) -> tuple[int, int]:
    """N events over the year before NOW, with timeline entries and callbacks; returns (actions, callbacks)."""
    start = NOW - timedelta(days=SPAN_DAYS)
    span = SPAN_DAYS * 86400
    n_actions = n_callbacks = 0
    for first in range(1, count + 1, _CHUNK):
        events: list[dict[str, Any]] = []
        actions: list[dict[str, Any]] = []
        callbacks: list[dict[str, Any]] = []
        for event_id in range(first, min(first + _CHUNK, count + 1)):
            place = grids[rng.randrange(len(grids))]
            registered = start + timedelta(seconds=rng.randrange(span))
            roll = rng.random()
            if roll < 0.04:
                status = EventStatus.MERGED
            elif roll < 0.07:
                status = EventStatus.VOIDED
            elif roll < 0.82 and registered < NOW - timedelta(days=2):
                status = EventStatus.CLOSED
            else:
                status = rng.choice(_OPEN)
            closed_at = registered + timedelta(hours=rng.uniform(1, 240)) if status == EventStatus.CLOSED else None
            dispute = rng.random() < 0.6
            channel = rng.choices(_CHANNELS, _CHANNEL_WEIGHTS)[0]
            level = rng.choices(_LEVELS, _LEVEL_WEIGHTS)[0]
            events.append(
                {
                    "id": event_id,
                    "county_code": COUNTY,
                    "dispute_code": f"B{event_id:015d}",
                    "channel": channel.value,
                    "title": "邻里纠纷",
                    "content": "楼上漏水至楼下，协商未果。",
                    "category": rng.choices(CATEGORIES, _CATEGORY_WEIGHTS)[0],
                    "is_dispute": dispute,
                    "is_sensitive": False,
                    "risk_level": "low",
                    "status": status.value,
                    "level": level.value,
                    "owner_unit_id": place.town_id,
                    "registered_unit_id": place.town_id,
                    "location_unit_id": place.unit_id,
                    "location_path": place.path,
                    "registered_at": registered,
                    "closed_at": closed_at,
                    "is_overdue": False,
                    "updated_at": closed_at or registered,
                    "version": 1,
                }
            )
            at = registered
            for action, share, data in (
                ("mediate", 0.25 if dispute else 0.0, {"mediation": {"outcome": "success"}}),
                ("return", 0.03, None),
                ("overdue", 0.05, {}),
                ("review_fail", 0.02, None),
            ):
                if rng.random() < share:
                    at += timedelta(hours=1)
                    if action == "mediate" and rng.random() < 0.1:
                        data = {"mediation": {"outcome": "failed"}}
                    actions.append(
                        {
                            "county_code": COUNTY,
                            "event_id": event_id,
                            "action": action,
                            "from_status": status.value,
                            "to_status": status.value,
                            "at": at,
                            "data": data,
                        }
                    )
            if closed_at is not None and rng.random() < 0.3:
                verdict = Satisfaction.DISSATISFIED if rng.random() < 0.05 else Satisfaction.SATISFIED
                callbacks.append(
                    {
                        "county_code": COUNTY,
                        "event_id": event_id,
                        "satisfaction": verdict.value,
                        "method": "phone",
                        "at": min(closed_at + timedelta(hours=rng.uniform(1, 72)), NOW),
                    }
                )
        with engine.begin() as connection:
            connection.execute(insert(Event), events)
            if actions:
                connection.execute(insert(EventAction), actions)
            if callbacks:
                connection.execute(insert(Callback), callbacks)
        n_actions += len(actions)
        n_callbacks += len(callbacks)
        advance(len(events))
    return n_actions, n_callbacks


# --- the queries --------------------------------------------------------------------------------------------------


def _local_day(moment: datetime) -> date:
    return moment.astimezone(CHINA_TZ).date()


def _day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=CHINA_TZ)


@dataclass
class Query:
    name: str
    rollup: Callable[[Session], dict[Any, tuple[int, int]]]
    baseline: Callable[[Session], dict[Any, tuple[int, int]]]


def _service(
    unit: Unit, metric: str, start: date, end: date, by: tuple[str, ...]
) -> Callable[[Session], dict[Any, tuple[int, int]]]:
    def run(session: Session) -> dict[Any, tuple[int, int]]:
        rows = service.compute(session=session, unit=unit, metric=metric, start=start, end=end, by=by)
        return {tuple(r.group.values()): (r.numerator, r.denominator or 0) for r in rows}

    return run


def _cut(unit_depth: int) -> Any:
    """The event path cut after the unit at ``unit_depth`` (fixed code lengths: 6, 9, 12)."""
    return func.substr(Event.location_path, 1, {1: 17, 2: 30}[unit_depth])


def _local_date(session: Session, column: Any) -> Any:
    """The China local date of a UTC moment, in SQL."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone("Asia/Shanghai", column))
    return func.date(column, "+8 hours")


def _baseline_resolution(
    unit: Unit, start: date, end: date, *, unit_depth: int | None, attribute: str | None, day: bool = False
) -> Callable[[Session], dict[Any, tuple[int, int]]]:
    """化解率 straight from the events: counted = neither merged nor voided, closed = status closed."""

    def run(session: Session) -> dict[Any, tuple[int, int]]:
        groups: list[Any] = []
        if unit_depth is not None:
            groups.append(_cut(unit_depth))
        if attribute is not None:
            groups.append(getattr(Event, attribute))
        if day:
            groups.append(_local_date(session, Event.registered_at))
        counted = func.count().filter(Event.status.not_in([EventStatus.MERGED.value, EventStatus.VOIDED.value]))
        closed = func.count().filter(Event.status == EventStatus.CLOSED.value)
        where = [
            Event.county_code == unit.county_code,
            Event.registered_at >= _day_start(start),
            Event.registered_at < _day_start(end + timedelta(days=1)),
        ]
        if unit.path != f"{COUNTY}/":
            where.append(and_(Event.location_path >= unit.path, Event.location_path < unit.path + "~"))
        rows = session.execute(select(*groups, closed, counted).where(*where).group_by(*groups)).all()
        out: dict[Any, tuple[int, int]] = {}
        for row in rows:
            key = tuple(_code(v) if i == 0 and unit_depth is not None else v for i, v in enumerate(row[: len(groups)]))
            out[key] = (int(row[-2]), int(row[-1]))
        return out

    return run


def _baseline_satisfaction(unit: Unit, start: date, end: date) -> Callable[[Session], dict[Any, tuple[int, int]]]:
    def run(session: Session) -> dict[Any, tuple[int, int]]:
        satisfied = func.count().filter(
            Callback.satisfaction.in_([Satisfaction.SATISFIED.value, Satisfaction.BASICALLY.value])
        )
        row = session.execute(
            select(satisfied, func.count())
            .select_from(Callback)
            .join(Event, Event.id == Callback.event_id)
            .where(
                Event.county_code == unit.county_code,
                Callback.at >= _day_start(start),
                Callback.at < _day_start(end + timedelta(days=1)),
            )
        ).one()
        return {(): (int(row[0]), int(row[1]))}

    return run


def _code(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]


def queries(session: Session) -> list[Query]:
    county = session.scalars(select(Unit).where(Unit.code == COUNTY)).one()
    town = session.scalars(select(Unit).where(Unit.code == f"{COUNTY}100")).one()
    end = _local_day(NOW)
    month = end - timedelta(days=29)
    year = end - timedelta(days=SPAN_DAYS)
    return [
        Query(
            "县 30天 化解率 按镇街×类别 / county 30 d resolution by town × category",
            _service(county, "resolution_rate", month, end, ("unit", "category")),
            _baseline_resolution(county, month, end, unit_depth=1, attribute="category"),
        ),
        Query(
            "县 30天 化解率 按渠道 / county 30 d resolution by channel",
            _service(county, "resolution_rate", month, end, ("channel",)),
            _baseline_resolution(county, month, end, unit_depth=None, attribute="channel"),
        ),
        Query(
            "县 30天 化解率 按处置层级 / county 30 d resolution by level",
            _service(county, "resolution_rate", month, end, ("level",)),
            _baseline_resolution(county, month, end, unit_depth=None, attribute="level"),
        ),
        Query(
            "镇 30天 化解率 按村社×类别 / town 30 d resolution by village × category",
            _service(town, "resolution_rate", month, end, ("unit", "category")),
            _baseline_resolution(town, month, end, unit_depth=2, attribute="category"),
        ),
        Query(
            "县 30天 满意率 / county 30 d satisfaction",
            _service(county, "satisfaction_rate", month, end, ()),
            _baseline_satisfaction(county, month, end),
        ),
        Query(
            "县 一年 化解率 按镇街×类别×日 / county 1 y resolution by town × category × day",
            _service(county, "resolution_rate", year, end, ("unit", "category", "day")),
            _baseline_resolution(county, year, end, unit_depth=1, attribute="category", day=True),
        ),
    ]


@dataclass
class QueryResult:
    name: str
    p50_ms: float
    p99_ms: float
    baseline_p50_ms: float
    baseline_p99_ms: float
    same: bool
    cpu_p50_ms: float = 0.0
    baseline_cpu_p50_ms: float = 0.0


@dataclass
class Report:
    dialect: str
    events: int
    insert_seconds: float = 0.0
    rebuild_seconds: float = 0.0
    facts: int = 0
    rollup_rows: int = 0
    queries: list[QueryResult] = field(default_factory=list)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _time(session: Session, run: Callable[[Session], Any], repeat: int) -> tuple[list[float], list[float], Any]:
    """``repeat`` timed runs after one untimed run that brings the pages read into the cache (for both sides).
    Returns wall-clock and this process's CPU milliseconds (on SQLite the query runs in-process, so CPU time is
    what the query costs whatever else the machine is doing)."""
    timings: list[float] = []
    cpu: list[float] = []
    result = run(session)
    session.rollback()
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = run(session)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        session.rollback()
    return timings, cpu, result


def _same(rollup: dict[Any, tuple[int, int]], baseline: dict[Any, tuple[int, int]]) -> bool:
    """Whether both answers count the same (the baseline's day keys are text on SQLite, dates elsewhere)."""

    def norm(d: dict[Any, tuple[int, int]]) -> dict[tuple[str, ...], tuple[int, int]]:
        return {tuple(str(k) for k in key): v for key, v in d.items() if v != (0, 0)}

    return norm(rollup) == norm(baseline)


@contextmanager
def _database(url: str | None) -> Iterator[str]:
    if url:
        yield url
        return
    with tempfile.TemporaryDirectory(prefix="fengqiao-bench-metrics-") as folder:
        yield f"sqlite:///{Path(folder) / 'bench.db'}"


def run(
    *, events: int, repeat: int, baseline_repeat: int, database_url: str | None, seed: int = 11, reuse: bool = False
) -> Report:
    rng = random.Random(seed)
    with _database(database_url) as url:
        engine = for_writing(make_engine(url))
        migrate.upgrade(engine)
        dialect = engine.dialect.name
        report = Report(dialect=dialect, events=events)
        console.print(f"数据库 / database: {dialect} · 事件 / events: {events:,}")
        with Session(engine) as session:
            existing = session.scalar(select(func.count()).select_from(Event)) or 0
            built = bool(session.scalar(text("SELECT count(*) FROM metric_facts")))
            if existing and not reuse:
                raise typer.BadParameter("数据库中已有事件，请使用空库或 --reuse / the database must be empty")
            if not existing:
                grids = build_county(session)
                session.commit()
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        if existing:
            report.events = existing
            console.print(f"沿用库中 {existing:,} 件事件 / reusing the events already there")
        else:
            _insert(engine, report, grids, rng, columns)
        if not (existing and built):
            _rebuild(engine, report, columns)
        _report_sizes(engine, report)
        _time_queries(engine, report, repeat=repeat, baseline_repeat=baseline_repeat)
    return report


def _insert(engine: Engine, report: Report, grids: list[Place], rng: random.Random, columns: Any) -> None:
    events = report.events
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("写入事件 / inserting events", total=events)
        started = time.perf_counter()
        n_actions, n_callbacks = insert_events(
            engine, grids=grids, count=events, rng=rng, advance=lambda n: progress.advance(task, n)
        )
        seconds = report.insert_seconds = time.perf_counter() - started
    console.print(
        f"写入 {events:,} 件事件、{n_actions:,} 条时间线、{n_callbacks:,} 次回访用时 {seconds:.0f} 秒 "
        f"({events / seconds:,.0f} 件/秒)"
    )


def _rebuild(engine: Engine, report: Report, columns: Any) -> None:
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    with Progress(*columns, console=console, transient=True) as progress, Session(engine) as session:
        task = progress.add_task("重算汇总 / rebuilding rollups", total=report.events)
        started = time.perf_counter()
        rollups.rebuild(session, progress=lambda done, total: progress.update(task, completed=done, total=total))
        session.commit()
        seconds = report.rebuild_seconds = time.perf_counter() - started
    console.print(f"重算事实与汇总用时 {seconds:.0f} 秒 / rebuilt facts and rollups in {seconds:.0f} s")


def _report_sizes(engine: Engine, report: Report) -> None:
    with Session(engine) as session:
        report.rollup_rows = session.scalar(text("SELECT count(*) FROM metric_rollups")) or 0
        report.facts = session.scalar(text("SELECT count(*) FROM metric_facts")) or 0
    console.print(
        f"事实 {report.facts:,} 行、汇总 {report.rollup_rows:,} 行 / {report.facts:,} facts, "
        f"{report.rollup_rows:,} rollup rows"
    )
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))


def _time_queries(engine: Engine, report: Report, *, repeat: int, baseline_repeat: int) -> None:
    table = Table(title=f"驾驶舱指标查询 / cockpit metric queries · {report.dialect} · {report.events:,} events (ms)")
    headers = ("查询 / query", "汇总 p50", "汇总 p99", "汇总 CPU p50", "GROUP BY p50", "GROUP BY p99", "CPU p50")
    for header in (*headers, "一致 / same"):
        table.add_column(header, justify="left" if header.startswith("查询") else "right")
    with Session(engine) as session:
        for query in queries(session):
            fast, fast_cpu, fast_result = _time(session, query.rollup, repeat)
            slow, slow_cpu, slow_result = _time(session, query.baseline, baseline_repeat)
            result = QueryResult(
                query.name,
                _percentile(fast, 0.5),
                _percentile(fast, 0.99),
                _percentile(slow, 0.5),
                _percentile(slow, 0.99),
                _same(fast_result, slow_result),
                _percentile(fast_cpu, 0.5),
                _percentile(slow_cpu, 0.5),
            )
            report.queries.append(result)
            table.add_row(
                query.name,
                f"{result.p50_ms:.1f}",
                f"{result.p99_ms:.1f}",
                f"{result.cpu_p50_ms:.1f}",
                f"{result.baseline_p50_ms:.0f}",
                f"{result.baseline_p99_ms:.0f}",
                f"{result.baseline_cpu_p50_ms:.0f}",
                "是" if result.same else "否",
            )
            console.print(f"  {query.name}: {result.p99_ms:.1f} ms vs {result.baseline_p99_ms:.0f} ms")
    console.print(table)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    console.print(f"负载 / load average (1 min): {load:.1f} on {os.cpu_count()} CPUs")
    console.print(
        f"汇总 p50/p99 取 {repeat} 次，GROUP BY 取 {baseline_repeat} 次，各先预热一次；“一致”比较两者的分子分母"
        "（处置层级按事件当前层级；“日”按北京时间）。"
    )


def metrics_command(
    events: int = typer.Option(1_000_000, "--events", min=1_000, max=20_000_000, help="合成事件数"),
    repeat: int = typer.Option(100, "--repeat", min=1, max=10_000, help="每个汇总查询的次数"),
    baseline_repeat: int = typer.Option(5, "--baseline-repeat", min=1, max=1_000, help="每个 GROUP BY 查询的次数"),
    seed: int = typer.Option(11, "--seed", help="随机种子"),
    database_url: str | None = typer.Option(
        None, "--database-url", help="在该空数据库中生成（如 PostgreSQL）；缺省为临时 SQLite 数据库"
    ),
    reuse: bool = typer.Option(False, "--reuse", help="沿用库中上次生成的事件与汇总，只计时查询"),
) -> None:
    """驾驶舱指标查询：百万、千万事件下由汇总表与直接 GROUP BY 事件表各自的 p50/p99（同次测得）。"""
    run(
        events=events,
        repeat=repeat,
        baseline_repeat=baseline_repeat,
        database_url=database_url,
        seed=seed,
        reuse=reuse,
    )
