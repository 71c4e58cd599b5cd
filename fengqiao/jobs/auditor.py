"""The auditor: proves that timers fire by finding jobs that should have run and did not.

A job is overdue when it is ``pending`` with ``run_at`` more than ``threshold`` in the past (no worker is running, or
workers cannot keep up), or ``running`` with a lease that ran out more than ``threshold`` ago (its worker died and
nobody took it again). :func:`audit_jobs` reports them; the ``jobs.audit`` job runs it every ``interval``, logs the
finding at error level (where monitoring picks it up), schedules its own next run and purges old finished jobs.

The periodic job reports rather than raises: raising would roll back the scheduling of its next run and so silence
the auditor exactly when it is needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session

from fengqiao.core.clock import utcnow
from fengqiao.core.logging import get_logger
from fengqiao.jobs import service
from fengqiao.jobs.models import Job, JobStatus
from fengqiao.jobs.registry import job_handler

AUDIT_KIND = "jobs.audit"
DEFAULT_THRESHOLD = timedelta(minutes=5)
DEFAULT_RETENTION = timedelta(days=30)
REPORT_LIMIT = 100


@dataclass(frozen=True)
class OverdueJob:
    id: int
    kind: str
    status: str
    county_code: str | None
    run_at: datetime
    overdue_by: timedelta
    attempts: int


@dataclass(frozen=True)
class AuditReport:
    checked_at: datetime
    threshold: timedelta
    overdue_count: int
    overdue: list[OverdueJob]  # the oldest ones, at most REPORT_LIMIT
    failed_count: int

    @property
    def ok(self) -> bool:
        return self.overdue_count == 0

    def summary(self) -> str:
        if self.ok:
            return f"没有逾期超过 {int(self.threshold.total_seconds())} 秒的任务"
        kinds = sorted({job.kind for job in self.overdue})
        return f"{self.overdue_count} 个任务逾期超过 {int(self.threshold.total_seconds())} 秒未执行：{', '.join(kinds)}"


def audit_jobs(
    *, session: Session, threshold: timedelta = DEFAULT_THRESHOLD, now: datetime | None = None
) -> AuditReport:
    now = now or utcnow()
    cutoff = now - threshold
    overdue_clause = or_(
        and_(Job.status == JobStatus.PENDING, Job.run_at < cutoff),
        and_(Job.status == JobStatus.RUNNING, Job.locked_until < cutoff),
    )
    overdue_count = session.scalar(select(func.count()).select_from(Job).where(overdue_clause)) or 0
    rows = session.scalars(select(Job).where(overdue_clause).order_by(Job.run_at, Job.id).limit(REPORT_LIMIT)).all()
    failed_count = session.scalar(select(func.count()).select_from(Job).where(Job.status == JobStatus.FAILED)) or 0
    return AuditReport(
        checked_at=now,
        threshold=threshold,
        overdue_count=overdue_count,
        overdue=[_overdue(job, now) for job in rows],
        failed_count=failed_count,
    )


def ensure_scheduled(
    *, session: Session, interval: timedelta, threshold: timedelta = DEFAULT_THRESHOLD, now: datetime | None = None
) -> Job:
    """Schedule the next periodic audit. Slots are aligned to ``interval``, so every worker that starts and every
    audit that re-arms itself name the same slot, and the dedupe key makes all but the first a no-op."""
    now = now or utcnow()
    seconds = max(int(interval.total_seconds()), 1)
    next_slot = (int(now.timestamp()) // seconds + 1) * seconds
    return service.schedule(
        session=session,
        kind=AUDIT_KIND,
        run_at=datetime.fromtimestamp(next_slot, tz=UTC),
        payload={"interval_seconds": seconds, "threshold_seconds": int(threshold.total_seconds())},
        dedupe_key=f"{AUDIT_KIND}:{seconds}:{next_slot}",
    )


def purge_finished(*, session: Session, older_than: timedelta = DEFAULT_RETENTION, now: datetime | None = None) -> int:
    """Delete done and cancelled jobs finished before ``older_than``; failed ones stay until a person looks."""
    cutoff = (now or utcnow()) - older_than
    result = session.execute(
        delete(Job)
        .where(Job.status.in_([JobStatus.DONE, JobStatus.CANCELLED]), Job.finished_at < cutoff)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


@job_handler(AUDIT_KIND)
def run_audit(session: Session, job: Job) -> None:
    now = utcnow()
    threshold = timedelta(seconds=int(job.payload.get("threshold_seconds", DEFAULT_THRESHOLD.total_seconds())))
    interval = timedelta(seconds=int(job.payload.get("interval_seconds", 600)))
    report = audit_jobs(session=session, threshold=threshold, now=now)
    log = get_logger("fengqiao.jobs.auditor")
    if report.ok:
        log.info("jobs.audit_ok", failed=report.failed_count)
    else:
        log.error(
            "jobs.overdue",
            message=report.summary(),
            overdue=report.overdue_count,
            oldest=[job.id for job in report.overdue[:10]],
        )
    purged = purge_finished(session=session, now=now)
    if purged:
        log.info("jobs.purged", jobs=purged)
    # Idempotent: the next slot's dedupe key is the same however often this runs.
    ensure_scheduled(session=session, interval=interval, threshold=threshold, now=now)


def _overdue(job: Job, now: datetime) -> OverdueJob:
    since = job.run_at if job.status == JobStatus.PENDING else (job.locked_until or job.run_at)
    return OverdueJob(
        id=job.id,
        kind=job.kind,
        status=job.status,
        county_code=job.county_code,
        run_at=job.run_at,
        overdue_by=now - since,
        attempts=job.attempts,
    )
