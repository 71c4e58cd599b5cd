"""A migrated database of this folder's own (the worker claims every due job in a database, so it cannot share the
session-wide one), emptied after each test, and a probe handler that records every execution."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, Table, delete, insert
from sqlalchemy.orm import Session, sessionmaker

from fengqiao.core.clock import utcnow
from fengqiao.db import migrate
from fengqiao.db.engine import make_engine, make_session_factory
from fengqiao.jobs import service
from fengqiao.jobs.models import Job, WorkerLease
from fengqiao.jobs.registry import job_handler
from fengqiao.jobs.worker import WorkerConfig

PROBE = "test.probe"

probe_metadata = MetaData()
# One row per job the probe handler ran; the primary key makes a second commit of the same job impossible.
executions = Table("test_job_executions", probe_metadata, Column("job_id", Integer, primary_key=True))


@dataclass
class Probe:
    """What the probe handler saw, across threads: calls (committed or not) and the most that ran at once."""

    calls: Counter[int] = field(default_factory=Counter)
    payloads: dict[int, dict[str, Any]] = field(default_factory=dict)
    in_flight: int = 0
    max_in_flight: int = 0
    hook: Callable[[Job], None] | None = None
    after_write: Callable[[Job], None] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.calls.clear()
            self.payloads.clear()
            self.in_flight = 0
            self.max_in_flight = 0
            self.hook = None
            self.after_write = None


probe = Probe()


@job_handler(PROBE)
def probe_handler(session: Session, job: Job) -> None:
    with probe.lock:
        probe.calls[job.id] += 1
        probe.payloads[job.id] = dict(job.payload)
        probe.in_flight += 1
        probe.max_in_flight = max(probe.max_in_flight, probe.in_flight)
    try:
        if probe.hook is not None:
            probe.hook(job)
        if job.payload.get("sleep"):
            time.sleep(float(job.payload["sleep"]))
        if job.payload.get("fail"):
            raise RuntimeError(job.payload["fail"])
        session.execute(insert(executions).values(job_id=job.id))
        if probe.after_write is not None:
            probe.after_write(job)
    finally:
        with probe.lock:
            probe.in_flight -= 1


FAST = WorkerConfig(poll_interval=0.02, batch_size=10)


@pytest.fixture(scope="session")
def jobs_engine(database_factory: Callable[[], str]) -> Iterator[Engine]:
    engine = make_engine(database_factory())
    migrate.upgrade(engine)
    probe_metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def jobs_db(jobs_engine: Engine) -> Iterator[Engine]:
    probe.reset()
    yield jobs_engine
    probe.reset()
    with jobs_engine.begin() as connection:
        connection.execute(delete(executions))
        connection.execute(delete(Job))
        connection.execute(delete(WorkerLease))


@pytest.fixture
def sessions(jobs_db: Engine) -> sessionmaker[Session]:
    return make_session_factory(jobs_db)


ScheduleFn = Callable[..., int]


@pytest.fixture
def schedule_job(sessions: sessionmaker[Session]) -> ScheduleFn:
    """Schedule and commit a job (a probe, due now, unless told otherwise); returns its id."""

    def schedule(
        *, kind: str = PROBE, run_at: datetime | None = None, payload: dict[str, Any] | None = None, **kwargs: Any
    ) -> int:
        with sessions() as session, session.begin():
            job = service.schedule(
                session=session, kind=kind, run_at=run_at or utcnow() - timedelta(seconds=1), payload=payload, **kwargs
            )
            return job.id

    return schedule


def load_job(sessions: sessionmaker[Session], job_id: int) -> Job:
    with sessions() as session:
        job = session.get(Job, job_id)
        assert job is not None
        return job
