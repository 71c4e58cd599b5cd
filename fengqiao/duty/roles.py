"""Duty roles with their Chinese titles and the kind of unit each binds to."""

from __future__ import annotations

from enum import StrEnum

from fengqiao.jurisdiction.kinds import UnitKind


class DutyRole(StrEnum):
    # Grid team "1+3+N".
    GRID_LEADER = "grid_leader"
    GRID_WORKER = "grid_worker"
    PART_TIME_GRID_WORKER = "part_time_grid_worker"
    GRID_INSTRUCTOR = "grid_instructor"
    GRID_MEMBER = "grid_member"
    # Village/community.
    VILLAGE_HEAD = "village_head"
    VILLAGE_STAFF = "village_staff"
    # Town command room "5+X".
    COMMAND_DIRECTOR = "command_director"
    COMMAND_COORDINATOR = "command_coordinator"
    COMMAND_ANALYST = "command_analyst"
    COMMAND_DISPATCHER = "command_dispatcher"
    COMMAND_INSPECTOR = "command_inspector"
    COMMAND_RESPONDER = "command_responder"
    # Police, joint-duty stations, departments, mediators, county centre.
    POLICE_COMMANDER = "police_commander"
    COMMUNITY_OFFICER = "community_officer"
    JOINT_STATION_MEMBER = "joint_station_member"
    DEPARTMENT_HANDLER = "department_handler"
    MEDIATOR = "mediator"
    COUNTY_STAFF = "county_staff"
    COUNTY_LEADER = "county_leader"
    ADMIN = "admin"


DUTY_ROLE_LABELS: dict[DutyRole, str] = {
    DutyRole.GRID_LEADER: "网格长",
    DutyRole.GRID_WORKER: "专职网格员",
    DutyRole.PART_TIME_GRID_WORKER: "兼职网格员",
    DutyRole.GRID_INSTRUCTOR: "网格指导员",
    DutyRole.GRID_MEMBER: "网格团队成员",
    DutyRole.VILLAGE_HEAD: "村社主职干部",
    DutyRole.VILLAGE_STAFF: "村社工作人员",
    DutyRole.COMMAND_DIRECTOR: "指挥室主任",
    DutyRole.COMMAND_COORDINATOR: "综合协调岗",
    DutyRole.COMMAND_ANALYST: "信息研判岗",
    DutyRole.COMMAND_DISPATCHER: "流转督办岗",
    DutyRole.COMMAND_INSPECTOR: "督查考评岗",
    DutyRole.COMMAND_RESPONDER: "应急机动岗",
    DutyRole.POLICE_COMMANDER: "派出所综合指挥室",
    DutyRole.COMMUNITY_OFFICER: "社区民警",
    DutyRole.JOINT_STATION_MEMBER: "联勤工作站队员",
    DutyRole.DEPARTMENT_HANDLER: "部门处置人员",
    DutyRole.MEDIATOR: "调解员",
    DutyRole.COUNTY_STAFF: "社会治理中心工作人员",
    DutyRole.COUNTY_LEADER: "社会治理中心领导",
    DutyRole.ADMIN: "系统管理员",
}

# The kind of unit each role must be bound to; a mediator may serve a village, town, police station or the county.
DUTY_ROLE_UNIT_KINDS: dict[DutyRole, frozenset[UnitKind]] = {
    DutyRole.GRID_LEADER: frozenset({UnitKind.GRID}),
    DutyRole.GRID_WORKER: frozenset({UnitKind.GRID}),
    DutyRole.PART_TIME_GRID_WORKER: frozenset({UnitKind.GRID}),
    DutyRole.GRID_INSTRUCTOR: frozenset({UnitKind.GRID}),
    DutyRole.GRID_MEMBER: frozenset({UnitKind.GRID}),
    DutyRole.VILLAGE_HEAD: frozenset({UnitKind.VILLAGE}),
    DutyRole.VILLAGE_STAFF: frozenset({UnitKind.VILLAGE}),
    DutyRole.COMMAND_DIRECTOR: frozenset({UnitKind.TOWN}),
    DutyRole.COMMAND_COORDINATOR: frozenset({UnitKind.TOWN}),
    DutyRole.COMMAND_ANALYST: frozenset({UnitKind.TOWN}),
    DutyRole.COMMAND_DISPATCHER: frozenset({UnitKind.TOWN}),
    DutyRole.COMMAND_INSPECTOR: frozenset({UnitKind.TOWN}),
    DutyRole.COMMAND_RESPONDER: frozenset({UnitKind.TOWN}),
    DutyRole.POLICE_COMMANDER: frozenset({UnitKind.POLICE_STATION}),
    DutyRole.COMMUNITY_OFFICER: frozenset({UnitKind.POLICE_STATION}),
    DutyRole.JOINT_STATION_MEMBER: frozenset({UnitKind.JOINT_STATION}),
    DutyRole.DEPARTMENT_HANDLER: frozenset({UnitKind.DEPARTMENT}),
    DutyRole.MEDIATOR: frozenset({UnitKind.VILLAGE, UnitKind.TOWN, UnitKind.POLICE_STATION, UnitKind.COUNTY}),
    DutyRole.COUNTY_STAFF: frozenset({UnitKind.COUNTY}),
    DutyRole.COUNTY_LEADER: frozenset({UnitKind.COUNTY}),
    DutyRole.ADMIN: frozenset({UnitKind.COUNTY}),
}
