"""Court civil and commercial filings (法院民商事立案), shared for pre-litigation mediation."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from fengqiao.events.channels.base import TEXT, ChannelPayload, PartyPayload, aware
from fengqiao.events.intake import NewEvent
from fengqiao.events.kinds import Channel, PartyRole


class CourtFiling(ChannelPayload):
    case_no: str = Field(min_length=1, max_length=64, pattern=TEXT, description="案号，如（2026）浙1081民初1234号")
    case_type: str = Field(pattern=r"^(民事|商事)$")
    cause: str = Field(min_length=1, max_length=64, pattern=TEXT, description="案由，如 民间借贷纠纷")
    filed_at: datetime
    summary: str = Field(min_length=1, max_length=10_000, pattern=TEXT)
    amount: int | None = Field(default=None, ge=0, le=10**12, description="标的额（元）")
    plaintiffs: list[PartyPayload] = Field(min_length=1, max_length=50)
    defendants: list[PartyPayload] = Field(min_length=1, max_length=50)
    address: str | None = Field(default=None, max_length=200, pattern=TEXT)

    def source_id(self) -> str:
        return self.case_no

    def to_new_event(self) -> NewEvent:
        return NewEvent(
            channel=Channel.COURT,
            source_id=self.case_no,
            title=f"【{self.case_type}·{self.cause}】{self.case_no}",
            content=self.summary,
            is_dispute=True,
            amount=self.amount,
            address=self.address,
            occurred_at=aware(self.filed_at),
            parties=[p.to_party(PartyRole.APPLICANT) for p in self.plaintiffs]
            + [p.to_party(PartyRole.RESPONDENT) for p in self.defendants],
        )
