"""`fengqiao metrics …` — rebuild the rollups from the events, fold pending changes, check consistency."""

from __future__ import annotations

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy.orm import Session

from fengqiao.db.engine import for_writing, make_engine
from fengqiao.metrics import rollups

app = typer.Typer(help="统计指标 / Metrics: rollups.", no_args_is_help=True)
CountyOption = typer.Option(None, "--county", help="只处理该县（市）代码 / only this county")
UrlOption = typer.Option(None, "--database-url", help="数据库 / database URL")


@app.command("rebuild")
def rebuild_command(county: str | None = CountyOption, database_url: str | None = UrlOption) -> None:
    """从事件重算全部指标事实与汇总 / Recompute facts and rollups from the events."""
    engine = for_writing(make_engine(database_url))
    with (
        Progress(TextColumn("重算 / rebuilding"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()) as progress,
        Session(engine) as session,
    ):
        task = progress.add_task("events", total=None)

        def report(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        n = rollups.rebuild(session, county_code=county, progress=report)
        session.commit()
    typer.echo(f"已重算 {n} 件事件 / rebuilt from {n} events")


@app.command("refresh")
def refresh_command(database_url: str | None = UrlOption) -> None:
    """把待处理的事件变更并入汇总（通常由 worker 完成）/ Fold pending changes (normally the worker's job)."""
    engine = for_writing(make_engine(database_url))
    with Session(engine) as session:
        n = rollups.refresh_all(session)
        session.commit()
    typer.echo(f"已并入 {n} 件事件 / folded {n} events")


@app.command("check")
def check_command(county: str | None = CountyOption, database_url: str | None = UrlOption) -> None:
    """核对汇总与事件重算是否一致 / Check rollups == recomputation from the events."""
    with Session(make_engine(database_url)) as session:
        problems = rollups.check(session, county_code=county)
    for line in problems[:50]:
        typer.echo(line)
    if problems:
        typer.echo(f"不一致 {len(problems)} 处 / {len(problems)} differences")
        raise typer.Exit(1)
    typer.echo("一致 / consistent")
