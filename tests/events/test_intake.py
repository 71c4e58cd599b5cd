"""Bulk intake gives each item the answer single intake would, with set-based queries."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from fengqiao.core.errors import InvalidInput
from fengqiao.events import intake
from fengqiao.events.kinds import Channel, PartyRole
from fengqiao.events.models import Event, EventAction, EventParty
from tests import factories
from tests.events.world import World


def _ticket(source_id: str, **kwargs: object) -> intake.NewEvent:
    fields: dict[str, object] = {
        "channel": Channel.HOTLINE_12345,
        "source_id": source_id,
        "title": "噪音扰民",
        "content": "夜间施工噪音",
        **kwargs,
    }
    return intake.NewEvent(**fields)  # type: ignore[arg-type]


def test_a_batch_places_dedupes_and_reports_errors(world: World) -> None:
    first = intake.register(session=world.session, new=_ticket("T-0"), registering_unit=world.tree.county)
    items: list[intake.NewEvent | InvalidInput] = [
        _ticket("T-0"),  # already registered
        _ticket("T-1", lon=121.31, lat=28.31, parties=[intake.NewParty(role=PartyRole.APPLICANT, name="林海")]),
        _ticket("T-1"),  # again within the batch
        _ticket("T-2", unit_code=world.other_grid.code),
        _ticket("T-3", unit_code="999999999"),
        _ticket("T-4", reporter_phone="123"),
        InvalidInput("字段有误：title", code="invalid_input"),
        _ticket("T-5", lon=100.0, lat=20.0),  # outside the county: stays with the registering unit
    ]
    results = intake.register_many(session=world.session, items=items, registering_unit=world.tree.county)
    assert [r.index for r in results] == list(range(len(items)))
    assert (results[0].event_id, results[0].created) == (first.event.id, False)
    assert results[1].created
    assert not results[2].created
    assert results[2].event_id == results[1].event_id
    assert results[3].created
    assert results[4].error is not None
    assert results[4].error.code == "unit_not_found"
    assert results[5].error is not None
    assert results[5].error.code == "invalid_phone"
    assert results[6].error is not None
    assert results[6].error.code == "invalid_input"
    assert results[7].created
    placed = {
        e.source_id: e.location_path
        for e in world.session.scalars(select(Event).where(Event.source_id.in_(["T-1", "T-2", "T-5"])))
    }
    assert placed == {"T-1": world.grid.path, "T-2": world.other_grid.path, "T-5": world.tree.county.path}
    assert world.session.scalar(select(func.count()).select_from(Event)) == 4
    t1 = world.session.scalars(select(Event).where(Event.source_id == "T-1")).one()
    assert [p.name for p in world.session.scalars(select(EventParty).where(EventParty.event_id == t1.id))] == ["林海"]
    assert world.session.scalar(select(func.count()).select_from(EventAction)) == 4
    assert t1.dispute_code == results[1].dispute_code


def test_a_batch_and_single_intake_agree_on_placement(world: World) -> None:
    points = [(121.31, 28.31), (121.35, 28.31), (121.33, 28.37), (121.37, 28.37)]
    singles = [
        intake.register(
            session=world.session, new=_ticket(f"S-{i}", lon=lon, lat=lat), registering_unit=world.tree.county
        ).event.location_path
        for i, (lon, lat) in enumerate(points)
    ]
    intake.register_many(
        session=world.session,
        items=[_ticket(f"B-{i}", lon=lon, lat=lat) for i, (lon, lat) in enumerate(points)],
        registering_unit=world.tree.county,
    )
    batch = [
        world.session.scalars(select(Event.location_path).where(Event.source_id == f"B-{i}")).one()
        for i in range(len(points))
    ]
    assert batch == singles
    assert len(set(singles)) == 4


def test_a_room_is_kept_only_with_its_own_building(world: World) -> None:
    building = factories.BuildingFactory(grid_id=world.grid.id)
    other = factories.BuildingFactory(grid_id=world.grid.id)
    room = factories.RoomFactory(building_id=building.id)

    def new(building_id: int | None) -> intake.NewEvent:
        return intake.NewEvent(
            channel=Channel.FRONT_DESK,
            title="楼上漏水",
            content="楼上漏水至楼下",
            building_id=building_id,
            room_id=room.id,
        )

    event = intake.register(session=world.session, new=new(building.id), registering_unit=world.town).event
    assert (event.building_id, event.room_id) == (building.id, room.id)
    for wrong in (other.id, None):
        with pytest.raises(InvalidInput) as refused:
            intake.register(session=world.session, new=new(wrong), registering_unit=world.town)
        assert refused.value.code == "room_not_in_building"
