"""`fengqiao bench address` — standard address matching: noisy free-text addresses matched to buildings and rooms
by parse + dictionary (fengqiao.triage.address), beside brute-force rapidfuzz.process.extractOne over the whole
table of standard addresses measured in the same run on a small sample."""

from __future__ import annotations

import random
import tempfile
import time
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from fengqiao.triage.address.match import AddressMatcher
    from fengqiao.triage.address.sample import StandardAddress

_PROGRESS_STEP = 1000


@dataclass
class Run:
    """Accuracy and speed of one method over labelled queries."""

    label: str
    queries: int
    seconds: float
    building_hits: int
    room_queries: int
    room_hits: int
    # CPU seconds of this process: on a shared machine the wall-clock rate also measures the neighbours.
    cpu_seconds: float

    @property
    def rate(self) -> float:
        return self.queries / self.seconds if self.seconds else 0.0

    @property
    def cpu_rate(self) -> float:
        return self.queries / self.cpu_seconds if self.cpu_seconds else 0.0

    @property
    def building_accuracy(self) -> float:
        return self.building_hits / self.queries if self.queries else 0.0

    @property
    def room_accuracy(self) -> float:
        return self.room_hits / self.room_queries if self.room_queries else 0.0


def _prepare_database(engine: Engine, *, scale: float, seed: int, console: Console) -> str:
    from fengqiao.demo.progress import progress_listener
    from fengqiao.demo.seeding import seed_demo_county, unit_count

    if unit_count(engine) if _has_tables(engine) else 0:
        return "reused"
    listener = progress_listener(console)
    with listener or nullcontext():
        seed_demo_county(engine=engine, scale=scale, seed=seed, listener=listener)
    return "seeded"


def _has_tables(engine: Engine) -> bool:
    from sqlalchemy import inspect

    return inspect(engine).has_table("units")


def _match_run(matcher: AddressMatcher, queries: list[tuple[str, StandardAddress]], progress: Progress) -> Run:
    task = progress.add_task("解析+字典 parse + dictionary", total=len(queries))
    building_hits = room_hits = 0
    started, cpu_started = time.perf_counter(), time.process_time()
    for at, (text, truth) in enumerate(queries, start=1):
        found = matcher.match(text)
        building_hits += found.building_id == truth.building_id
        room_hits += truth.room_id is not None and found.room_id == truth.room_id
        if at % _PROGRESS_STEP == 0:
            progress.update(task, completed=at)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    progress.update(task, completed=len(queries))
    rooms = sum(truth.room_id is not None for _, truth in queries)
    return Run("解析+字典 parse + dictionary", len(queries), seconds, building_hits, rooms, room_hits, cpu_seconds)


def _baseline_run(engine: Engine, queries: list[tuple[str, StandardAddress]], progress: Progress) -> Run:
    """rapidfuzz.process.extractOne of each query over every standard address, buildings and rooms. The scorer is
    fuzz.ratio: WRatio is about ten times slower again at full scale and no more accurate on these queries."""
    from rapidfuzz import fuzz, process
    from sqlalchemy import select

    from fengqiao.basedata.models import Building, Room

    with engine.connect() as connection:
        buildings = connection.execute(select(Building.id, Building.standard_address))
        rows: list[tuple[str, int, int | None]] = [(address, building, None) for building, address in buildings]
        room_rows = connection.execute(select(Room.standard_address, Room.building_id, Room.id))
        rows += [(address, building, room) for address, building, room in room_rows]
    choices = [address for address, _, _ in rows]
    task = progress.add_task("基线 extractOne brute force", total=len(queries))
    building_hits = room_hits = 0
    started, cpu_started = time.perf_counter(), time.process_time()
    for text, truth in queries:
        best = process.extractOne(text, choices, scorer=fuzz.ratio)
        if best is not None:
            _, building, room = rows[best[2]]
            building_hits += building == truth.building_id
            room_hits += truth.room_id is not None and room == truth.room_id
        progress.advance(task)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    rooms = sum(truth.room_id is not None for _, truth in queries)
    return Run("基线 extractOne brute force", len(queries), seconds, building_hits, rooms, room_hits, cpu_seconds)


def report_table(runs: list[Run], *, title: str, caption: str) -> Table:
    table = Table(title=title, caption=caption)
    headers = (
        "方法 method",
        "查询 queries",
        "queries/s",
        "queries/CPU-s",
        "楼 building top-1",
        "室 room top-1",
        "倍数 ratio",
    )
    for header in headers:
        table.add_column(header, justify="left" if header.startswith("方法") else "right")
    baseline = runs[-1].rate
    for run in runs:
        table.add_row(
            run.label,
            f"{run.queries:,}",
            f"{run.rate:,.1f}" if run.rate < 100 else f"{run.rate:,.0f}",
            f"{run.cpu_rate:,.1f}" if run.cpu_rate < 100 else f"{run.cpu_rate:,.0f}",
            f"{run.building_accuracy:.1%}",
            f"{run.room_accuracy:.1%}",
            f"{run.rate / baseline:,.0f}×" if baseline else "—",
        )
    return table


def address_command(
    scale: float = typer.Option(1.0, help="规模 / scale (1.0 = full county)"),
    queries: int = typer.Option(20_000, min=1, help="带噪查询条数 / noisy queries"),
    seed: int = typer.Option(20231, min=0, help="随机种子 / random seed (county and queries)"),
    baseline_queries: int = typer.Option(200, min=1, help="基线查询条数 / queries for the brute-force baseline"),
    database_url: str | None = typer.Option(
        None, "--database-url", help="复用已有演示县的数据库（默认临时 SQLite）/ reuse a seeded database"
    ),
) -> None:
    """基准：标准地址匹配 / Benchmark: standard address matching (parse + dictionary vs. brute-force fuzzy)."""
    from fengqiao.db.engine import make_engine
    from fengqiao.triage.address.index import AddressIndex, build_index, cache_path
    from fengqiao.triage.address.match import AddressMatcher
    from fengqiao.triage.address.sample import sample_standard_addresses
    from fengqiao.triage.address.variants import noisy_variant

    console = Console()
    with tempfile.TemporaryDirectory(prefix="fengqiao-bench-") as scratch:
        engine = make_engine(database_url or f"sqlite:///{Path(scratch) / 'bench.db'}")
        source = _prepare_database(engine, scale=scale, seed=seed, console=console)
        console.print(f"数据库 database: {source} ({engine.dialect.name})")

        started = time.perf_counter()
        index = build_index(engine=engine)
        build_seconds = time.perf_counter() - started
        path = cache_path(engine=engine, cache_dir=Path(scratch) / "cache")
        started = time.perf_counter()
        index.save(path)
        save_seconds = time.perf_counter() - started
        started = time.perf_counter()
        index = AddressIndex.load(path)
        matcher = AddressMatcher(index)
        load_seconds = time.perf_counter() - started
        size_mib = path.stat().st_size / 2**20

        rng = random.Random(seed)
        truth = sample_standard_addresses(engine=engine, count=queries, seed=seed)
        labelled = [(noisy_variant(item.address, rng=rng, towns=matcher.towns), item) for item in truth]
        with Progress(console=console) as progress:
            runs = [_match_run(matcher, labelled, progress)]
            runs.append(_baseline_run(engine, labelled[:baseline_queries], progress))
        engine.dispose()
    caption = (
        f"索引 index: {index.building_count:,} buildings, {index.room_count:,} rooms · "
        f"构建 build {build_seconds:.1f} s · 写缓存 save {save_seconds:.2f} s ({size_mib:,.0f} MiB) · "
        f"读缓存 load {load_seconds:.2f} s · "
        f"基线 baseline: extractOne (fuzz.ratio) over {index.building_count + index.room_count:,} standard "
        f"addresses, first {runs[-1].queries} of the same queries"
    )
    title = f"fengqiao bench address — scale {scale}, seed {seed}"
    console.print(report_table(runs, title=title, caption=caption))
    for text, _ in labelled[:5]:
        console.print(f"  例 example: {text}")
