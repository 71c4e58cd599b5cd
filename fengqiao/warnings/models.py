"""Tables of early warning: patterns (一人多事, 多人一事, 一地多事, 反复报警, 类案串联) with their member events; risk
rule set versions; warnings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fengqiao.core.clock import utcnow
from fengqiao.db.base import Base
from fengqiao.db.types import UTCDateTime, ordered_text


class Pattern(Base):
    """A pattern found across events, one per subject (``key``: the identity, building or text cluster it is about).
    Staff confirm, dismiss or merge it; a dismissed pattern keeps collecting members quietly."""

    __tablename__ = "patterns"
    __table_args__ = (
        UniqueConstraint("county_code", "kind", "key"),
        Index("ix_patterns_scope", "county_code", "status", "unit_path"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6))
    kind: Mapped[str] = mapped_column(String(24))
    key: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(120))  # who or where, as staff read it
    subject_kind: Mapped[str] = mapped_column(String(16))  # person | organisation | place | matter (masking)
    # The smallest unit holding every member event: whoever sees that unit sees the pattern.
    unit_path: Mapped[str] = mapped_column(ordered_text(160))
    status: Mapped[str] = mapped_column(String(12), default="open")
    member_count: Mapped[int] = mapped_column(Integer, default=0)
    first_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(Text)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("patterns.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    members: Mapped[list[PatternMember]] = relationship(back_populates="pattern", order_by="PatternMember.event_id")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012  (SQLAlchemy reads a plain dict)


class PatternMember(Base):
    __tablename__ = "pattern_members"

    pattern_id: Mapped[int] = mapped_column(ForeignKey("patterns.id", ondelete="CASCADE"), primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True, index=True)
    county_code: Mapped[str] = mapped_column(String(6))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    pattern: Mapped[Pattern] = relationship(back_populates="members")


class RiskRuleSet(Base):
    """One version of a county's risk rules (E2): the YAML text as an administrator wrote it, its digest, who saved
    it and whether it is the version in force. Versions are never edited: a change is a new version, a rollback is
    activating an older one."""

    __tablename__ = "risk_rule_sets"
    __table_args__ = (
        UniqueConstraint("county_code", "version"),
        Index("ix_risk_rule_sets_active", "county_code", "is_active"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6))
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    activated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RiskWarning(Base):
    """A warning (预警, E3): its level, why, the evidence (events, pattern, statistics) and the unit that must
    acknowledge it before ``ack_deadline``; unacknowledged, it climbs to the parent unit. ``dedupe_key`` makes the
    same finding warn once (a rule on an event, a topic in a week)."""

    __tablename__ = "risk_warnings"
    __table_args__ = (
        Index("ix_risk_warnings_unit_status", "unit_id", "status"),
        Index("ix_risk_warnings_scope", "county_code", "status", "unit_path"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6))
    source: Mapped[str] = mapped_column(String(12))  # rule | topic
    kind: Mapped[str] = mapped_column(String(48))  # the rule code, or trend / emerging for a topic scan
    level: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"), index=True)
    pattern_id: Mapped[int | None] = mapped_column(ForeignKey("patterns.id", ondelete="SET NULL"))
    rule_set_id: Mapped[int | None] = mapped_column(ForeignKey("risk_rule_sets.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    # The responsible unit's path: whoever oversees it sees the warning.
    unit_path: Mapped[str] = mapped_column(ordered_text(160))
    first_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    status: Mapped[str] = mapped_column(String(16), default="issued")
    escalations: Mapped[int] = mapped_column(Integer, default=0)
    ack_deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    ack_note: Mapped[str | None] = mapped_column(String(500))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    # What happened to the warning (issued, escalated, acknowledged, closed), oldest first.
    history: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
