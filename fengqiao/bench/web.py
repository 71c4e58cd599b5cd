"""`fengqiao bench web` — page data under load: the inbox and the cockpit endpoints with concurrent users.

A database with a small demo county and N events (registered in bulk through the triage pipeline, then given a
synthetic month of history: spread registration times, a share dispatched to one grid through the state machine, a
share closed with a callback), a real server (`fengqiao serve` in a subprocess), and C concurrent clients hitting one
endpoint at a time for D seconds each. Beside the endpoints, in the same run and at the same concurrency, the
baseline `/healthz` (one trivial query, no login; every ratio is to it) and `/api/v1/me` (the login lookup every
authenticated request pays).
"""

from __future__ import annotations

import asyncio
import logging
import random
import sys
import tempfile
import threading
import time
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table as RichTable
from sqlalchemy import Engine, Select, Table, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from fengqiao.accounts import service as accounts
from fengqiao.bench.processes import served
from fengqiao.core.clock import utcnow
from fengqiao.db import migrate
from fengqiao.db.engine import for_writing, make_engine
from fengqiao.demo.seeding import seed_demo_county, unit_count
from fengqiao.duty.models import DutyAssignment, Staff
from fengqiao.duty.roles import DutyRole
from fengqiao.events import actions, intake
from fengqiao.events.kinds import OPEN_STATUSES, Channel, EventStatus, Satisfaction
from fengqiao.events.lifecycle import Action
from fengqiao.events.models import Callback, Event
from fengqiao.jurisdiction.kinds import UnitKind
from fengqiao.jurisdiction.models import Unit
from fengqiao.metrics.live import local_day_start
from fengqiao.triage import pipeline

# Wide enough for the results table also when the output is piped (rich assumes 80 columns there).
console = Console(width=None if sys.stdout.isatty() else 120)
BATCH = 500
_CHANNELS = (
    (Channel.HOTLINE_12345, 40),
    (Channel.GRID_PATROL, 25),
    (Channel.FRONT_DESK, 12),
    (Channel.POLICE_110, 10),
    (Channel.CITY_MANAGEMENT, 8),
    (Channel.FIRST_PETITION, 3),
    (Channel.COURT, 2),
)
_TEXTS = (
    ("楼上漏水纠纷", "楼上卫生间漏水至楼下，协商未果，请求调处。"),
    ("拖欠工资", "某工地拖欠十余名工人工资三个月，工人情绪激动。"),
    ("噪音扰民", "夜间施工噪音扰民，影响周边居民休息。"),
    ("占道经营", "路口流动摊贩占道经营，影响通行。"),
    ("邻里土地纠纷", "两户村民因宅基地边界发生争执。"),
    ("停车纠纷", "小区业主因车位占用发生口角。"),
    ("油烟扰民", "楼下餐馆油烟直排，居民多次投诉。"),
    ("违章搭建", "村民在河道旁违章搭建棚屋。"),
    ("家庭矛盾", "夫妻因家庭琐事多次争吵，邻居反映。"),
    ("物业纠纷", "业主与物业公司因收费标准发生纠纷。"),
)


# --- the data -----------------------------------------------------------------------------------------------------


def _grids(session: Session) -> list[Unit]:
    return list(
        session.scalars(
            select(Unit).where(Unit.kind == UnitKind.GRID.value, Unit.centroid_lon.is_not(None)).order_by(Unit.code)
        )
    )


def _town_of(grid: Unit, towns: dict[str, Unit]) -> Unit:
    return towns[grid.path.split("/")[1]]


def seed_events(*, engine: Engine, count: int, seed: int = 20261122, now: datetime | None = None) -> int:
    """Register ``count`` events across the county through the triage pipeline, then spread them over the last 30
    days: a quarter today, about a third closed (most with a callback), a few flagged overdue, and up to 60 of the
    busiest grid's dispatched to it. Returns how many were created."""
    rng = random.Random(seed)
    now = now or utcnow()
    created: list[int] = []
    with Session(for_writing(engine)) as session:
        grids = _grids(session)
        towns = {u.code: u for u in session.scalars(select(Unit).where(Unit.kind == UnitKind.TOWN.value))}
        # A few grids carry most events, as real hot spots do: the map and the heat then have something to show.
        weights = [rng.paretovariate(1.2) for _ in grids]
        picks = rng.choices(grids, weights=weights, k=count)
        channels, channel_weights = zip(*_CHANNELS, strict=True)
        by_town: dict[str, list[intake.NewEvent]] = {}
        stamp = int(time.time())
        for i, grid in enumerate(picks):
            title, content = rng.choice(_TEXTS)
            span_lon = ((grid.max_lon or grid.centroid_lon or 0) - (grid.min_lon or grid.centroid_lon or 0)) * 0.2
            span_lat = ((grid.max_lat or grid.centroid_lat or 0) - (grid.min_lat or grid.centroid_lat or 0)) * 0.2
            new = intake.NewEvent(
                channel=rng.choices(channels, weights=channel_weights)[0],
                title=title,
                content=f"{content}（{grid.name}）",
                source_id=f"bench-{stamp}-{i}",
                unit_code=grid.code,
                lon=(grid.centroid_lon or 0) + rng.uniform(-span_lon, span_lon),
                lat=(grid.centroid_lat or 0) + rng.uniform(-span_lat, span_lat),
                reporter_name="陈先生",
                reporter_phone=f"138{rng.randrange(10**8):08d}",
            )
            by_town.setdefault(_town_of(grid, towns).code, []).append(new)
        for town_code, items in by_town.items():
            for start in range(0, len(items), BATCH):
                results = pipeline.register_many(
                    session=session, items=items[start : start + BATCH], registering_unit=towns[town_code]
                )
                created.extend(r.event_id for r in results if r.created and r.event_id is not None)
        session.commit()
        _history(session=session, rng=rng, ids=created, now=now)
        _dispatch_some(session=session, ids=created)
        session.commit()
    return len(created)


def _history(*, session: Session, rng: random.Random, ids: list[int], now: datetime) -> None:
    """Synthetic history, written directly: the state machine would take minutes for what a screen only counts."""
    table = Event.__table__
    assert isinstance(table, Table)
    today_start = local_day_start(now)
    rows = []
    callbacks: list[tuple[int, str, datetime]] = []
    for event_id in ids:
        at = rng.uniform(today_start.timestamp(), now.timestamp()) if rng.random() < 0.25 else None
        registered = (
            datetime.fromtimestamp(at, now.tzinfo) if at is not None else now - timedelta(days=rng.uniform(1, 29.5))
        )
        closed = at is None and rng.random() < 0.45
        rows.append(
            {
                "b_id": event_id,
                "b_at": registered,
                "b_status": EventStatus.CLOSED.value if closed else EventStatus.REGISTERED.value,
                "b_closed": min(registered + timedelta(hours=rng.uniform(2, 60)), now) if closed else None,
                "b_overdue": (not closed) and at is None and rng.random() < 0.2,
            }
        )
        if closed and rng.random() < 0.7:
            verdict = rng.choices(list(Satisfaction), weights=(80, 13, 7))[0]
            callbacks.append((event_id, verdict.value, min(registered + timedelta(hours=rng.uniform(61, 90)), now)))
    county_of = {
        row.id: row.county_code for row in session.execute(select(Event.id, Event.county_code).where(Event.id.in_(ids)))
    }
    session.execute(
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values(
            registered_at=bindparam("b_at"),
            status=bindparam("b_status"),
            closed_at=bindparam("b_closed"),
            is_overdue=bindparam("b_overdue"),
        ),
        rows,
    )
    if callbacks:
        session.execute(
            insert(Callback),
            [
                {"event_id": i, "satisfaction": v, "at": at, "county_code": county_of[i], "method": "phone"}
                for i, v, at in callbacks
            ],
        )


def _staffed_grids() -> Select[int]:
    return select(DutyAssignment.unit_id).where(DutyAssignment.role == DutyRole.GRID_WORKER.value)


def _dispatch_some(*, session: Session, ids: list[int], limit: int = 60) -> None:
    """Dispatch open events of the busiest grid to it (as the system would), so its grid worker has an inbox."""
    busiest = session.execute(
        select(Event.location_unit_id, func.count())
        .where(
            Event.id.in_(ids),
            Event.status == EventStatus.REGISTERED.value,
            Event.location_unit_id.in_(_staffed_grids()),
        )
        .group_by(Event.location_unit_id)
        .order_by(func.count().desc())
        .limit(1)
    ).first()
    if busiest is None:
        return
    grid = session.get(Unit, busiest[0])
    assert grid is not None
    open_ids = session.scalars(
        select(Event.id)
        .where(Event.location_unit_id == grid.id, Event.status == EventStatus.REGISTERED.value)
        .order_by(Event.id)
        .limit(limit)
    ).all()
    for event_id in open_ids:
        actions.perform(
            session=session,
            viewer=None,
            event_id=event_id,
            request=actions.ActionRequest(action=Action.DISPATCH, target_unit_code=grid.code),
        )


@dataclass(frozen=True)
class Logins:
    grid_worker: str
    town_dispatcher: str
    county_staff: str
    county_code: str
    town_code: str


def _staff_in(session: Session, role: DutyRole, unit_ids: list[int] | None = None) -> Staff:
    query = (
        select(Staff)
        .join(DutyAssignment, DutyAssignment.staff_id == Staff.id)
        .where(DutyAssignment.role == role.value, Staff.is_active.is_(True))
        .order_by(Staff.id)
        .limit(1)
    )
    if unit_ids is not None:
        query = query.where(DutyAssignment.unit_id.in_(unit_ids))
    staff = session.scalars(query).first()
    if staff is None:
        raise RuntimeError(f"no {role.value} on duty in the demo county")
    return staff


def issue_logins(engine: Engine) -> Logins:
    """Tokens for a grid worker of the grid with the most dispatched work, its town's dispatcher, the county staff."""
    with Session(for_writing(engine)) as session:
        open_statuses = [s.value for s in OPEN_STATUSES]
        grid_id = session.scalar(
            select(Event.location_unit_id)
            .where(
                Event.status.in_(open_statuses),
                Event.level.is_not(None),
                Event.location_unit_id.in_(_staffed_grids()),
            )
            .group_by(Event.location_unit_id)
            .order_by(func.count().desc())
            .limit(1)
        ) or session.scalar(_staffed_grids().order_by(DutyAssignment.unit_id).limit(1))
        grid = session.get(Unit, grid_id)
        assert grid is not None
        county_code, town_code = grid.path.split("/")[:2]
        town = session.scalars(select(Unit).where(Unit.code == town_code)).one()
        logins = Logins(
            grid_worker=accounts.issue_token(
                session=session, staff=_staff_in(session, DutyRole.GRID_WORKER, [grid.id])
            ),
            town_dispatcher=accounts.issue_token(
                session=session, staff=_staff_in(session, DutyRole.COMMAND_DISPATCHER, [town.id])
            ),
            county_staff=accounts.issue_token(session=session, staff=_staff_in(session, DutyRole.COUNTY_STAFF)),
            county_code=county_code,
            town_code=town_code,
        )
        session.commit()
    return logins


def prepare(engine: Engine, *, events: int) -> tuple[int, int]:
    """Migrate, seed a small demo county if the database has none, and top the events up to ``events``.
    Returns (events there before, events created)."""
    migrate.upgrade(engine)
    if not unit_count(engine):
        seed_demo_county(engine=engine, scale=0.01, seed=7)
    with Session(engine) as session:
        before = session.scalar(select(func.count()).select_from(Event)) or 0
    missing = max(events - before, 0)
    return before, seed_events(engine=engine, count=missing) if missing else 0


# --- the load --------------------------------------------------------------------------------------------------------


@dataclass
class Phase:
    label: str
    path: str
    token: str | None = None
    etag: bool = False  # send back the version tag, as the cockpit's polling does
    baseline: bool = False
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


async def _run_phase(
    base: str,
    phase: Phase,
    *,
    clients: int,
    seconds: float,
    progress: Progress,
    task: int,
    transport: httpx.AsyncBaseTransport | None = None,
) -> None:
    headers = {"Accept": "application/json"}
    if phase.token:
        headers["Authorization"] = f"Bearer {phase.token}"
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(
        base_url=base, headers=headers, limits=limits, timeout=60, transport=transport
    ) as client:
        if phase.etag:
            first = await client.get(phase.path)
            headers_304 = {"If-None-Match": first.headers.get("etag", "")}
        else:
            headers_304 = {}
        started = time.perf_counter()
        stop = started + seconds

        async def user() -> None:
            while time.perf_counter() < stop:
                t0 = time.perf_counter()
                response = await client.get(phase.path, headers=headers_304)
                phase.latencies.append((time.perf_counter() - t0) * 1000)
                phase.statuses[response.status_code] = phase.statuses.get(response.status_code, 0) + 1

        async def ticker() -> None:
            while time.perf_counter() < stop:
                progress.update(task, completed=min(time.perf_counter() - started, seconds))  # type: ignore[arg-type]
                await asyncio.sleep(0.2)

        await asyncio.gather(ticker(), *(user() for _ in range(clients)))
        phase.seconds = time.perf_counter() - started
        progress.update(task, completed=seconds)  # type: ignore[arg-type]


def load(
    base: str,
    phases: list[Phase],
    *,
    clients: int,
    seconds: float,
    transport: httpx.AsyncBaseTransport | None = None,
) -> None:
    """Each phase in turn: ``clients`` users requesting its path back to back for ``seconds``."""
    columns = (TextColumn("{task.description}"), BarColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        tasks = [progress.add_task(p.label, total=seconds) for p in phases]
        for phase, task in zip(phases, tasks, strict=True):
            _run_loop(
                _run_phase(
                    base, phase, clients=clients, seconds=seconds, progress=progress, task=task, transport=transport
                )
            )


def _run_loop(work: Coroutine[Any, Any, None]) -> None:
    """``asyncio.run`` in a thread of its own: the caller's thread may already run an event loop (a test process
    with Playwright's sync API open, a notebook), where ``asyncio.run`` refuses to start."""
    failure: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(work)
        except BaseException as exc:  # handed back to the caller's thread
            failure.append(exc)

    thread = threading.Thread(target=target, name="bench-web-load")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


def phases_for(logins: Logins) -> list[Phase]:
    county = f"/api/v1/metrics/cockpit?unit={logins.county_code}"
    town = f"/api/v1/metrics/cockpit?unit={logins.town_code}"
    return [
        Phase("基准 /healthz", "/healthz", baseline=True),
        Phase("基准 /me 网格员", "/api/v1/me", logins.grid_worker),
        Phase("/inbox 网格员", "/api/v1/inbox", logins.grid_worker),
        Phase("/inbox 镇调度员", "/api/v1/inbox", logins.town_dispatcher),
        Phase("cockpit 县", county, logins.county_staff),
        Phase("cockpit 镇", town, logins.town_dispatcher),
        Phase("cockpit 县 未变304", county, logins.county_staff, etag=True),
    ]


def report(phases: list[Phase], *, events: int, clients: int, backend: str) -> RichTable:
    baseline = next(p for p in phases if p.baseline)
    table = RichTable(title=f"bench web · {backend} · {events:,} 件事件 · {clients} 并发")
    for column in ("端点", "请求/秒", "×基准", "p50 ms", "p95 ms", "p99 ms", "p50×基准", "状态码"):
        table.add_column(column, justify="left" if column in ("端点", "状态码") else "right", no_wrap=True)
    for p in phases:
        table.add_row(
            p.label,
            f"{p.rate:,.0f}",
            f"{p.rate / baseline.rate:.2f}" if baseline.rate else "—",
            f"{p.percentile(0.50):.1f}",
            f"{p.percentile(0.95):.1f}",
            f"{p.percentile(0.99):.1f}",
            f"{p.percentile(0.50) / baseline.percentile(0.50):.1f}" if baseline.latencies else "—",
            " ".join(f"{code}×{n}" for code, n in sorted(p.statuses.items())),
        )
    return table


@contextmanager
def _database(url: str | None) -> Iterator[str]:
    if url:
        yield url
        return
    with tempfile.TemporaryDirectory(prefix="fengqiao-bench-web-") as folder:
        yield f"sqlite:///{Path(folder) / 'bench.db'}"


def run(*, events: int, clients: int, seconds: float, database_url: str | None) -> list[Phase]:
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one log line per request would drown the table
    with _database(database_url) as url:
        engine = make_engine(url)
        with console.status("准备数据库：演示县与事件 / preparing the database"):
            started = time.perf_counter()
            before, created = prepare(engine, events=events)
            logins = issue_logins(engine)
        with Session(engine) as session:
            total = session.scalar(select(func.count()).select_from(Event)) or 0
        console.print(
            f"事件 {total:,} 件（原有 {before:,}，新登记 {created:,}，用时 {time.perf_counter() - started:.1f} 秒）"
        )
        backend = engine.dialect.name
        engine.dispose()
        phases = phases_for(logins)
        with served(url) as base:
            load(base, phases, clients=clients, seconds=seconds)
        console.print(report(phases, events=total, clients=clients, backend=backend))
        bad = {code for p in phases for code in p.statuses if code not in (200, 304)}
        if bad:
            raise RuntimeError(f"unexpected statuses: {sorted(bad)}")
    return phases


def web_command(
    events: int = typer.Option(2000, "--events", min=0, max=1_000_000, help="数据库中至少要有的事件数"),
    concurrency: int = typer.Option(8, "--concurrency", min=1, max=256, help="并发用户数"),
    seconds: float = typer.Option(5.0, "--seconds", min=0.5, max=600, help="每个端点的压测秒数"),
    database_url: str | None = typer.Option(
        None, "--database-url", help="使用（并补足）该数据库；缺省为临时 SQLite 数据库"
    ),
) -> None:
    """页面数据接口在并发下的响应时间（待办、指挥大屏），与同次测得的基准对照。"""
    run(events=events, clients=concurrency, seconds=seconds, database_url=database_url)
