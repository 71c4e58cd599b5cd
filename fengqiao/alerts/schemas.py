"""API schemas of sensor alerts (what the routes return and accept), with converters from the table models."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from fengqiao.accounts.masking import mask_phone
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


class Labelled(BaseModel):
    value: str
    label: str


def _label(value: str, labels: dict[Any, str], enum: type[Any]) -> Labelled:
    try:
        return Labelled(value=value, label=labels[enum(value)])
    except (ValueError, KeyError):
        return Labelled(value=value, label=value)


class IngestOut(BaseModel):
    accepted: int = Field(description="新存储的告警数")
    duplicates: int = Field(description="重复投递（已存储）的条数")
    dead_letters: int = Field(description="校验失败、已转入死信表的条数")
    heartbeats: int = Field(description="心跳条数")


class DeviceOut(BaseModel):
    id: int
    code: str = Field(description="设备编号")
    kind: Labelled = Field(description="设备类型")
    name: str | None = None
    place: str | None = Field(default=None, description="点位")
    status: Labelled
    address: str | None = None
    building_id: int | None = None
    lon: float | None = None
    lat: float | None = None
    grid_id: int | None = None
    owner_name: str | None = Field(default=None, description="责任人")
    owner_phone: str | None = Field(default=None, description="联系电话（脱敏）")
    last_seen_at: datetime | None = Field(default=None, description="最近一次收到消息")
    last_heartbeat_at: datetime | None = None
    offline_since: datetime | None = Field(default=None, description="心跳超时起（离线）")
    flapping_since: datetime | None = Field(default=None, description="抖动起（待维修）")

    @classmethod
    def of(cls, device: AlertDevice, *, unmasked: bool = False) -> DeviceOut:
        phone = device.owner_phone
        return cls(
            id=device.id,
            code=device.code,
            kind=_label(device.kind, ALERT_KIND_LABELS, AlertKind),
            name=device.name,
            place=device.place,
            status=_label(device.status, DEVICE_STATUS_LABELS, DeviceStatus),
            address=device.address,
            building_id=device.building_id,
            lon=device.lon,
            lat=device.lat,
            grid_id=device.grid_id,
            owner_name=device.owner_name,
            owner_phone=phone if unmasked or phone is None else mask_phone(phone),
            last_seen_at=device.last_seen_at,
            last_heartbeat_at=device.last_heartbeat_at,
            offline_since=device.offline_since,
            flapping_since=device.flapping_since,
        )


class DeviceListOut(BaseModel):
    total: int
    items: list[DeviceOut]


class DeviceStatusIn(BaseModel):
    status: DeviceStatus = Field(description="active 在用 / maintenance 维修中 / retired 已停用")


class ImportErrorOut(BaseModel):
    row: int = Field(description="表格行号（表头为第1行）")
    message: str


class ImportOut(BaseModel):
    created: int
    updated: int
    errors: list[ImportErrorOut]
    summary: str


class AlertOut(BaseModel):
    id: int
    alert_id: str
    signal: Labelled
    level: str | None
    at: datetime
    received_at: datetime
    data: dict[str, Any] | None

    @classmethod
    def of(cls, alert: Alert) -> AlertOut:
        return cls(
            id=alert.id,
            alert_id=alert.alert_id,
            signal=_label(alert.signal, SIGNAL_LABELS, Signal),
            level=alert.level,
            at=alert.at,
            received_at=alert.received_at,
            data=alert.data,
        )


class GroupOut(BaseModel):
    id: int
    device_id: int
    kind: Labelled
    status: Labelled
    level: str | None
    first_at: datetime
    last_at: datetime
    due_at: datetime | None
    alert_count: int
    alarm_count: int
    cancel_count: int
    flaps: int
    reason: str | None
    event_id: int | None
    result: Labelled | None

    @classmethod
    def of(cls, group: AlertGroup) -> GroupOut:
        return cls(
            id=group.id,
            device_id=group.device_id,
            kind=_label(group.kind, ALERT_KIND_LABELS, AlertKind),
            status=_label(group.status, GROUP_STATUS_LABELS, GroupStatus),
            level=group.level,
            first_at=group.first_at,
            last_at=group.last_at,
            due_at=group.due_at,
            alert_count=group.alert_count,
            alarm_count=group.alarm_count,
            cancel_count=group.cancel_count,
            flaps=group.flaps,
            reason=group.reason,
            event_id=group.event_id,
            result=_label(group.result, ALERT_RESULT_LABELS, AlertResult) if group.result else None,
        )


class GroupListOut(BaseModel):
    total: int
    items: list[GroupOut]


class GroupDetailOut(GroupOut):
    alerts: list[AlertOut]


class SilenceIn(BaseModel):
    reason: str = Field(min_length=1, max_length=200, description="静默原因")
    ends_at: datetime = Field(description="结束时间（带时区）")
    starts_at: datetime | None = Field(default=None, description="开始时间，默认现在")
    device_id: int | None = Field(default=None, ge=1, le=2**31 - 1, description="设备（与区域二选一）")
    unit_code: str | None = Field(default=None, max_length=24, pattern=r"^[0-9A-Za-z]+$", description="区域单位代码")
    kind: AlertKind | None = Field(default=None, description="只静默该类告警")


class SilenceOut(BaseModel):
    id: int
    device_id: int | None
    unit_id: int | None
    kind: str | None
    starts_at: datetime
    ends_at: datetime
    reason: str
    created_by_id: int | None
    deleted_at: datetime | None

    @classmethod
    def of(cls, silence: AlertSilence) -> SilenceOut:
        return cls(
            id=silence.id,
            device_id=silence.device_id,
            unit_id=silence.unit_id,
            kind=silence.kind,
            starts_at=silence.starts_at,
            ends_at=silence.ends_at,
            reason=silence.reason,
            created_by_id=silence.created_by_id,
            deleted_at=silence.deleted_at,
        )


class SilenceListOut(BaseModel):
    total: int
    items: list[SilenceOut]


class DispatchOut(BaseModel):
    id: int
    version: int
    group_id: int
    event_id: int
    device_id: int
    kind: Labelled
    grid_id: int
    unit_id: int = Field(description="当前承接单位（升级后为联勤工作站或镇街指挥室）")
    notified_staff_ids: list[int]
    dispatched_at: datetime
    ack_deadline: datetime
    arrive_by: datetime = Field(description="三必到：到场时限")
    acknowledged_at: datetime | None
    arrived_at: datetime | None
    arrived_late: bool | None
    escalations: int
    result: Labelled | None
    result_note: str | None
    history: list[dict[str, Any]]

    @classmethod
    def of(cls, dispatch: AlertDispatch) -> DispatchOut:
        return cls(
            id=dispatch.id,
            version=dispatch.version,
            group_id=dispatch.group_id,
            event_id=dispatch.event_id,
            device_id=dispatch.device_id,
            kind=_label(dispatch.kind, ALERT_KIND_LABELS, AlertKind),
            grid_id=dispatch.grid_id,
            unit_id=dispatch.unit_id,
            notified_staff_ids=list(dispatch.notified_staff_ids),
            dispatched_at=dispatch.dispatched_at,
            ack_deadline=dispatch.ack_deadline,
            arrive_by=dispatch.arrive_by,
            acknowledged_at=dispatch.acknowledged_at,
            arrived_at=dispatch.arrived_at,
            arrived_late=dispatch.arrived_late,
            escalations=dispatch.escalations,
            result=_label(dispatch.result, ALERT_RESULT_LABELS, AlertResult) if dispatch.result else None,
            result_note=dispatch.result_note,
            history=list(dispatch.history),
        )


class DispatchActionIn(BaseModel):
    version: int | None = Field(default=None, ge=1, description="乐观锁版本（可选）")
    note: str = Field(default="", max_length=400)


class DispatchResultIn(DispatchActionIn):
    result: AlertResult = Field(description="real 真实警情 / false_alarm 误报 / test 测试")


class RateOut(BaseModel):
    key: str
    label: str
    results: int
    false_alarms: int
    tests: int
    rate: float = Field(description="误报率")


class MaintenanceItemOut(BaseModel):
    device: DeviceOut
    reasons: list[str]


class IntegrationIn(BaseModel):
    name: str = Field(min_length=1, max_length=64, description="接入方（厂商平台）名称")


class IntegrationOut(BaseModel):
    id: int
    name: str
    prefix: str
    token: str = Field(description="接入令牌，仅此一次返回，请妥善保存")


class DeadLetterOut(BaseModel):
    id: int
    source: str
    reason_code: str
    reason: str = Field(description="原因")
    device_code: str | None
    alert_id: str | None
    payload: str = Field(description="原始消息")
    received_at: datetime

    @classmethod
    def of(cls, letter: AlertDeadLetter) -> DeadLetterOut:
        return cls(
            id=letter.id,
            source=letter.source,
            reason_code=letter.reason_code,
            reason=letter.reason,
            device_code=letter.device_code,
            alert_id=letter.alert_id,
            payload=letter.payload,
            received_at=letter.received_at,
        )


class DeadLetterListOut(BaseModel):
    total: int
    items: list[DeadLetterOut]
