"""People on duty (A2): staff accounts and their duty assignments for every unit of the demo county.

Usernames are the role's prefix, the unit's code and a serial ("gl331081100201001-1"), so a tester can guess the
account of any post. Nobody gets a password: accounts are given one when they are to log in."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from fengqiao.demo.names import person_names
from fengqiao.demo.phones import unique_mobile_numbers
from fengqiao.demo.plan import apportion
from fengqiao.demo.records import DEMO_CREATED_AT, Batch, IdCounter
from fengqiao.demo.rng import Stage, stage_rng
from fengqiao.demo.territory import Territory, TownTerritory, UnitDraft
from fengqiao.demo.towns import COUNTY_CODE
from fengqiao.duty.roles import DUTY_ROLE_UNIT_KINDS, DutyRole

STAFF_COLUMNS = ("id", "county_code", "username", "full_name", "phone", "is_active", "password_hash", "created_at")
ASSIGNMENT_COLUMNS = ("id", "county_code", "staff_id", "unit_id", "role")

ROLE_PREFIXES: dict[DutyRole, str] = {
    DutyRole.GRID_LEADER: "gl",
    DutyRole.GRID_WORKER: "gw",
    DutyRole.PART_TIME_GRID_WORKER: "gp",
    DutyRole.GRID_INSTRUCTOR: "gi",
    DutyRole.GRID_MEMBER: "gm",
    DutyRole.VILLAGE_HEAD: "vh",
    DutyRole.VILLAGE_STAFF: "vs",
    DutyRole.COMMAND_DIRECTOR: "cd",
    DutyRole.COMMAND_COORDINATOR: "cc",
    DutyRole.COMMAND_ANALYST: "ca",
    DutyRole.COMMAND_DISPATCHER: "ct",
    DutyRole.COMMAND_INSPECTOR: "ci",
    DutyRole.COMMAND_RESPONDER: "cr",
    DutyRole.POLICE_COMMANDER: "pc",
    DutyRole.COMMUNITY_OFFICER: "po",
    DutyRole.JOINT_STATION_MEMBER: "js",
    DutyRole.DEPARTMENT_HANDLER: "dh",
    DutyRole.MEDIATOR: "md",
    DutyRole.COUNTY_STAFF: "cs",
    DutyRole.COUNTY_LEADER: "cl",
}
ADMIN_USERNAME = "admin"
# The 亲警解纷团: 29 mediators stationed at police stations (seed document).
POLICE_MEDIATORS = 29
COMMAND_POSTS = (
    DutyRole.COMMAND_COORDINATOR,
    DutyRole.COMMAND_ANALYST,
    DutyRole.COMMAND_DISPATCHER,
    DutyRole.COMMAND_INSPECTOR,
    DutyRole.COMMAND_RESPONDER,
)
_NAME_BATCH = 2048


# Rows in the order of STAFF_COLUMNS and ASSIGNMENT_COLUMNS.
StaffRow = tuple[int, str, str, str, str | None, bool, str | None, datetime]
AssignmentRow = tuple[int, str, int, int, str]


@dataclass
class Roster:
    staff: list[StaffRow] = field(default_factory=list)
    assignments: list[AssignmentRow] = field(default_factory=list)

    def batches(self) -> Iterator[Batch]:
        yield Batch("staff", STAFF_COLUMNS, list(self.staff))
        yield Batch("duty_assignments", ASSIGNMENT_COLUMNS, list(self.assignments))


class _RosterBuilder:
    def __init__(self, rng: np.random.Generator, ids: IdCounter) -> None:
        self.rng = rng
        self.ids = ids
        self.roster = Roster()
        self._names: list[str] = []
        self._phones: set[str] = set()

    def _next_name(self) -> str:
        if not self._names:
            female = self.rng.random(_NAME_BATCH) < 0.35
            birth_year = self.rng.integers(1965, 2001, _NAME_BATCH)
            self._names = person_names(self.rng, female=female, birth_year=birth_year, local=True)[::-1]
        return self._names.pop()

    def person(self, username: str, *, full_name: str | None = None, with_phone: bool = True) -> int:
        staff_id = self.ids.take("staff", 1)
        phone = unique_mobile_numbers(self.rng, 1, taken=self._phones)[0] if with_phone else None
        name = full_name or self._next_name()
        self.roster.staff.append((staff_id, COUNTY_CODE, username, name, phone, True, None, DEMO_CREATED_AT))
        return staff_id

    def assign(self, staff_id: int, unit: UnitDraft, role: DutyRole) -> None:
        if unit.kind not in DUTY_ROLE_UNIT_KINDS[role]:
            raise ValueError(f"{role} cannot be bound to a {unit.kind}")
        assignment_id = self.ids.take("duty_assignments", 1)
        self.roster.assignments.append((assignment_id, COUNTY_CODE, staff_id, unit.id, role.value))

    def post(self, role: DutyRole, unit: UnitDraft, count: int) -> list[int]:
        """``count`` new people, each holding ``role`` at ``unit``."""
        people = []
        for serial in range(1, count + 1):
            staff_id = self.person(f"{ROLE_PREFIXES[role]}{unit.code}-{serial}".lower())
            self.assign(staff_id, unit, role)
            people.append(staff_id)
        return people

    def between(self, low: int, high: int) -> int:
        return int(self.rng.integers(low, high + 1))


def build_roster(territory: Territory, *, seed: int, ids: IdCounter) -> Roster:
    builder = _RosterBuilder(stage_rng(seed, Stage.DUTY), ids)
    county = territory.county
    admin = builder.person(ADMIN_USERNAME, full_name="系统管理员", with_phone=False)
    builder.assign(admin, county, DutyRole.ADMIN)
    builder.post(DutyRole.COUNTY_LEADER, county, 3)
    builder.post(DutyRole.COUNTY_STAFF, county, 12)
    builder.post(DutyRole.MEDIATOR, county, 3)
    for department in territory.departments:
        builder.post(DutyRole.DEPARTMENT_HANDLER, department, builder.between(2, 4))
    police = [station for town in territory.towns for station in town.police_stations]
    served = [
        sum(village.police_station is station for village in town.villages)
        for town in territory.towns
        for station in town.police_stations
    ]
    police_mediators = apportion(POLICE_MEDIATORS, served, minimum=1)
    for station, mediators, villages in zip(police, police_mediators, served, strict=True):
        builder.post(DutyRole.POLICE_COMMANDER, station, builder.between(1, 2))
        builder.post(DutyRole.COMMUNITY_OFFICER, station, max(2, -(-villages // 4)))
        builder.post(DutyRole.MEDIATOR, station, mediators)
    for town in territory.towns:
        _staff_town(builder, town)
    return builder.roster


def _staff_town(builder: _RosterBuilder, town: TownTerritory) -> None:
    builder.post(DutyRole.COMMAND_DIRECTOR, town.unit, 1)
    for role in COMMAND_POSTS:
        builder.post(role, town.unit, builder.between(1, 2))
    builder.post(DutyRole.MEDIATOR, town.unit, 2)
    for station in town.joint_stations:
        builder.post(DutyRole.JOINT_STATION_MEMBER, station, builder.between(4, 8))
    for village in town.villages:
        builder.post(DutyRole.VILLAGE_HEAD, village, 1)
        builder.post(DutyRole.VILLAGE_STAFF, village, builder.between(1, 2))
        builder.post(DutyRole.MEDIATOR, village, 1)
        # One town cadre instructs all grids of a village: one person, one assignment per grid.
        instructor = builder.person(f"{ROLE_PREFIXES[DutyRole.GRID_INSTRUCTOR]}{village.code}-1")
        for grid in village.children:
            builder.post(DutyRole.GRID_LEADER, grid, 1)
            builder.post(DutyRole.GRID_WORKER, grid, 1)
            builder.post(DutyRole.PART_TIME_GRID_WORKER, grid, 1)
            builder.assign(instructor, grid, DutyRole.GRID_INSTRUCTOR)
            builder.post(DutyRole.GRID_MEMBER, grid, builder.between(1, 3))
