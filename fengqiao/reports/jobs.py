"""The worker's monthly bulletins (每月通报): at 08:00 Shanghai on the 1st, the month just ended is issued for the
county and for each of its towns — the same documents staff issue from the screen, numbered in the same series, so the
county centre finds them ready in the morning. A unit whose bulletin for the month exists (issued by hand) is left
as it is. Files go to the configured data folder's file store, like those issued from the screen."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from fengqiao.config import get_settings
from fengqiao.core.clock import utcnow
from fengqiao.core.logging import get_logger
from fengqiao.jobs.models import Job
from fengqiao.jobs.registry import job_handler, on_worker_start
from fengqiao.jurisdiction.kinds import UnitKind
from fengqiao.jurisdiction.models import Unit
from fengqiao.reports import service
from fengqiao.reports.models import Bulletin
from fengqiao.reports.monthly import arm_month_end, month_of_job
from fengqiao.reports.period import Period, PeriodKind

MONTHLY_BULLETINS = "reports.monthly_bulletins"
# The start of the working day: the month's last timers have fired, and the night's scans and indices are done.
DELAY = timedelta(hours=8)
log = get_logger(__name__)


def reporting_units(session: Session) -> list[Unit]:
    """Every county and town, county first."""
    kinds = (UnitKind.COUNTY.value, UnitKind.TOWN.value)
    return list(session.scalars(select(Unit).where(Unit.kind.in_(kinds)).order_by(Unit.level, Unit.code)))


def _issued(session: Session, period: Period) -> set[int]:
    rows = session.scalars(
        select(Bulletin.unit_id).where(Bulletin.kind == PeriodKind.MONTHLY.value, Bulletin.period_key == period.key)
    )
    return set(rows)


def arm(*, session: Session) -> None:
    """Only forward: a new installation's past months are issued by hand (from the screen), not all at once."""
    arm_month_end(session=session, kind=MONTHLY_BULLETINS, delay=DELAY)


@job_handler(MONTHLY_BULLETINS)
def monthly_bulletins_job(session: Session, job: Job) -> None:
    period = month_of_job(job)
    storage = service.file_storage(get_settings())
    issued = _issued(session, period)
    now = max(utcnow(), period.end)
    for unit in reporting_units(session):
        if unit.id in issued:
            continue
        # One savepoint per unit: a failing town is reported and the others still get theirs.
        try:
            with session.begin_nested():
                bulletin = service.issue(session=session, unit=unit, period=period, storage=storage, now=now).bulletin
        except Exception:
            log.exception("reports.monthly_bulletin_failed", unit=unit.code, month=period.key)
            continue
        log.info("reports.monthly_bulletin_issued", unit=unit.code, month=period.key, doc_number=bulletin.doc_number)
    arm(session=session)


@on_worker_start
def arm_monthly_bulletins(session: Session) -> None:
    if reporting_units(session):
        arm(session=session)
