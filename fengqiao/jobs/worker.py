"""The worker: claims due jobs under a lease and runs each in its own transaction.

Claiming is one ``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING id``: on PostgreSQL two workers
skip each other's rows and never take the same job; on SQLite (where FOR UPDATE is not rendered) the statement takes
the database write lock, and a lease row in ``worker_leases`` keeps the file to one worker at a time — a second one
waits (``run_forever``) or refuses with :class:`WorkerBusy` (``run_once``).

A claimed job is ``running`` with ``locked_by`` and ``locked_until``. Running it starts with an UPDATE that renews
the lease only if we still hold it; that UPDATE also locks the row (PostgreSQL) or the file (SQLite) until the
handler's transaction commits, so a job whose lease expired and was taken by another worker is dropped here, and a
worker that died leaves its jobs to be claimed again when their lease runs out, while a live handler that outlasts
its lease is not taken from under it (the lock is still held). Failures are retried with exponential backoff until
``max_attempts``, then the job is ``failed`` with ``last_error`` kept.

On SQLite a running handler holds the database write lock, so other writers (the web server) wait on the busy
timeout meanwhile: handlers must be short; long work is split into several jobs.
"""

from __future__ import annotations

import os
import signal
import socket
import threading
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from types import FrameType

from sqlalchemy import Engine, and_, or_, select, update
from sqlalchemy.orm import Session

from fengqiao.core.clock import utcnow
from fengqiao.core.errors import Conflict
from fengqiao.core.logging import get_logger
from fengqiao.db.engine import make_session_factory
from fengqiao.jobs import auditor, leases
from fengqiao.jobs.models import Job, JobStatus
from fengqiao.jobs.registry import get_handler, load_handler_modules, startup_hooks

SQLITE_LEASE_NAME = "sqlite-worker"
MAX_ERROR_CHARS = 4000


@dataclass(frozen=True)
class WorkerConfig:
    batch_size: int = 20
    poll_interval: float = 5.0
    # Longer than any handler should take: a job is only taken from a worker whose lease ran out.
    job_lease: timedelta = timedelta(minutes=5)
    # How long a second worker on the same SQLite file waits after the first one died.
    worker_lease: timedelta = timedelta(minutes=2)
    backoff_base: timedelta = timedelta(seconds=30)
    backoff_max: timedelta = timedelta(hours=1)
    # When set, the worker keeps a periodic auditor job scheduled (see ``fengqiao.jobs.auditor``).
    audit_interval: timedelta | None = None
    audit_threshold: timedelta = auditor.DEFAULT_THRESHOLD

    def __post_init__(self) -> None:
        if self.batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        if self.poll_interval <= 0 or timedelta(seconds=self.poll_interval) >= self.worker_lease:
            raise ValueError("poll_interval must be positive and shorter than worker_lease")


class Outcome(StrEnum):
    DONE = "done"
    RETRIED = "retried"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass
class RunStats:
    claimed: int = 0
    done: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0
    released: int = 0

    def count(self, outcome: Outcome) -> None:
        setattr(self, outcome.value, getattr(self, outcome.value) + 1)


class WorkerBusy(Conflict):
    code = "worker_busy"


def default_worker_id() -> str:
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Worker:
    def __init__(
        self,
        engine: Engine,
        *,
        config: WorkerConfig | None = None,
        worker_id: str | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.engine = engine
        self.config = config or WorkerConfig()
        self.id = worker_id or default_worker_id()
        self._clock = clock
        self._sessions = make_session_factory(engine)
        self._exclusive = engine.dialect.name == "sqlite"
        self._stop = threading.Event()
        self._log = get_logger("fengqiao.jobs.worker").bind(worker=self.id)

    # -- running ------------------------------------------------------------------------------------------------

    def run_once(self) -> RunStats:
        """Run every job that is due, then return. On SQLite raise :class:`WorkerBusy` if another worker runs."""
        self._prepare()
        held_by = self._acquire_exclusive()
        if held_by is not None:
            raise WorkerBusy(_busy_message(held_by), details={"holder": held_by.holder})
        stats = RunStats()
        try:
            self._drain(stats)
        finally:
            self._release_exclusive()
        self._log.info("worker.once_finished", claimed=stats.claimed, done=stats.done, failed=stats.failed)
        return stats

    def run_forever(self) -> RunStats:
        """Poll for due jobs until :meth:`stop` (or SIGINT/SIGTERM with :meth:`install_signal_handlers`)."""
        self._prepare()
        stats = RunStats()
        waiting = False  # log the wait once, not at every poll
        self._log.info("worker.started", poll_interval=self.config.poll_interval, batch_size=self.config.batch_size)
        try:
            while not self._stop.is_set():
                try:
                    held_by = self._acquire_exclusive()
                    if held_by is None:
                        waiting = False
                        self._drain(stats)
                    elif not waiting:
                        waiting = True
                        self._log.warning("worker.waiting", message=_busy_message(held_by))
                except Exception:
                    # A database outage must not end the worker: log, wait and poll again.
                    self._log.exception("worker.error", message="后台任务进程出错，稍后重试")
                self._stop.wait(self.config.poll_interval)
        finally:
            self._release_exclusive()
            self._log.info("worker.stopped", claimed=stats.claimed, done=stats.done, failed=stats.failed)
        return stats

    def stop(self) -> None:
        self._stop.set()

    def install_signal_handlers(self) -> None:
        """First SIGINT/SIGTERM: finish the running job, hand back the rest of the batch, exit. Second: abort."""
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._on_signal)

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        if self._stop.is_set():
            raise KeyboardInterrupt
        self._log.info(
            "worker.stopping", signal=signal.Signals(signum).name, message="收到退出信号，完成当前任务后退出"
        )
        self._stop.set()

    def _prepare(self) -> None:
        load_handler_modules()
        hooks = startup_hooks()
        if hooks:
            with self._sessions() as session, session.begin():
                for hook in hooks:
                    hook(session)
        if self.config.audit_interval is not None:
            with self._sessions() as session, session.begin():
                auditor.ensure_scheduled(
                    session=session,
                    interval=self.config.audit_interval,
                    threshold=self.config.audit_threshold,
                    now=self._clock(),
                )

    def _drain(self, stats: RunStats) -> None:
        while not self._stop.is_set():
            batch = self.claim_due()
            if not batch:
                return
            stats.claimed += len(batch)
            for index, job_id in enumerate(batch):
                if self._stop.is_set() or not self._renew_exclusive():
                    stats.released += self.release(batch[index:])
                    return
                outcome = self.run_job(job_id)
                stats.count(outcome)

    # -- claiming and running one job ----------------------------------------------------------------------------

    def claim_due(self) -> list[int]:
        """Claim up to ``batch_size`` due jobs (pending and due, or running with an expired lease), oldest first."""
        now = self._clock()
        due = or_(
            and_(Job.status == JobStatus.PENDING, Job.run_at <= now),
            and_(Job.status == JobStatus.RUNNING, Job.locked_until < now),
        )
        candidates = (
            select(Job.id).where(due).order_by(Job.run_at, Job.id).limit(self.config.batch_size)
        ).with_for_update(skip_locked=True)
        statement = (
            update(Job)
            .where(Job.id.in_(candidates))
            .values(
                status=JobStatus.RUNNING,
                locked_by=self.id,
                locked_until=now + self.config.job_lease,
                attempts=Job.attempts + 1,
            )
            .returning(Job.id, Job.run_at)
            .execution_options(synchronize_session=False)
        )
        with self._sessions() as session, session.begin():
            rows = session.execute(statement).all()
        return [job_id for job_id, _ in sorted(rows, key=lambda row: (row[1], row[0]))]

    def run_job(self, job_id: int) -> Outcome:
        """Run one claimed job: its handler and "done" commit together; on error the job is retried or failed."""
        session = self._sessions()
        try:
            with session.begin():
                job = self._take(session, job_id)
                if job is None:
                    self._log.warning("job.lost", job_id=job_id, message="任务已被其他进程接管或取消，放弃本次执行")
                    return Outcome.SKIPPED
                if job.attempts > job.max_attempts:
                    self._finish(job, JobStatus.FAILED, error=job.last_error or "执行中进程退出，已达最大尝试次数")
                    self._log.error("job.failed", job_id=job.id, kind=job.kind, reason="worker died on every attempt")
                    return Outcome.FAILED
                get_handler(job.kind)(session, job)
                self._finish(job, JobStatus.DONE)
                self._log.info("job.done", job_id=job.id, kind=job.kind, attempts=job.attempts)
            return Outcome.DONE
        except Exception as exc:
            return self._record_failure(job_id, exc)
        finally:
            session.close()

    def release(self, job_ids: list[int]) -> int:
        """Hand claimed jobs back without running them (on shutdown), undoing the attempt the claim counted."""
        if not job_ids:
            return 0
        statement = (
            update(Job)
            .where(Job.id.in_(job_ids), Job.status == JobStatus.RUNNING, Job.locked_by == self.id)
            .values(status=JobStatus.PENDING, locked_by=None, locked_until=None, attempts=Job.attempts - 1)
            .execution_options(synchronize_session=False)
        )
        with self._sessions() as session, session.begin():
            released = int(session.execute(statement).rowcount)  # type: ignore[attr-defined]
        self._log.info("worker.released", jobs=released)
        return released

    def _take(self, session: Session, job_id: int) -> Job | None:
        """Renew our lease on the job if we still hold it. As the transaction's first statement, this write takes the
        row lock (PostgreSQL) or the write lock (SQLite) before anything is read."""
        renewed = session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == JobStatus.RUNNING, Job.locked_by == self.id)
            .values(locked_until=self._clock() + self.config.job_lease)
            .execution_options(synchronize_session=False)
        )
        if renewed.rowcount != 1:  # type: ignore[attr-defined]
            return None
        return session.get(Job, job_id, populate_existing=True)

    def _finish(self, job: Job, status: JobStatus, *, error: str | None = None) -> None:
        job.status = status
        job.finished_at = self._clock()
        job.locked_by = None
        job.locked_until = None
        if error is not None:
            job.last_error = error

    def _record_failure(self, job_id: int, exc: Exception) -> Outcome:
        error = describe_error(exc)
        with self._sessions() as session, session.begin():
            job = self._take(session, job_id)
            if job is None:
                self._log.warning("job.lost", job_id=job_id, error=error)
                return Outcome.SKIPPED
            if job.attempts >= job.max_attempts:
                self._finish(job, JobStatus.FAILED, error=error)
                self._log.error("job.failed", job_id=job.id, kind=job.kind, attempts=job.attempts, error=error)
                return Outcome.FAILED
            job.status = JobStatus.PENDING
            job.run_at = self._clock() + self.backoff(job.attempts)
            job.last_error = error
            job.locked_by = None
            job.locked_until = None
            self._log.warning("job.retry", job_id=job.id, kind=job.kind, attempts=job.attempts, run_at=job.run_at)
            return Outcome.RETRIED

    def backoff(self, attempts: int) -> timedelta:
        """Delay before the next try after ``attempts`` failed ones: base, 2×base, 4×base … capped."""
        exponent = max(attempts - 1, 0)
        delay = self.config.backoff_base * (2 ** min(exponent, 32))
        return min(delay, self.config.backoff_max)

    # -- one worker per SQLite file -------------------------------------------------------------------------------

    def _acquire_exclusive(self) -> leases.LeaseHolder | None:
        if not self._exclusive:
            return None
        return leases.acquire(
            self._sessions, name=SQLITE_LEASE_NAME, holder=self.id, ttl=self.config.worker_lease, now=self._clock()
        )

    def _renew_exclusive(self) -> bool:
        if not self._exclusive:
            return True
        renewed = leases.renew(
            self._sessions, name=SQLITE_LEASE_NAME, holder=self.id, ttl=self.config.worker_lease, now=self._clock()
        )
        if not renewed:
            self._log.error("worker.lease_lost", message="工作租约已被其他进程接管，停止领取任务")
        return renewed

    def _release_exclusive(self) -> None:
        if self._exclusive:
            leases.release(self._sessions, name=SQLITE_LEASE_NAME, holder=self.id)


def describe_error(exc: BaseException) -> str:
    """The exception and the end of its traceback, short enough for ``jobs.last_error``."""
    text = "".join(traceback.format_exception(exc))
    summary = f"{type(exc).__name__}: {exc}"
    if len(text) <= MAX_ERROR_CHARS:
        return text
    return f"{summary}\n…\n{text[-(MAX_ERROR_CHARS - len(summary) - 3) :]}"


def _busy_message(held_by: leases.LeaseHolder) -> str:
    return (
        f"另一个后台任务进程（{held_by.holder}）正在使用此 SQLite 数据库，租约至 "
        f"{held_by.expires_at:%Y-%m-%d %H:%M:%S} UTC；SQLite 只允许一个后台任务进程 / "
        "another worker holds this SQLite database"
    )
