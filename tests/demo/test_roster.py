"""People on duty, generated in memory at a small scale."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest

from fengqiao.demo.county import build_territory
from fengqiao.demo.plan import plan_county
from fengqiao.demo.records import IdCounter
from fengqiao.demo.roster import POLICE_MEDIATORS, Roster, build_roster
from fengqiao.demo.territory import Territory
from fengqiao.duty.roles import DUTY_ROLE_UNIT_KINDS, DutyRole
from fengqiao.jurisdiction.kinds import UnitKind


@pytest.fixture(scope="module")
def county() -> tuple[Territory, Roster]:
    ids = IdCounter()
    territory = build_territory(plan=plan_county(scale=0.05), seed=11, ids=ids)
    return territory, build_roster(territory, seed=11, ids=ids)


def test_every_role_is_bound_to_a_unit_of_its_kind(county: tuple[Territory, Roster]) -> None:
    territory, roster = county
    kinds = {unit.id: unit.kind for unit in territory.units()}
    for _, _, _, unit_id, role in roster.assignments:
        assert kinds[unit_id] in DUTY_ROLE_UNIT_KINDS[DutyRole(role)], (role, kinds[unit_id])


def test_grid_teams_are_one_plus_three_plus_n(county: tuple[Territory, Roster]) -> None:
    territory, roster = county
    roles: dict[int, Counter[str]] = defaultdict(Counter)
    for _, _, _, unit_id, role in roster.assignments:
        roles[unit_id][role] += 1
    for town in territory.towns:
        for grid in town.grids:
            team = roles[grid.id]
            assert team[DutyRole.GRID_LEADER] == 1
            assert team[DutyRole.GRID_WORKER] == 1
            assert team[DutyRole.PART_TIME_GRID_WORKER] == 1
            assert team[DutyRole.GRID_INSTRUCTOR] == 1
            assert 1 <= team[DutyRole.GRID_MEMBER] <= 3
        command = roles[town.unit.id]
        assert command[DutyRole.COMMAND_DIRECTOR] == 1
        for post in ("command_coordinator", "command_analyst", "command_dispatcher", "command_inspector"):
            assert 1 <= command[post] <= 2
        for village in town.villages:
            assert roles[village.id][DutyRole.VILLAGE_HEAD] == 1
    for department in territory.departments:
        assert 2 <= roles[department.id][DutyRole.DEPARTMENT_HANDLER] <= 4


def test_twenty_nine_police_mediators_over_the_police_stations(county: tuple[Territory, Roster]) -> None:
    territory, roster = county
    police = {s.id for town in territory.towns for s in town.police_stations}
    mediators = Counter(unit for _, _, _, unit, role in roster.assignments if role == "mediator" and unit in police)
    assert sum(mediators.values()) == POLICE_MEDIATORS
    assert set(mediators) == police


def test_usernames_are_unique_readable_and_admin_exists(county: tuple[Territory, Roster]) -> None:
    territory, roster = county
    usernames = [row[2] for row in roster.staff]
    assert len(set(usernames)) == len(usernames)
    assert "admin" in usernames
    grid = territory.towns[0].grids[0]
    assert f"gl{grid.code}-1" in usernames
    phones = [row[4] for row in roster.staff if row[4]]
    assert len(set(phones)) == len(phones)
    assert all(len(phone) == 11 and phone.startswith("1") for phone in phones)
    admin_units = [unit for _, _, staff, unit, role in roster.assignments if role == "admin"]
    assert len(admin_units) == 1
    assert admin_units[0] == territory.county.id
    assert territory.county.kind is UnitKind.COUNTY
