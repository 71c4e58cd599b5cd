from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from fengqiao.core.clock import utcnow
from fengqiao.core.errors import InvalidInput
from fengqiao.jobs import service
from fengqiao.jobs.models import Job, JobStatus
from tests.jobs.conftest import PROBE


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Job)) or 0


def test_schedule_adds_a_pending_job_in_the_callers_transaction(db: Session) -> None:
    run_at = utcnow() + timedelta(hours=1)
    job = service.schedule(
        session=db, kind=PROBE, run_at=run_at, payload={"event_id": 7}, county_code="331081", max_attempts=3
    )
    db.expire_all()
    stored = db.get(Job, job.id)
    assert stored is not None
    assert (stored.status, stored.attempts, stored.max_attempts) == (JobStatus.PENDING, 0, 3)
    assert stored.payload == {"event_id": 7}
    assert stored.run_at == run_at
    assert stored.county_code == "331081"


def test_scheduling_the_same_dedupe_key_twice_returns_the_existing_job(db: Session) -> None:
    before = _count(db)
    first = service.schedule(session=db, kind=PROBE, run_at=utcnow(), payload={"n": 1}, dedupe_key="event:1:deadline")
    again = service.schedule(
        session=db, kind=PROBE, run_at=utcnow() + timedelta(days=1), payload={"n": 2}, dedupe_key="event:1:deadline"
    )
    assert again.id == first.id
    assert again.payload == {"n": 1}
    assert _count(db) == before + 1


def test_a_timer_that_already_fired_is_not_armed_again_by_schedule(db: Session) -> None:
    job = service.schedule(session=db, kind=PROBE, run_at=utcnow(), dedupe_key="event:2:deadline")
    job.status = JobStatus.DONE
    db.flush()
    again = service.schedule(session=db, kind=PROBE, run_at=utcnow(), dedupe_key="event:2:deadline")
    assert (again.id, again.status) == (job.id, JobStatus.DONE)


def test_jobs_without_dedupe_key_are_independent(db: Session) -> None:
    before = _count(db)
    service.schedule(session=db, kind=PROBE, run_at=utcnow())
    service.schedule(session=db, kind=PROBE, run_at=utcnow())
    assert _count(db) == before + 2


def test_a_job_exists_only_if_the_business_transaction_commits(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        session.begin()
        service.schedule(session=session, kind=PROBE, run_at=utcnow(), dedupe_key="rolled-back")
        session.rollback()
    with sessions() as session:
        assert service.get_by_dedupe_key(session=session, dedupe_key="rolled-back") is None


def test_cancel_marks_a_pending_timer_cancelled_and_leaves_finished_ones(db: Session) -> None:
    service.schedule(session=db, kind=PROBE, run_at=utcnow(), dedupe_key="c1")
    cancelled = service.cancel(session=db, dedupe_key="c1")
    assert cancelled is not None
    assert cancelled.status == JobStatus.CANCELLED
    assert cancelled.finished_at is not None

    done = service.schedule(session=db, kind=PROBE, run_at=utcnow(), dedupe_key="c2")
    done.status = JobStatus.DONE
    db.flush()
    assert service.cancel(session=db, dedupe_key="c2") is done
    assert done.status == JobStatus.DONE
    assert service.cancel(session=db, dedupe_key="unknown") is None


def test_reschedule_moves_a_pending_timer_and_rearms_a_finished_one(db: Session) -> None:
    job = service.schedule(session=db, kind=PROBE, run_at=utcnow(), payload={"step": 1}, dedupe_key="r1")
    later = utcnow() + timedelta(days=2)
    moved = service.reschedule(session=db, dedupe_key="r1", run_at=later, payload={"step": 2})
    assert moved is not None
    assert (moved.id, moved.run_at, moved.payload, moved.status) == (job.id, later, {"step": 2}, JobStatus.PENDING)

    moved.status, moved.attempts, moved.last_error = JobStatus.FAILED, 5, "boom"
    db.flush()
    rearmed = service.reschedule(session=db, dedupe_key="r1", run_at=later)
    assert rearmed is not None
    assert (rearmed.status, rearmed.attempts, rearmed.last_error) == (JobStatus.PENDING, 0, None)
    assert rearmed.payload == {"step": 2}
    assert service.reschedule(session=db, dedupe_key="unknown", run_at=later) is None


def test_naive_run_at_and_empty_kind_are_refused(db: Session) -> None:
    with pytest.raises(InvalidInput, match="时区"):
        service.schedule(session=db, kind=PROBE, run_at=datetime(2026, 1, 1, 9, 0))
    with pytest.raises(InvalidInput, match="类型"):
        service.schedule(session=db, kind="", run_at=utcnow())
