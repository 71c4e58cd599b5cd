"""API schemas of the key registers: what clients send (…In, …Update) and what they get back (…Out)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from fengqiao.events.kinds import RiskLevel
from fengqiao.events.schemas import EventSummaryOut, Labelled
from fengqiao.registers.kinds import EntryStatus

_TEXT = r"^[^\x00-\x1f\x7f]*$"
Alias = Field(min_length=1, max_length=60, pattern=_TEXT)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# --- taxonomy ---------------------------------------------------------------------------------------------------


class SubclassOut(BaseModel):
    code: str
    name: str
    task_force: list[str]


class ProjectClassOut(BaseModel):
    code: str
    name: str
    subclasses: list[SubclassOut]


class CategoryOut(BaseModel):
    code: str
    name: str
    level: str
    restricted: bool


class TaxonomyOut(BaseModel):
    classes: list[ProjectClassOut]
    person_categories: list[CategoryOut]
    place_categories: list[CategoryOut]


# --- key projects -----------------------------------------------------------------------------------------------


class ProjectPartyIn(_In):
    kind: str = Field(default="organisation", pattern=r"^(organisation|person)$", description="organisation | person")
    role: str = Field(default="建设单位", min_length=1, max_length=32, pattern=_TEXT, description="如 施工单位")
    name: str = Field(min_length=1, max_length=64, pattern=_TEXT)
    credit_code: str | None = Field(default=None, max_length=18, pattern=_TEXT, description="统一社会信用代码")
    id_number: str | None = Field(default=None, max_length=18, pattern=_TEXT, description="身份证号码")


class ProjectIn(_In):
    subclass_code: str = Field(pattern=r"^\d{4}$", description="小类编码，如 0201")
    name: str = Field(min_length=2, max_length=100, pattern=_TEXT)
    unit_id: int = Field(ge=1, le=2**31 - 1, description="属地镇街或村社")
    building_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    address: str | None = Field(default=None, max_length=200, pattern=_TEXT)
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    aliases: list[str] = Field(default_factory=list, max_length=20)
    description: str | None = Field(default=None, max_length=2000)
    risk_level: RiskLevel = RiskLevel.MEDIUM
    parties: list[ProjectPartyIn] = Field(default_factory=list, max_length=20)


class ProjectUpdate(_In):
    version: int = Field(ge=1, le=2**31 - 1, description="所见版本，过期则拒绝")
    name: str | None = Field(default=None, min_length=2, max_length=100, pattern=_TEXT)
    building_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    address: str | None = Field(default=None, max_length=200, pattern=_TEXT)
    aliases: list[str] | None = Field(default=None, max_length=20)
    description: str | None = Field(default=None, max_length=2000)
    risk_level: RiskLevel | None = None
    status: EntryStatus | None = None


class ProgressIn(_In):
    on_date: date | None = Field(default=None, description="默认今天")
    percent: int | None = Field(default=None, ge=0, le=100)
    stage: str | None = Field(default=None, max_length=32, pattern=_TEXT)
    note: str | None = Field(default=None, max_length=1000)


class MemberIn(_In):
    role: str = Field(min_length=1, max_length=32, pattern=_TEXT)
    staff_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    is_lead: bool = False


class MemberAssign(_In):
    staff_id: int | None = Field(default=None, ge=1, le=2**31 - 1, description="空则清空该席位")


class ProjectPartyOut(BaseModel):
    id: int
    kind: str
    role: str
    name: str
    credit_code: str | None
    id_number: str | None  # masked
    identity_id: int | None


class ProgressOut(BaseModel):
    id: int
    on_date: date
    percent: int | None
    stage: str | None
    note: str | None
    by_name: str | None
    created_at: datetime


class MemberOut(BaseModel):
    id: int
    role: str
    staff_id: int | None
    staff_name: str | None
    is_lead: bool


class ProjectOut(BaseModel):
    id: int
    code: str
    name: str
    project_class: Labelled
    subclass: Labelled
    unit_id: int
    unit_name: str
    building_id: int | None
    address: str | None
    risk_level: Labelled
    progress_percent: int
    stage: str | None
    status: Labelled
    aliases: list[str]
    linked_event_count: int
    updated_at: datetime
    version: int


class ProjectDetailOut(ProjectOut):
    description: str | None
    lon: float | None
    lat: float | None
    parties: list[ProjectPartyOut]
    progress: list[ProgressOut]
    members: list[MemberOut]


class ProjectPage(BaseModel):
    items: list[ProjectOut]
    total: int


# --- key persons ------------------------------------------------------------------------------------------------


class PersonIn(_In):
    name: str = Field(min_length=1, max_length=32, pattern=_TEXT)
    id_number: str = Field(min_length=15, max_length=18, pattern=_TEXT, description="身份证号码")
    phone: str | None = Field(default=None, max_length=20, pattern=_TEXT)
    category: str = Field(min_length=1, max_length=32, pattern=r"^[a-z_]+$")
    level: RiskLevel | None = Field(default=None, description="默认按类别")
    unit_id: int = Field(ge=1, le=2**31 - 1)
    building_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    responsible_staff_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    note: str | None = Field(default=None, max_length=1000)


class PersonUpdate(_In):
    version: int = Field(ge=1, le=2**31 - 1)
    level: RiskLevel | None = None
    unit_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    responsible_staff_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    phone: str | None = Field(default=None, max_length=20, pattern=_TEXT)
    note: str | None = Field(default=None, max_length=1000)
    status: EntryStatus | None = None


class VisitIn(_In):
    visited_on: date | None = None
    outcome: str = Field(default="stable", pattern=r"^(stable|attention|unreachable)$")
    note: str | None = Field(default=None, max_length=1000)


class VisitOut(BaseModel):
    id: int
    visited_on: date
    outcome: Labelled
    note: str | None
    by_name: str | None


class PersonOut(BaseModel):
    id: int
    name: str  # masked
    id_number: str  # masked
    phone: str | None  # masked
    category: Labelled
    restricted: bool
    level: Labelled
    unit_id: int
    unit_name: str
    responsible_staff_id: int | None
    responsible_name: str | None
    status: Labelled
    last_visit: date | None
    linked_event_count: int
    version: int


class PersonDetailOut(PersonOut):
    note: str | None
    building_id: int | None
    visits: list[VisitOut]


class PersonPage(BaseModel):
    items: list[PersonOut]
    total: int


# --- key places -------------------------------------------------------------------------------------------------


class PlaceIn(_In):
    name: str = Field(min_length=2, max_length=100, pattern=_TEXT)
    category: str = Field(min_length=1, max_length=32, pattern=r"^[a-z_]+$")
    level: RiskLevel | None = None
    unit_id: int = Field(ge=1, le=2**31 - 1)
    building_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    room_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    aliases: list[str] = Field(default_factory=list, max_length=20)
    responsible_staff_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    note: str | None = Field(default=None, max_length=1000)


class PlaceUpdate(_In):
    version: int = Field(ge=1, le=2**31 - 1)
    name: str | None = Field(default=None, min_length=2, max_length=100, pattern=_TEXT)
    level: RiskLevel | None = None
    aliases: list[str] | None = Field(default=None, max_length=20)
    responsible_staff_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    note: str | None = Field(default=None, max_length=1000)
    status: EntryStatus | None = None


class PlaceOut(BaseModel):
    id: int
    name: str
    category: Labelled
    level: Labelled
    unit_id: int
    unit_name: str
    building_id: int | None
    building_address: str | None
    room_id: int | None
    aliases: list[str]
    responsible_name: str | None
    status: Labelled
    note: str | None
    linked_event_count: int
    version: int


class PlacePage(BaseModel):
    items: list[PlaceOut]
    total: int


# --- links ------------------------------------------------------------------------------------------------------


class LinkedEventOut(BaseModel):
    event: EventSummaryOut
    reason: Labelled
    detail: str
    risk_before: str
    risk_after: str
    linked_at: datetime


class LinkedEventsOut(BaseModel):
    items: list[LinkedEventOut]
    hidden_count: int = Field(description="不在您辖区内、未列出的关联事件数")
