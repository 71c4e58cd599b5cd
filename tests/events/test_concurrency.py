"""Concurrent redelivery and concurrent edits, on a database of the test's own with real connections."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from fengqiao.core.errors import Conflict
from fengqiao.db import migrate
from fengqiao.db.engine import for_writing
from fengqiao.events import intake
from fengqiao.events.actions import ActionRequest, perform
from fengqiao.events.kinds import Channel
from fengqiao.events.lifecycle import Action
from fengqiao.events.models import Event
from tests import factories
from tests.events.world import make_world

CLIENTS = 20


@pytest.fixture
def committed_world(isolated_engine: Engine) -> Engine:
    migrate.upgrade(isolated_engine)
    with Session(isolated_engine) as session:
        factories.bind(session)
        make_world(session)
        session.commit()
        factories.bind(None)
    return isolated_engine


def test_twenty_concurrent_redeliveries_make_one_event(committed_world: Engine) -> None:
    writer = for_writing(committed_world)
    barrier = threading.Barrier(CLIENTS)

    def deliver(_: int) -> tuple[int, bool]:
        new = intake.NewEvent(
            channel=Channel.POLICE_110, source_id="110-20261101-000321", title="邻里纠纷", content="因停车位争吵"
        )
        # Wait before opening a transaction: on SQLite a writer holds the lock from its first statement.
        barrier.wait(timeout=30)
        with Session(writer) as session:
            county = session.scalars(select(factories.Unit).where(factories.Unit.code == "331081")).one()
            result = intake.register(session=session, new=new, registering_unit=county)
            session.commit()
            return result.event.id, result.created

    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(deliver, range(CLIENTS)))
    assert len({event_id for event_id, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    with Session(committed_world) as session:
        assert session.scalar(select(func.count()).select_from(Event)) == 1


def test_two_dispatchers_at_once_one_wins_one_gets_409(committed_world: Engine) -> None:
    writer = for_writing(committed_world)
    with Session(writer) as session:
        world_town = session.scalars(select(factories.Unit).where(factories.Unit.code == "331081100")).one()
        event = intake.register(
            session=session,
            new=intake.NewEvent(
                channel=Channel.FRONT_DESK, title="漏水", content="楼上漏水", unit_code="331081100200001"
            ),
            registering_unit=world_town,
        ).event
        session.commit()
        event_id, version = event.id, event.version
    barrier = threading.Barrier(2)

    def dispatch(who: str) -> str:
        with Session(writer) as session:
            from fengqiao.accounts.scope import load_viewer
            from fengqiao.duty.models import Staff

            staff = session.scalars(select(Staff).where(Staff.username == who)).one()
            viewer = load_viewer(session=session, staff=staff)
            session.commit()
            barrier.wait(timeout=30)
            try:
                perform(
                    session=session,
                    viewer=viewer,
                    event_id=event_id,
                    request=ActionRequest(
                        action=Action.DISPATCH, expected_version=version, target_unit_code="331081100200001"
                    ),
                )
                session.commit()
                return "ok"
            except Conflict as exc:
                session.rollback()
                return exc.code

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(dispatch, ["town_dispatcher", "county"]))
    assert outcomes[0] == "ok"
    assert outcomes[1] in {"version_conflict", "transition_not_allowed"}
    with Session(committed_world) as session:
        stored = session.get(Event, event_id)
        assert stored is not None
        assert len(stored.tasks) == 1
