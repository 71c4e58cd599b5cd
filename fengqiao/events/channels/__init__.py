"""Channel adapters (B2): each maps one feeding system's payload to a ``NewEvent``. Adding a channel is adding a
module here and a line in ``ADAPTERS``."""

from __future__ import annotations

from pydantic import BaseModel

from fengqiao.events.channels.base import ChannelPayload
from fengqiao.events.channels.court import CourtFiling
from fengqiao.events.channels.feeds import CityManagementCase, FirstPetition, GridPatrolReport
from fengqiao.events.channels.hotline import HotlineTicket
from fengqiao.events.channels.police import PoliceCall
from fengqiao.events.kinds import Channel

ADAPTERS: dict[Channel, type[ChannelPayload]] = {
    Channel.HOTLINE_12345: HotlineTicket,
    Channel.POLICE_110: PoliceCall,
    Channel.COURT: CourtFiling,
    Channel.CITY_MANAGEMENT: CityManagementCase,
    Channel.GRID_PATROL: GridPatrolReport,
    Channel.FIRST_PETITION: FirstPetition,
}

__all__ = ["ADAPTERS", "BaseModel", "ChannelPayload"]
