"""Worker jobs of sensor alerts: the promotion sweeper (armed for due moments by intake, plus a periodic safety
net), the acknowledgement and arrival timers of dispatched alerts, and the periodic heartbeat check. Handlers never
commit and are idempotent (a sweep decides only groups still pending; timers check the deadline they were set for).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from fengqiao.alerts import dispatch, maintenance
from fengqiao.alerts.periodic import DEMO_FEED, HEARTBEAT_CHECK, SWEEP, arm_demo_feed, arm_if_devices, arm_periodic
from fengqiao.config import get_settings
from fengqiao.core.clock import utcnow
from fengqiao.core.logging import get_logger
from fengqiao.jobs.models import Job
from fengqiao.jobs.registry import job_handler, on_worker_start

log = get_logger(__name__)


@job_handler(SWEEP)
def sweep_job(session: Session, job: Job) -> None:
    decided = dispatch.sweep(session=session)
    if decided:
        log.info("alerts.sweep", decided=decided)
    if job.payload.get("reason") == "periodic":
        arm_periodic(session=session, now=utcnow() + timedelta(seconds=1))


@job_handler(dispatch.ACK_DUE)
def ack_due_job(session: Session, job: Job) -> None:
    dispatch.escalate_due(
        session=session, dispatch_id=int(job.payload["dispatch_id"]), deadline=job.payload["deadline"]
    )


@job_handler(dispatch.ARRIVE_DUE)
def arrive_due_job(session: Session, job: Job) -> None:
    dispatch.arrival_due(session=session, dispatch_id=int(job.payload["dispatch_id"]))


@job_handler(HEARTBEAT_CHECK)
def heartbeat_check_job(session: Session, job: Job) -> None:
    flagged = maintenance.flag_overdue_heartbeats(session=session)
    if flagged:
        log.info("alerts.heartbeat_overdue", devices=flagged)
    arm_periodic(session=session, now=utcnow() + timedelta(seconds=1))


@job_handler(DEMO_FEED)
def demo_feed_job(session: Session, job: Job) -> None:
    from fengqiao.demo import devices as demo_devices  # the demo's data, only where the demo county is loaded

    seed = int(job.payload.get("seed", get_settings().demo_seed))
    fed = demo_devices.feed_window(session=session, window_end=job.run_at, seed=seed)
    log.info("alerts.demo_feed", heartbeats=fed.heartbeats, alerts=fed.alerts, dead_letters=fed.result.dead_letters)
    arm_demo_feed(session=session, seed=seed, now=utcnow() + timedelta(seconds=1))


@on_worker_start
def arm_alert_jobs(session: Session) -> None:
    arm_if_devices(session=session)
    from fengqiao.demo import devices as demo_devices

    if demo_devices.demo_loaded(session):
        arm_demo_feed(session=session, seed=get_settings().demo_seed)
