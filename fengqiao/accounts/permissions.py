"""What each duty role may do, as data. Scope (where) is separate: see ``accounts.scope``."""

from __future__ import annotations

from enum import StrEnum

from fengqiao.duty.roles import DutyRole as R


class Permission(StrEnum):
    REGISTER = "register"  # register events at a front desk or on patrol
    DISPATCH = "dispatch"  # dispatch, review, close, void, merge — the dispatching posts
    SUPERVISE = "supervise"  # 督办 and callbacks
    UNMASK = "unmask"  # see ID numbers, phones and sensitive events whole (audited)
    ADMINISTER = "administer"  # accounts, API keys, policies


_COUNTY = {R.COUNTY_STAFF, R.COUNTY_LEADER, R.ADMIN}
_COMMAND = {R.COMMAND_DIRECTOR, R.COMMAND_COORDINATOR, R.COMMAND_DISPATCHER}
_GRID_TEAM = {R.GRID_LEADER, R.GRID_WORKER, R.PART_TIME_GRID_WORKER}

ROLE_PERMISSIONS: dict[Permission, frozenset[R]] = {
    Permission.REGISTER: frozenset(
        _COUNTY | _COMMAND | _GRID_TEAM | {R.COMMAND_ANALYST, R.VILLAGE_HEAD, R.VILLAGE_STAFF, R.POLICE_COMMANDER}
    ),
    Permission.DISPATCH: frozenset(_COUNTY | _COMMAND | {R.VILLAGE_HEAD, R.VILLAGE_STAFF}),
    Permission.SUPERVISE: frozenset(_COUNTY | {R.COMMAND_DIRECTOR, R.COMMAND_INSPECTOR}),
    Permission.UNMASK: frozenset(
        _COUNTY
        | _COMMAND
        | {
            R.COMMAND_ANALYST,
            R.GRID_LEADER,
            R.GRID_WORKER,
            R.VILLAGE_HEAD,
            R.POLICE_COMMANDER,
            R.COMMUNITY_OFFICER,
            R.MEDIATOR,
            R.DEPARTMENT_HANDLER,
        }
    ),
    Permission.ADMINISTER: frozenset({R.ADMIN}),
}

# Roles whose holders may act for the whole county (the centre can force an assignment: 审定/终审).
COUNTY_WIDE_ROLES: frozenset[R] = frozenset(_COUNTY)


def role_may(role: R, permission: Permission) -> bool:
    return role in ROLE_PERMISSIONS[permission]
