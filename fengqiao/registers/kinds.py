"""The vocabulary of the key registers, with Chinese labels. Pure data."""

from __future__ import annotations

from enum import StrEnum

from fengqiao.events.kinds import RiskLevel

RISK_RANK: dict[str, int] = {RiskLevel.LOW.value: 0, RiskLevel.MEDIUM.value: 1, RiskLevel.HIGH.value: 2}


class EntryKind(StrEnum):
    PROJECT = "project"
    PERSON = "person"
    PLACE = "place"


ENTRY_KIND_LABELS: dict[EntryKind, str] = {
    EntryKind.PROJECT: "重点项目",
    EntryKind.PERSON: "重点人员",
    EntryKind.PLACE: "重点场所",
}


class EntryStatus(StrEnum):
    ACTIVE = "active"  # 在管
    RESOLVED = "resolved"  # 已化解 (kept for the record, no longer matched)
    CLOSED = "closed"  # 已销号


ENTRY_STATUS_LABELS: dict[EntryStatus, str] = {
    EntryStatus.ACTIVE: "在管",
    EntryStatus.RESOLVED: "已化解",
    EntryStatus.CLOSED: "已销号",
}


class LinkReason(StrEnum):
    PARTY = "party"  # an event party is the entry's person or enterprise
    BUILDING = "building"  # the event happened in the entry's building
    ALIAS = "alias"  # the event's text names the entry


LINK_REASON_LABELS: dict[LinkReason, str] = {
    LinkReason.PARTY: "当事人命中",
    LinkReason.BUILDING: "楼栋命中",
    LinkReason.ALIAS: "名称命中",
}


class PartyKindOfProject(StrEnum):
    ORGANISATION = "organisation"
    PERSON = "person"


def raised(current: str, floor: str) -> str:
    """The higher of two risk levels: linking may raise an event's risk, never lower it."""
    return floor if RISK_RANK.get(floor, 0) > RISK_RANK.get(current, 0) else current
