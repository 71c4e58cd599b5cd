"""Running a simulation against a database: the window of days, one session, and the ``demo ensure`` hook."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from fengqiao.core.clock import CHINA_TZ, utcnow
from fengqiao.db import migrate
from fengqiao.db.engine import for_writing
from fengqiao.events.models import Event

from .driver import Listener, Simulation, SimulationReport

# What `demo ensure` simulates on a database without events: the last month, so every screen has data.
ENSURE_DAYS = 30


def window(*, days: int, until: date | None, now: datetime | None = None) -> tuple[date, date, datetime]:
    """(first day, last day, the moment to stop): ``days`` days ending with ``until`` (default today); a past
    ``until`` runs to the end of that day, today stops at the present moment."""
    now = now or utcnow()
    today = now.astimezone(CHINA_TZ).date()
    last = min(until or today, today)
    stop = now if last == today else datetime.combine(last, time(23, 59, 59), tzinfo=CHINA_TZ).astimezone(UTC)
    return last - timedelta(days=days - 1), last, stop


def simulate(
    *,
    engine: Engine,
    days: int,
    scale: float,
    seed: int,
    until: date | None = None,
    listener: Listener | None = None,
) -> SimulationReport:
    migrate.upgrade(engine)  # a county seeded by an older version gets the tables the services now write
    first, last, stop = window(days=days, until=until)
    with Session(for_writing(engine), expire_on_commit=False) as session:
        return Simulation(session=session, seed=seed, scale=scale).run(
            first_day=first, last_day=last, until=stop, listener=listener
        )


def has_events(engine: Engine) -> bool:
    with Session(engine) as session:
        return bool(session.scalar(select(func.count()).select_from(Event)))


def ensure_history(
    *, engine: Engine, scale: float, seed: int, listener: Listener | None = None
) -> SimulationReport | None:
    """Simulate the last ``ENSURE_DAYS`` days on a database that has a county but no events yet; else nothing."""
    if has_events(engine):
        return None
    return simulate(engine=engine, days=ENSURE_DAYS, scale=scale, seed=seed, listener=listener)
