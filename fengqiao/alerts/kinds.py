"""The vocabulary of sensor alerts with Chinese labels. Pure data."""

from __future__ import annotations

from enum import StrEnum


class AlertKind(StrEnum):
    SMOKE = "smoke"
    DROWNING = "drowning"
    INTRUSION = "intrusion"
    KEY_PERSON = "key_person"


ALERT_KIND_LABELS: dict[AlertKind, str] = {
    AlertKind.SMOKE: "烟感报警",
    AlertKind.DROWNING: "防溺水告警",
    AlertKind.INTRUSION: "禁入区闯入",
    AlertKind.KEY_PERSON: "重点人员识别",
}

# What kind of device sends each kind of alert (the registry's "type").
DEVICE_KIND_LABELS: dict[AlertKind, str] = {
    AlertKind.SMOKE: "智能烟感",
    AlertKind.DROWNING: "水域监控/溺水感知",
    AlertKind.INTRUSION: "禁入区监控",
    AlertKind.KEY_PERSON: "重点人员识别算法",
}


class Signal(StrEnum):
    ALARM = "alarm"
    CANCEL = "cancel"
    HEARTBEAT = "heartbeat"
    TEST = "test"


SIGNAL_LABELS: dict[Signal, str] = {
    Signal.ALARM: "报警",
    Signal.CANCEL: "消警",
    Signal.HEARTBEAT: "心跳",
    Signal.TEST: "测试",
}


class DeviceStatus(StrEnum):
    ACTIVE = "active"
    MAINTENANCE = "maintenance"  # under repair: its alerts are kept but never become events
    RETIRED = "retired"  # removed from service: its messages go to the dead letters


DEVICE_STATUS_LABELS: dict[DeviceStatus, str] = {
    DeviceStatus.ACTIVE: "在用",
    DeviceStatus.MAINTENANCE: "维修中",
    DeviceStatus.RETIRED: "已停用",
}


class GroupStatus(StrEnum):
    PENDING = "pending"  # waiting for its promotion moment (due_at)
    CANCELLED = "cancelled"  # the device cleared the alarm before the policy's window ended
    SUPPRESSED = "suppressed"  # flapping device or a device under maintenance
    SILENCED = "silenced"  # a maintenance silence covers the device or its area
    LISTED = "listed"  # low-risk: goes into the daily list, not an event
    PROMOTED = "promoted"  # became an event
    RESOLVED = "resolved"  # result recorded (real / false alarm / test)


GROUP_STATUS_LABELS: dict[GroupStatus, str] = {
    GroupStatus.PENDING: "待研判",
    GroupStatus.CANCELLED: "已消警",
    GroupStatus.SUPPRESSED: "已抑制",
    GroupStatus.SILENCED: "已静默",
    GroupStatus.LISTED: "列入日清单",
    GroupStatus.PROMOTED: "已转事件",
    GroupStatus.RESOLVED: "已处置",
}


class AlertResult(StrEnum):
    REAL = "real"
    FALSE_ALARM = "false_alarm"
    TEST = "test"


ALERT_RESULT_LABELS: dict[AlertResult, str] = {
    AlertResult.REAL: "真实警情",
    AlertResult.FALSE_ALARM: "误报",
    AlertResult.TEST: "测试",
}
