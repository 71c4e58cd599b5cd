"""A small county with people on duty in every kind of post, for events tests."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from fengqiao.accounts import service as accounts
from fengqiao.accounts.scope import Viewer, load_viewer
from fengqiao.duty.models import DutyAssignment, Staff
from fengqiao.duty.roles import DutyRole
from fengqiao.jurisdiction.kinds import UnitKind
from fengqiao.jurisdiction.models import Unit
from tests import factories


@dataclass
class World:
    session: Session
    tree: factories.Tree
    department: Unit
    police: Unit
    staff: dict[str, Staff] = field(default_factory=dict)

    def viewer(self, name: str) -> Viewer:
        return load_viewer(session=self.session, staff=self.staff[name])

    def token(self, name: str) -> str:
        return accounts.issue_token(session=self.session, staff=self.staff[name])

    @property
    def town(self) -> Unit:
        return self.tree.towns[0]

    @property
    def village(self) -> Unit:
        return self.tree.villages[0]

    @property
    def grid(self) -> Unit:
        return self.tree.grids[0]

    @property
    def other_grid(self) -> Unit:
        """A grid in the same town but another village."""
        return self.tree.grids[2]

    @property
    def other_town_grid(self) -> Unit:
        return self.tree.grids[4]


# name → (role, which unit)
POSTS: dict[str, tuple[DutyRole, str]] = {
    "county": (DutyRole.COUNTY_STAFF, "county"),
    "leader": (DutyRole.COUNTY_LEADER, "county"),
    "town_dispatcher": (DutyRole.COMMAND_DISPATCHER, "town"),
    "town_inspector": (DutyRole.COMMAND_INSPECTOR, "town"),
    "other_town_dispatcher": (DutyRole.COMMAND_DISPATCHER, "other_town"),
    "village_head": (DutyRole.VILLAGE_HEAD, "village"),
    "other_village_head": (DutyRole.VILLAGE_HEAD, "other_village"),
    "grid_worker": (DutyRole.GRID_WORKER, "grid"),
    "part_timer": (DutyRole.PART_TIME_GRID_WORKER, "grid"),
    "other_grid_worker": (DutyRole.GRID_WORKER, "other_grid"),
    "other_town_grid_worker": (DutyRole.GRID_WORKER, "other_town_grid"),
    "department_handler": (DutyRole.DEPARTMENT_HANDLER, "department"),
    "police": (DutyRole.COMMUNITY_OFFICER, "police"),
}


def make_world(session: Session) -> World:
    tree = factories.make_tree(session)
    department = factories.UnitFactory(
        code="331081D01",
        name="市人力社保局",
        kind=UnitKind.DEPARTMENT.value,
        level=1,
        parent_id=tree.county.id,
        path="331081/331081D01/",
    )
    police = factories.UnitFactory(
        code="331081PS01",
        name="泽国派出所",
        kind=UnitKind.POLICE_STATION.value,
        level=1,
        parent_id=tree.county.id,
        path="331081/331081PS01/",
    )
    for village in tree.villages[:2]:
        village.police_station_id = police.id
    world = World(session=session, tree=tree, department=department, police=police)
    units = {
        "county": tree.county,
        "town": tree.towns[0],
        "other_town": tree.towns[1],
        "village": tree.villages[0],
        "other_village": tree.villages[1],
        "grid": tree.grids[0],
        "other_grid": tree.grids[2],
        "other_town_grid": tree.grids[4],
        "department": department,
        "police": police,
    }
    for name, (role, unit_key) in POSTS.items():
        staff = factories.StaffFactory(username=name, full_name=f"{name}姓名")
        session.add(
            DutyAssignment(county_code=staff.county_code, staff_id=staff.id, unit_id=units[unit_key].id, role=role)
        )
        world.staff[name] = staff
    session.flush()
    return world
