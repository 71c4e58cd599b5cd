"""Suggestions applied by the worker: a 110 neighbour dispute becomes two tasks (一事双派); overrides are recorded."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from fengqiao.accounts.scope import load_viewer
from fengqiao.db import migrate
from fengqiao.db.engine import for_writing
from fengqiao.duty.models import Staff
from fengqiao.events import intake
from fengqiao.events.actions import ActionRequest, perform
from fengqiao.events.kinds import Channel, EventStatus, RiskLevel, TaskRole
from fengqiao.events.lifecycle import Action
from fengqiao.events.models import Event
from fengqiao.jobs.worker import Worker
from fengqiao.jurisdiction.models import Unit
from fengqiao.triage.dispatch.service import Classified, apply_triage
from tests import factories
from tests.events.world import make_world

GRID = "331081100200001"


def _world_engine(engine: Engine) -> Engine:
    migrate.upgrade(engine)
    with Session(engine) as session:
        factories.bind(session)
        make_world(session)
        session.commit()
        factories.bind(None)
    return engine


def _registered(engine: Engine, channel: Channel, classified: Classified) -> int:
    with Session(for_writing(engine)) as session:
        county = session.scalars(select(Unit).where(Unit.code == "331081")).one()
        event = intake.register(
            session=session,
            new=intake.NewEvent(
                channel=channel, source_id="110-0001", title="邻里因停车位争吵", content="双方争吵推搡", unit_code=GRID
            ),
            registering_unit=county,
        ).event
        apply_triage(session=session, event=event, classified=classified)
        session.commit()
        return event.id


def test_a_110_neighbour_dispute_creates_two_tasks(isolated_engine: Engine) -> None:
    engine = _world_engine(isolated_engine)
    event_id = _registered(engine, Channel.POLICE_110, Classified(category="neighbour", risk=RiskLevel.LOW))
    Worker(for_writing(engine)).run_once()
    with Session(engine) as session:
        event = session.get(Event, event_id)
        assert event is not None
        assert event.status == EventStatus.DISPATCHED
        tasks = sorted((t.role, session.get(Unit, t.unit_id).code) for t in event.tasks)  # type: ignore[union-attr]
        assert tasks == [(TaskRole.JOINT.value, "331081PS01"), (TaskRole.PRIMARY.value, "331081100")]
        dispatch = event.actions[-1]
        assert (dispatch.action, dispatch.actor_id) == ("dispatch", None)
        assert dispatch.note is not None
        assert "一事双派" in dispatch.note
    Worker(for_writing(engine)).run_once()  # the job already ran: nothing happens twice
    with Session(engine) as session:
        event = session.get(Event, event_id)
        assert event is not None
        assert len(event.tasks) == 2


def test_a_hotline_ticket_waits_for_a_dispatcher_who_may_override(isolated_engine: Engine) -> None:
    engine = _world_engine(isolated_engine)
    event_id = _registered(engine, Channel.HOTLINE_12345, Classified(category="neighbour", risk=RiskLevel.LOW))
    Worker(for_writing(engine)).run_once()
    with Session(for_writing(engine)) as session:
        event = session.get(Event, event_id)
        assert event is not None
        assert event.status == EventStatus.REGISTERED
        assert event.triage is not None
        assert event.triage["suggestion"]["primary"] == GRID
        staff = session.scalars(select(Staff).where(Staff.username == "county")).one()
        perform(
            session=session,
            viewer=load_viewer(session=session, staff=staff),
            event_id=event_id,
            request=ActionRequest(action=Action.DISPATCH, target_unit_code="331081100200"),
        )
        session.commit()
        assert event.actions[-1].data is not None
        assert event.actions[-1].data["overrides_suggestion"] == GRID
