"""The base-data pages: a building with its rooms and masked residents, a grid with its team, scoped by territory."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient

from fengqiao.basedata.kinds import PopulationType
from fengqiao.basedata.models import Building, Rental, Resident, Room
from fengqiao.duty.models import DutyAssignment
from fengqiao.duty.roles import DutyRole
from fengqiao.events import intake
from fengqiao.events.kinds import Channel
from fengqiao.events.models import Event
from tests import factories
from tests.events.world import World
from tests.web.work.conftest import login_as, register


@pytest.fixture
def building(world: World) -> Building:
    made = factories.BuildingFactory(
        grid_id=world.grid.id,
        kind="estate",
        road="文昌路",
        house_number=88,
        estate="锦绣花园",
        building_no=3,
        name="锦绣花园3幢",
        standard_address="泽国镇文昌路88号锦绣花园3幢",
        floors=6,
        lon=121.31,
        lat=28.31,
    )
    assert isinstance(made, Building)
    rented = factories.RoomFactory(
        building_id=made.id, unit_no=2, floor=3, room_no="302", is_rental=True, standard_address="x2单元302室"
    )
    assert isinstance(rented, Room)
    tenant = factories.ResidentFactory(
        room_id=rented.id, name="欧阳娜娜", phone="13712345678", population_type=PopulationType.FLOATING.value
    )
    landlord = factories.ResidentFactory(name="林国强", phone="13857612345")
    assert isinstance(tenant, Resident)
    assert isinstance(landlord, Resident)
    world.session.add(
        Rental(
            county_code=made.county_code,
            room_id=rented.id,
            landlord_id=landlord.id,
            registered_on=date(2024, 3, 1),
            max_occupants=4,
            monthly_rent=1800,
        )
    )
    factories.EnterpriseFactory(name="温岭市锦绣机电有限公司", building_id=made.id)
    world.session.flush()
    return made


def _event_at(world: World, building: Building, title: str) -> Event:
    new = intake.NewEvent(channel=Channel.FRONT_DESK, title=title, content="楼道堆放杂物", building_id=building.id)
    return intake.register(session=world.session, new=new, registering_unit=world.town).event


def test_the_building_page_shows_rooms_with_masked_residents(
    client: TestClient, world: World, building: Building
) -> None:
    event = _event_at(world, building, "楼道堆放杂物")
    tenant = world.session.query(Resident).filter_by(name="欧阳娜娜").one()
    login_as(client, world, "grid_worker")
    page = client.get(f"/work/buildings/{building.id}")
    assert page.status_code == 200
    text = page.text
    assert 'data-testid="building-rooms"' in text
    assert "泽国镇文昌路88号锦绣花园3幢" in text
    assert "2单元302室" in text
    assert world.grid.name in text
    assert f'href="/work/units/{world.grid.code}"' in text
    # Masked: surname only, the ID's region and last four, the phone's first three and last four.
    assert "欧***" in text
    assert "欧阳娜娜" not in text
    assert tenant.id_number not in text
    assert f"{tenant.id_number[:6]}********{tenant.id_number[-4:]}" in text
    assert "137****5678" in text
    assert "13712345678" not in text
    assert "流动人口" in text
    assert "房东 林**" in text
    assert "138****2345" in text
    assert "月租 1800 元" in text
    assert "温岭市锦绣机电有限公司" in text
    assert f'href="/work/events/{event.id}"' in text
    assert "楼道堆放杂物" in text


def test_a_building_of_another_grid_is_not_found(client: TestClient, world: World, building: Building) -> None:
    login_as(client, world, "other_grid_worker")
    page = client.get(f"/work/buildings/{building.id}")
    assert page.status_code == 404
    assert "未找到" in page.text
    assert "锦绣花园" not in page.text
    login_as(client, world, "town_dispatcher")
    assert client.get(f"/work/buildings/{building.id}").status_code == 200
    assert client.get("/work/buildings/2147483647").status_code == 404


def test_the_grid_page_shows_team_buildings_and_open_events(
    client: TestClient, world: World, building: Building
) -> None:
    world.session.add(
        DutyAssignment(
            county_code=world.grid.county_code,
            staff_id=world.staff["part_timer"].id,
            unit_id=world.grid.id,
            role=DutyRole.GRID_INSTRUCTOR.value,
        )
    )
    world.session.flush()
    open_event = register(world, title="在办的漏水纠纷")
    login_as(client, world, "grid_worker")
    page = client.get(f"/work/units/{world.grid.code}")
    assert page.status_code == 200
    text = page.text
    team = text[text.index('data-testid="grid-team"') : text.index('id="buildings"')]
    for title in ("专职网格员", "兼职网格员", "网格指导员"):
        assert title in team
    assert "grid_worker姓名" in team
    assert "part_timer姓名" in team
    assert "other_grid_worker姓名" not in team
    assert f'href="/work/buildings/{building.id}"' in text
    assert open_event.dispute_code in text
    assert "在办的漏水纠纷" in text
    assert 'id="unit-map"' in text
    assert f'data-unit-code="{world.grid.code}"' in text
    assert "下辖单位" not in text  # a grid has no subunits


def test_a_village_page_lists_its_grids(client: TestClient, world: World, building: Building) -> None:
    login_as(client, world, "village_head")
    page = client.get(f"/work/units/{world.village.code}")
    assert page.status_code == 200
    assert "下辖单位" in page.text
    for grid in world.tree.grids[:2]:
        assert f'href="/work/units/{grid.code}"' in page.text
    assert "village_head姓名" in page.text
    assert "村社主职干部" in page.text
    assert f'href="/work/buildings/{building.id}"' in page.text


def test_units_outside_the_territory_are_not_found(client: TestClient, world: World) -> None:
    login_as(client, world, "other_grid_worker")
    for code in (world.grid.code, world.village.code, world.town.code, "331081D01", "NOSUCHUNIT"):
        page = client.get(f"/work/units/{code}")
        assert page.status_code == 404, code
        assert "未找到" in page.text
    assert client.get(f"/work/units/{world.other_grid.code}").status_code == 200
    assert client.get("/work/units/bad-code").status_code == 422


def test_the_county_centre_sees_any_unit(client: TestClient, world: World) -> None:
    login_as(client, world, "county")
    page = client.get(f"/work/units/{world.tree.county.code}")
    assert page.status_code == 200
    assert "泽国镇" in page.text
    assert "大溪镇" in page.text
