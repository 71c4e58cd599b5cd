"""`fengqiao accounts …` — passwords and channel API keys, for administrators at the console."""

from __future__ import annotations

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from fengqiao.accounts import service
from fengqiao.core.errors import FengqiaoError
from fengqiao.db.engine import for_writing, make_engine, make_session_factory
from fengqiao.duty.models import Staff
from fengqiao.events.kinds import MACHINE_CHANNELS, Channel
from fengqiao.jurisdiction.models import Unit

app = typer.Typer(help="账号与接口密钥 / Accounts and API keys.", no_args_is_help=True)


def _session_factory() -> sessionmaker[Session]:
    return make_session_factory(for_writing(make_engine()))


@app.command("set-password")
def set_password(
    username: str = typer.Argument(..., help="用户名 / username"),
    password: str = typer.Option(..., prompt="新密码 / new password", hide_input=True, confirmation_prompt=True),
) -> None:
    """设置登录密码 / Set a staff member's password."""
    with _session_factory()() as session, session.begin():
        staff = session.scalars(select(Staff).where(Staff.username == username)).one_or_none()
        if staff is None:
            typer.echo(f"未找到用户 {username} / no such user", err=True)
            raise typer.Exit(1)
        try:
            service.set_password(session=session, staff=staff, password=password)
        except FengqiaoError as exc:
            typer.echo(exc.message, err=True)
            raise typer.Exit(1) from exc
    typer.echo(f"已设置 {username} 的密码 / password set")


@app.command("create-api-key")
def create_api_key(
    channel: Channel = typer.Option(..., help="渠道 / channel"),
    unit: str = typer.Option(..., help="受理单位代码，如 331081 / registering unit code"),
    name: str = typer.Option(..., help="说明，如 12345热线平台 / description"),
) -> None:
    """为渠道创建接口密钥（只显示一次）/ Create a channel API key (shown once)."""
    if channel not in MACHINE_CHANNELS:
        typer.echo(f"渠道 {channel.value} 不接受接口推送 / channel does not accept pushes", err=True)
        raise typer.Exit(1)
    with _session_factory()() as session, session.begin():
        target = session.scalars(select(Unit).where(Unit.code == unit)).one_or_none()
        if target is None:
            typer.echo(f"未找到单位 {unit} / no such unit", err=True)
            raise typer.Exit(1)
        _, raw = service.create_api_key(
            session=session, county_code=target.county_code, channel=channel.value, name=name, unit_id=target.id
        )
    typer.echo(raw)
