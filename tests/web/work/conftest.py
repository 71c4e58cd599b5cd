"""Fixtures of the work-screen tests: the events world, a browser-like client, events to work on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from fengqiao.accounts.api import SESSION_COOKIE
from fengqiao.events import intake
from fengqiao.events.kinds import Channel, PartyRole
from fengqiao.events.models import Event
from tests.events.world import World, make_world
from tests.web.helpers import api_client


@pytest.fixture
def world(db: Session) -> World:
    return make_world(db)


@pytest.fixture
def client(db: Session, engine: Engine, world: World) -> Iterator[TestClient]:
    with api_client(db, engine) as test_client:
        yield test_client


def login_as(client: TestClient, world: World, name: str) -> None:
    """Put a session cookie for ``name`` in the client, as the login form would."""
    client.cookies.set(SESSION_COOKIE, world.token(name))


def register(
    world: World,
    *,
    title: str = "楼上漏水纠纷",
    grid_code: str | None = None,
    channel: Channel = Channel.FRONT_DESK,
    is_sensitive: bool = False,
) -> Event:
    new = intake.NewEvent(
        channel=channel,
        title=title,
        content="楼上卫生间漏水至楼下，协商未果，请求调处。",
        is_dispute=True,
        is_sensitive=is_sensitive,
        unit_code=grid_code or world.grid.code,
        reporter_name="陈海燕",
        reporter_phone="13905761234",
        parties=[intake.NewParty(role=PartyRole.RESPONDENT, name="林国强", phone="13857612345")],
    )
    return intake.register(session=world.session, new=new, registering_unit=world.town).event
