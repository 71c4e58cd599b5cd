"""Smaller feeds: city-management enforcement cases, grid patrol reports, first petitions."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from fengqiao.events.channels.base import TEXT, ChannelPayload, PartyPayload, aware
from fengqiao.events.intake import NewEvent, NewParty
from fengqiao.events.kinds import Channel, PartyRole


class CityManagementCase(ChannelPayload):
    case_no: str = Field(min_length=1, max_length=64, pattern=TEXT, description="城管案件编号")
    category: str = Field(min_length=1, max_length=32, pattern=TEXT, description="案件类别，如 私搭乱建")
    description: str = Field(min_length=1, max_length=10_000, pattern=TEXT)
    address: str | None = Field(default=None, max_length=200, pattern=TEXT)
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    reported_at: datetime

    def source_id(self) -> str:
        return self.case_no

    def to_new_event(self) -> NewEvent:
        return NewEvent(
            channel=Channel.CITY_MANAGEMENT,
            source_id=self.case_no,
            title=f"【城管·{self.category}】{self.description[:60]}",
            content=self.description,
            category="city_management",
            address=self.address,
            lon=self.lon,
            lat=self.lat,
            occurred_at=aware(self.reported_at),
        )


class GridPatrolReport(ChannelPayload):
    report_id: str = Field(min_length=1, max_length=64, pattern=TEXT, description="排查记录编号")
    grid_code: str = Field(pattern=r"^\d{15}$", description="网格代码（15位）")
    reporter: str = Field(min_length=1, max_length=32, pattern=TEXT, description="上报网格员")
    title: str = Field(min_length=1, max_length=200, pattern=TEXT)
    description: str = Field(min_length=1, max_length=10_000, pattern=TEXT)
    is_dispute: bool = False
    address: str | None = Field(default=None, max_length=200, pattern=TEXT)
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    found_at: datetime
    parties: list[PartyPayload] = Field(default_factory=list, max_length=50)

    def source_id(self) -> str:
        return self.report_id

    def to_new_event(self) -> NewEvent:
        return NewEvent(
            channel=Channel.GRID_PATROL,
            source_id=self.report_id,
            title=self.title,
            content=self.description,
            is_dispute=self.is_dispute,
            unit_code=self.grid_code,
            address=self.address,
            lon=self.lon,
            lat=self.lat,
            occurred_at=aware(self.found_at),
            reporter_name=self.reporter,
            parties=[p.to_party(PartyRole.APPLICANT) for p in self.parties],
        )


class FirstPetition(ChannelPayload):
    petition_no: str = Field(min_length=1, max_length=64, pattern=TEXT, description="信访件编号")
    petitioner: PartyPayload
    content: str = Field(min_length=1, max_length=10_000, pattern=TEXT)
    received_at: datetime
    address: str | None = Field(default=None, max_length=200, pattern=TEXT)
    involved_count: int | None = Field(default=None, ge=1, le=100_000)

    def source_id(self) -> str:
        return self.petition_no

    def to_new_event(self) -> NewEvent:
        party: NewParty = self.petitioner.to_party(PartyRole.APPLICANT)
        return NewEvent(
            channel=Channel.FIRST_PETITION,
            source_id=self.petition_no,
            title=f"【初信初访】{self.content[:60]}",
            content=self.content,
            is_dispute=True,
            address=self.address or self.petitioner.address,
            occurred_at=aware(self.received_at),
            reporter_name=self.petitioner.name,
            reporter_phone=self.petitioner.phone,
            involved_count=self.involved_count,
            parties=[party],
        )
