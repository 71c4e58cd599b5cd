"""The worker's part of the metrics: every few seconds, fold the events changed since into facts and rollups.

Why a periodic job and not the change's own transaction: adding to the rollups in every intake or action would make
all writers of a county queue on the same "today" rows; marking the event costs one insert of its own key. Reads add
the difference of what is still marked, so the lag never shows in a figure — it only bounds how much reads add."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from fengqiao.core.clock import utcnow
from fengqiao.core.logging import get_logger
from fengqiao.jobs import service as jobs
from fengqiao.jobs.models import Job
from fengqiao.jobs.registry import job_handler, on_worker_start
from fengqiao.jurisdiction.kinds import UnitKind
from fengqiao.jurisdiction.models import Unit
from fengqiao.metrics import rollups

REFRESH = "metrics.refresh"
INTERVAL = timedelta(seconds=5)
# One run folds at most this many events, so a backlog (after a bulk import) drains over several short transactions.
BATCHES_PER_RUN = 10
log = get_logger(__name__)


def ensure_scheduled(*, session: Session, now: datetime | None = None) -> Job:
    """The next run, at the next slot aligned to ``INTERVAL``: every worker names the same slot, so the dedupe key
    leaves one job per slot however many workers arm it."""
    now = now or utcnow()
    seconds = int(INTERVAL.total_seconds())
    slot = (int(now.timestamp()) // seconds + 1) * seconds
    return jobs.schedule(
        session=session,
        kind=REFRESH,
        run_at=datetime.fromtimestamp(slot, tz=UTC),
        dedupe_key=f"{REFRESH}:{slot}",
    )


@job_handler(REFRESH)
def refresh_job(session: Session, job: Job) -> None:
    folded = 0
    try:
        # A savepoint: a failing batch is reported and retried next run, and the next run is still armed.
        with session.begin_nested():
            for _ in range(BATCHES_PER_RUN):
                n = rollups.refresh(session)
                folded += n
                if n == 0:
                    break
    except Exception:
        log.exception("metrics.refresh_failed")
    if folded:
        log.info("metrics.refreshed", events=folded)
    ensure_scheduled(session=session)


@on_worker_start
def arm_refresh(session: Session) -> None:
    """Only a database with a county can hold events (a bare jobs database keeps its queue to itself)."""
    if session.scalar(select(Unit.id).where(Unit.kind == UnitKind.COUNTY.value).limit(1)) is not None:
        ensure_scheduled(session=session)
