"""Fixtures of the sensor-alert tests: the events world plus a joint-duty station, a building and a few devices."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from fengqiao.alerts import devices, intake
from fengqiao.alerts.models import AlertDevice
from fengqiao.basedata.models import Building
from fengqiao.duty.models import DutyAssignment, Staff
from fengqiao.duty.roles import DutyRole
from fengqiao.jurisdiction.kinds import UnitKind
from fengqiao.jurisdiction.models import Unit
from tests import factories
from tests.events.world import World, make_world
from tests.web.helpers import made

# A fixed moment (Sunday 2026-11-22 16:00 China time): nothing here depends on the wall clock.
T0 = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)


@dataclass
class AlertWorld:
    world: World
    station: Unit
    building: Building
    device: dict[str, AlertDevice] = field(default_factory=dict)

    @property
    def session(self) -> Session:
        return self.world.session


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    # Devices are cached per process by database URL; each test's rolled-back rows must not leak into the next.
    intake.clear_caches()
    yield
    intake.clear_caches()


def make_alert_world(session: Session) -> AlertWorld:
    world = make_world(session)
    station = made(
        Unit,
        factories.UnitFactory(
            code="331081J01", name="泽国联勤工作站", kind=UnitKind.JOINT_STATION.value, parent_id=world.town.id
        ),
    )
    world.village.joint_station_id = station.id
    member = made(Staff, factories.StaffFactory(username="station_member", full_name="联勤队员"))
    session.add(
        DutyAssignment(
            county_code=member.county_code, staff_id=member.id, unit_id=station.id, role=DutyRole.JOINT_STATION_MEMBER
        )
    )
    world.staff["station_member"] = member
    building = made(
        Building,
        factories.BuildingFactory(
            grid_id=world.grid.id,
            standard_address="泽国镇文昌路88号",
            road="文昌路",
            house_number=88,
            lon=121.31,
            lat=28.31,
        ),
    )
    session.flush()
    result = devices.bulk_register(
        session=session,
        county_code=factories.COUNTY,
        now=T0,
        rows=[
            {
                "code": "SD-1",
                "kind": "smoke",
                "building_id": building.id,
                "name": "3楼走廊烟感",
                "owner_name": "陈海燕",
            },
            {"code": "SD-2", "kind": "smoke", "building_id": building.id},
            # 泽国东村第2网格 (lon 121.32–121.34, lat 28.30–28.34) by coordinates.
            {"code": "DR-1", "kind": "drowning", "lon": 121.33, "lat": 28.32, "place": "东湖水库北岸"},
            {"code": "DR-2", "kind": "drowning", "lon": 121.33, "lat": 28.321, "place": "东湖水库北岸"},
            {"code": "IN-1", "kind": "intrusion", "lon": 121.31, "lat": 28.31},
            {"code": "KP-1", "kind": "key_person", "lon": 121.31, "lat": 28.31},
        ],
    )
    assert not result.errors, result.errors
    found = {d.code: d for d in session.scalars(select(AlertDevice))}
    return AlertWorld(world=world, station=station, building=building, device=found)


@pytest.fixture
def aw(db: Session) -> AlertWorld:
    return make_alert_world(db)


def message(
    device: str,
    alert_id: str | None,
    *,
    kind: str = "smoke",
    signal: str = "alarm",
    at: datetime = T0,
    level: str | None = None,
) -> dict[str, object]:
    body: dict[str, object] = {"device": device, "kind": kind, "signal": signal, "at": at.isoformat()}
    if alert_id is not None:
        body["alert_id"] = alert_id
    if level is not None:
        body["level"] = level
    return body


def staff(world: World, name: str) -> Staff:
    return world.staff[name]
