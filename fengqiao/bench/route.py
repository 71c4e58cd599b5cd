"""`fengqiao bench route` — geo-routing throughput: random points in the county's box → full routes, vectorised,
beside a naive Python loop over the grid polygons (shapely ``contains``) measured in the same run on a sample, with
a check that both give the same grid for every sample point."""

from __future__ import annotations

import logging
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray
    from sqlalchemy import Engine

    from fengqiao.triage.geo.routing import RouteTable

# Piped output (CI logs, reports) would otherwise wrap the final table at 80 columns.
console = Console() if sys.stdout.isatty() else Console(width=160)


@dataclass
class Timing:
    method: str
    points: int
    seconds: list[float]

    @property
    def best(self) -> float:
        return min(self.seconds)

    @property
    def rate(self) -> float:
        return self.points / self.best if self.best else 0.0

    @property
    def median_rate(self) -> float:
        median = statistics.median(self.seconds)
        return self.points / median if median else 0.0


def _ensure_seeded(engine: Engine, *, scale: float, seed: int) -> float | None:
    """Seed the demo county into an empty database (seconds taken); a database that has units is used as it is."""
    from sqlalchemy import inspect

    from fengqiao.demo.progress import progress_listener
    from fengqiao.demo.seeding import seed_demo_county, unit_count

    if inspect(engine).has_table("units") and unit_count(engine):
        console.print("数据库已有辖区数据，直接使用 / database already seeded: using it")
        return None
    listener = progress_listener(console)
    started = time.perf_counter()
    with listener or nullcontext():
        seed_demo_county(engine=engine, scale=scale, seed=seed, listener=listener)
    return time.perf_counter() - started


def _county_box(engine: Engine) -> tuple[float, float, float, float]:
    """The county's bounding box, from its unit row (the union of its grids' boxes if it has no boundary)."""
    from sqlalchemy import func, select

    from fengqiao.jurisdiction.kinds import UnitKind
    from fengqiao.jurisdiction.models import Unit

    corners = (func.min(Unit.min_lon), func.min(Unit.min_lat), func.max(Unit.max_lon), func.max(Unit.max_lat))
    with engine.connect() as connection:
        for kind in (UnitKind.COUNTY, UnitKind.GRID):
            row = connection.execute(select(*corners).where(Unit.kind == kind.value)).one()
            box = [float(value) for value in row if value is not None]
            if len(box) == 4:
                return box[0], box[1], box[2], box[3]
    raise RuntimeError("no grid has a boundary: nothing to route to")


def _time(label: str, repeat: int, run: Callable[[], object]) -> list[float]:
    seconds = []
    with console.status(label):
        for _ in range(repeat):
            started = time.perf_counter()
            run()
            seconds.append(time.perf_counter() - started)
    return seconds


def naive_grid_indices(table: RouteTable, lons: NDArray[np.float64], lats: NDArray[np.float64]) -> list[int]:
    """Per point, the first grid (in code order, as the tree breaks ties) whose polygon contains it: one shapely call
    per point and polygon, what a straightforward implementation does. -1 outside every grid."""
    import shapely

    polygons = list(table.locator.tree.geometries)
    answers = []
    progress = Progress(
        TextColumn("[bold]基线：逐点逐网格 contains / naive loop"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    with progress:
        task = progress.add_task("naive", total=len(lons))
        for lon, lat in zip(lons.tolist(), lats.tolist(), strict=True):
            point = shapely.Point(lon, lat)
            answers.append(next((i for i, polygon in enumerate(polygons) if polygon.contains(point)), -1))
            progress.advance(task)
    return answers


def _report(timings: list[Timing], baseline: Timing, caption: str) -> Table:
    table = Table(title="fengqiao bench route — 坐标分拨 / geo-routing (point → grid, village, town, stations)")
    for header in (
        "方式 method",
        "点数 points",
        "最快 best s",
        "点/秒 points/s",
        "中位 median points/s",
        "相对基线 ratio",
    ):
        table.add_column(header, justify="left" if header.startswith("方式") else "right")
    for timing in [*timings, baseline]:
        table.add_row(
            timing.method,
            f"{timing.points:,}",
            f"{timing.best:.3f}",
            f"{timing.rate:,.0f}",
            f"{timing.median_rate:,.0f}",
            f"{timing.rate / baseline.rate:,.0f}×" if baseline.rate else "—",
        )
    table.caption = caption
    return table


def _run(engine: Engine, *, points: int, sample: int, repeat: int, workers: int, seed: int) -> None:
    import numpy as np
    from sqlalchemy.orm import Session

    from fengqiao.jurisdiction.locator import NOT_FOUND
    from fengqiao.triage.geo.coords import Crs, wgs84_to_gcj02
    from fengqiao.triage.geo.routing import route_table

    with Session(engine) as session:
        started = time.perf_counter()
        table = route_table(session)
        build_seconds = time.perf_counter() - started
    min_lon, min_lat, max_lon, max_lat = _county_box(engine)
    rng = np.random.default_rng(seed)
    lons = rng.uniform(min_lon, max_lon, points)
    lats = rng.uniform(min_lat, max_lat, points)
    gcj_lons, gcj_lats = wgs84_to_gcj02(lons, lats)

    def tree_only(threads: int) -> object:
        # The reference approach (PERFORMANCE.md): every point through the STRtree, no raster in front.
        chunks = np.array_split(np.arange(points), threads)
        with ThreadPoolExecutor(max_workers=threads) as pool:
            parts = list(pool.map(lambda c: table.locator.locate_indices(lons[c], lats[c]), chunks))
        return table.gather(lons, lats, np.concatenate(parts))

    timings = [
        Timing("栅格+树 1线程 raster+tree", points, _time("1 线程", repeat, lambda: table.route(lons, lats))),
        Timing(
            f"栅格+树 {workers}线程 raster+tree",
            points,
            _time(f"{workers} 线程", repeat, lambda: table.route(lons, lats, workers=workers)),
        ),
        Timing(
            "栅格+树 GCJ-02 输入 (含反算)",
            points,
            _time("GCJ-02", repeat, lambda: table.route(gcj_lons, gcj_lats, crs=Crs.GCJ02)),
        ),
        Timing("仅 STRtree 1线程 tree only", points, _time("STRtree", repeat, lambda: tree_only(1))),
        Timing(f"仅 STRtree {workers}线程 tree only", points, _time("STRtree", repeat, lambda: tree_only(workers))),
    ]
    tree_agree = int(np.count_nonzero(table.grid_indices(lons, lats) == table.locator.locate_indices(lons, lats)))
    routed = table.route(lons, lats)
    from_gcj = table.route(gcj_lons, gcj_lats, crs=Crs.GCJ02)
    gcj_agree = int(np.count_nonzero(routed.grid_index == from_gcj.grid_index))

    sample_lons, sample_lats = lons[:sample], lats[:sample]
    started = time.perf_counter()
    naive = naive_grid_indices(table, sample_lons, sample_lats)
    baseline = Timing("基线 逐点逐网格 contains naive loop", sample, [time.perf_counter() - started])
    agree = int(np.count_nonzero(routed.grid_index[:sample] == np.array(naive, dtype=np.int64)))
    inside = float(np.mean(routed.grid_index != NOT_FOUND))
    caption = (
        f"{table.grid_count:,} 网格 grids · 路由表构建 table build {build_seconds:.2f} s (栅格 raster "
        f"{table.cells.cells.shape[1]}×{table.cells.cells.shape[0]}, {table.cells.mixed_share:.1%} 边界格 mixed) · "
        f"栅格与 STRtree 一致 raster == tree: {tree_agree:,}/{points:,} · 县域外接矩形内随机点，"
        f"{inside:.1%} 落在网格内 inside a grid · 向量化与基线一致 vectorised == naive: {agree:,}/{sample:,} · "
        f"GCJ-02 反算后与原点同网格 same grid after GCJ-02 round trip: {gcj_agree:,}/{points:,} · best of {repeat}"
    )
    console.print(_report(timings, baseline, caption))
    if agree != sample or tree_agree != points:
        raise typer.Exit(1)


def route_command(
    points: int = typer.Option(1_000_000, min=1000, max=50_000_000, help="随机点数 / random points"),
    scale: float = typer.Option(1.0, help="规模（为空数据库生成演示县）/ scale of the demo county to seed"),
    seed: int = typer.Option(20231, min=0, help="随机种子 / random seed"),
    database_url: str | None = typer.Option(
        None, "--database-url", help="已有或空的数据库（默认临时 SQLite 文件）/ database (default: temporary SQLite)"
    ),
    sample: int = typer.Option(2000, min=10, max=100_000, help="基线样本点数 / points for the naive baseline"),
    repeat: int = typer.Option(3, min=1, max=20, help="每种方式重复次数 / repetitions per method"),
    workers: int = typer.Option(2, min=2, max=64, help="多线程方式的线程数 / threads for the split batch"),
) -> None:
    """基准：坐标分拨吞吐量对比逐网格循环 / Benchmark: vectorised geo-routing vs a naive polygon loop."""
    from fengqiao.db.engine import make_engine

    logging.getLogger("alembic").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="fengqiao-bench-") as scratch:
        engine = make_engine(database_url or f"sqlite:///{Path(scratch) / 'bench.db'}")
        try:
            seeded_seconds = _ensure_seeded(engine, scale=scale, seed=seed)
            if seeded_seconds is not None:
                console.print(f"已生成演示县 / seeded the demo county (scale {scale}) in {seeded_seconds:.1f} s")
            _run(engine, points=points, sample=min(sample, points), repeat=repeat, workers=workers, seed=seed)
        finally:
            engine.dispose()
