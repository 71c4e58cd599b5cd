from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from fengqiao.core.clock import utcnow
from fengqiao.db.engine import make_engine
from fengqiao.jobs import service
from fengqiao.jobs.models import JobStatus
from fengqiao.jobs.worker import Outcome, Worker
from tests.jobs.conftest import FAST, PROBE, ScheduleFn, executions, load_job, probe


def test_run_once_runs_due_jobs_and_leaves_future_ones(jobs_db: Engine, schedule_job: ScheduleFn) -> None:
    due = schedule_job(payload={"event_id": 42})
    future = schedule_job(run_at=utcnow() + timedelta(hours=1))

    stats = Worker(jobs_db, config=FAST).run_once()

    assert (stats.claimed, stats.done, stats.failed) == (1, 1, 0)
    assert probe.calls == {due: 1}
    assert probe.payloads[due] == {"event_id": 42}
    sessions = sessionmaker(jobs_db)
    ran = load_job(sessions, due)
    assert (ran.status, ran.attempts, ran.locked_by, ran.locked_until) == (JobStatus.DONE, 1, None, None)
    assert ran.finished_at is not None
    assert load_job(sessions, future).status == JobStatus.PENDING


def test_handler_writes_commit_with_done(jobs_db: Engine, schedule_job: ScheduleFn) -> None:
    job_id = schedule_job()
    Worker(jobs_db, config=FAST).run_once()
    with jobs_db.connect() as connection:
        assert connection.scalars(select(executions.c.job_id)).all() == [job_id]


def test_failing_handler_is_retried_then_failed_with_the_error_kept(
    jobs_db: Engine, schedule_job: ScheduleFn, sessions: sessionmaker[Session]
) -> None:
    job_id = schedule_job(payload={"fail": "网格员不存在"}, max_attempts=3)
    no_backoff = replace(FAST, backoff_base=timedelta(0))

    stats = Worker(jobs_db, config=no_backoff).run_once()

    assert (stats.done, stats.retried, stats.failed) == (0, 2, 1)
    assert probe.calls[job_id] == 3
    job = load_job(sessions, job_id)
    assert (job.status, job.attempts) == (JobStatus.FAILED, 3)
    assert job.last_error is not None
    assert "RuntimeError: 网格员不存在" in job.last_error
    assert job.finished_at is not None
    with jobs_db.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(executions)) == 0


def test_a_failure_backs_off_before_the_next_attempt(
    jobs_db: Engine, schedule_job: ScheduleFn, sessions: sessionmaker[Session]
) -> None:
    job_id = schedule_job(payload={"fail": "暂时失败"})
    worker = Worker(jobs_db, config=FAST)
    before = utcnow()

    stats = worker.run_once()

    assert (stats.retried, stats.claimed) == (1, 1)
    job = load_job(sessions, job_id)
    assert (job.status, job.attempts, job.locked_by) == (JobStatus.PENDING, 1, None)
    assert before + timedelta(seconds=29) < job.run_at < utcnow() + timedelta(seconds=31)
    assert [worker.backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert worker.backoff(40) == FAST.backoff_max


def test_a_job_whose_worker_died_is_taken_again_after_its_lease_expires(
    jobs_db: Engine, schedule_job: ScheduleFn, sessions: sessionmaker[Session]
) -> None:
    job_id = schedule_job()
    dead = Worker(jobs_db, config=FAST, worker_id="dead")
    assert dead.claim_due() == [job_id]  # ... and the process dies before running it

    assert Worker(jobs_db, config=FAST).run_once().claimed == 0  # the lease still holds
    assert load_job(sessions, job_id).status == JobStatus.RUNNING

    later = utcnow() + FAST.job_lease + timedelta(seconds=1)
    stats = Worker(jobs_db, config=FAST, worker_id="successor", clock=lambda: later).run_once()

    assert stats.done == 1
    job = load_job(sessions, job_id)
    assert (job.status, job.attempts) == (JobStatus.DONE, 2)
    # The dead worker coming back late must not run the job a second time.
    assert dead.run_job(job_id) == Outcome.SKIPPED
    assert probe.calls[job_id] == 1


def test_a_job_that_kills_its_worker_every_time_ends_failed(
    jobs_db: Engine, schedule_job: ScheduleFn, sessions: sessionmaker[Session]
) -> None:
    job_id = schedule_job(max_attempts=1)
    Worker(jobs_db, config=FAST, worker_id="dead").claim_due()
    later = utcnow() + FAST.job_lease + timedelta(seconds=1)

    stats = Worker(jobs_db, config=FAST, clock=lambda: later).run_once()

    assert stats.failed == 1
    assert probe.calls[job_id] == 0
    job = load_job(sessions, job_id)
    assert job.status == JobStatus.FAILED
    assert job.last_error is not None


def test_timers_survive_a_restart(jobs_db: Engine, sessions: sessionmaker[Session]) -> None:
    url = jobs_db.url.render_as_string(hide_password=False)
    before_restart = make_engine(url)
    with sessionmaker(before_restart)() as session, session.begin():
        job_id = service.schedule(
            session=session, kind=PROBE, run_at=utcnow() + timedelta(milliseconds=50), dedupe_key="restart"
        ).id
    before_restart.dispose()

    after_restart = make_engine(url)
    try:
        later = utcnow() + timedelta(seconds=1)
        stats = Worker(after_restart, config=FAST, clock=lambda: later).run_once()
    finally:
        after_restart.dispose()
    assert stats.done == 1
    assert load_job(sessions, job_id).status == JobStatus.DONE


def test_stop_hands_the_rest_of_the_batch_back(
    jobs_db: Engine, schedule_job: ScheduleFn, sessions: sessionmaker[Session]
) -> None:
    ids = [schedule_job(run_at=utcnow() - timedelta(seconds=10 - n)) for n in range(3)]
    worker = Worker(jobs_db, config=FAST)
    probe.hook = lambda _job: worker.stop()

    stats = worker.run_once()

    assert (stats.claimed, stats.done, stats.released) == (3, 1, 2)
    assert probe.calls == {ids[0]: 1}
    for job_id in ids[1:]:
        job = load_job(sessions, job_id)
        assert (job.status, job.attempts, job.locked_by) == (JobStatus.PENDING, 0, None)


def test_an_unknown_kind_is_retried_then_failed(
    jobs_db: Engine, schedule_job: ScheduleFn, sessions: sessionmaker[Session]
) -> None:
    job_id = schedule_job(kind="test.nobody_handles_this", max_attempts=1)
    stats = Worker(jobs_db, config=FAST).run_once()
    assert stats.failed == 1
    job = load_job(sessions, job_id)
    assert job.last_error is not None
    assert "未登记的任务类型" in job.last_error


def test_a_cancelled_job_is_not_run(jobs_db: Engine, schedule_job: ScheduleFn, sessions: sessionmaker[Session]) -> None:
    schedule_job(dedupe_key="to-cancel")
    with sessions() as session, session.begin():
        service.cancel(session=session, dedupe_key="to-cancel")
    assert Worker(jobs_db, config=FAST).run_once().claimed == 0
    assert not probe.calls


def test_config_refuses_a_poll_interval_longer_than_the_lease() -> None:
    with pytest.raises(ValueError, match="poll_interval"):
        replace(FAST, poll_interval=FAST.worker_lease.total_seconds() + 1)


def test_jobs_run_oldest_first(jobs_db: Engine, schedule_job: ScheduleFn) -> None:
    newer = schedule_job(run_at=utcnow() - timedelta(minutes=1))
    older = schedule_job(run_at=utcnow() - timedelta(hours=1))
    order: list[int] = []
    probe.hook = lambda job: order.append(job.id)
    Worker(jobs_db, config=FAST).run_once()
    assert order == [older, newer]


def test_the_job_row_passed_to_handlers_is_the_claimed_one(jobs_db: Engine, schedule_job: ScheduleFn) -> None:
    schedule_job(county_code="331081")
    seen: list[tuple[str | None, str, int]] = []
    probe.hook = lambda job: seen.append((job.county_code, job.status, job.attempts))
    Worker(jobs_db, config=FAST).run_once()
    assert seen == [("331081", JobStatus.RUNNING, 1)]


def test_a_worker_killed_mid_run_leaves_no_trace_and_the_job_runs_again(
    jobs_db: Engine, schedule_job: ScheduleFn, sessions: sessionmaker[Session]
) -> None:
    job_id = schedule_job()

    def die(_job: object) -> None:
        raise KeyboardInterrupt  # as abrupt as it gets inside a process: nothing below `except Exception` sees it

    probe.after_write = die
    with pytest.raises(KeyboardInterrupt):
        Worker(jobs_db, config=FAST, worker_id="killed").run_once()
    probe.after_write = None

    job = load_job(sessions, job_id)
    assert (job.status, job.locked_by) == (JobStatus.RUNNING, "killed")
    with jobs_db.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(executions)) == 0  # its write was rolled back

    later = utcnow() + FAST.job_lease + timedelta(seconds=1)
    assert Worker(jobs_db, config=FAST, clock=lambda: later).run_once().done == 1
    with jobs_db.connect() as connection:
        assert connection.scalars(select(executions.c.job_id)).all() == [job_id]
    assert load_job(sessions, job_id).attempts == 2
