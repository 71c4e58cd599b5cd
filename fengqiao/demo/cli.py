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
    from fengqiao.demo.pipeline import SeedReport

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


def _warm_classifier(console: Console) -> None:
    """Train (or load) the built-in classifier now, so the first event registered does not wait for it."""
    from fengqiao.triage.classify.service import seed_model

    with console.status("准备分类模型 / preparing the classifier"):
        seed_model()


def _print_demo_logins(console: Console) -> None:
    from sqlalchemy.orm import Session

    from fengqiao.db.engine import for_writing, make_engine
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
