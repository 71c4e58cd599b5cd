"""Deadline timers run by the worker: overdue flags, automatic supervision that climbs, stale timers that drop."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from fengqiao.accounts.scope import load_viewer
from fengqiao.db import migrate
from fengqiao.db.engine import for_writing
from fengqiao.duty.models import Staff
from fengqiao.events import intake
from fengqiao.events import timers as _timers
from fengqiao.events.actions import ActionRequest, perform
from fengqiao.events.kinds import Channel
from fengqiao.events.lifecycle import Action
from fengqiao.events.models import Event, Supervision
from fengqiao.jobs.models import Job
from fengqiao.jobs.worker import Worker
from fengqiao.jurisdiction.models import Unit
from tests import factories
from tests.events.world import make_world

GRID = "331081100200001"


@pytest.fixture
def engine_with_world(isolated_engine: Engine) -> Engine:
    migrate.upgrade(isolated_engine)
    with Session(isolated_engine) as session:
        factories.bind(session)
        make_world(session)
        session.commit()
        factories.bind(None)
    return isolated_engine


def _dispatched_event(engine: Engine, *, accept: bool = False) -> int:
    with Session(for_writing(engine)) as session:
        town = session.scalars(select(Unit).where(Unit.code == "331081100")).one()
        event = intake.register(
            session=session,
            new=intake.NewEvent(channel=Channel.FRONT_DESK, title="违章搭建", content="楼顶搭建彩钢棚", unit_code=GRID),
            registering_unit=town,
        ).event
        for who, action, kwargs in [("town_dispatcher", Action.DISPATCH, {"target_unit_code": GRID})] + (
            [("grid_worker", Action.ACCEPT, {})] if accept else []
        ):
            staff = session.scalars(select(Staff).where(Staff.username == who)).one()
            perform(
                session=session,
                viewer=load_viewer(session=session, staff=staff),
                event_id=event.id,
                request=ActionRequest(action=action, **kwargs),  # type: ignore[arg-type]
            )
        session.commit()
        return event.id


def _run_at(engine: Engine, moment: datetime) -> None:
    Worker(for_writing(engine), clock=lambda: moment).run_once()


def _just_after(moment: datetime | None) -> datetime:
    assert moment is not None
    return moment + timedelta(minutes=1)


def test_an_unaccepted_event_goes_overdue_and_supervision_climbs(engine_with_world: Engine) -> None:
    event_id = _dispatched_event(engine_with_world)
    with Session(engine_with_world) as session:
        event = session.get(Event, event_id)
        assert event is not None
        deadline = event.step_deadline
    _run_at(engine_with_world, _just_after(deadline))
    with Session(engine_with_world) as session:
        event = session.get(Event, event_id)
        assert event is not None
        assert event.is_overdue
        actions = [a.action for a in event.actions]
        assert "deadline_warning" in actions
        assert actions.count("overdue") == 1
        supervision = session.scalars(select(Supervision).where(Supervision.event_id == event_id)).one()
        assert (supervision.level, supervision.by_id) == ("normal", None)
        supervision_deadline = supervision.deadline
    for expected in ("yellow", "red"):
        _run_at(engine_with_world, _just_after(supervision_deadline))
        with Session(engine_with_world) as session:
            supervision = session.scalars(select(Supervision).where(Supervision.event_id == event_id)).one()
            assert supervision.level == expected
            assert supervision.deadline > supervision_deadline
            supervision_deadline = supervision.deadline
            event = session.get(Event, event_id)
            assert event is not None
            assert event.supervision_level == expected
            assert [a.action for a in event.actions].count("overdue") == 1


def test_timers_of_a_finished_step_drop(engine_with_world: Engine) -> None:
    event_id = _dispatched_event(engine_with_world, accept=True)
    with Session(engine_with_world) as session:
        event = session.get(Event, event_id)
        assert event is not None
        accept_deadline = event.tasks[0].accept_deadline
        handle_deadline = event.step_deadline
    assert accept_deadline is not None
    assert handle_deadline is not None
    assert accept_deadline < handle_deadline
    _run_at(engine_with_world, _just_after(accept_deadline))  # the accept timer fires after acceptance
    with Session(engine_with_world) as session:
        event = session.get(Event, event_id)
        assert event is not None
        assert not event.is_overdue
        assert "overdue" not in [a.action for a in event.actions]


def test_a_timer_firing_twice_acts_once(engine_with_world: Engine) -> None:
    event_id = _dispatched_event(engine_with_world)
    with Session(engine_with_world) as session:
        event = session.get(Event, event_id)
        assert event is not None
        deadline = event.step_deadline
    _run_at(engine_with_world, _just_after(deadline))

    with Session(for_writing(engine_with_world)) as session:
        job = session.scalars(select(Job).where(Job.kind == "events.step_deadline")).one()
        _timers.step_deadline(session, job)  # a duplicate delivery of the same timer
        session.commit()
    with Session(engine_with_world) as session:
        event = session.get(Event, event_id)
        assert event is not None
        assert [a.action for a in event.actions].count("overdue") == 1
