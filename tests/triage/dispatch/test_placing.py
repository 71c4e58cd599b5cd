"""An event with only an address is placed by the address matcher, then suggested from there."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from fengqiao.basedata.models import Building
from fengqiao.db.engine import for_writing
from fengqiao.events import intake
from fengqiao.events.kinds import Channel
from fengqiao.jurisdiction.models import Unit
from fengqiao.triage import pipeline


def test_an_address_places_the_event_in_its_grid(seeded_engine: Engine) -> None:
    with Session(for_writing(seeded_engine)) as session:
        building = session.scalars(select(Building).order_by(Building.id).offset(7).limit(1)).one()
        grid = session.get(Unit, building.grid_id)
        county = session.scalars(select(Unit).where(Unit.kind == "county")).one()
        assert grid is not None
        result = pipeline.register(
            session=session,
            new=intake.NewEvent(
                channel=Channel.HOTLINE_12345,
                source_id="addr-1",
                title="楼道堆放杂物",
                content="楼道里堆满杂物，存在消防隐患",
                address=f"浙江省台州市温岭市{building.standard_address}",
            ),
            registering_unit=county,
        )
        event = result.event
        assert event.building_id == building.id
        assert event.location_path == grid.path
        assert event.triage is not None
        assert event.triage["address_match"]["used"] is True
        assert event.triage["suggestion"]["primary"].startswith(grid.code[:9])
        unknown = pipeline.register(
            session=session,
            new=intake.NewEvent(
                channel=Channel.HOTLINE_12345,
                source_id="addr-2",
                title="咨询",
                content="咨询社保办理",
                address="火星基地1号",
            ),
            registering_unit=county,
        ).event
        assert unknown.location_path == county.path
        assert unknown.triage is not None
        assert unknown.triage["address_match"]["used"] is False
        session.rollback()
