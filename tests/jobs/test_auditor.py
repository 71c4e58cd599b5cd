from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker
from structlog.testing import capture_logs

from fengqiao.core.clock import utcnow
from fengqiao.jobs import auditor
from fengqiao.jobs.models import Job, JobStatus
from fengqiao.jobs.worker import Worker
from tests.jobs.conftest import FAST, ScheduleFn


def test_the_auditor_flags_a_job_overdue_by_more_than_the_threshold(
    jobs_db: Engine, schedule_job: ScheduleFn, sessions: sessionmaker[Session]
) -> None:
    now = utcnow()
    late = schedule_job(run_at=now - timedelta(hours=1))
    schedule_job(run_at=now - timedelta(seconds=10))  # due, but within the threshold
    schedule_job(run_at=now + timedelta(hours=1))

    with sessions() as session:
        report = auditor.audit_jobs(session=session, threshold=timedelta(seconds=60), now=now)

    assert not report.ok
    assert report.overdue_count == 1
    assert [job.id for job in report.overdue] == [late]
    assert report.overdue[0].overdue_by == timedelta(hours=1)
    assert "1 个任务逾期超过 60 秒" in report.summary()

    Worker(jobs_db, config=FAST).run_once()
    with sessions() as session:
        assert auditor.audit_jobs(session=session, threshold=timedelta(seconds=60)).ok


def test_the_auditor_flags_a_running_job_whose_worker_is_gone(
    jobs_db: Engine, schedule_job: ScheduleFn, sessions: sessionmaker[Session]
) -> None:
    job_id = schedule_job()
    Worker(jobs_db, config=FAST, worker_id="dead").claim_due()
    with sessions() as session:
        assert auditor.audit_jobs(session=session, threshold=timedelta(seconds=60)).ok
        later = utcnow() + FAST.job_lease + timedelta(minutes=2)
        report = auditor.audit_jobs(session=session, threshold=timedelta(seconds=60), now=later)
    assert [(job.id, job.status) for job in report.overdue] == [(job_id, JobStatus.RUNNING)]


def test_periodic_audits_are_scheduled_once_per_slot(sessions: sessionmaker[Session]) -> None:
    now = datetime(2026, 3, 2, 1, 7, 30, tzinfo=UTC)
    interval = timedelta(minutes=10)
    with sessions() as session, session.begin():
        first = auditor.ensure_scheduled(session=session, interval=interval, now=now)
        again = auditor.ensure_scheduled(session=session, interval=interval, now=now + timedelta(minutes=1))
        assert first.id == again.id
        assert first.run_at == datetime(2026, 3, 2, 1, 10, tzinfo=UTC)
        assert first.payload == {"interval_seconds": 600, "threshold_seconds": 300}


def test_the_audit_job_reports_overdue_jobs_and_rearms_itself(
    jobs_db: Engine, schedule_job: ScheduleFn, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session, session.begin():
        auditor.ensure_scheduled(session=session, interval=timedelta(minutes=10), now=utcnow() - timedelta(hours=3))
    late = schedule_job(run_at=utcnow() - timedelta(hours=2))

    with capture_logs() as logs:
        # One job a batch: a job claimed in the same batch as the audit is being handled, hence not overdue.
        stats = Worker(jobs_db, config=replace(FAST, batch_size=1)).run_once()

    assert stats.done == 2  # the audit first (it is older), then the late probe
    overdue = [entry for entry in logs if entry["event"] == "jobs.overdue"]
    assert len(overdue) == 1
    assert overdue[0]["log_level"] == "error"
    assert overdue[0]["oldest"] == [late]
    with sessions() as session:
        audits = session.scalars(select(Job).where(Job.kind == auditor.AUDIT_KIND).order_by(Job.run_at)).all()
    assert [job.status for job in audits] == [JobStatus.DONE, JobStatus.PENDING]
    assert audits[1].run_at > utcnow()


def test_the_worker_keeps_an_audit_scheduled_when_asked(jobs_db: Engine, sessions: sessionmaker[Session]) -> None:
    config = replace(FAST, audit_interval=timedelta(minutes=10))
    Worker(jobs_db, config=config).run_once()
    Worker(jobs_db, config=config).run_once()
    with sessions() as session:
        pending = session.scalars(select(Job).where(Job.kind == auditor.AUDIT_KIND)).all()
    assert len(pending) == 1
    assert pending[0].status == JobStatus.PENDING


def test_old_finished_jobs_are_purged_but_failed_ones_kept(
    jobs_db: Engine, schedule_job: ScheduleFn, sessions: sessionmaker[Session]
) -> None:
    done, failed, recent = schedule_job(), schedule_job(), schedule_job()
    long_ago = utcnow() - timedelta(days=40)
    with sessions() as session, session.begin():
        for job_id, status in ((done, JobStatus.DONE), (failed, JobStatus.FAILED)):
            job = session.get_one(Job, job_id)
            job.status, job.finished_at = status, long_ago
        recent_job = session.get_one(Job, recent)
        recent_job.status, recent_job.finished_at = JobStatus.DONE, utcnow()
    with sessions() as session, session.begin():
        assert auditor.purge_finished(session=session) == 1
    with sessions() as session:
        assert set(session.scalars(select(Job.id))) == {failed, recent}
