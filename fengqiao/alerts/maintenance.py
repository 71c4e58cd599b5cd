"""What maintenance needs to know: devices whose heartbeat is overdue (flagged by a worker job), flapping devices,
false-alarm rates per device and per kind, and the maintenance list that combines them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, case, func, or_, select, update
from sqlalchemy.orm import Session

from fengqiao.accounts.scope import Viewer
from fengqiao.alerts.devices import visible_device
from fengqiao.alerts.kinds import AlertKind, AlertResult, DeviceStatus
from fengqiao.alerts.models import AlertDevice, AlertDispatch
from fengqiao.alerts.policy import AlertPolicy, default_policy
from fengqiao.core.clock import utcnow


def flag_overdue_heartbeats(*, session: Session, now: datetime | None = None, policy: AlertPolicy | None = None) -> int:
    """Mark active devices silent for longer than their kind's heartbeat interval × the grace factor (a device
    never heard from counts from its registration). Set-based: one UPDATE per kind, plus one per distinct
    per-device interval. Returns how many devices were newly flagged."""
    policy = policy or default_policy()
    now = now or utcnow()
    flagged = 0
    base = [AlertDevice.status == DeviceStatus.ACTIVE.value, AlertDevice.offline_since.is_(None)]
    for kind in AlertKind:
        limit = now - timedelta(seconds=policy.kind(kind).heartbeat_seconds * policy.heartbeat.grace_factor)
        flagged += _flag(
            session, [*base, AlertDevice.kind == kind.value, AlertDevice.heartbeat_seconds.is_(None)], limit, now
        )
    overrides = session.scalars(
        select(AlertDevice.heartbeat_seconds).where(*base, AlertDevice.heartbeat_seconds.is_not(None)).distinct()
    ).all()
    for seconds in overrides:
        if seconds is None:
            continue
        limit = now - timedelta(seconds=seconds * policy.heartbeat.grace_factor)
        flagged += _flag(session, [*base, AlertDevice.heartbeat_seconds == seconds], limit, now)
    return flagged


def _flag(session: Session, conditions: list[ColumnElement[bool]], limit: datetime, now: datetime) -> int:
    silent = or_(
        AlertDevice.last_seen_at < limit,
        and_(AlertDevice.last_seen_at.is_(None), AlertDevice.created_at < limit),
    )
    result = session.execute(
        update(AlertDevice)
        .where(*conditions, silent)
        .values(offline_since=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass(frozen=True)
class FalseAlarmRate:
    key: str  # device code, or kind
    label: str
    results: int
    false_alarms: int
    tests: int

    @property
    def rate(self) -> float:
        return self.false_alarms / self.results if self.results else 0.0


def _results_since(viewer: Viewer, since: datetime) -> list[ColumnElement[bool]]:
    return [
        AlertDispatch.result.is_not(None),
        AlertDispatch.result_at >= since,
        AlertDispatch.device_id.in_(select(AlertDevice.id).where(visible_device(viewer))),
    ]


_FALSE = func.sum(case((AlertDispatch.result == AlertResult.FALSE_ALARM.value, 1), else_=0))
_TESTS = func.sum(case((AlertDispatch.result == AlertResult.TEST.value, 1), else_=0))


def false_alarm_rates_by_kind(
    *, session: Session, viewer: Viewer, days: int | None = None, policy: AlertPolicy | None = None
) -> list[FalseAlarmRate]:
    policy = policy or default_policy()
    since = utcnow() - timedelta(days=days or policy.maintenance.window_days)
    rows = session.execute(
        select(AlertDispatch.kind, func.count(), _FALSE, _TESTS)
        .where(*_results_since(viewer, since))
        .group_by(AlertDispatch.kind)
        .order_by(AlertDispatch.kind)
    ).all()
    return [
        FalseAlarmRate(key=kind, label=policy.kind(kind).label, results=n, false_alarms=int(f or 0), tests=int(t or 0))
        for kind, n, f, t in rows
    ]


def false_alarm_rates_by_device(
    *,
    session: Session,
    viewer: Viewer,
    days: int | None = None,
    min_results: int = 1,
    limit: int = 100,
    policy: AlertPolicy | None = None,
) -> list[FalseAlarmRate]:
    """Devices by false-alarm rate, worst first (ties: more results first)."""
    policy = policy or default_policy()
    since = utcnow() - timedelta(days=days or policy.maintenance.window_days)
    total = func.count().label("n")
    false_alarms = _FALSE.label("f")
    rows = session.execute(
        select(AlertDevice.code, AlertDevice.name, total, false_alarms, _TESTS)
        .join(AlertDevice, AlertDevice.id == AlertDispatch.device_id)
        .where(*_results_since(viewer, since))
        .group_by(AlertDevice.code, AlertDevice.name)
        .having(func.count() >= min_results)
        .order_by((false_alarms * 1.0 / total).desc(), total.desc(), AlertDevice.code)
        .limit(limit)
    ).all()
    return [
        FalseAlarmRate(key=code, label=name or code, results=n, false_alarms=int(f or 0), tests=int(t or 0))
        for code, name, n, f, t in rows
    ]


@dataclass(frozen=True)
class MaintenanceItem:
    device: AlertDevice
    reasons: list[str]


def maintenance_list(
    *, session: Session, viewer: Viewer, limit: int = 200, policy: AlertPolicy | None = None
) -> list[MaintenanceItem]:
    """Devices needing a visit: heartbeat overdue, flapping, under maintenance, or mostly false alarms."""
    policy = policy or default_policy()
    rates = {
        r.key: r
        for r in false_alarm_rates_by_device(
            session=session, viewer=viewer, min_results=policy.maintenance.min_results, limit=1000, policy=policy
        )
        if r.rate >= policy.maintenance.false_alarm_rate
    }
    flagged = session.scalars(
        select(AlertDevice)
        .where(
            visible_device(viewer),
            AlertDevice.status != DeviceStatus.RETIRED.value,
            or_(
                AlertDevice.offline_since.is_not(None),
                AlertDevice.flapping_since.is_not(None),
                AlertDevice.status == DeviceStatus.MAINTENANCE.value,
                AlertDevice.code.in_(sorted(rates)),
            ),
        )
        .order_by(AlertDevice.code)
        .limit(limit)
    ).all()
    items = []
    for device in flagged:
        reasons = []
        if device.offline_since is not None:
            reasons.append("心跳超时（离线）")
        if device.flapping_since is not None:
            reasons.append("频繁报警/消警（抖动）")
        if device.status == DeviceStatus.MAINTENANCE.value:
            reasons.append("维修中")
        rate = rates.get(device.code)
        if rate is not None:
            reasons.append(f"误报率{rate.rate:.0%}（{rate.false_alarms}/{rate.results}）")
        items.append(MaintenanceItem(device=device, reasons=reasons))
    return items
