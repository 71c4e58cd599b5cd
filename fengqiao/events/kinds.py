"""The vocabulary of events — channels, intake types, statuses, roles — with Chinese labels. Pure data."""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    FRONT_DESK = "front_desk"
    HOTLINE_12345 = "hotline_12345"
    POLICE_110 = "police_110"
    COURT = "court"
    CITY_MANAGEMENT = "city_management"
    GRID_PATROL = "grid_patrol"
    FIRST_PETITION = "first_petition"
    CITIZEN_QR = "citizen_qr"
    SENSOR = "sensor"


CHANNEL_LABELS: dict[Channel, str] = {
    Channel.FRONT_DESK: "窗口受理",
    Channel.HOTLINE_12345: "12345热线",
    Channel.POLICE_110: "110纠纷类警情",
    Channel.COURT: "法院民商事立案",
    Channel.CITY_MANAGEMENT: "智慧城管执法",
    Channel.GRID_PATROL: "网格排查",
    Channel.FIRST_PETITION: "初信初访",
    Channel.CITIZEN_QR: "市域共治码",
    Channel.SENSOR: "感知告警",
}

# Channels fed by other systems, authenticated by a per-channel API key.
MACHINE_CHANNELS: frozenset[Channel] = frozenset(
    {
        Channel.HOTLINE_12345,
        Channel.POLICE_110,
        Channel.COURT,
        Channel.CITY_MANAGEMENT,
        Channel.GRID_PATROL,
        Channel.FIRST_PETITION,
        Channel.SENSOR,
    }
)


class IntakeType(StrEnum):
    """What a person comes to the one-window front desk for (B1)."""

    CONSULTATION = "consultation"
    MEDIATION = "mediation"
    ARBITRATION = "arbitration"
    LITIGATION = "litigation"
    PETITION = "petition"
    COMPLAINT_REPORT = "complaint_report"
    SUGGESTION = "suggestion"
    LEGAL_SERVICE = "legal_service"


INTAKE_TYPE_LABELS: dict[IntakeType, str] = {
    IntakeType.CONSULTATION: "咨询",
    IntakeType.MEDIATION: "调解",
    IntakeType.ARBITRATION: "仲裁",
    IntakeType.LITIGATION: "诉讼",
    IntakeType.PETITION: "申诉求决",
    IntakeType.COMPLAINT_REPORT: "投诉举报",
    IntakeType.SUGGESTION: "意见建议",
    IntakeType.LEGAL_SERVICE: "法律服务",
}


class EventStatus(StrEnum):
    REGISTERED = "registered"
    DISPATCHED = "dispatched"
    ACCEPTED = "accepted"
    HANDLING = "handling"
    REPORTED_BACK = "reported_back"
    REVIEWED = "reviewed"
    CLOSED = "closed"
    RETURNED = "returned"
    ESCALATED = "escalated"
    MERGED = "merged"
    VOIDED = "voided"


EVENT_STATUS_LABELS: dict[EventStatus, str] = {
    EventStatus.REGISTERED: "已受理",
    EventStatus.DISPATCHED: "已流转",
    EventStatus.ACCEPTED: "已签收",
    EventStatus.HANDLING: "处置中",
    EventStatus.REPORTED_BACK: "已反馈",
    EventStatus.REVIEWED: "已审核",
    EventStatus.CLOSED: "已办结",
    EventStatus.RETURNED: "已退回",
    EventStatus.ESCALATED: "已上报",
    EventStatus.MERGED: "已合并",
    EventStatus.VOIDED: "已作废",
}

TERMINAL_STATUSES: frozenset[EventStatus] = frozenset({EventStatus.MERGED, EventStatus.VOIDED})
OPEN_STATUSES: frozenset[EventStatus] = frozenset(EventStatus) - TERMINAL_STATUSES - {EventStatus.CLOSED}


class HandlingLevel(StrEnum):
    """Where an event is being solved; escalation climbs this ladder (C3)."""

    GRID = "grid"
    VILLAGE = "village"
    TOWN = "town"
    COUNTY = "county"


HANDLING_LEVEL_LABELS: dict[HandlingLevel, str] = {
    HandlingLevel.GRID: "网格",
    HandlingLevel.VILLAGE: "村(社区)",
    HandlingLevel.TOWN: "镇(街道)",
    HandlingLevel.COUNTY: "县(市)",
}
LEVEL_ORDER: tuple[HandlingLevel, ...] = (
    HandlingLevel.GRID,
    HandlingLevel.VILLAGE,
    HandlingLevel.TOWN,
    HandlingLevel.COUNTY,
)


class RiskLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


RISK_LEVEL_LABELS: dict[RiskLevel, str] = {RiskLevel.LOW: "低", RiskLevel.MEDIUM: "中", RiskLevel.HIGH: "高"}


class PartyRole(StrEnum):
    APPLICANT = "applicant"
    RESPONDENT = "respondent"
    REPORTER = "reporter"
    THIRD_PARTY = "third_party"


PARTY_ROLE_LABELS: dict[PartyRole, str] = {
    PartyRole.APPLICANT: "申请人",
    PartyRole.RESPONDENT: "被申请人",
    PartyRole.REPORTER: "反映人",
    PartyRole.THIRD_PARTY: "第三人",
}


class PartyKind(StrEnum):
    PERSON = "person"
    ORGANISATION = "organisation"


class TaskRole(StrEnum):
    PRIMARY = "primary"  # 主办
    CO_HANDLER = "co_handler"  # 协办
    JOINT = "joint"  # 一事双派 的联动方


TASK_ROLE_LABELS: dict[TaskRole, str] = {TaskRole.PRIMARY: "主办", TaskRole.CO_HANDLER: "协办", TaskRole.JOINT: "联动"}


class TaskStatus(StrEnum):
    DISPATCHED = "dispatched"
    ACCEPTED = "accepted"
    REPORTED_BACK = "reported_back"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"
    DONE = "done"


TASK_STATUS_LABELS: dict[TaskStatus, str] = {
    TaskStatus.DISPATCHED: "待签收",
    TaskStatus.ACCEPTED: "办理中",
    TaskStatus.REPORTED_BACK: "已反馈",
    TaskStatus.RETURNED: "已退回",
    TaskStatus.WITHDRAWN: "已撤回",
    TaskStatus.DONE: "已完成",
}
ACTIVE_TASK_STATUSES: frozenset[TaskStatus] = frozenset({TaskStatus.DISPATCHED, TaskStatus.ACCEPTED})


class SupervisionLevel(StrEnum):
    NORMAL = "normal"  # 普通督办
    YELLOW = "yellow"  # 黄牌督办
    RED = "red"  # 红牌督办
    LISTED = "listed"  # 挂牌督办 (quarterly, major disputes)


SUPERVISION_LEVEL_LABELS: dict[SupervisionLevel, str] = {
    SupervisionLevel.NORMAL: "普通督办",
    SupervisionLevel.YELLOW: "黄牌督办",
    SupervisionLevel.RED: "红牌督办",
    SupervisionLevel.LISTED: "挂牌督办",
}


class Satisfaction(StrEnum):
    SATISFIED = "satisfied"
    BASICALLY = "basically_satisfied"
    DISSATISFIED = "dissatisfied"


SATISFACTION_LABELS: dict[Satisfaction, str] = {
    Satisfaction.SATISFIED: "满意",
    Satisfaction.BASICALLY: "基本满意",
    Satisfaction.DISSATISFIED: "不满意",
}
