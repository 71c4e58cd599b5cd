"""API shapes of early warning: patterns, similar events, identities, warnings and risk rule sets."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from fengqiao.events.schemas import EventSummaryOut, Labelled

NO_CONTROL_CHARS = r"^[^\x00-\x1f\x7f]*$"  # one line of text: no control characters


class PatternOut(BaseModel):
    id: int
    kind: Labelled
    subject: str
    subject_kind: str
    status: Labelled
    member_count: int
    first_at: datetime
    last_at: datetime
    reason: str
    decision_note: str | None
    version: int


class PatternListOut(BaseModel):
    items: list[PatternOut]
    total: int


class PatternDetailOut(PatternOut):
    events: list[EventSummaryOut]
    hidden_count: int = Field(description="成员事件中不在您辖区内、未列出的数量")


class PatternDecisionIn(BaseModel):
    status: Literal["confirmed", "dismissed", "open"]
    version: int = Field(ge=1)
    note: str = Field(default="", max_length=500)


class PatternMergeIn(BaseModel):
    into_id: int = Field(ge=1, le=2**31 - 1, description="合并到的线索")
    version: int = Field(ge=1, description="被合并线索的版本")


class SimilarEventOut(BaseModel):
    event: EventSummaryOut
    similarity: float


class IdentityLinkOut(BaseModel):
    event_id: int
    slot: int
    role: str
    name: str
    reasons: list[str]
    confidence: float
    method: str
    event_time: datetime


class IdentityOut(BaseModel):
    id: int
    kind: str
    name: str
    party_count: int
    links: list[IdentityLinkOut] = Field(description="您辖区内可见的关联记录")


class LinkRef(BaseModel):
    event_id: int = Field(ge=1, le=2**31 - 1)
    slot: int = Field(ge=0, le=2**31 - 1)


class IdentitySplitIn(BaseModel):
    links: list[LinkRef] = Field(min_length=1, max_length=500)
    note: str = Field(default="", max_length=200)


class IdentityMergeIn(BaseModel):
    other_id: int = Field(ge=1, le=2**31 - 1)


# --- warnings (预警) ----------------------------------------------------------------------------------------------


class WarningHistoryOut(BaseModel):
    at: datetime
    action: str
    label: str
    text: str


class WarningOut(BaseModel):
    id: int
    source: Labelled
    kind: str
    level: Labelled
    title: str
    reason: str
    status: Labelled
    unit_id: int
    unit_name: str
    first_unit_name: str
    escalations: int
    ack_deadline: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    ack_note: str | None
    closed_at: datetime | None
    event_id: int | None
    pattern_id: int | None
    created_at: datetime
    version: int
    may_acknowledge: bool = Field(description="您可以签收")
    may_close: bool = Field(description="您可以办结")


class WarningDetailOut(WarningOut):
    evidence: dict[str, Any]
    events: list[EventSummaryOut] = Field(description="证据事件中您可见的")
    history: list[WarningHistoryOut]


class WarningListOut(BaseModel):
    items: list[WarningOut]
    total: int


class WarningAckIn(BaseModel):
    version: int = Field(ge=1, le=2**31 - 1)
    note: str = Field(default="", max_length=500, pattern=NO_CONTROL_CHARS)


class WarningCloseIn(BaseModel):
    version: int = Field(ge=1, le=2**31 - 1)
    note: str = Field(min_length=1, max_length=500)


# --- risk rule sets (风险规则) --------------------------------------------------------------------------------------


class RuleSetOut(BaseModel):
    id: int
    version: int
    sha256: str
    note: str | None
    is_active: bool
    created_at: datetime
    created_by: str | None
    activated_at: datetime | None


class RuleSetDetailOut(RuleSetOut):
    text: str


class RuleSetListOut(BaseModel):
    items: list[RuleSetOut]
    active_version: int
    builtin_text: str | None = Field(description="尚未保存任何版本时，生效的内置默认规则")


class RuleTextIn(BaseModel):
    text: str = Field(min_length=1, max_length=200_000)


class RuleSaveIn(RuleTextIn):
    note: str = Field(default="", max_length=200, pattern=NO_CONTROL_CHARS)
    activate: bool = False


class DryRunIn(RuleTextIn):
    days: int = Field(default=30, ge=1, le=366, description="试运行回溯天数")


class RuleProblemOut(BaseModel):
    message: str
    line: int | None
    rule: str | None
    field: str | None
    field_label: str | None
    text: str


class ValidationOut(BaseModel):
    valid: bool
    rules: int
    problems: list[RuleProblemOut]


class DryRunExampleOut(BaseModel):
    event_id: int
    dispute_code: str
    title: str
    registered_at: datetime
    reason: str


class DryRunRuleOut(BaseModel):
    code: str
    name: str
    enabled: bool
    count: int
    examples: list[DryRunExampleOut]


class DryRunOut(BaseModel):
    since: datetime
    until: datetime
    events: int
    warnings: int
    raised: dict[str, int]
    rules: list[DryRunRuleOut]
