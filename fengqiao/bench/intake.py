"""`fengqiao bench intake` — events per second through the HTTP intake API, beside the ORM one-by-one baseline.

For each backend: a fresh database with a small demo county, a real server (`fengqiao serve` in a subprocess),
concurrent HTTP clients posting 12345 tickets one per request and in batches, a redelivery check (nothing lost,
nothing doubled), then the same number of events inserted one by one through the ORM with a commit each.
"""

from __future__ import annotations

import asyncio
import logging
import random
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from fengqiao.accounts import service as accounts
from fengqiao.bench.processes import postgres_database, served
from fengqiao.core.clock import utcnow
from fengqiao.db.engine import for_writing, make_engine
from fengqiao.demo.seeding import seed_demo_county
from fengqiao.events.dispute_code import new_dispute_code
from fengqiao.events.kinds import Channel, EventStatus
from fengqiao.events.models import Event, EventAction
from fengqiao.jurisdiction.kinds import UnitKind
from fengqiao.jurisdiction.models import Unit

console = Console()
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
_PHRASES = ("噪音扰民", "油烟扰民", "占道经营", "楼道堆物", "违章搭建", "拖欠工资", "邻里漏水", "停车纠纷")


@dataclass
class Result:
    backend: str
    mode: str
    events: int
    seconds: float
    p50_ms: float | None = None
    p99_ms: float | None = None

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


@contextmanager
def _fresh_database(backend: str, postgres_url: str) -> Iterator[str]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="fengqiao-bench-") as folder:
            yield f"sqlite:///{Path(folder) / 'bench.db'}"
        return
    with postgres_database(postgres_url, prefix="fengqiao_bench") as url:
        yield url


def _prepare(engine: Engine) -> tuple[str, list[tuple[float, float]]]:
    """Seed a small county, make a 12345 key, and pick points inside grids for the tickets."""
    seed_demo_county(engine=engine, scale=0.01, seed=7)
    with Session(for_writing(engine)) as session:
        county = session.scalars(select(Unit).where(Unit.kind == UnitKind.COUNTY.value)).one()
        _, key = accounts.create_api_key(
            session=session,
            county_code=county.county_code,
            channel=Channel.HOTLINE_12345.value,
            name="bench",
            unit_id=county.id,
        )
        points = [
            (u.centroid_lon, u.centroid_lat)
            for u in session.scalars(select(Unit).where(Unit.kind == UnitKind.GRID.value))
            if u.centroid_lon is not None and u.centroid_lat is not None
        ]
        session.commit()
    return key, points


def _tickets(prefix: str, count: int, points: list[tuple[float, float]], rng: random.Random) -> list[dict[str, Any]]:
    tickets = []
    for i in range(count):
        lon, lat = rng.choice(points)
        phrase = rng.choice(_PHRASES)
        tickets.append(
            {
                "ticket_no": f"{prefix}-{i:07d}",
                "title": f"群众反映{phrase}",
                "content": f"市民来电反映小区附近{phrase}问题已持续多日，要求相关部门尽快处理。编号{i}",
                "caller_name": "陈先生",
                "caller_phone": f"138{rng.randrange(10**8):08d}",
                "lon": lon,
                "lat": lat,
            }
        )
    return tickets


async def _post_all(
    base: str, key: str, bodies: list[Any], path: str, clients: int, progress: Progress, label: str, units: int
) -> tuple[float, list[float], list[int]]:
    queue: asyncio.Queue[Any] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    latencies: list[float] = []
    statuses: list[int] = []
    task = progress.add_task(label, total=units)
    per_body = units // max(len(bodies), 1)

    async def worker(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            body = queue.get_nowait()
            started = time.perf_counter()
            response = await client.post(path, json=body)
            latencies.append((time.perf_counter() - started) * 1000)
            statuses.append(response.status_code)
            progress.advance(task, per_body)

    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(base_url=base, headers={"X-API-Key": key}, limits=limits, timeout=60) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(clients)))
        seconds = time.perf_counter() - started
    return seconds, latencies, statuses


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def _orm_baseline(engine: Engine, tickets: list[dict[str, Any]], progress: Progress) -> float:
    """The same events, one ``session.add`` and one commit each: what a naive importer does."""
    with Session(engine) as session:
        county = session.scalars(select(Unit).where(Unit.kind == UnitKind.COUNTY.value)).one()
        county_id, county_code, county_path = county.id, county.county_code, county.path
    task = progress.add_task("ORM 逐条插入 / baseline", total=len(tickets))
    started = time.perf_counter()
    with Session(for_writing(engine)) as session:
        for ticket in tickets:
            event = Event(
                county_code=county_code,
                dispute_code=new_dispute_code(),
                channel=Channel.HOTLINE_12345.value,
                source_id=ticket["ticket_no"],
                title=ticket["title"],
                content=ticket["content"],
                status=EventStatus.REGISTERED.value,
                owner_unit_id=county_id,
                registered_unit_id=county_id,
                location_unit_id=county_id,
                location_path=county_path,
                lon=ticket["lon"],
                lat=ticket["lat"],
                reporter_name=ticket["caller_name"],
                reporter_phone=ticket["caller_phone"],
                registered_at=utcnow(),
            )
            event.actions.append(
                EventAction(county_code=county_code, action="register", to_status=EventStatus.REGISTERED.value)
            )
            session.add(event)
            session.commit()
            progress.advance(task)
    return time.perf_counter() - started


def _run_backend(backend: str, *, events: int, clients: int, batch_size: int, postgres_url: str) -> list[Result]:
    rng = random.Random(20261122)
    results: list[Result] = []
    with _fresh_database(backend, postgres_url) as url:
        engine = make_engine(url)
        with console.status(f"[{backend}] 生成演示县 / seeding a small county"):
            key, points = _prepare(engine)
        single = _tickets(f"{backend}-single", events, points, rng)
        batched = _tickets(f"{backend}-batch", events, points, rng)
        baseline = _tickets(f"{backend}-orm", events, points, rng)
        with served(url, startup_seconds=60) as base, Progress(console=console, transient=True) as progress:
            seconds, latencies, statuses = asyncio.run(
                _post_all(base, key, single, "/api/v1/intake/hotline_12345", clients, progress, "逐条推送", events)
            )
            if any(s != 201 for s in statuses):
                raise RuntimeError(f"unexpected statuses: {sorted(set(statuses))}")
            results.append(
                Result(
                    backend,
                    f"HTTP 逐条，{clients}并发",
                    events,
                    seconds,
                    _percentile(latencies, 0.5),
                    _percentile(latencies, 0.99),
                )
            )
            chunks = [batched[i : i + batch_size] for i in range(0, len(batched), batch_size)]
            seconds, latencies, statuses = asyncio.run(
                _post_all(
                    base, key, chunks, "/api/v1/intake/hotline_12345/batch", clients, progress, "批量推送", events
                )
            )
            if any(s != 200 for s in statuses):
                raise RuntimeError(f"unexpected batch statuses: {sorted(set(statuses))}")
            results.append(
                Result(
                    backend,
                    f"HTTP 批量{batch_size}条，{clients}并发",
                    events,
                    seconds,
                    _percentile(latencies, 0.5),
                    _percentile(latencies, 0.99),
                )
            )
            redelivered = single[: min(500, events)]
            _, _, statuses = asyncio.run(
                _post_all(
                    base,
                    key,
                    redelivered,
                    "/api/v1/intake/hotline_12345",
                    clients,
                    progress,
                    "重复推送",
                    len(redelivered),
                )
            )
            if any(s != 200 for s in statuses):
                raise RuntimeError("redelivery created events")
        with Session(engine) as session:
            stored = session.scalar(select(func.count()).select_from(Event)) or 0
        if stored != 2 * events:
            raise RuntimeError(f"expected {2 * events} events after intake and redelivery, found {stored}")
        with Progress(console=console, transient=True) as progress:
            results.append(Result(backend, "基线：ORM逐条提交", events, _orm_baseline(engine, baseline, progress)))
        engine.dispose()
    return results


def intake_command(
    events: int = typer.Option(3000, min=10, max=1_000_000, help="每种方式的事件数 / events per mode"),
    clients: int = typer.Option(8, min=1, max=256, help="并发客户端数 / concurrent clients"),
    batch_size: int = typer.Option(100, min=1, max=500, help="批量条数 / items per batch request"),
    backend: list[str] = typer.Option(["sqlite", "postgresql"], help="sqlite 和/或 postgresql"),
    postgres_url: str = typer.Option(DEFAULT_POSTGRES, help="PostgreSQL 服务器 / server for a temporary database"),
) -> None:
    """事件受理吞吐量（HTTP）对比 ORM 逐条插入 / Intake throughput through HTTP vs ORM row by row."""
    for noisy in ("httpx", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    results: list[Result] = []
    for name in backend:
        if name not in ("sqlite", "postgresql"):
            raise typer.BadParameter(f"未知数据库 {name}")
        results.extend(
            _run_backend(name, events=events, clients=clients, batch_size=batch_size, postgres_url=postgres_url)
        )
    table = Table(title="事件受理吞吐量 / intake throughput (nothing lost, nothing duplicated: checked)")
    for column in ("数据库", "方式", "事件数", "秒", "事件/秒", "p50 ms", "p99 ms", "相对基线"):
        table.add_column(column, justify="right" if column not in ("数据库", "方式") else "left")
    for result in results:
        baseline = next(r for r in results if r.backend == result.backend and r.mode.startswith("基线"))
        table.add_row(
            result.backend,
            result.mode,
            f"{result.events:,}",
            f"{result.seconds:.2f}",
            f"{result.rate:,.0f}",
            f"{result.p50_ms:.1f}" if result.p50_ms is not None else "—",
            f"{result.p99_ms:.1f}" if result.p99_ms is not None else "—",
            f"{result.rate / baseline.rate:.2f}×" if baseline.rate else "—",
        )
    console.print(table)
