"""Work the worker does once a month for the month just ended (the monthly bulletins, the indices' history): one job
per month, due a little after the month ends (Shanghai time), named by the month so that however many workers arm it
there is one. A job due while no worker ran simply runs at the next start (it is a row); a month for which no job was
ever armed (a new installation) is run at once if the caller asks, by saying what is missing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from fengqiao.core.clock import CHINA_TZ, utcnow
from fengqiao.jobs import service as jobs
from fengqiao.jobs.models import Job
from fengqiao.reports import period as periods
from fengqiao.reports.period import Period


def month_of(moment: datetime) -> Period:
    """The calendar month (Shanghai time) ``moment`` falls in."""
    today = moment.astimezone(CHINA_TZ).date()
    return periods.month(today.year, today.month)


def arm_month_end(
    *,
    session: Session,
    kind: str,
    delay: timedelta,
    done: Callable[[Period], bool] | None = None,
    now: datetime | None = None,
) -> list[Job]:
    """The run for the end of this month; and, given ``done``, a run now for last month if ``done`` says it is
    missing."""
    now = now or utcnow()
    current = month_of(now)

    def run(period: Period, at: datetime) -> Job:
        return jobs.schedule(
            session=session, kind=kind, run_at=at, payload={"month": period.key}, dedupe_key=f"{kind}:{period.key}"
        )

    armed = [run(current, current.end + delay)]
    last = current.previous()
    if done is not None and now >= last.end + delay and not done(last):
        armed.append(run(last, now))
    return armed


def month_of_job(job: Job) -> Period:
    return periods.parse(periods.PeriodKind.MONTHLY, str(job.payload["month"]))
