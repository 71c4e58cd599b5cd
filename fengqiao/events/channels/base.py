"""What every channel payload shares: a source ticket id, and a way to become a ``NewEvent``."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from fengqiao.core.clock import CHINA_TZ
from fengqiao.events.intake import NewEvent, NewParty
from fengqiao.events.kinds import PartyKind, PartyRole

TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"


class ChannelPayload(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    def source_id(self) -> str:
        raise NotImplementedError

    def to_new_event(self) -> NewEvent:
        raise NotImplementedError


class PartyPayload(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=64, pattern=TEXT)
    id_number: str | None = Field(default=None, max_length=18)
    phone: str | None = Field(default=None, max_length=20)
    credit_code: str | None = Field(default=None, max_length=18)
    address: str | None = Field(default=None, max_length=200, pattern=TEXT)

    def to_party(self, role: PartyRole) -> NewParty:
        return NewParty(
            role=role,
            name=self.name,
            kind=PartyKind.ORGANISATION if self.credit_code else PartyKind.PERSON,
            id_number=self.id_number or None,
            phone=self.phone or None,
            credit_code=self.credit_code or None,
            address=self.address or None,
        )


def aware(moment: datetime | None) -> datetime | None:
    """Feeds send local times without a zone: read them as China Standard Time."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=CHINA_TZ)
