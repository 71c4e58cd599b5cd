"""`fengqiao demo …` — the deterministic demo county in the configured database.

The generator (numpy, shapely, every model) is imported when a command runs, not when the CLI starts."""

from __future__ import annotations

import time
from contextlib import nullcontext
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

from fengqiao.config import get_settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from fengqiao.demo.pipeline import SeedReport
    from fengqiao.demo.simulation.driver import SimulationReport
    from fengqiao.demo.simulation.progress import SimulationProgress

app = typer.Typer(help="演示数据 / Demo data.", no_args_is_help=True)

TABLE_LABELS = {
    "units": "单位 units",
    "staff": "人员 staff",
    "duty_assignments": "岗位 duty assignments",
    "buildings": "楼址 buildings",
    "rooms": "户室 rooms",
    "residents": "人口 residents",
    "rentals": "出租房 rentals",
    "enterprises": "企业 enterprises",
}


def summary_table(report: SeedReport) -> Table:
    table = Table(title=f"演示县 / demo county — scale {report.scale}, seed {report.seed}")
    table.add_column("表 table")
    table.add_column("行数 rows", justify="right")
    for name, stats in report.tables.items():
        table.add_row(TABLE_LABELS[name], f"{stats.rows:,}")
    table.add_row("合计 total", f"{report.rows:,}", style="bold")
    return table


def _check_scale(scale: float) -> float:
    from fengqiao.demo.plan import MAX_SCALE, MIN_SCALE

    if not MIN_SCALE <= scale <= MAX_SCALE:
        raise typer.BadParameter(
            f"规模应在 {MIN_SCALE} 与 {MAX_SCALE} 之间 / scale must be in [{MIN_SCALE}, {MAX_SCALE}]"
        )
    return scale


@app.command()
def seed(
    scale: float = typer.Option(
        None, help="规模，1.0 = 全县实际规模（默认 FENGQIAO_DEMO_SCALE）/ scale, 1.0 = full county"
    ),
    seed: int = typer.Option(None, min=0, help="随机种子（默认 FENGQIAO_DEMO_SEED）/ random seed"),
    replace: bool = typer.Option(False, "--replace", help="先删除现有基础数据 / delete the existing base data first"),
) -> None:
    """生成演示县 / Generate the demo county."""
    from fengqiao.db.engine import make_engine
    from fengqiao.demo.progress import progress_listener
    from fengqiao.demo.seeding import DemoCountyExists, seed_demo_county

    settings = get_settings()
    scale = _check_scale(settings.demo_scale if scale is None else scale)
    seed = settings.demo_seed if seed is None else seed
    console = Console()
    started = time.perf_counter()
    listener = progress_listener(console)
    try:
        with listener or nullcontext():
            report = seed_demo_county(engine=make_engine(), scale=scale, seed=seed, replace=replace, listener=listener)
    except DemoCountyExists as exc:
        console.print(f"[red]{exc.message}[/red]\nthe database already has units: pass --replace to regenerate")
        raise typer.Exit(1) from exc
    console.print(summary_table(report))
    console.print(f"用时 {time.perf_counter() - started:.1f} 秒 / took {time.perf_counter() - started:.1f} s")
    _print_demo_logins(console)


@app.command()
def ensure() -> None:
    """数据库为空时生成演示县 / Generate the demo county if the database has none."""
    from fengqiao.db.engine import make_engine
    from fengqiao.demo.progress import progress_listener
    from fengqiao.demo.seeding import ensure_demo_county

    settings = get_settings()
    console = Console()
    listener = progress_listener(console)
    with listener or nullcontext():
        report = ensure_demo_county(
            engine=make_engine(), scale=settings.demo_scale, seed=settings.demo_seed, listener=listener
        )
    if report is None:
        console.print("数据库已有演示县，跳过 / the database already has a county: nothing to do")
    else:
        console.print(summary_table(report))
        _print_demo_logins(console)
    _warm_classifier(console)
    _ensure_history(console, scale=settings.demo_scale, seed=settings.demo_seed)


def _ensure_history(console: Console, *, scale: float, seed: int) -> None:
    """Give a county without events a simulated last month, so inboxes, lists and the cockpit have data."""
    from fengqiao.db.engine import make_engine
    from fengqiao.demo.simulation.service import ENSURE_DAYS, ensure_history

    engine = make_engine()
    started = time.perf_counter()
    with _simulation_progress(console, ENSURE_DAYS) as listener:
        simulated = ensure_history(engine=engine, scale=scale, seed=seed, listener=listener)
    if simulated is None:
        console.print("数据库已有事件，不再模拟 / the database already has events: no simulation")
        return
    _print_simulation(console, simulated, engine=engine, took=time.perf_counter() - started)


@app.command()
def simulate(
    days: int = typer.Option(30, min=1, max=3660, help="模拟天数 / days to simulate"),
    scale: float = typer.Option(
        None, help="规模，1.0 = 全县实际事件量（默认 FENGQIAO_DEMO_SCALE）/ scale, 1.0 = the county's real volume"
    ),
    seed: int = typer.Option(None, min=0, help="随机种子（默认 FENGQIAO_DEMO_SEED）/ random seed"),
    until: str = typer.Option(None, help="模拟截止日期 YYYY-MM-DD（默认今天）/ last day simulated (default today)"),
) -> None:
    """模拟一段时间的事件办理 / Simulate a stretch of county life through the real services."""
    from datetime import date

    from fengqiao.db.engine import make_engine
    from fengqiao.demo.seeding import unit_count
    from fengqiao.demo.simulation.service import simulate as run_simulation

    settings = get_settings()
    scale = _check_scale(settings.demo_scale if scale is None else scale)
    seed = settings.demo_seed if seed is None else seed
    try:
        last = date.fromisoformat(until) if until else None
    except ValueError as exc:
        raise typer.BadParameter("日期格式应为 YYYY-MM-DD / date must be YYYY-MM-DD") from exc
    console = Console()
    engine = make_engine()
    if not unit_count(engine):
        console.print(
            "[red]数据库中没有演示县，请先运行 fengqiao demo seed[/red] / no county: run `fengqiao demo seed` first"
        )
        raise typer.Exit(1)
    started = time.perf_counter()
    with _simulation_progress(console, days) as listener:
        report = run_simulation(engine=engine, days=days, scale=scale, seed=seed, until=last, listener=listener)
    _print_simulation(console, report, engine=engine, took=time.perf_counter() - started)


def _simulation_progress(console: Console, days: int) -> SimulationProgress:
    from fengqiao.demo.simulation.progress import SimulationProgress

    return SimulationProgress(console, days)


def _print_simulation(console: Console, report: SimulationReport, *, engine: Engine, took: float) -> None:
    from sqlalchemy.orm import Session

    from fengqiao.demo.simulation.driver import SETTLING_DAYS, dispute_figures, event_digest

    with Session(engine) as session:
        figures = dispute_figures(session, seed=report.seed)
        digest = event_digest(session, seed=report.seed)
    split = figures.split
    span = f"{report.first_day} … {report.last_day}" if report.first_day else "—"
    table = Table(title=f"模拟 / simulation — {span}, scale {report.scale}, seed {report.seed}")
    table.add_column("项目 item")
    table.add_column("数量 count", justify="right")
    table.add_row("模拟天数 days", f"{report.days:,}")
    table.add_row("新登记事件 events registered (this run)", f"{report.registered:,}")
    table.add_row("办理操作 actions by staff", f"{report.steps:,}")
    table.add_row("定时任务 timers and auto-dispatch", f"{report.jobs:,}")
    table.add_row("模拟事件合计 simulated events (all channels)", f"{figures.events:,}")
    table.add_row("其中矛盾纠纷 of which disputes", f"{figures.disputes:,}")
    for level, label in (
        ("village", "村(社区)级化解 village"),
        ("town", "镇(街道)级化解 town"),
        ("county", "县级化解 county"),
    ):
        table.add_row(label, f"{getattr(split, level):,} ({split.share(level):.2%})")
    table.add_row("县级以下就地化解率 resolved below the county", f"{figures.local_rate:.2%}")
    table.add_row(
        "化解率* resolution rate*",
        f"{figures.settled_closed:,}/{figures.settled:,} ({figures.resolution_rate:.2%})" if figures.settled else "—",
    )
    console.print(table)
    console.print(
        f"* 登记满{SETTLING_DAYS}天的矛盾纠纷中已办结的比例 / closed share of the disputes registered at least "
        f"{SETTLING_DAYS} days before the end (later ones are mostly still being handled)",
        highlight=False,
    )
    console.print(f"事件摘要 / event digest {digest[:16]}")
    console.print(f"用时 {took:.1f} 秒 / took {took:.1f} s")


def _warm_classifier(console: Console) -> None:
    """Train (or load) the built-in classifier now, so the first event registered does not wait for it."""
    from fengqiao.triage.classify.service import seed_model

    with console.status("准备分类模型 / preparing the classifier"):
        seed_model()


def _print_demo_logins(console: Console) -> None:
    from sqlalchemy.orm import Session

    from fengqiao.db.engine import for_writing, make_engine
    from fengqiao.demo.devices import DEMO_ALERT_TOKEN
    from fengqiao.demo.logins import DEMO_PASSWORD, enable_demo_logins

    with Session(for_writing(make_engine())) as session:
        logins = enable_demo_logins(session=session)
        session.commit()
    table = Table(title=f"演示账号（密码均为 {DEMO_PASSWORD}）/ demo logins (password {DEMO_PASSWORD})")
    for column in ("用户名", "姓名", "岗位", "单位"):
        table.add_column(column)
    for login in logins:
        table.add_row(login.username, login.full_name, login.role_label, login.unit_name)
    console.print(table)
    console.print(
        f"感知告警接入令牌 / sensor-alert webhook token: [bold]{DEMO_ALERT_TOKEN}[/bold]"
        "（POST /api/v1/alerts/ingest，Authorization: Bearer …）"
    )
