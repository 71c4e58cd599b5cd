"""What the alert screens show: groups, dispatches, silences and devices joined with their device, place and unit
names and Chinese labels, in a few set-based queries per page (never one per row). Reads only; scoping is done by
the service queries that chose the rows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from fengqiao.accounts.masking import mask_phone
from fengqiao.accounts.scope import Viewer
from fengqiao.alerts.groups import visible_group
from fengqiao.alerts.kinds import (
    ALERT_KIND_LABELS,
    ALERT_RESULT_LABELS,
    DEVICE_STATUS_LABELS,
    GROUP_STATUS_LABELS,
    SIGNAL_LABELS,
    AlertKind,
    AlertResult,
    DeviceStatus,
    GroupStatus,
    Signal,
)
from fengqiao.alerts.models import Alert, AlertDeadLetter, AlertDevice, AlertDispatch, AlertGroup, AlertSilence
from fengqiao.alerts.policy import AlertPolicy, default_policy
from fengqiao.basedata.models import Building
from fengqiao.core.clock import utcnow
from fengqiao.duty.models import Staff
from fengqiao.jurisdiction.models import Unit

# Short names for chips and filters (the command room reads them at a glance).
KIND_SHORT: dict[str, str] = {
    AlertKind.SMOKE.value: "烟感",
    AlertKind.DROWNING.value: "溺水",
    AlertKind.INTRUSION.value: "闯禁",
    AlertKind.KEY_PERSON.value: "重点人员",
}
KIND_CHOICES: list[tuple[str, str]] = [(k.value, f"{KIND_SHORT[k.value]}（{v}）") for k, v in ALERT_KIND_LABELS.items()]
STATUS_CHOICES: list[tuple[str, str]] = [(s.value, label) for s, label in GROUP_STATUS_LABELS.items()]
DEVICE_STATUS_CHOICES: list[tuple[str, str]] = [(s.value, label) for s, label in DEVICE_STATUS_LABELS.items()]
RESULT_CHOICES: list[tuple[str, str]] = [(r.value, label) for r, label in ALERT_RESULT_LABELS.items()]
# The colour of each group status in the command room (red: needs people; grey: kept quiet).
STATUS_TONE: dict[str, str] = {
    GroupStatus.PENDING.value: "yellow",
    GroupStatus.PROMOTED.value: "red",
    GroupStatus.RESOLVED.value: "green",
    GroupStatus.CANCELLED.value: "none",
    GroupStatus.SUPPRESSED.value: "none",
    GroupStatus.SILENCED.value: "none",
    GroupStatus.LISTED.value: "none",
}


def _label(labels: dict[object, str], enum: type[object], value: str | None) -> str:
    if value is None:
        return ""
    try:
        return labels[enum(value)]  # type: ignore[call-arg]
    except (ValueError, KeyError):
        return value


def kind_label(kind: str) -> str:
    return _label(ALERT_KIND_LABELS, AlertKind, kind)  # type: ignore[arg-type]


def _unit_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    return dict(session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(wanted))).all())


def _devices(session: Session, ids: Iterable[int | None]) -> dict[int, AlertDevice]:
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    return {d.id: d for d in session.scalars(select(AlertDevice).where(AlertDevice.id.in_(wanted)))}


def _building_addresses(session: Session, devices: Iterable[AlertDevice]) -> dict[int, str]:
    wanted = sorted({d.building_id for d in devices if d.building_id is not None and not d.address})
    if not wanted:
        return {}
    return dict(session.execute(select(Building.id, Building.standard_address).where(Building.id.in_(wanted))).all())


def address_of(session: Session, device: AlertDevice) -> str | None:
    """The installation address, else the standard address of the device's building."""
    return device.address or _building_addresses(session, [device]).get(device.building_id or 0)


def where(device: AlertDevice | None, addresses: dict[int, str] | None = None) -> str:
    """Where a device is, in words a worker can walk to: its named spot, else its address (or its building's)."""
    if device is None:
        return ""
    building = (addresses or {}).get(device.building_id or 0)
    return device.place or device.address or building or device.name or device.code


@dataclass(frozen=True)
class GroupRow:
    id: int
    kind: str
    kind_short: str
    kind_label: str
    status: str
    status_label: str
    tone: str
    level: str | None
    device_id: int
    device_code: str
    device_name: str
    place: str
    unit_name: str
    alert_count: int
    alarm_count: int
    cancel_count: int
    first_at: datetime
    last_at: datetime
    due_at: datetime | None
    event_id: int | None
    reason: str | None
    result_label: str


def group_rows(session: Session, groups: Sequence[AlertGroup]) -> list[GroupRow]:
    devices = _devices(session, (g.device_id for g in groups))
    units = _unit_names(session, (d.grid_id for d in devices.values()))
    addresses = _building_addresses(session, devices.values())
    rows = []
    for g in groups:
        device = devices.get(g.device_id)
        rows.append(
            GroupRow(
                id=g.id,
                kind=g.kind,
                kind_short=KIND_SHORT.get(g.kind, g.kind),
                kind_label=kind_label(g.kind),
                status=g.status,
                status_label=_label(GROUP_STATUS_LABELS, GroupStatus, g.status),  # type: ignore[arg-type]
                tone=STATUS_TONE.get(g.status, "none"),
                level=g.level,
                device_id=g.device_id,
                device_code=device.code if device else "",
                device_name=(device.name or "") if device else "",
                place=where(device, addresses),
                unit_name=units.get(device.grid_id, "") if device and device.grid_id else "未落格",
                alert_count=g.alert_count,
                alarm_count=g.alarm_count,
                cancel_count=g.cancel_count,
                first_at=g.first_at,
                last_at=g.last_at,
                due_at=g.due_at,
                event_id=g.event_id,
                reason=g.reason,
                result_label=_label(ALERT_RESULT_LABELS, AlertResult, g.result),  # type: ignore[arg-type]
            )
        )
    return rows


def status_counts(*, session: Session, viewer: Viewer, since: datetime) -> dict[str, int]:
    """Groups begun since ``since`` in the viewer's territory, by status (the command room's tally)."""
    counts = dict(
        session.execute(
            select(AlertGroup.status, func.count())
            .where(visible_group(viewer), AlertGroup.first_at >= since)
            .group_by(AlertGroup.status)
        ).all()
    )
    return {s.value: int(counts.get(s.value, 0)) for s in GroupStatus}


# --- 三必到 cards ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DispatchCard:
    id: int
    version: int
    kind: str
    kind_short: str
    kind_label: str
    device_code: str
    device_name: str
    place: str
    address: str
    unit_name: str
    event_id: int
    dispatched_at: datetime
    ack_deadline: datetime
    arrive_by: datetime
    acknowledged_at: datetime | None
    arrived_at: datetime | None
    arrived_late: bool | None
    escalations: int
    result: str | None
    result_label: str
    owner_name: str | None
    owner_phone: str | None

    @property
    def stage(self) -> str:
        """What the worker does next: acknowledge, arrive, record the result — or nothing."""
        if self.result is not None:
            return "done"
        if self.acknowledged_at is None:
            return "acknowledge"
        if self.arrived_at is None:
            return "arrive"
        return "result"

    @property
    def overdue(self) -> bool:
        return self.arrived_at is None and self.arrive_by <= utcnow()


def dispatch_cards(session: Session, dispatches: Sequence[AlertDispatch], *, unmasked: bool) -> list[DispatchCard]:
    devices = _devices(session, (d.device_id for d in dispatches))
    units = _unit_names(session, (d.grid_id for d in dispatches))
    addresses = _building_addresses(session, devices.values())
    cards = []
    for d in dispatches:
        device = devices.get(d.device_id)
        phone = device.owner_phone if device else None
        cards.append(
            DispatchCard(
                id=d.id,
                version=d.version,
                kind=d.kind,
                kind_short=KIND_SHORT.get(d.kind, d.kind),
                kind_label=kind_label(d.kind),
                device_code=device.code if device else "",
                device_name=(device.name or "") if device else "",
                place=where(device, addresses),
                address=((device.address or addresses.get(device.building_id or 0)) or "") if device else "",
                unit_name=units.get(d.grid_id, ""),
                event_id=d.event_id,
                dispatched_at=d.dispatched_at,
                ack_deadline=d.ack_deadline,
                arrive_by=d.arrive_by,
                acknowledged_at=d.acknowledged_at,
                arrived_at=d.arrived_at,
                arrived_late=d.arrived_late,
                escalations=d.escalations,
                result=d.result,
                result_label=_label(ALERT_RESULT_LABELS, AlertResult, d.result),  # type: ignore[arg-type]
                owner_name=device.owner_name if device else None,
                owner_phone=phone if unmasked or phone is None else mask_phone(phone),
            )
        )
    return cards


# --- silences -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SilenceRow:
    id: int
    target: str
    kind_label: str
    starts_at: datetime
    ends_at: datetime
    reason: str
    author: str
    active: bool


def silence_rows(session: Session, silences: Sequence[AlertSilence]) -> list[SilenceRow]:
    devices = _devices(session, (s.device_id for s in silences))
    units = _unit_names(session, (s.unit_id for s in silences))
    authors_wanted = sorted({s.created_by_id for s in silences if s.created_by_id is not None})
    authors = (
        dict(session.execute(select(Staff.id, Staff.full_name).where(Staff.id.in_(authors_wanted))).all())
        if authors_wanted
        else {}
    )
    now = utcnow()
    rows = []
    for s in silences:
        if s.device_id is not None:
            device = devices.get(s.device_id)
            target = f"设备 {device.code}（{where(device)}）" if device else f"设备 {s.device_id}"
        else:
            target = f"区域 {units.get(s.unit_id or 0, '')}"
        rows.append(
            SilenceRow(
                id=s.id,
                target=target,
                kind_label=kind_label(s.kind) if s.kind else "全部类型",
                starts_at=s.starts_at,
                ends_at=s.ends_at,
                reason=s.reason,
                author=authors.get(s.created_by_id or 0, "系统"),
                active=s.deleted_at is None and s.starts_at <= now < s.ends_at,
            )
        )
    return rows


# --- devices ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeviceRow:
    id: int
    code: str
    kind: str
    kind_short: str
    name: str
    place: str
    status: str
    status_label: str
    unit_name: str
    last_seen_at: datetime | None
    last_heartbeat_at: datetime | None
    offline_since: datetime | None
    flapping_since: datetime | None


def device_rows(session: Session, devices: Sequence[AlertDevice]) -> list[DeviceRow]:
    units = _unit_names(session, (d.grid_id for d in devices))
    addresses = _building_addresses(session, devices)
    return [
        DeviceRow(
            id=d.id,
            code=d.code,
            kind=d.kind,
            kind_short=KIND_SHORT.get(d.kind, d.kind),
            name=d.name or "",
            place=where(d, addresses),
            status=d.status,
            status_label=_label(DEVICE_STATUS_LABELS, DeviceStatus, d.status),  # type: ignore[arg-type]
            unit_name=units.get(d.grid_id, "") if d.grid_id else "未落格",
            last_seen_at=d.last_seen_at,
            last_heartbeat_at=d.last_heartbeat_at,
            offline_since=d.offline_since,
            flapping_since=d.flapping_since,
        )
        for d in devices
    ]


@dataclass(frozen=True)
class DeviceStats:
    results: int
    false_alarms: int
    tests: int
    real: int
    groups: int
    alerts: int
    window_days: int

    @property
    def rate(self) -> float:
        return self.false_alarms / self.results if self.results else 0.0


def device_stats(*, session: Session, device: AlertDevice, policy: AlertPolicy | None = None) -> DeviceStats:
    """The device's results within the maintenance window (the same window the false-alarm rates use)."""
    policy = policy or default_policy()
    days = policy.maintenance.window_days
    since = utcnow() - timedelta(days=days)
    n, false_alarms, tests, real = session.execute(
        select(
            func.count(),
            func.sum(case((AlertDispatch.result == AlertResult.FALSE_ALARM.value, 1), else_=0)),
            func.sum(case((AlertDispatch.result == AlertResult.TEST.value, 1), else_=0)),
            func.sum(case((AlertDispatch.result == AlertResult.REAL.value, 1), else_=0)),
        ).where(
            AlertDispatch.device_id == device.id,
            AlertDispatch.result.is_not(None),
            AlertDispatch.result_at >= since,
        )
    ).one()
    groups = session.scalar(select(func.count()).select_from(AlertGroup).where(AlertGroup.device_id == device.id))
    alerts = session.scalar(select(func.count()).select_from(Alert).where(Alert.device_id == device.id))
    return DeviceStats(
        results=int(n or 0),
        false_alarms=int(false_alarms or 0),
        tests=int(tests or 0),
        real=int(real or 0),
        groups=int(groups or 0),
        alerts=int(alerts or 0),
        window_days=days,
    )


@dataclass(frozen=True)
class AlertRow:
    alert_id: str
    signal_label: str
    level: str | None
    at: datetime
    received_at: datetime


def recent_alerts(*, session: Session, device_id: int, limit: int = 20) -> list[AlertRow]:
    rows = session.scalars(
        select(Alert).where(Alert.device_id == device_id).order_by(Alert.at.desc(), Alert.id.desc()).limit(limit)
    ).all()
    return [
        AlertRow(
            alert_id=a.alert_id,
            signal_label=_label(SIGNAL_LABELS, Signal, a.signal),  # type: ignore[arg-type]
            level=a.level,
            at=a.at,
            received_at=a.received_at,
        )
        for a in rows
    ]


# --- dead letters ----------------------------------------------------------------------------------------------

DEAD_LETTER_REASONS: dict[str, str] = {
    "bad_json": "不是合法的JSON",
    "not_an_object": "不是JSON对象",
    "missing_device": "缺少设备编号",
    "invalid_device": "设备编号过长",
    "invalid_kind": "告警类型无效",
    "invalid_signal": "信号无效",
    "invalid_alert_id": "告警编号格式不正确",
    "missing_alert_id": "缺少告警编号",
    "invalid_time": "时间格式不正确",
    "naive_time": "时间缺少时区",
    "time_in_future": "时间晚于服务器时间",
    "invalid_level": "等级无效",
    "invalid_data": "扩展数据不是对象",
    "unknown_device": "设备未登记",
    "ambiguous_device": "设备编号重复登记",
    "device_retired": "设备已停用",
    "kind_mismatch": "告警类型与设备不符",
    "intake_error": "入库出错",
}
DEAD_LETTER_REASON_CHOICES: list[tuple[str, str]] = list(DEAD_LETTER_REASONS.items())
CHANNEL_CHOICES: list[tuple[str, str]] = [("mqtt", "MQTT 订阅"), ("http", "HTTP 接口"), ("demo", "演示数据")]
PAYLOAD_EXCERPT = 160


@dataclass(frozen=True)
class DeadLetterRow:
    id: int
    received_at: datetime
    channel: str
    reason_code: str
    reason_label: str
    reason: str
    device_code: str | None
    alert_id: str | None
    excerpt: str
    truncated: bool


def channel_label(source: str) -> str:
    if source == "mqtt":
        return "MQTT 订阅"
    if source.startswith("http:"):
        return f"HTTP 接口（{source[5:]}）"
    if source.startswith("demo"):
        return "演示数据"
    return source


def dead_letter_rows(letters: Sequence[AlertDeadLetter]) -> list[DeadLetterRow]:
    return [
        DeadLetterRow(
            id=d.id,
            received_at=d.received_at,
            channel=channel_label(d.source),
            reason_code=d.reason_code,
            reason_label=DEAD_LETTER_REASONS.get(d.reason_code, d.reason_code),
            reason=d.reason,
            device_code=d.device_code,
            alert_id=d.alert_id,
            excerpt=d.payload[:PAYLOAD_EXCERPT],
            truncated=len(d.payload) > PAYLOAD_EXCERPT,
        )
        for d in letters
    ]
