"""The worker's part of the indices: at the start of each month (00:30 Shanghai on the 1st), store the month just
ended for every county — the history the rankings and trends read. Armed at worker start (and by each run for the
next month); a month missed while no worker ran is caught up at the next start."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from fengqiao.core.clock import utcnow
from fengqiao.core.logging import get_logger
from fengqiao.indices import service
from fengqiao.indices.models import IndexScore
from fengqiao.jobs.models import Job
from fengqiao.jobs.registry import job_handler, on_worker_start
from fengqiao.jurisdiction.kinds import UnitKind
from fengqiao.jurisdiction.models import Unit
from fengqiao.reports.monthly import arm_month_end, month_of_job
from fengqiao.reports.period import Period

MONTHLY = "indices.monthly"
# After midnight's other work (the daily scans), and late enough that the month's last timers have fired.
DELAY = timedelta(minutes=30)
log = get_logger(__name__)


def _counties(session: Session) -> list[str]:
    return list(session.scalars(select(Unit.county_code).where(Unit.kind == UnitKind.COUNTY.value).order_by(Unit.code)))


def arm(*, session: Session, now: datetime | None = None) -> list[Job]:
    """The run for the next month's start; and, if last month is not stored for some county, a run now."""

    def stored(month: Period) -> bool:
        return all(
            session.scalar(
                select(IndexScore.id)
                .where(IndexScore.county_code == county, IndexScore.period == month.key, IndexScore.final.is_(True))
                .limit(1)
            )
            is not None
            for county in _counties(session)
        )

    return arm_month_end(session=session, kind=MONTHLY, delay=DELAY, done=stored, now=now)


@job_handler(MONTHLY)
def monthly_job(session: Session, job: Job) -> None:
    period = month_of_job(job)
    now = max(utcnow(), period.end)
    for county in _counties(session):
        done = service.compute_month(session=session, county_code=county, period=period, now=now)
        log.info("indices.stored", county=county, month=period.key, rows=sum(done.values()))
    arm(session=session)


@on_worker_start
def arm_monthly(session: Session) -> None:
    if _counties(session):
        arm(session=session)
