"""Factories for test data (factory_boy), bound to the test's session by the ``db`` fixture."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date

import factory
from shapely.geometry import box
from sqlalchemy.orm import Session

from fengqiao.basedata.identifiers import make_credit_code, make_resident_id, wenling_region_code
from fengqiao.basedata.kinds import BuildingKind, PopulationType
from fengqiao.basedata.models import Building, Enterprise, Resident, Room
from fengqiao.duty.models import DutyAssignment, Staff
from fengqiao.jurisdiction.geometry import boundary_columns
from fengqiao.jurisdiction.kinds import UnitKind
from fengqiao.jurisdiction.models import Unit

COUNTY = "331081"


class _SessionHolder:
    session: Session | None = None


def bind(session: Session | None) -> None:
    _SessionHolder.session = session


class _Base(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: _SessionHolder.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class UnitFactory(_Base):
    class Meta:
        model = Unit

    county_code = COUNTY
    code = factory.Sequence(lambda n: f"T{n:08d}")
    name = factory.Sequence(lambda n: f"测试单位{n}")
    kind = UnitKind.DEPARTMENT.value
    level = 1
    path = factory.LazyAttribute(lambda o: f"{COUNTY}/{o.code}/")


class StaffFactory(_Base):
    class Meta:
        model = Staff

    county_code = COUNTY
    username = factory.Sequence(lambda n: f"staff{n}")
    full_name = factory.Sequence(lambda n: f"工作人员{n}")
    phone = factory.Sequence(lambda n: f"139{n:08d}")


class DutyAssignmentFactory(_Base):
    class Meta:
        model = DutyAssignment

    county_code = COUNTY
    staff = factory.SubFactory(StaffFactory)
    unit_id = 0
    role = "grid_worker"


_resident_sequence = itertools.count()


class ResidentFactory(_Base):
    class Meta:
        model = Resident

    county_code = COUNTY
    name = factory.Sequence(lambda n: f"居民{n}")
    gender = "F"
    birth_date = date(1996, 5, 17)
    id_number = factory.LazyAttribute(
        lambda o: make_resident_id(
            region_code=wenling_region_code(o.birth_date.year),
            birth_date=o.birth_date,
            sequence=next(_resident_sequence) % 500,
            female=o.gender == "F",
        )
    )
    phone = factory.Sequence(lambda n: f"137{n:08d}")
    population_type = PopulationType.REGISTERED.value
    room_id = None


class BuildingFactory(_Base):
    class Meta:
        model = Building

    county_code = COUNTY
    kind = BuildingKind.VILLAGE_HOUSE.value
    road = "东辉路"
    house_number = factory.Sequence(lambda n: n + 1)
    floors = 3
    standard_address = factory.LazyAttribute(lambda o: f"{o.road}{o.house_number}号")
    lon = 121.38
    lat = 28.37


class RoomFactory(_Base):
    class Meta:
        model = Room

    county_code = COUNTY
    floor = 1
    room_no = factory.Sequence(lambda n: f"{100 + n % 20}")
    standard_address = factory.LazyAttribute(lambda o: f"测试地址{o.room_no}室")


class EnterpriseFactory(_Base):
    class Meta:
        model = Enterprise

    county_code = COUNTY
    name = factory.Sequence(lambda n: f"温岭市测试机电有限公司{n}")
    credit_code = factory.Sequence(lambda n: make_credit_code(region_code=COUNTY, org_body=f"MA{n:06d}"))
    legal_representative = "陈建国"
    industry = "泵与电机制造"
    employee_count = 30
    registered_on = date(2015, 3, 1)


@dataclass
class Tree:
    """A small county: 2 towns × 2 villages × 2 grids, each a square tiling its parent."""

    county: Unit
    towns: list[Unit] = field(default_factory=list)
    villages: list[Unit] = field(default_factory=list)
    grids: list[Unit] = field(default_factory=list)


def make_tree(session: Session, *, origin: tuple[float, float] = (121.30, 28.30), size: float = 0.08) -> Tree:
    """Build a tree whose boundaries tile exactly: the county is a square split in halves, then quarters…"""
    x0, y0 = origin
    county = UnitFactory(
        code=COUNTY,
        name="温岭市",
        kind=UnitKind.COUNTY.value,
        level=0,
        path=f"{COUNTY}/",
        **boundary_columns(box(x0, y0, x0 + size, y0 + size)),
    )
    tree = Tree(county=county)
    half = size / 2
    for t in range(2):
        town_code = f"{COUNTY}{100 + t:03d}"
        town = UnitFactory(
            code=town_code,
            name=["泽国镇", "大溪镇"][t],
            kind=UnitKind.TOWN.value,
            level=1,
            parent_id=county.id,
            path=f"{county.path}{town_code}/",
            **boundary_columns(box(x0 + t * half, y0, x0 + (t + 1) * half, y0 + size)),
        )
        tree.towns.append(town)
        for v in range(2):
            village_code = f"{town_code}{200 + v:03d}"
            vy = y0 + v * half
            village = UnitFactory(
                code=village_code,
                name=f"{town.name[:2]}{['东', '西'][v]}村",
                kind=UnitKind.VILLAGE.value,
                level=2,
                parent_id=town.id,
                path=f"{town.path}{village_code}/",
                **boundary_columns(box(x0 + t * half, vy, x0 + (t + 1) * half, vy + half)),
            )
            tree.villages.append(village)
            for g in range(2):
                grid_code = f"{village_code}{g + 1:03d}"
                gx = x0 + t * half + g * half / 2
                tree.grids.append(
                    UnitFactory(
                        code=grid_code,
                        name=f"{village.name}第{g + 1}网格",
                        kind=UnitKind.GRID.value,
                        level=3,
                        parent_id=village.id,
                        path=f"{village.path}{grid_code}/",
                        **boundary_columns(box(gx, vy, gx + half / 2, vy + half)),
                    )
                )
    session.flush()
    return tree
