"""110 dispute-type police calls (纠纷类警情), pushed by the police command system."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from fengqiao.events.channels.base import TEXT, ChannelPayload, PartyPayload, aware
from fengqiao.events.intake import NewEvent, NewParty
from fengqiao.events.kinds import Channel, PartyRole

# 110 alarm-type codes of dispute calls (大类 × 100000, see DOMAIN.md): the label becomes the event's title prefix.
ALARM_TYPES: dict[str, str] = {
    "200100": "打架斗殴",
    "200200": "治安纠纷",
    "200600": "家庭暴力",
    "202000": "虐待",
    "600300": "劳动保障",
    "700100": "聚众上访",
    "700500": "群众械斗",
    "950100": "群众投诉",
}
SENSITIVE_ALARM_TYPES = frozenset({"200600", "202000"})


class PoliceCall(ChannelPayload):
    incident_no: str = Field(min_length=1, max_length=64, pattern=TEXT, description="警情编号")
    call_time: datetime
    alarm_type: str = Field(min_length=6, max_length=6, pattern=r"^\d{6}$", description="110警情类别代码")
    summary: str = Field(min_length=1, max_length=10_000, pattern=TEXT, description="简要警情")
    caller_name: str | None = Field(default=None, max_length=32, pattern=TEXT)
    caller_phone: str | None = Field(default=None, max_length=20)
    address: str | None = Field(default=None, max_length=200, pattern=TEXT)
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    station_code: str | None = Field(default=None, max_length=24, description="接警派出所代码")
    parties: list[PartyPayload] = Field(default_factory=list, max_length=50)

    def source_id(self) -> str:
        return self.incident_no

    def to_new_event(self) -> NewEvent:
        label = ALARM_TYPES.get(self.alarm_type, "纠纷类警情")
        parties: list[NewParty] = [
            p.to_party(PartyRole.APPLICANT if i == 0 else PartyRole.RESPONDENT) for i, p in enumerate(self.parties)
        ]
        return NewEvent(
            channel=Channel.POLICE_110,
            source_id=self.incident_no,
            title=f"【110·{label}】{self.summary[:60]}",
            content=self.summary,
            is_dispute=True,
            is_sensitive=self.alarm_type in SENSITIVE_ALARM_TYPES,
            address=self.address,
            lon=self.lon,
            lat=self.lat,
            occurred_at=aware(self.call_time),
            reporter_name=self.caller_name,
            reporter_phone=self.caller_phone,
            parties=parties,
        )
