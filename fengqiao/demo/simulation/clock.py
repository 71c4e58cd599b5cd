"""Simulated time: while ``simulated_time`` is active, ``fengqiao.core.clock.utcnow`` returns the simulated moment,
so the services stamp registrations, timelines, deadlines and jobs with simulated time exactly as with real time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from fengqiao.core import clock as core_clock


class SimulatedClock:
    """The moment the simulation is at; ``set`` moves it (forwards or, for a resumed day, back)."""

    def __init__(self, start: datetime) -> None:
        self.now = start.astimezone(UTC)

    def set(self, moment: datetime) -> None:
        self.now = moment.astimezone(UTC)


@contextmanager
def simulated_time(start: datetime) -> Iterator[SimulatedClock]:
    state = SimulatedClock(start)
    with core_clock.overridden(lambda: state.now):
        yield state
