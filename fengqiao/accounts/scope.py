"""The viewer: who is asking, and which part of the county they may see and act in.

Territorial scope is a set of unit paths: an event or a building is visible when its path starts with one of them.
Departments and stations see, in addition, whatever is dispatched to their units.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from fengqiao.accounts.permissions import COUNTY_WIDE_ROLES, Permission, role_may
from fengqiao.duty.models import DutyAssignment, Staff
from fengqiao.duty.roles import DutyRole
from fengqiao.jurisdiction.kinds import TERRITORIAL_LEVELS, UnitKind
from fengqiao.jurisdiction.models import Unit


@dataclass(frozen=True)
class Assignment:
    unit_id: int
    unit_code: str
    unit_name: str
    unit_kind: UnitKind
    unit_path: str
    role: DutyRole


@dataclass(frozen=True)
class Viewer:
    staff_id: int
    username: str
    full_name: str
    county_code: str
    assignments: tuple[Assignment, ...]
    # Paths of territory this viewer oversees (own units, and the villages served by their stations).
    territorial_paths: tuple[str, ...] = field(default=())

    @property
    def unit_ids(self) -> frozenset[int]:
        return frozenset(a.unit_id for a in self.assignments)

    @property
    def roles(self) -> frozenset[DutyRole]:
        return frozenset(a.role for a in self.assignments)

    @property
    def is_county_wide(self) -> bool:
        return bool(self.roles & COUNTY_WIDE_ROLES)

    def may(self, permission: Permission) -> bool:
        return any(role_may(a.role, permission) for a in self.assignments)

    def units_with(self, permission: Permission) -> frozenset[int]:
        return frozenset(a.unit_id for a in self.assignments if role_may(a.role, permission))

    def covers_path(self, path: str) -> bool:
        return any(path.startswith(prefix) for prefix in self.territorial_paths)

    @property
    def territory(self) -> tuple[str, ...] | None:
        """Path prefixes bounding what this viewer may see of base data; None means the whole county."""
        return None if self.is_county_wide else self.territorial_paths

    def primary_unit(self) -> Assignment:
        """The assignment used as 'acting unit' when recording an action: the most senior territorial one."""
        order = {kind: i for i, kind in enumerate(TERRITORIAL_LEVELS)}
        return min(self.assignments, key=lambda a: (order.get(a.unit_kind, len(order)), a.unit_id))


def load_viewer(*, session: Session, staff: Staff) -> Viewer:
    rows = session.execute(
        select(DutyAssignment.role, Unit)
        .join(Unit, Unit.id == DutyAssignment.unit_id)
        .where(DutyAssignment.staff_id == staff.id)
    ).all()
    assignments = tuple(
        Assignment(
            unit_id=unit.id,
            unit_code=unit.code,
            unit_name=unit.name,
            unit_kind=UnitKind(unit.kind),
            unit_path=unit.path,
            role=DutyRole(role),
        )
        for role, unit in rows
    )
    return Viewer(
        staff_id=staff.id,
        username=staff.username,
        full_name=staff.full_name,
        county_code=staff.county_code,
        assignments=assignments,
        territorial_paths=_territorial_paths(session=session, assignments=assignments),
    )


def _territorial_paths(*, session: Session, assignments: tuple[Assignment, ...]) -> tuple[str, ...]:
    paths: set[str] = set()
    station_ids: list[int] = []
    for a in assignments:
        if a.unit_kind in TERRITORIAL_LEVELS:
            paths.add(a.unit_path)
        elif a.unit_kind in (UnitKind.JOINT_STATION, UnitKind.POLICE_STATION):
            station_ids.append(a.unit_id)
    if station_ids:
        served = session.scalars(
            select(Unit.path).where(
                (Unit.joint_station_id.in_(station_ids)) | (Unit.police_station_id.in_(station_ids))
            )
        )
        paths.update(served)
    # Drop paths already covered by a shorter one, so scoping conditions stay short.
    ordered = sorted(paths, key=len)
    kept: list[str] = []
    for path in ordered:
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return tuple(kept)
