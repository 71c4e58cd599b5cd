"""12345 政务服务便民热线 tickets."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from fengqiao.events.channels.base import TEXT, ChannelPayload, aware
from fengqiao.events.intake import NewEvent, NewParty
from fengqiao.events.kinds import Channel, PartyRole


class HotlineTicket(ChannelPayload):
    ticket_no: str = Field(min_length=1, max_length=64, pattern=TEXT, description="12345工单编号")
    title: str = Field(min_length=1, max_length=200, pattern=TEXT)
    content: str = Field(min_length=1, max_length=10_000, pattern=TEXT)
    caller_name: str | None = Field(default=None, max_length=32, pattern=TEXT)
    caller_phone: str | None = Field(default=None, max_length=20)
    address: str | None = Field(default=None, max_length=200, pattern=TEXT)
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    hotline_category: str | None = Field(default=None, max_length=32, description="12345大类，如 城乡建设")
    received_at: datetime | None = None
    is_dispute: bool = False

    def source_id(self) -> str:
        return self.ticket_no

    def to_new_event(self) -> NewEvent:
        parties = []
        if self.caller_name:
            parties.append(NewParty(role=PartyRole.REPORTER, name=self.caller_name, phone=self.caller_phone))
        return NewEvent(
            channel=Channel.HOTLINE_12345,
            source_id=self.ticket_no,
            title=self.title,
            content=self.content,
            is_dispute=self.is_dispute,
            address=self.address,
            lon=self.lon,
            lat=self.lat,
            occurred_at=aware(self.received_at),
            reporter_name=self.caller_name,
            reporter_phone=self.caller_phone,
            parties=parties,
        )
