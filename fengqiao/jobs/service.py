"""Scheduling, cancelling and rescheduling jobs. Every function runs inside the caller's transaction and never
commits: a timer exists iff the business change that asked for it commits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fengqiao.core.clock import utcnow
from fengqiao.core.errors import InvalidInput
from fengqiao.jobs.models import DEFAULT_MAX_ATTEMPTS, FINISHED_STATUSES, Job, JobStatus


@dataclass(frozen=True)
class JobSpec:
    """One job to add (see :func:`schedule`)."""

    kind: str
    run_at: datetime
    payload: Mapping[str, Any] | None = None
    dedupe_key: str | None = None
    county_code: str | None = None
    max_attempts: int = DEFAULT_MAX_ATTEMPTS

    def check(self) -> None:
        _check_moment(self.run_at)
        if not self.kind:
            raise InvalidInput("任务类型不能为空")
        if self.max_attempts < 1:
            raise InvalidInput("最大尝试次数至少为 1")

    def new_job(self) -> Job:
        return Job(
            kind=self.kind,
            run_at=self.run_at,
            payload=dict(self.payload or {}),
            dedupe_key=self.dedupe_key,
            county_code=self.county_code,
            status=JobStatus.PENDING,
            attempts=0,
            max_attempts=self.max_attempts,
        )


def schedule(
    *,
    session: Session,
    kind: str,
    run_at: datetime,
    payload: Mapping[str, Any] | None = None,
    dedupe_key: str | None = None,
    county_code: str | None = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> Job:
    """Add a job due at ``run_at``. With a ``dedupe_key`` already used this is a no-op returning the existing job,
    whatever its status: a timer fires once; use :func:`reschedule` to move or re-arm it."""
    spec = JobSpec(kind, run_at, payload, dedupe_key, county_code, max_attempts)
    return schedule_all(session=session, specs=[spec])[0]


def schedule_all(*, session: Session, specs: Sequence[JobSpec]) -> list[Job]:
    """:func:`schedule` for several jobs with one look-up and one insert (an action arms two timers at a time)."""
    for spec in specs:
        spec.check()
    keys = [spec.dedupe_key for spec in specs if spec.dedupe_key is not None]
    known = _by_dedupe_keys(session, keys) if keys else {}
    jobs: list[Job] = []
    added: list[Job] = []
    for spec in specs:
        job = known.get(spec.dedupe_key) if spec.dedupe_key is not None else None
        if job is None:
            job = spec.new_job()
            added.append(job)
            if spec.dedupe_key is not None:
                known[spec.dedupe_key] = job
        jobs.append(job)
    if not added:
        return jobs
    if not keys:
        session.add_all(added)
        session.flush()
        return jobs
    # Another transaction may insert the same key between our look-up and our insert; the unique constraint decides
    # and the savepoint keeps the caller's transaction usable.
    try:
        with session.begin_nested():
            session.add_all(added)
    except IntegrityError:
        if len(specs) == 1:
            existing = get_by_dedupe_key(session=session, dedupe_key=keys[0])
            if existing is None:
                raise
            return [existing]
        return [schedule_all(session=session, specs=[spec])[0] for spec in specs]
    return jobs


def cancel(*, session: Session, dedupe_key: str) -> Job | None:
    """Cancel a pending or running timer; a finished one is left as it is. Returns the job, or None if unknown."""
    job = _lock_by_dedupe_key(session, dedupe_key)
    if job is None or job.status in FINISHED_STATUSES:
        return job
    # A running job is cancelled too: the worker checks it still holds the job before it marks it done, so the
    # result of that run is thrown away unless its transaction had already committed (then we see it as done).
    job.status = JobStatus.CANCELLED
    job.finished_at = utcnow()
    job.locked_by = None
    job.locked_until = None
    session.flush()
    return job


def reschedule(
    *,
    session: Session,
    dedupe_key: str,
    run_at: datetime,
    payload: Mapping[str, Any] | None = None,
) -> Job | None:
    """Move a timer to ``run_at`` (and replace its payload if given), re-arming it if it had already fired, failed or
    been cancelled. Attempts start again from zero. Returns None if no job has this key."""
    _check_moment(run_at)
    job = _lock_by_dedupe_key(session, dedupe_key)
    if job is None:
        return None
    job.run_at = run_at
    if payload is not None:
        job.payload = dict(payload)
    job.status = JobStatus.PENDING
    job.attempts = 0
    job.last_error = None
    job.finished_at = None
    job.locked_by = None
    job.locked_until = None
    session.flush()
    return job


def get(*, session: Session, job_id: int) -> Job | None:
    return session.get(Job, job_id)


def get_by_dedupe_key(*, session: Session, dedupe_key: str) -> Job | None:
    return session.scalars(select(Job).where(Job.dedupe_key == dedupe_key)).one_or_none()


def _by_dedupe_keys(session: Session, keys: Sequence[str]) -> dict[str, Job]:
    jobs = session.scalars(select(Job).where(Job.dedupe_key.in_(keys)))
    return {job.dedupe_key: job for job in jobs if job.dedupe_key is not None}


def _lock_by_dedupe_key(session: Session, dedupe_key: str) -> Job | None:
    # FOR UPDATE waits for a worker that is running this job, so we act on its committed outcome (PostgreSQL).
    statement = (
        select(Job).where(Job.dedupe_key == dedupe_key).with_for_update().execution_options(populate_existing=True)
    )
    return session.scalars(statement).one_or_none()


def _check_moment(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidInput("执行时间必须带时区", details={"run_at": moment.isoformat()})
