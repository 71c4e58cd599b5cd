"""The alerts' periodic jobs: the safety-net promotion sweep and the heartbeat check. They are armed only in a
database that has devices (by the worker at start, and by device registration), so a county without sensors carries
no timers; once armed, each run re-arms the next period."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from fengqiao.alerts.models import AlertDevice
from fengqiao.alerts.policy import default_policy
from fengqiao.core.clock import utcnow
from fengqiao.jobs import service as jobs

SWEEP = "alerts.promotion"
HEARTBEAT_CHECK = "alerts.heartbeat_check"


def _next(now: datetime, seconds: int) -> datetime:
    epoch = int(now.timestamp())
    return datetime.fromtimestamp((epoch // seconds + 1) * seconds, UTC)


def arm_periodic(*, session: Session, now: datetime | None = None) -> None:
    """The safety-net sweep and the heartbeat check, each armed once per period (dedupe by the period's moment)."""
    policy = default_policy()
    now = now or utcnow()
    sweep_at = _next(now, policy.sweep.interval_seconds)
    jobs.schedule(
        session=session,
        kind=SWEEP,
        run_at=sweep_at,
        payload={"reason": "periodic"},
        dedupe_key=f"alerts:sweep:periodic:{sweep_at.isoformat()}",
    )
    check_at = _next(now, policy.heartbeat.check_interval_seconds)
    jobs.schedule(
        session=session,
        kind=HEARTBEAT_CHECK,
        run_at=check_at,
        payload={},
        dedupe_key=f"alerts:heartbeat:{check_at.isoformat()}",
    )


def arm_if_devices(*, session: Session, now: datetime | None = None) -> None:
    if session.scalar(select(AlertDevice.id).limit(1)) is not None:
        arm_periodic(session=session, now=now)


# The demo sensor feed (``fengqiao.demo.devices.feed_window``): armed only where the demo county is loaded — when
# its devices are seeded, and by the worker at start if the demo's integration exists.
DEMO_FEED = "alerts.demo_feed"
FEED_WINDOW_SECONDS = 600


def arm_demo_feed(*, session: Session, seed: int, now: datetime | None = None) -> None:
    run_at = _next(now or utcnow(), FEED_WINDOW_SECONDS)
    jobs.schedule(
        session=session,
        kind=DEMO_FEED,
        run_at=run_at,
        payload={"seed": seed},
        dedupe_key=f"alerts:demo-feed:{run_at.isoformat()}",
    )
