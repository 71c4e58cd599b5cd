"""Fixtures of the key-register tests: the staffed world, registering events and linking them."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from fengqiao.basedata.identifiers import make_credit_code, make_resident_id, wenling_region_code
from fengqiao.events import intake
from fengqiao.events.kinds import Channel, PartyKind, PartyRole
from fengqiao.events.models import Event
from fengqiao.linking import service as linking
from tests.events.world import World, make_world

BUILDER = make_credit_code(region_code="331081", org_body="MA2K8Q7P")
LIN = make_resident_id(region_code=wenling_region_code(1971), birth_date=date(1971, 5, 17), sequence=21, female=False)


@pytest.fixture
def world(db: Session) -> World:
    return make_world(db)


def register_event(
    world: World,
    *,
    content: str = "楼上卫生间漏水至楼下，协商未果，请求调处。",
    parties: list[intake.NewParty] | None = None,
    building_id: int | None = None,
    grid_code: str | None = None,
) -> Event:
    new = intake.NewEvent(
        channel=Channel.FRONT_DESK,
        title=content[:12],
        content=content,
        unit_code=None if building_id else (grid_code or world.grid.code),
        building_id=building_id,
        parties=parties or [],
    )
    event = intake.register(session=world.session, new=new, registering_unit=world.town).event
    linking.link_events(session=world.session, event_ids=[event.id])
    return event


def builder_party() -> intake.NewParty:
    return intake.NewParty(
        role=PartyRole.RESPONDENT, name="温岭市城西置业有限公司", kind=PartyKind.ORGANISATION, credit_code=BUILDER
    )


def lin_party(role: PartyRole = PartyRole.APPLICANT) -> intake.NewParty:
    return intake.NewParty(role=role, name="林国强", id_number=LIN)
