"""The demo county as the simulator sees it: units, the staff on duty in each, buildings to place events at,
enterprises, and residents (looked up per building when someone reports)."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from fengqiao.accounts.scope import Viewer, load_viewer
from fengqiao.basedata.models import Building, Enterprise, Resident, Room
from fengqiao.duty.models import DutyAssignment, Staff
from fengqiao.duty.roles import DutyRole
from fengqiao.jurisdiction.kinds import UnitKind
from fengqiao.jurisdiction.models import Unit

R = DutyRole
# Who acts for a unit, by what they do (first roles preferred: they carry the unit's daily work).
DISPATCHERS: dict[str, tuple[DutyRole, ...]] = {
    UnitKind.VILLAGE.value: (R.VILLAGE_HEAD, R.VILLAGE_STAFF),
    UnitKind.TOWN.value: (R.COMMAND_DISPATCHER, R.COMMAND_COORDINATOR),
    UnitKind.COUNTY.value: (R.COUNTY_STAFF,),
}
HANDLERS: dict[str, tuple[DutyRole, ...]] = {
    UnitKind.GRID.value: (R.GRID_WORKER, R.GRID_LEADER, R.PART_TIME_GRID_WORKER),
    UnitKind.VILLAGE.value: (R.VILLAGE_STAFF, R.MEDIATOR, R.VILLAGE_HEAD),
    UnitKind.TOWN.value: (R.COMMAND_RESPONDER, R.MEDIATOR, R.COMMAND_DISPATCHER),
    UnitKind.JOINT_STATION.value: (R.JOINT_STATION_MEMBER,),
    UnitKind.POLICE_STATION.value: (R.COMMUNITY_OFFICER, R.MEDIATOR),
    UnitKind.DEPARTMENT.value: (R.DEPARTMENT_HANDLER,),
    UnitKind.COUNTY.value: (R.COUNTY_STAFF, R.MEDIATOR),
}
SUPERVISORS: dict[str, tuple[DutyRole, ...]] = {
    UnitKind.TOWN.value: (R.COMMAND_INSPECTOR, R.COMMAND_DIRECTOR),
    UnitKind.COUNTY.value: (R.COUNTY_STAFF,),
}


@dataclass(frozen=True)
class Place:
    building_id: int
    grid_id: int
    address: str
    road: str
    estate: str | None
    lon: float
    lat: float


@dataclass(frozen=True)
class Person:
    name: str
    id_number: str
    phone: str | None
    address: str


@dataclass(frozen=True)
class Firm:
    name: str
    credit_code: str
    representative: str
    phone: str | None
    town_code: str


@dataclass
class World:
    session: Session
    county: Unit
    units: dict[int, Unit]
    by_code: dict[str, Unit]
    places: list[Place]
    firms_by_town: dict[str, list[Firm]]
    departments_by_name: dict[str, Unit]
    _staff: dict[tuple[int, str], list[int]] = field(default_factory=dict)
    _staff_rows: dict[int, Staff] = field(default_factory=dict)
    _viewers: dict[int, Viewer] = field(default_factory=dict)
    _named: list[tuple[str, Unit]] = field(default_factory=list)

    @classmethod
    def load(cls, session: Session) -> World:
        units = {u.id: u for u in session.scalars(select(Unit).order_by(Unit.id))}
        by_code = {u.code: u for u in units.values()}
        county = next(u for u in units.values() if u.kind == UnitKind.COUNTY.value)
        places = [
            Place(b.id, b.grid_id, b.standard_address, b.road, b.estate, b.lon, b.lat)
            for b in session.execute(
                select(
                    Building.id,
                    Building.grid_id,
                    Building.standard_address,
                    Building.road,
                    Building.estate,
                    Building.lon,
                    Building.lat,
                ).order_by(Building.id)
            )
        ]
        firms: dict[str, list[Firm]] = defaultdict(list)
        for name, credit, rep, phone, grid_id in session.execute(
            select(
                Enterprise.name,
                Enterprise.credit_code,
                Enterprise.legal_representative,
                Enterprise.phone,
                Building.grid_id,
            )
            .join(Building, Building.id == Enterprise.building_id)
            .order_by(Enterprise.id)
        ):
            town_code = _code_at(units[grid_id].path, 1)
            firms[town_code].append(Firm(name, credit, rep, phone, town_code))
        staff: dict[tuple[int, str], list[int]] = defaultdict(list)
        for staff_id, unit_id, role in session.execute(
            select(DutyAssignment.staff_id, DutyAssignment.unit_id, DutyAssignment.role)
            .join(Staff, Staff.id == DutyAssignment.staff_id)
            .where(Staff.is_active.is_(True))
            .order_by(DutyAssignment.staff_id)
        ):
            staff[(unit_id, role)].append(staff_id)
        departments = {u.name: u for u in units.values() if u.kind == UnitKind.DEPARTMENT.value}
        return cls(
            session=session,
            county=county,
            units=units,
            by_code=by_code,
            places=places,
            firms_by_town=dict(firms),
            departments_by_name=departments,
            _staff=dict(staff),
        )

    # --- people on duty -----------------------------------------------------------------------------------------

    def staff_of(self, unit_id: int, roles: tuple[DutyRole, ...]) -> list[int]:
        for role in roles:
            found = self._staff.get((unit_id, role.value))
            if found:
                return found
        return []

    def viewer(self, staff_id: int) -> Viewer:
        cached = self._viewers.get(staff_id)
        if cached is None:
            staff = self.session.get(Staff, staff_id)
            assert staff is not None
            cached = self._viewers[staff_id] = load_viewer(session=self.session, staff=staff)
        return cached

    def pick(self, rng: random.Random, unit_id: int, table: dict[str, tuple[DutyRole, ...]]) -> Viewer | None:
        unit = self.units[unit_id]
        candidates = self.staff_of(unit_id, table.get(unit.kind, ()))
        return self.viewer(rng.choice(candidates)) if candidates else None

    def staff_name(self, viewer: Viewer) -> str:
        return viewer.full_name

    # --- places and people ----------------------------------------------------------------------------------------

    def residents_at(self, building_id: int, limit: int = 8) -> list[Person]:
        rows = self.session.execute(
            select(Resident.name, Resident.id_number, Resident.phone, Room.standard_address)
            .join(Room, Room.id == Resident.room_id)
            .where(Room.building_id == building_id)
            .order_by(Resident.id)
            .limit(limit)
        ).all()
        return [Person(name, id_number, phone, address) for name, id_number, phone, address in rows]

    def towns(self) -> list[Unit]:
        return [u for u in self.units.values() if u.kind == UnitKind.TOWN.value]

    def unit_named_in(self, *texts: str | None) -> Unit | None:
        """The village (else the town) a text names: how the centre places a report the address matcher could not —
        from what the caller said about where it is."""
        if not self._named:
            places = [u for u in self.units.values() if u.kind in (UnitKind.VILLAGE.value, UnitKind.TOWN.value)]
            # Villages first, longer names first (a village named like its town is the village).
            places.sort(key=lambda u: (u.kind != UnitKind.VILLAGE.value, -len(u.name), u.id))
            self._named.extend((u.name, u) for u in places if u.name)
        for text in texts:
            if text:
                for name, unit in self._named:
                    if name in text:
                        return unit
        return None

    def path_codes(self, unit_id: int) -> list[str]:
        return [c for c in self.units[unit_id].path.split("/") if c]


def _code_at(path: str, index: int) -> str:
    codes = [c for c in path.split("/") if c]
    return codes[min(index, len(codes) - 1)]
