"""Test helpers for the web layer: an app wired to the test's session, and a small populated county."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from fengqiao.accounts import service as accounts
from fengqiao.basedata.kinds import BuildingKind, PopulationType
from fengqiao.basedata.models import Building, Enterprise, Room
from fengqiao.config import Settings
from fengqiao.duty.models import Staff
from fengqiao.duty.roles import DutyRole
from fengqiao.jurisdiction.kinds import UnitKind
from fengqiao.jurisdiction.models import Unit
from fengqiao.web.app import create_app
from fengqiao.web.deps import get_read_session, get_session
from tests import factories

COUNTY = factories.COUNTY
T = TypeVar("T")


def make_settings(**overrides: Any) -> Settings:
    # Explicit values so that a developer's FENGQIAO_* environment or .env cannot change what tests see.
    values: dict[str, Any] = {"county_code": COUNTY, "tile_url": None, "tile_attribution": ""}
    values.update(overrides)
    return Settings(**values)


def make_app(db: Session, engine: Engine, **settings: Any) -> FastAPI:
    """A fresh app whose requests all use the test's rolled-back session."""
    app = create_app(settings=make_settings(**settings), engine=engine)

    def test_session() -> Iterator[Session]:
        yield db

    app.dependency_overrides[get_session] = test_session
    app.dependency_overrides[get_read_session] = test_session
    return app


@contextmanager
def api_client(db: Session, engine: Engine, *, as_staff: Staff | None = None, **settings: Any) -> Iterator[TestClient]:
    """A client logged in as ``as_staff`` (if given). Server errors come back as responses (as a browser would see
    them), so tests can assert there are none."""
    with TestClient(make_app(db, engine, **settings), raise_server_exceptions=False) as client:
        if as_staff is not None:
            client.headers["Authorization"] = f"Bearer {accounts.issue_token(session=db, staff=as_staff)}"
        yield client


def centre_staff(db: Session, county: County) -> Staff:
    """A member of the county centre: sees the whole county."""
    staff = made(Staff, factories.StaffFactory(username="centre", full_name="县中心值班员"))
    factories.DutyAssignmentFactory(staff=staff, unit_id=county.tree.county.id, role=DutyRole.COUNTY_STAFF.value)
    return staff


def made(model: type[T], made_by_factory: object) -> T:
    """A factory's product, typed as the model it is (factory_boy's calls are typed as the factory)."""
    assert isinstance(made_by_factory, model)
    return made_by_factory


@dataclass
class County:
    """``factories.make_tree`` plus stations, people on duty, buildings, rooms, residents and an enterprise."""

    tree: factories.Tree
    joint_station: Unit
    police_station: Unit
    estate_building: Building
    shop_building: Building
    estate_rooms: list[Room] = field(default_factory=list)
    staff: dict[str, Staff] = field(default_factory=dict)
    enterprise: Enterprise | None = None


def populate(db: Session) -> County:
    tree = factories.make_tree(db)
    zeguo, daxi = tree.towns
    zeguo_east = tree.villages[0]
    grid = tree.grids[0]  # 泽国东村第1网格: lon 121.30–121.32, lat 28.30–28.34
    joint = made(
        Unit,
        factories.UnitFactory(
            code="331081J01", name="泽国联勤工作站", kind=UnitKind.JOINT_STATION.value, parent_id=tree.county.id
        ),
    )
    police = made(
        Unit,
        factories.UnitFactory(
            code="331081P01", name="泽国派出所", kind=UnitKind.POLICE_STATION.value, parent_id=tree.county.id
        ),
    )
    zeguo_east.joint_station_id = joint.id
    zeguo_east.police_station_id = police.id

    estate = made(
        Building,
        factories.BuildingFactory(
            grid_id=grid.id,
            kind=BuildingKind.ESTATE.value,
            road="文昌路",
            house_number=88,
            estate="锦绣花园",
            building_no=3,
            name="锦绣花园3幢",
            standard_address="泽国镇文昌路88号锦绣花园3幢",
            floors=6,
            lon=121.31,
            lat=28.31,
        ),
    )
    shop = made(
        Building,
        factories.BuildingFactory(
            grid_id=tree.grids[4].id,
            kind=BuildingKind.SHOP.value,
            road="大溪路",
            house_number=5,
            standard_address="大溪镇大溪路5号",
            floors=2,
            lon=121.35,
            lat=28.31,
        ),
    )
    county = County(tree=tree, joint_station=joint, police_station=police, estate_building=estate, shop_building=shop)
    for unit_no, floor, room_no, rental in [(2, 3, "302", True), (2, 3, "301", False), (1, 1, "101", False)]:
        room = factories.RoomFactory(
            building_id=estate.id,
            unit_no=unit_no,
            floor=floor,
            room_no=room_no,
            is_rental=rental,
            standard_address=f"{estate.standard_address}{unit_no}单元{room_no}室",
        )
        county.estate_rooms.append(made(Room, room))
    room_302 = county.estate_rooms[0]
    factories.ResidentFactory(room_id=room_302.id)
    factories.ResidentFactory(room_id=room_302.id, population_type=PopulationType.FLOATING.value)
    factories.ResidentFactory(room_id=county.estate_rooms[2].id)
    shop_room = made(
        Room, factories.RoomFactory(building_id=shop.id, floor=1, room_no="1", standard_address="大溪镇大溪路5号1室")
    )
    factories.ResidentFactory(room_id=shop_room.id)
    county.enterprise = made(
        Enterprise, factories.EnterpriseFactory(name="温岭市锦绣机电有限公司", building_id=estate.id)
    )

    def assign(username: str, full_name: str, unit: Unit, role: DutyRole, *, active: bool = True) -> None:
        staff = made(Staff, factories.StaffFactory(username=username, full_name=full_name, is_active=active))
        factories.DutyAssignmentFactory(staff=staff, unit_id=unit.id, role=role.value)
        county.staff[username] = staff

    assign("grid-worker", "王芳", grid, DutyRole.GRID_WORKER)
    assign("grid-leader", "李强", grid, DutyRole.GRID_LEADER)
    assign("village-head", "陈国平", zeguo_east, DutyRole.VILLAGE_HEAD)
    assign("director", "张伟", zeguo, DutyRole.COMMAND_DIRECTOR)
    assign("daxi-worker", "周敏", tree.grids[4], DutyRole.GRID_WORKER)
    assign("retired", "赵退休", grid, DutyRole.GRID_MEMBER, active=False)
    db.flush()
    assert daxi.name == "大溪镇"
    return county


def error_of(response: Any) -> dict[str, Any]:
    """The ``error`` object of an error response, after checking the envelope has exactly its three keys."""
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "details"}, body
    error: dict[str, Any] = body["error"]
    return error
