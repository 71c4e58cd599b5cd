"""Reading who is on duty where."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from fengqiao.duty.models import DutyAssignment, Staff
from fengqiao.duty.roles import DutyRole
from fengqiao.duty.schemas import Member, MemberPage, role_title
from fengqiao.jurisdiction import service as jurisdiction
from fengqiao.jurisdiction.kinds import TERRITORIAL_LEVELS
from fengqiao.jurisdiction.models import Unit
from fengqiao.jurisdiction.paths import under_path
from fengqiao.jurisdiction.schemas import UnitRef

# Roles listed in the order of DutyRole: leaders before workers, as a team sheet reads.
_TERRITORIAL = frozenset(kind.value for kind in TERRITORIAL_LEVELS)

_ROLE_RANK = case(
    {role.value: rank for rank, role in enumerate(DutyRole)}, value=DutyAssignment.role, else_=len(DutyRole)
)


def list_members(
    *,
    session: Session,
    code: str,
    include_descendants: bool = False,
    role: DutyRole | None = None,
    limit: int,
    offset: int,
    scope: Sequence[str] | None = None,
) -> MemberPage:
    """Staff of a unit. ``scope`` bounds which territorial units' staff the caller may list (None: all); stations
    and departments are contact points every account may look up."""
    unit = jurisdiction.get_unit(session=session, code=code)
    if scope is not None and unit.kind in _TERRITORIAL and not any(unit.path.startswith(p) for p in scope):
        raise jurisdiction.unit_not_found(code)
    conditions: list[ColumnElement[bool]] = [Staff.is_active.is_(True)]
    if include_descendants:
        conditions.append(under_path(Unit.path, unit.path))
    else:
        conditions.append(DutyAssignment.unit_id == unit.id)
    if role is not None:
        conditions.append(DutyAssignment.role == role.value)
    joined = (
        select(DutyAssignment, Staff, Unit)
        .join(Staff, DutyAssignment.staff_id == Staff.id)
        .join(Unit, DutyAssignment.unit_id == Unit.id)
        .where(*conditions)
    )
    total = session.scalar(select(func.count()).select_from(joined.subquery())) or 0
    rows = session.execute(
        joined.order_by(Unit.path, _ROLE_RANK, Staff.full_name, Staff.id).limit(limit).offset(offset)
    ).all()
    items = [
        Member(
            staff_id=staff.id,
            full_name=staff.full_name,
            phone=staff.phone,
            role=assignment.role,
            role_title=role_title(assignment.role),
            unit=UnitRef.of(member_unit),
        )
        for assignment, staff, member_unit in rows
    ]
    return MemberPage(
        unit=UnitRef.of(unit),
        include_descendants=include_descendants,
        total=total,
        limit=limit,
        offset=offset,
        items=items,
    )
