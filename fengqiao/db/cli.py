"""`fengqiao db …` — migrations of the configured database."""

from __future__ import annotations

import typer

from fengqiao.db import migrate
from fengqiao.db.engine import make_engine

app = typer.Typer(help="数据库迁移 / Database migrations.", no_args_is_help=True)


@app.command()
def upgrade(revision: str = typer.Argument("head", help="目标版本 / target revision")) -> None:
    """升级数据库到最新结构 / Upgrade the database schema."""
    engine = make_engine()
    migrate.upgrade(engine, revision)
    typer.echo(f"数据库已升级到 {migrate.current_revision(engine)} / database at {migrate.current_revision(engine)}")


@app.command()
def downgrade(revision: str = typer.Argument(..., help="目标版本，如 -1 或 base / target revision")) -> None:
    """回退数据库结构 / Downgrade the database schema."""
    engine = make_engine()
    migrate.downgrade(engine, revision)
    typer.echo(f"数据库已回退到 {migrate.current_revision(engine)} / database at {migrate.current_revision(engine)}")


@app.command()
def current() -> None:
    """显示当前数据库版本 / Show the current revision."""
    typer.echo(migrate.current_revision(make_engine()) or "base")


@app.command()
def revision(message: str = typer.Option(..., "-m", "--message", help="说明 / message")) -> None:
    """根据模型生成新迁移 / Autogenerate a migration (developers)."""
    migrate.revision(make_engine(), message)
