"""A small run of `fengqiao bench web`: a handful of events on the test county, each endpoint hit in-process."""

from __future__ import annotations

import httpx
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from fengqiao.bench import web
from fengqiao.core.clock import overridden, utcnow
from fengqiao.db import migrate
from fengqiao.events.kinds import EventStatus
from fengqiao.events.models import Callback, Event
from fengqiao.web.app import create_app
from tests import factories
from tests.events.world import make_world
from tests.web.helpers import make_settings


def test_bench_web_smoke(isolated_engine: Engine) -> None:
    migrate.upgrade(isolated_engine)
    with Session(isolated_engine) as session:
        factories.bind(session)
        make_world(session)
        session.commit()
    factories.bind(None)

    assert web.seed_events(engine=isolated_engine, count=40, seed=3) == 40
    with Session(isolated_engine) as session:
        assert session.scalar(select(func.count()).select_from(Event)) == 40
        statuses = dict(session.execute(select(Event.status, func.count()).group_by(Event.status)).all())
        assert statuses.get(EventStatus.DISPATCHED.value, 0) > 0  # the grid worker has an inbox
        callbacks = session.scalar(select(func.count()).select_from(Callback)) or 0
        assert callbacks <= statuses.get(EventStatus.CLOSED.value, 0)

    logins = web.issue_logins(isolated_engine)
    phases = web.phases_for(logins)
    app = create_app(settings=make_settings(), engine=isolated_engine)
    # The cockpit's version tag includes the minute: the clock held still, a minute turning during the run cannot
    # change the tag between the first fetch and the conditional ones.
    held = utcnow()
    with overridden(lambda: held):
        web.load("http://bench", phases, clients=2, seconds=0.3, transport=httpx.ASGITransport(app=app))
    for phase in phases:
        assert phase.latencies, phase.label
        expected = {304} if phase.etag else {200}
        assert set(phase.statuses) == expected, (phase.label, phase.statuses)
    assert web.report(phases, events=40, clients=2, backend="sqlite").row_count == len(phases)
