"""Demo logins: a password for one account in each kind of post, so a person trying `make run` can sign in."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from fengqiao.accounts import service as accounts
from fengqiao.duty.models import DutyAssignment, Staff
from fengqiao.duty.roles import DUTY_ROLE_LABELS, DutyRole
from fengqiao.jurisdiction.models import Unit

# Demo only: printed by `fengqiao demo ensure` and written in the README. Change it in any real deployment.
DEMO_PASSWORD = "fengqiao-demo"
DEMO_TOWN = "331081100"  # 泽国镇

# One account per kind of post, chosen inside one town so they meet on the same events.
_POSTS: tuple[tuple[DutyRole, bool], ...] = (
    (DutyRole.ADMIN, False),
    (DutyRole.COUNTY_LEADER, False),
    (DutyRole.COUNTY_STAFF, False),
    (DutyRole.COMMAND_DISPATCHER, True),
    (DutyRole.COMMAND_INSPECTOR, True),
    (DutyRole.VILLAGE_HEAD, True),
    (DutyRole.GRID_WORKER, True),
    (DutyRole.MEDIATOR, True),
    (DutyRole.DEPARTMENT_HANDLER, False),
)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    full_name: str
    role_label: str
    unit_name: str


def enable_demo_logins(*, session: Session) -> list[DemoLogin]:
    town = session.scalars(select(Unit).where(Unit.code == DEMO_TOWN)).one_or_none()
    logins: list[DemoLogin] = []
    for role, in_town in _POSTS:
        query = (
            select(Staff, Unit)
            .join(DutyAssignment, DutyAssignment.staff_id == Staff.id)
            .join(Unit, Unit.id == DutyAssignment.unit_id)
            .where(DutyAssignment.role == role.value)
            .order_by(Unit.path, Staff.username)
            .limit(1)
        )
        if in_town and town is not None:
            query = query.where(Unit.path >= town.path, Unit.path < town.path + "~")
        row = session.execute(query).first()
        if row is None:
            continue
        staff, unit = row
        accounts.set_password(session=session, staff=staff, password=DEMO_PASSWORD)
        logins.append(DemoLogin(staff.username, staff.full_name, DUTY_ROLE_LABELS[role], unit.name))
    return logins
