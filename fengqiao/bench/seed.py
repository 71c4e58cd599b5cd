"""`fengqiao bench seed` — generate and bulk-load the demo county into a fresh database, table by table, with
ORM row-by-row inserts (one ``session.add`` and commit per row) measured in the same run as the baseline."""

from __future__ import annotations

import tempfile
import time
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

from fengqiao.demo.cli import TABLE_LABELS

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from fengqiao.demo.pipeline import SeedReport

BASELINE_TABLE = "rooms"


def orm_row_by_row(engine: Engine, *, rows: int) -> float:
    """Seconds to insert ``rows`` rooms through the ORM, committing each; the rows are removed afterwards."""
    from sqlalchemy import delete, func, select, text

    from fengqiao.basedata.models import Building, Room
    from fengqiao.db.engine import make_session_factory
    from fengqiao.demo.towns import COUNTY_CODE

    sessions = make_session_factory(engine)
    with sessions() as session:
        building_ids = session.scalars(select(Building.id).order_by(Building.id).limit(1000)).all()
        last_id = session.scalar(select(func.max(Room.id))) or 0
    if not building_ids:
        raise RuntimeError("the baseline needs buildings to put rooms in")
    started = time.perf_counter()
    with sessions() as session:
        for serial in range(rows):
            session.add(
                Room(
                    county_code=COUNTY_CODE,
                    building_id=building_ids[serial % len(building_ids)],
                    floor=99,
                    room_no=f"99{serial % 100:02d}",
                    standard_address=f"基准测试楼{serial // 100}号99{serial % 100:02d}室",
                    is_rental=False,
                )
            )
            session.commit()
    seconds = time.perf_counter() - started
    with engine.begin() as connection:
        connection.execute(delete(Room).where(Room.id > last_id))
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"SELECT setval(pg_get_serial_sequence('rooms', 'id'), {last_id + 1}, false)"))
    return seconds


def _rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:,.0f}" if seconds > 0 else "—"


def report_table(report: SeedReport, *, migrate_seconds: float, baseline_rows: int, baseline_seconds: float) -> Table:
    from fengqiao.demo.pipeline import peak_memory_mib

    table = Table(title=f"fengqiao bench seed — scale {report.scale}, seed {report.seed}")
    for header in ("表 table", "行数 rows", "生成 gen s", "写入 write s", "写入 rows/s", "峰值内存 MiB"):
        table.add_column(header, justify="left" if header.startswith("表") else "right")
    table.add_column("基线 ORM 逐行提交 rows/s", justify="right")
    table.add_column("倍数 ratio", justify="right")
    baseline_rate = baseline_rows / baseline_seconds
    for name, stats in report.tables.items():
        write_rate = stats.rows / stats.write_seconds if stats.write_seconds else 0.0
        beside = (f"{baseline_rate:,.0f}", f"{write_rate / baseline_rate:.1f}×") if name == BASELINE_TABLE else ("", "")
        table.add_row(
            TABLE_LABELS[name],
            f"{stats.rows:,}",
            f"{stats.generate_seconds:.1f}",
            f"{stats.write_seconds:.1f}",
            _rate(stats.rows, stats.write_seconds),
            f"{stats.peak_mib:,.0f}",
            *beside,
        )
    written = sum(stats.write_seconds for stats in report.tables.values())
    generated = sum(stats.generate_seconds for stats in report.tables.values())
    table.add_row(
        "合计 total",
        f"{report.rows:,}",
        f"{generated:.1f}",
        f"{written:.1f}",
        _rate(report.rows, written),
        f"{peak_memory_mib():,.0f}",
        style="bold",
    )
    table.caption = (
        f"迁移 migration {migrate_seconds:.1f} s · 生成+写入+提交 end to end {report.seconds:.1f} s "
        f"({_rate(report.rows, report.seconds)} rows/s) · 基线 baseline: {baseline_rows:,} rooms via ORM add+commit "
        f"per row in {baseline_seconds:.1f} s"
    )
    return table


def seed_command(
    scale: float = typer.Option(1.0, help="规模 / scale (1.0 = full county)"),
    seed: int = typer.Option(20231, min=0, help="随机种子 / random seed"),
    database_url: str | None = typer.Option(
        None, "--database-url", help="目标数据库（默认临时 SQLite 文件）/ target database (default: temporary SQLite)"
    ),
    baseline_rows: int = typer.Option(20_000, min=100, help="基线行数 / rows for the ORM baseline"),
) -> None:
    """基准：生成并批量装载演示县 / Benchmark: generate and bulk-load the demo county."""
    from fengqiao.db import migrate
    from fengqiao.db.engine import make_engine
    from fengqiao.demo.progress import progress_listener
    from fengqiao.demo.seeding import DemoCountyExists, seed_demo_county

    console = Console()
    with tempfile.TemporaryDirectory(prefix="fengqiao-bench-") as scratch:
        url = database_url or f"sqlite:///{Path(scratch) / 'bench.db'}"
        engine = make_engine(url)
        started = time.perf_counter()
        migrate.upgrade(engine)
        migrate_seconds = time.perf_counter() - started
        listener = progress_listener(console)
        try:
            with listener or nullcontext():
                report = seed_demo_county(engine=engine, scale=scale, seed=seed, listener=listener)
        except DemoCountyExists as exc:
            console.print(f"[red]{exc.message}[/red]\nthe benchmark needs an empty database")
            raise typer.Exit(1) from exc
        console.print(f"基线：ORM 逐行插入 {baseline_rows:,} 行 rooms … / baseline: ORM row by row …")
        baseline_seconds = orm_row_by_row(engine, rows=baseline_rows)
        engine.dispose()
    console.print(
        report_table(
            report, migrate_seconds=migrate_seconds, baseline_rows=baseline_rows, baseline_seconds=baseline_seconds
        )
    )
