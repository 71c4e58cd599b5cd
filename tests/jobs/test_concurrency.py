"""Two workers at once never fire the same timer twice: on PostgreSQL they share the work (SKIP LOCKED), on SQLite
the second one refuses or waits for the first. Each worker has an engine of its own, as two processes would."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from fengqiao.core.clock import utcnow
from fengqiao.db.engine import make_engine
from fengqiao.jobs import service
from fengqiao.jobs.models import Job, JobStatus
from fengqiao.jobs.worker import RunStats, Worker, WorkerBusy
from tests.jobs.conftest import FAST, PROBE, executions, probe


@pytest.fixture
def second_engine(jobs_db: Engine) -> Iterator[Engine]:
    engine = make_engine(jobs_db.url.render_as_string(hide_password=False))
    yield engine
    engine.dispose()


def _schedule_many(sessions: sessionmaker[Session], count: int, payload: dict[str, float]) -> list[int]:
    with sessions() as session, session.begin():
        past = utcnow() - timedelta(seconds=5)
        jobs = [service.schedule(session=session, kind=PROBE, run_at=past, payload=payload) for _ in range(count)]
        return [job.id for job in jobs]


def _wait_for(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.01)


def _executions(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(executions)) or 0


def test_two_workers_on_postgresql_share_200_jobs_and_run_each_once(
    jobs_db: Engine, second_engine: Engine, sessions: sessionmaker[Session]
) -> None:
    if jobs_db.dialect.name != "postgresql":
        pytest.skip("concurrent workers are a PostgreSQL feature; SQLite keeps one worker (next test)")
    ids = _schedule_many(sessions, 200, {"sleep": 0.002})
    config = replace(FAST, batch_size=10)
    workers = [Worker(jobs_db, config=config, worker_id="a"), Worker(second_engine, config=config, worker_id="b")]
    start = threading.Barrier(len(workers))
    results: dict[str, RunStats] = {}
    errors: list[BaseException] = []

    def run(worker: Worker) -> None:
        start.wait()
        try:
            results[worker.id] = worker.run_once()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(probe.calls) == sorted(ids)
    assert set(probe.calls.values()) == {1}
    assert _executions(jobs_db) == 200
    assert sum(stats.done for stats in results.values()) == 200
    assert sum(stats.skipped for stats in results.values()) == 0  # no job was ever claimed by both
    assert all(stats.claimed > 0 for stats in results.values()), results  # they did run side by side
    assert probe.max_in_flight == 2
    with sessions() as session:
        states = session.execute(select(Job.status, Job.attempts, func.count()).group_by(Job.status, Job.attempts))
        assert [tuple(row) for row in states] == [(JobStatus.DONE, 1, 200)]


def test_a_second_worker_on_the_same_sqlite_file_refuses_or_waits(
    jobs_db: Engine, second_engine: Engine, sessions: sessionmaker[Session]
) -> None:
    if jobs_db.dialect.name != "sqlite":
        pytest.skip("SQLite keeps one worker at a time")
    ran_by: dict[int, str] = {}
    probe.hook = lambda job: ran_by.__setitem__(job.id, threading.current_thread().name)
    first_batch = _schedule_many(sessions, 50, {"sleep": 0.001})
    first = Worker(jobs_db, config=FAST, worker_id="first")
    second = Worker(second_engine, config=FAST, worker_id="second")
    first_thread = threading.Thread(target=first.run_forever, name="first")
    first_thread.start()
    try:
        _wait_for(lambda: bool(probe.calls))

        with pytest.raises(WorkerBusy, match="另一个后台任务进程（first）") as refused:
            second.run_once()
        assert refused.value.code == "worker_busy"

        second_thread = threading.Thread(target=second.run_forever, name="second")
        second_thread.start()
        _wait_for(lambda: len(probe.calls) == len(first_batch))
    finally:
        first.stop()
        first_thread.join(timeout=20)
    try:
        second_batch = _schedule_many(sessions, 20, {"sleep": 0.001})
        _wait_for(lambda: len(probe.calls) == len(first_batch) + len(second_batch))
    finally:
        second.stop()
        second_thread.join(timeout=20)

    assert set(probe.calls.values()) == {1}
    assert probe.max_in_flight == 1
    assert _executions(jobs_db) == 70
    assert {ran_by[job_id] for job_id in first_batch} == {"first"}
    assert {ran_by[job_id] for job_id in second_batch} == {"second"}
