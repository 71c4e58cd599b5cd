"""`fengqiao assessment …` — the town or village scores of a month with their breakdown, and the rules behind them."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from fengqiao.assessment.rules import AssessedLevel
from fengqiao.config import get_settings

app = typer.Typer(help="考核 / Assessment of towns and villages.", no_args_is_help=True)


@app.command()
def show(
    month: str = typer.Option(..., "--month", help="月份，如 2026-10 / month"),
    level: AssessedLevel = typer.Option(AssessedLevel.TOWN, help="town = 镇(街道)，village = 村(社区)"),
    unit: str = typer.Option(None, "--unit", help="在此单位之下考核（默认本县）/ assess under this unit"),
) -> None:
    """考核得分与明细 / Scores of every town (or village) with the points of each metric and the penalties."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from fengqiao.assessment.service import assess
    from fengqiao.core.errors import FengqiaoError
    from fengqiao.db.engine import for_reading, make_engine
    from fengqiao.jurisdiction.kinds import UnitKind
    from fengqiao.jurisdiction.models import Unit
    from fengqiao.reports.period import PeriodKind, parse

    settings = get_settings()
    console = Console()
    engine = make_engine(settings.resolved_database_url())
    try:
        period = parse(PeriodKind.MONTHLY, month)
        with Session(for_reading(engine)) as session:
            where = (
                Unit.code == unit
                if unit
                else (Unit.county_code == settings.county_code) & (Unit.kind == UnitKind.COUNTY.value)
            )
            parent = session.scalars(select(Unit).where(where)).one_or_none()
            if parent is None:
                console.print(f"[red]未找到单位“{unit or settings.county_code}”[/red]")
                raise typer.Exit(1)
            result = assess(session=session, parent=parent, level=level, start=period.first_day, end=period.last_day)
    except FengqiaoError as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()
    rules = result.rules
    table = Table(title=f"{result.parent_name} {period.label} {rules.label}考核（满分{rules.full_score:g}）")
    table.add_column("名次", justify="right")
    table.add_column(rules.label)
    for name, rule in rules.metrics.items():
        table.add_column(f"{_label(name)}\n{rule.points:g}分/目标{rule.target * 100:g}%", justify="right")
    table.add_column("督办扣分", justify="right")
    table.add_column("得分", justify="right")
    for u in result.units:
        cells = [f"{m.points:g} ({'—' if m.value is None else f'{m.value * 100:.1f}%'})" for m in u.metrics]
        penalties = " ".join(f"{p.label}{p.count}×{p.points_each:g}" for p in u.penalties if p.count)
        table.add_row(
            str(u.rank),
            u.unit_name,
            *cells,
            (f"-{u.penalty:g} ({penalties})" if u.penalty else "0"),
            f"{u.score:g}",
        )
    console.print(table)


def _label(name: str) -> str:
    from fengqiao.assessment.rates import label

    return label(name)


@app.command()
def rules() -> None:
    """考核规则 / Print the rules (fengqiao/assessment/rules.toml)."""
    from fengqiao.assessment.rules import RULES_PATH

    typer.echo(RULES_PATH.read_text(encoding="utf-8"))
