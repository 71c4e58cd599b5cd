"""The demo county as stored: read back from the ``seeded_engine`` database."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import shapely
from shapely import STRtree
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from fengqiao.basedata.identifiers import validate_credit_code, validate_resident_id
from fengqiao.basedata.kinds import PopulationType
from fengqiao.basedata.models import Building, Enterprise, Rental, Resident, Room
from fengqiao.demo.plan import plan_county
from fengqiao.duty.models import DutyAssignment, Staff
from fengqiao.duty.roles import DUTY_ROLE_UNIT_KINDS, DutyRole
from fengqiao.jurisdiction.geometry import load_boundary
from fengqiao.jurisdiction.kinds import UnitKind
from fengqiao.jurisdiction.models import Unit
from tests.conftest import SEEDED_SCALE
from tests.demo.tiling import assert_tiles


def _units(session: Session) -> list[Unit]:
    return list(session.scalars(select(Unit).order_by(Unit.id)))


def test_counts_are_the_planned_ones(seeded_engine: Engine) -> None:
    plan = plan_county(scale=SEEDED_SCALE)
    with Session(seeded_engine) as session:
        kinds = dict(session.execute(select(Unit.kind, func.count()).group_by(Unit.kind)).all())
        assert kinds["town"] == 16
        assert kinds["village"] == plan.total("villages")
        assert kinds["grid"] == plan.total("grids")
        assert kinds["joint_station"] == plan.total("joint_stations")
        assert kinds["police_station"] == 18
        assert session.scalar(select(func.count()).select_from(Building)) == plan.total("building_count")
        assert session.scalar(select(func.count()).select_from(Resident)) == plan.total("residents")
        assert session.scalar(select(func.count()).select_from(Enterprise)) == plan.total("enterprises")
        rooms = session.scalar(select(func.count()).select_from(Room))
        assert rooms is not None
        assert abs(rooms - plan.expected_rooms) < 0.1 * plan.expected_rooms


def test_children_tile_their_parent_at_every_level(seeded_engine: Engine) -> None:
    with Session(seeded_engine) as session:
        units = _units(session)
    shapes = {unit.id: load_boundary(unit.boundary) for unit in units}
    children: dict[int, list[int]] = defaultdict(list)
    for unit in units:
        if unit.kind in (UnitKind.TOWN, UnitKind.VILLAGE, UnitKind.GRID) and unit.parent_id is not None:
            children[unit.parent_id].append(unit.id)
    assert len(children) == 1 + 16 + sum(unit.kind == UnitKind.VILLAGE for unit in units)
    for parent, members in children.items():
        parent_shape = shapes[parent]
        member_shapes = [shape for m in members if (shape := shapes[m]) is not None]
        assert parent_shape is not None
        assert len(member_shapes) == len(members)
        assert_tiles(parent_shape, member_shapes, label=str(parent))


def test_every_building_stands_inside_its_grid(seeded_engine: Engine) -> None:
    with Session(seeded_engine) as session:
        grids = {unit.id: load_boundary(unit.boundary) for unit in _units(session) if unit.kind == UnitKind.GRID}
        rows = session.execute(select(Building.grid_id, Building.lon, Building.lat)).all()
    by_grid: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for grid_id, lon, lat in rows:
        by_grid[grid_id].append((lon, lat))
    assert set(by_grid) <= set(grids)
    for grid_id, points in by_grid.items():
        xy = np.array(points)
        assert shapely.contains_xy(grids[grid_id], xy[:, 0], xy[:, 1]).all(), grid_id
    # …and in no other grid.
    tree = STRtree(np.array(list(grids.values()), dtype=object))
    everywhere = shapely.points(np.array([(lon, lat) for _, lon, lat in rows]))
    inside, _ = tree.query(everywhere, predicate="within")
    assert np.bincount(inside, minlength=len(rows)).tolist() == [1] * len(rows)


def test_identifiers_validate_and_agree_with_the_rows(seeded_engine: Engine) -> None:
    with Session(seeded_engine) as session:
        residents = session.execute(select(Resident.id_number, Resident.gender, Resident.birth_date)).all()
        codes = session.scalars(select(Enterprise.credit_code)).all()
    assert len({number for number, _, _ in residents}) == len(residents)
    for number, gender, born in residents:
        assert validate_resident_id(number) == number
        assert number[6:14] == f"{born:%Y%m%d}"
        assert int(number[16]) % 2 == (0 if gender == "F" else 1)
    for code in codes:
        assert validate_credit_code(code) == code


def test_population_is_registered_and_floating_with_local_landlords(seeded_engine: Engine) -> None:
    with Session(seeded_engine) as session:
        types = dict(
            session.execute(select(Resident.population_type, func.count()).group_by(Resident.population_type)).all()
        )
        landlords = session.execute(
            select(Resident.population_type, Room.is_rental)
            .select_from(Rental)
            .join(Resident, Resident.id == Rental.landlord_id)
            .join(Room, Room.id == Rental.room_id)
        ).all()
        homeless = session.scalar(select(func.count()).select_from(Resident).where(Resident.room_id.is_(None)))
    assert types[PopulationType.REGISTERED] > types[PopulationType.FLOATING] > 0
    assert landlords
    assert all(kind == PopulationType.REGISTERED and rental for kind, rental in landlords)
    assert homeless == 0


def test_addresses_start_with_the_town_and_rooms_extend_their_building(seeded_engine: Engine) -> None:
    with Session(seeded_engine) as session:
        towns = {unit.code: unit.name for unit in _units(session) if unit.kind == UnitKind.TOWN}
        grid_town = {unit.id: towns[unit.path.split("/")[1]] for unit in _units(session) if unit.kind == UnitKind.GRID}
        buildings = session.execute(
            select(Building.id, Building.grid_id, Building.standard_address, Building.road)
        ).all()
        rooms = session.execute(select(Room.building_id, Room.standard_address, Room.room_no)).all()
    address_of = {}
    for building_id, grid_id, address, road in buildings:
        assert address.startswith(grid_town[grid_id] + road), address
        assert not address.startswith("浙江")
        address_of[building_id] = address
    for building_id, address, room_no in rooms:
        assert address.startswith(address_of[building_id])
        assert address.endswith(f"{room_no}室")


def test_villages_know_their_stations_and_staff_hold_roles_of_their_unit_kind(seeded_engine: Engine) -> None:
    with Session(seeded_engine) as session:
        units = {unit.id: unit for unit in _units(session)}
        assignments = session.execute(select(DutyAssignment.unit_id, DutyAssignment.role)).all()
        admin = session.scalar(select(Staff).where(Staff.username == "admin"))
    for unit in units.values():
        if unit.kind == UnitKind.VILLAGE:
            assert unit.joint_station_id is not None
            assert unit.police_station_id is not None
            town_path = unit.path.rsplit("/", 2)[0] + "/"
            assert units[unit.joint_station_id].kind == UnitKind.JOINT_STATION
            assert units[unit.joint_station_id].path.startswith(town_path)
            assert units[unit.police_station_id].kind == UnitKind.POLICE_STATION
            assert units[unit.police_station_id].path.startswith(town_path)
    for unit_id, role in assignments:
        assert units[unit_id].kind in DUTY_ROLE_UNIT_KINDS[DutyRole(role)]
    assert admin is not None


def test_ids_continue_after_the_demo_rows(seeded_engine: Engine) -> None:
    """The loader gave explicit ids; on PostgreSQL it must have moved each id sequence past them."""
    with seeded_engine.connect() as connection, connection.begin() as transaction:
        session = Session(bind=connection)
        staff = Staff(county_code="331081", username="after-demo", full_name="新同事")
        session.add(staff)
        session.flush()
        highest = session.scalar(select(func.max(Staff.id)).where(Staff.username != "after-demo"))
        assert highest is not None
        assert staff.id > highest
        session.close()
        transaction.rollback()
