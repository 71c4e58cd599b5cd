"""The navigation of the work pages, by what the viewer may do; and the ``me`` every work page shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fengqiao.accounts.permissions import Permission, role_may
from fengqiao.accounts.scope import Assignment, Viewer
from fengqiao.duty.roles import DutyRole
from fengqiao.jurisdiction.kinds import UnitKind


@dataclass(frozen=True)
class NavLink:
    name: str  # the nav key templates compare with ``nav`` and the data-testid suffix
    label: str
    href: str


_COCKPIT_ROLES = frozenset(
    {
        DutyRole.COMMAND_DIRECTOR,
        DutyRole.COMMAND_COORDINATOR,
        DutyRole.COMMAND_ANALYST,
        DutyRole.COMMAND_DISPATCHER,
        DutyRole.COMMAND_INSPECTOR,
        DutyRole.POLICE_COMMANDER,
    }
)


def patrol_grids(viewer: Viewer) -> list[Assignment]:
    """The grids this viewer patrols: grid posts that may register (网格长, 专职/兼职网格员)."""
    return [a for a in viewer.assignments if a.unit_kind == UnitKind.GRID and role_may(a.role, Permission.REGISTER)]


def may_edit_responsibilities(viewer: Viewer) -> bool:
    """The rule of ``triage.responsibility.api``: the county centre (or an administrator) keeps the lists."""
    return viewer.may(Permission.ADMINISTER) or (viewer.is_county_wide and viewer.may(Permission.DISPATCH))


def nav_links(viewer: Viewer) -> list[NavLink]:
    links = [NavLink("inbox", "我的待办", "/work"), NavLink("events", "事件列表", "/work/events")]
    if viewer.may(Permission.REGISTER):
        links.append(NavLink("register", "受理登记", "/work/register"))
    if patrol_grids(viewer):
        links.append(NavLink("patrol", "网格巡查", "/work/patrol"))
    if may_edit_responsibilities(viewer) or viewer.may(Permission.DISPATCH):
        links.append(NavLink("responsibility", "属地清单", "/work/responsibility"))
    if viewer.may(Permission.DISPATCH) or viewer.roles & _COCKPIT_ROLES:
        links.append(NavLink("patterns", "研判线索", "/work/patterns"))
    links.append(NavLink("registers", "重点管控", "/work/registers"))
    links.append(NavLink("warnings", "预警", "/work/warnings"))
    if patrol_grids(viewer) or DutyRole.JOINT_STATION_MEMBER in viewer.roles:
        links.append(NavLink("alert_duty", "三必到", "/work/alerts/duty"))
    if viewer.may(Permission.DISPATCH) or viewer.roles & _COCKPIT_ROLES:
        links += [NavLink("alerts", "感知告警", "/work/alerts"), NavLink("devices", "感知设备", "/work/devices")]
    if viewer.may(Permission.ADMINISTER):
        links.append(NavLink("rules", "风险规则", "/work/rules"))
    if viewer.may(Permission.DISPATCH):
        links.append(NavLink("qr_codes", "共治码", "/work/qr-codes"))
    if viewer.is_county_wide or viewer.roles & _COCKPIT_ROLES:
        links += [
            NavLink("reports", "工作通报", "/work/reports"),
            NavLink("assessment", "考核晾晒", "/work/assessment"),
        ]
        links.append(NavLink("cockpit", "指挥大屏", "/cockpit"))
    if viewer.is_county_wide or viewer.territorial_paths:
        links.append(NavLink("indices", "治理指数", "/work/indices"))
    return links


def work_me(viewer: Viewer) -> dict[str, Any]:
    """The ``me`` of every work page: who is logged in, and the links of the navigation they may use."""
    unit = viewer.primary_unit() if viewer.assignments else None
    return {"name": viewer.full_name, "unit": unit.unit_name if unit else "", "links": nav_links(viewer)}
