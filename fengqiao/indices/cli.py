"""`fengqiao indices …` — compute and store a month's indices, show a ranking or one subject's drill-down, print
the configuration."""

from __future__ import annotations

from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from fengqiao.config import get_settings

app = typer.Typer(help="治理指数 / Governance indices (county governance, grid-worker health, grid team).")


@app.callback(invoke_without_command=True)
def _main(ctx: typer.Context) -> None:
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help())


@app.command()
def compute(
    month: str = typer.Option(..., "--month", help="月份，如 2026-10 / month"),
    index: list[str] = typer.Option(None, "--index", help="只算这些指数（默认全部）/ only these indices"),
    county: str = typer.Option(None, "--county", help="县(市)代码（默认本县）/ county code"),
    database_url: str = typer.Option(None, "--database-url", help="数据库 / database URL"),
) -> None:
    """计算并存档某月各指数 / Compute and store a month's indices at every level (replacing what was stored)."""
    from sqlalchemy.orm import Session

    from fengqiao.core.errors import FengqiaoError
    from fengqiao.db.engine import for_writing, make_engine
    from fengqiao.indices import service
    from fengqiao.indices.config import IndicesConfigError

    settings = get_settings()
    console = Console()
    engine = make_engine(database_url or settings.resolved_database_url())
    try:
        with Session(for_writing(engine)) as session, session.begin():
            period = service.parse_month(month, now=_now())
            done = service.compute_month(
                session=session, county_code=county or settings.county_code, period=period, indices=index or None
            )
    except (FengqiaoError, IndicesConfigError) as exc:
        console.print(f"[red]{getattr(exc, 'message', exc)}[/red]")
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()
    table = Table(title=f"{period.label} 指数已存档")
    table.add_column("指数")
    table.add_column("层级")
    table.add_column("对象数", justify="right")
    for (code, level), n in done.items():
        table.add_row(code, level, str(n))
    console.print(table)


@app.command()
def show(
    month: str = typer.Option(None, "--month", help="月份，如 2026-10（默认本月，实时计算）/ month"),
    index: str = typer.Option("governance", "--index", help="governance / grid_worker_health / grid_team"),
    level: str = typer.Option("town", "--level", help="county / town / village / grid / worker"),
    subject: str = typer.Option(None, "--subject", help="单位代码或 w<人员ID>：显示该对象的指标明细 / drill down"),
    limit: int = typer.Option(30, "--limit", min=1, help="最多显示几行 / rows shown"),
    county: str = typer.Option(None, "--county", help="县(市)代码（默认本县）/ county code"),
    database_url: str = typer.Option(None, "--database-url", help="数据库 / database URL"),
) -> None:
    """指数排名或明细 / A ranking (晾晒), or one subject's drill-down to the numbers behind its score."""
    from sqlalchemy.orm import Session

    from fengqiao.core.errors import FengqiaoError
    from fengqiao.db.engine import for_reading, make_engine
    from fengqiao.indices import service

    settings = get_settings()
    console = Console()
    engine = make_engine(database_url or settings.resolved_database_url())
    try:
        with Session(for_reading(engine)) as session:
            now = _now()
            period = service.parse_month(month, now=now)
            result = service.level_scores(
                session=session,
                county_code=county or settings.county_code,
                index_code=index,
                level=level,
                period=period,
                now=now,
            )
    except FengqiaoError as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()
    source = "实时计算" if result.live else "存档"
    if subject:
        row = next((r for r in result.rows if r.subject == subject), None)
        if row is None:
            console.print(f"[red]未找到“{subject}”[/red]")
            raise typer.Exit(1)
        place = f"第{row.rank}名" if row.rank else "无名次"
        table = Table(title=f"{row.name} {period.label} {result.index.label}：{_num(row.score)}（{place}，{source}）")
        for column in ("指标", "原始值", "分子/分母", "标准化得分", "权重", "贡献分"):
            table.add_column(column)
        for depth, node in _walk(row.detail):
            raw = node.get("raw") or {}
            table.add_row(
                "  " * depth + node["label"],
                _num(raw.get("value"), 4) if "raw" in node else "",
                f"{_num(raw.get('numerator'))}/{_num(raw.get('denominator'))}" if "raw" in node else "",
                _num(node["score"]),
                f"{node['weight']:g}",
                _num(node["contribution"]),
            )
        console.print(table)
        return
    table = Table(title=f"{period.label} {result.index.label} · {result.level_label}（{source}）")
    table.add_column("名次", justify="right")
    table.add_column("对象")
    table.add_column("所属")
    table.add_column("指数", justify="right")
    for child in result.rows[0].detail.get("children", []) if result.rows else []:
        table.add_column(child["label"], justify="right")
    for r in result.rows[:limit]:
        dims = [_num(c["score"]) for c in r.detail.get("children", [])]
        table.add_row(str(r.rank or "—"), f"{r.name} ({r.subject})", r.parent_name, _num(r.score), *dims)
    console.print(table)


@app.command()
def config() -> None:
    """指数配置 / Print the configuration (fengqiao/indices/indices.toml), checked."""
    from fengqiao.indices.config import CONFIG_PATH, IndicesConfigError, default_config

    try:
        default_config()
    except IndicesConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    typer.echo(CONFIG_PATH.read_text(encoding="utf-8"))


def _now() -> Any:
    from fengqiao.core.clock import utcnow

    return utcnow()


def _num(value: Any, digits: int = 2) -> str:
    if value is None:
        return "—"
    return f"{value:.{digits}f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


def _walk(node: dict[str, Any], depth: int = 0) -> list[tuple[int, dict[str, Any]]]:
    out = [(depth, node)]
    for child in node.get("children", []):
        out.extend(_walk(child, depth + 1))
    return out
