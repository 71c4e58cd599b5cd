"""`fengqiao report …` — issue the monthly or weekly bulletin (Word, Excel, PDF) and print its headline figures."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from fengqiao.config import get_settings
from fengqiao.reports.period import PeriodKind

if TYPE_CHECKING:  # the service pulls in matplotlib: imported when a command runs, not for `fengqiao --help`
    from fengqiao.reports.service import Issued

app = typer.Typer(help="通报 / Bulletins (monthly and weekly, Word + Excel + PDF).", no_args_is_help=True)

UNIT_HELP = "县(市)或镇(街道)代码（默认本县）/ county or town code (default: the county)"
OUT_HELP = "另存三个文件到此目录（默认 <data_dir>/reports）/ also write the three files here"


@contextmanager
def _session() -> Iterator[Session]:
    from fengqiao.db import migrate
    from fengqiao.db.engine import for_writing, make_engine

    engine = make_engine(get_settings().resolved_database_url())
    migrate.upgrade(engine)  # the bulletins table may be newer than the database (a no-op when current)
    try:
        # The figures are printed after the commit: keep what was loaded.
        with Session(for_writing(engine), expire_on_commit=False) as session:
            yield session
    finally:
        engine.dispose()


def _issue(kind: PeriodKind, when: str | None, unit_code: str | None, out: Path | None) -> None:
    from fengqiao.core.clock import utcnow
    from fengqiao.core.errors import FengqiaoError
    from fengqiao.files.storage import LocalFileStorage
    from fengqiao.reports import period as periods
    from fengqiao.reports import service

    settings = get_settings()
    console = Console()
    try:
        period = periods.parse(kind, when) if when else periods.last_complete(kind, utcnow())
        with _session() as session:
            unit = (
                service.reporting_unit(session=session, code=unit_code)
                if unit_code
                else service.county_unit(session=session, county_code=settings.county_code)
            )
            with console.status(f"正在生成{unit.name}{period.label}通报…"):
                issued = service.issue(
                    session=session, unit=unit, period=period, storage=LocalFileStorage(settings.data_dir / "files")
                )
            session.commit()
    except FengqiaoError as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from exc
    target = out or settings.data_dir / "reports"
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt, data in issued.files.items():
        path = target / f"{period.key}-{unit.code}.{fmt.value}"
        path.write_bytes(data)
        written.append(path)
    print_figures(console, issued)
    console.print(f"[bold]{issued.bulletin.doc_number}[/bold] {issued.bulletin.title}")
    for path in written:
        console.print(f"  {path}")


def print_figures(console: Console, issued: Issued) -> None:
    """The bulletin's headline figures, as the document states them (for checking against the seed targets)."""
    from fengqiao.assessment import rates
    from fengqiao.events.kinds import (
        CHANNEL_LABELS,
        HANDLING_LEVEL_LABELS,
        SUPERVISION_LEVEL_LABELS,
        HandlingLevel,
        SupervisionLevel,
    )
    from fengqiao.reports.compose import RATE_NAMES

    f = issued.figures
    c = f.counts
    table = Table(title=f"{f.unit.name} {f.period.label}", show_lines=False)
    table.add_column("指标 / figure")
    table.add_column("本期", justify="right")
    table.add_column("上期", justify="right")
    table.add_row("受理事项 registered", str(c.registered), str(f.previous.registered))
    table.add_row("矛盾纠纷 disputes", str(c.disputes), str(f.previous.disputes))
    for channel, label in CHANNEL_LABELS.items():
        if c.by_channel[channel.value] or f.previous.by_channel[channel.value]:
            table.add_row(f"  {label}", str(c.by_channel[channel.value]), str(f.previous.by_channel[channel.value]))
    for name in RATE_NAMES:
        now, before = f.rates[name], f.previous_rates[name]
        table.add_row(
            f"{rates.label(name)} {name}",
            f"{_pct(now.value)} ({now.numerator}/{now.denominator})",
            _pct(before.value),
        )
    closed = sum(f.closed_by_level.values())
    local = sum(f.closed_by_level.get(level.value, 0) for level in (HandlingLevel.GRID, HandlingLevel.VILLAGE))
    table.add_row(
        "办结于村社及以下 closed at village or below", f"{_pct(local / closed if closed else None)} ({local})", ""
    )
    for handling, label in HANDLING_LEVEL_LABELS.items():
        n = f.closed_by_level.get(handling.value, 0)
        table.add_row(f"办结于{label} closed at {handling.value}", f"{_pct(n / closed if closed else None)} ({n})", "")
    table.add_row("新增超期 newly overdue", str(c.newly_overdue), str(f.previous.newly_overdue))
    for level, n in c.supervised.items():
        if n:
            table.add_row(f"督办 {SUPERVISION_LEVEL_LABELS[SupervisionLevel(level)]}", str(n), "")
    table.add_row("风险预警 warnings", str(c.warnings), str(f.previous.warnings))
    console.print(table)
    if f.assessment is not None and f.assessment.units:
        ranking = Table(title=f"{f.assessment.rules.label}考核排名（前5 / 后3）")
        ranking.add_column("名次", justify="right")
        ranking.add_column("单位")
        ranking.add_column("得分", justify="right")
        ranking.add_column("扣分", justify="right")
        units = f.assessment.units
        shown = units if len(units) <= 8 else [*units[:5], *units[-3:]]
        for u in shown:
            ranking.add_row(str(u.rank), u.unit_name, f"{u.score:g}", f"{u.penalty:g}")
        console.print(ranking)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.2f}%"


@app.command()
def monthly(
    month: str = typer.Option(None, "--month", help="月份，如 2026-10（默认上月）/ month"),
    unit: str = typer.Option(None, "--unit", help=UNIT_HELP),
    out: Path = typer.Option(None, "-o", "--out", help=OUT_HELP),
) -> None:
    """生成月度通报 / Issue the monthly bulletin."""
    _issue(PeriodKind.MONTHLY, month, unit, out)


@app.command()
def weekly(
    week: str = typer.Option(None, "--week", help="周次，如 2026-W42（默认上周）/ ISO week"),
    unit: str = typer.Option(None, "--unit", help=UNIT_HELP),
    out: Path = typer.Option(None, "-o", "--out", help=OUT_HELP),
) -> None:
    """生成周通报 / Issue the weekly bulletin."""
    _issue(PeriodKind.WEEKLY, week, unit, out)
