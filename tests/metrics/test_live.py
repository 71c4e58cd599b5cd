"""Each metric on the hand-built history of tests/metrics/history.py, with the answer counted by hand.

The history, as seen from the county at NOW (12:00 Shanghai, 10 March 2026):

| event | where                | registered           | status     | risk   | level | overdue        | callbacks |
| e1    | town0/village0/grid0 | today 09:00 (12345)  | registered | high   | —     | no             |           |
| e2    | town0/village0/grid0 | yesterday 23:30      | dispatched | medium | grid  | deadline past  |           |
| e3    | town0/village1/grid  | today 00:10 (patrol) | closed     | low    |       |                | 满意      |
| e4    | town1/village0/grid  | 5 days ago           | handling   | high   | town  | flagged        |           |
| e5    | town0 itself         | 40 days ago          | registered | low    | —     | no             |           |
| e6    | town0/village0/grid0 | 3 days ago           | voided     |        |       |                |           |
| e7    | town0/village0/grid0 | 2 days ago           | closed     |        |       |                | 不满意,基本满意 |
| e8    | town1/village0/grid  | 1 hour ago (12345)   | merged     |        |       |                |           |
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from fengqiao.core.errors import Forbidden, NotFound
from fengqiao.events.kinds import Channel
from fengqiao.metrics import live
from fengqiao.metrics.live import SELF
from tests.events.world import World
from tests.metrics.history import NOW, add_event, build_history


def _cockpit(world: World, code: str, viewer: str = "county") -> live.Cockpit:
    scope = live.resolve_scope(session=world.session, viewer=world.viewer(viewer), code=code)
    return live.cockpit(session=world.session, scope=scope, now=NOW)


def test_county_figures_counted_by_hand(world: World) -> None:
    build_history(world)
    data = _cockpit(world, world.tree.county.code)

    assert data.open == 4  # e1 e2 e4 e5
    assert data.overdue == 2  # e2 (deadline past) e4 (flagged)
    assert data.today == 3  # e1 e3 (00:10 Shanghai is today) e8 (merged, but it came in today); not e2
    assert data.intake == {Channel.HOTLINE_12345.value: 2, Channel.GRID_PATROL.value: 1}
    assert data.risk == {"high": 2, "medium": 1, "low": 1}
    assert data.levels == {None: 2, "grid": 1, "town": 1}
    # Window: e1 e2 e3 e4 e7 (e5 too old, e6 voided, e8 merged); closed: e3 e7.
    assert (data.resolution.numerator, data.resolution.denominator) == (2, 5)
    assert data.resolution.value == pytest.approx(0.4)
    # Callbacks: 满意 (e3), 不满意 and 基本满意 (e7).
    assert (data.satisfaction.numerator, data.satisfaction.denominator) == (2, 3)
    assert data.heat == {("labour", "331081100"): 1, ("neighbour", "331081100"): 3, ("labour", "331081101"): 1}


def test_children_add_up_to_the_parent(world: World) -> None:
    build_history(world)
    town0, town1 = (t.code for t in world.tree.towns)

    county = _cockpit(world, world.tree.county.code)
    assert vars(county.children[town0]) == {"open": 3, "overdue": 1, "high_risk": 1, "today": 2, "recent": 4}
    assert vars(county.children[town1]) == {"open": 1, "overdue": 1, "high_risk": 1, "today": 1, "recent": 1}
    assert vars(county.children[SELF]) == {"open": 0, "overdue": 0, "high_risk": 0, "today": 0, "recent": 0}

    town = _cockpit(world, town0)
    village0, village1 = (v.code for v in world.tree.villages[:2])
    assert vars(town.children[village0]) == {"open": 2, "overdue": 1, "high_risk": 1, "today": 1, "recent": 3}
    assert vars(town.children[village1]) == {"open": 0, "overdue": 0, "high_risk": 0, "today": 1, "recent": 1}
    assert vars(town.children[SELF]) == {"open": 1, "overdue": 0, "high_risk": 0, "today": 0, "recent": 0}  # e5
    for scope in (county, town):
        assert sum(c.open for c in scope.children.values()) == scope.open
        assert sum(c.overdue for c in scope.children.values()) == scope.overdue
        assert sum(c.today for c in scope.children.values()) == scope.today
        assert sum(c.high_risk for c in scope.children.values()) == scope.risk["high"]
        assert sum(c.recent for c in scope.children.values()) == scope.resolution.denominator
    # The town's own figures are the county's row for it.
    assert town.open == county.children[town0].open
    assert town.today == county.children[town0].today


def test_grid_has_no_children_only_itself(world: World) -> None:
    build_history(world)
    data = _cockpit(world, world.grid.code)
    assert data.scope.children == ()
    assert data.open == 2  # e1 e2
    assert set(data.children) == {SELF}
    assert data.children[SELF].open == 2


def test_lists_show_open_events_highest_risk_first(world: World) -> None:
    events = build_history(world)
    data = _cockpit(world, world.tree.county.code)
    # e4 is overdue, so it leads the 重大风险事件 although e1 is newer.
    assert [e.id for e in data.top_risks] == [events["e4"].id, events["e1"].id]
    # Map points: open with coordinates (not e5), high risk first, then newest.
    assert [e.id for e in data.points] == [events["e1"].id, events["e4"].id, events["e2"].id]


def test_rates_without_data_are_none_not_zero(world: World) -> None:
    data = _cockpit(world, world.tree.county.code)
    assert data.open == 0
    assert data.resolution.value is None
    assert data.satisfaction.value is None


def test_day_turns_in_shanghai(world: World) -> None:
    build_history(world)
    scope = live.resolve_scope(session=world.session, viewer=world.viewer("county"), code=world.tree.county.code)
    # 23:59 Shanghai on 9 March: e2 (23:30) is that day's; e1 and e3 not yet registered.
    before_midnight = datetime(2026, 3, 9, 15, 59, tzinfo=UTC)
    cells = live.intake_today(session=world.session, scope=scope, now=before_midnight)
    assert live.intake_by_channel(cells) == {Channel.FRONT_DESK.value: 1}


def test_scoping(world: World) -> None:
    session: Session = world.session
    town0, town1 = world.tree.towns
    with pytest.raises(NotFound):
        live.resolve_scope(session=session, viewer=world.viewer("town_dispatcher"), code=town1.code)
    with pytest.raises(NotFound):
        live.resolve_scope(session=session, viewer=world.viewer("village_head"), code=town0.code)
    with pytest.raises(NotFound):
        live.resolve_scope(session=session, viewer=world.viewer("county"), code=world.department.code)
    with pytest.raises(NotFound):
        live.resolve_scope(session=session, viewer=world.viewer("county"), code="999999")
    assert live.resolve_scope(session=session, viewer=world.viewer("town_dispatcher"), code=world.grid.code)
    assert live.resolve_scope(session=session, viewer=world.viewer("leader"), code=town1.code)


def test_default_unit_per_post(world: World) -> None:
    session = world.session
    assert live.default_unit_code(session=session, viewer=world.viewer("county")) == world.tree.county.code
    assert live.default_unit_code(session=session, viewer=world.viewer("town_dispatcher")) == world.town.code
    assert live.default_unit_code(session=session, viewer=world.viewer("village_head")) == world.village.code
    assert live.default_unit_code(session=session, viewer=world.viewer("grid_worker")) == world.grid.code
    # The police station serves two villages: its cockpit opens on the first.
    assert live.default_unit_code(session=session, viewer=world.viewer("police")) == world.tree.villages[0].code
    with pytest.raises(Forbidden):
        live.default_unit_code(session=session, viewer=world.viewer("department_handler"))


def test_version_changes_with_every_change_and_the_minute(world: World) -> None:
    build_history(world)
    scope = live.resolve_scope(session=world.session, viewer=world.viewer("county"), code=world.town.code)
    other = live.resolve_scope(session=world.session, viewer=world.viewer("county"), code=world.tree.towns[1].code)

    def tag(s: live.Scope, now: datetime = NOW) -> str:
        return live.data_version(session=world.session, scope=s, now=now)

    first = tag(scope)
    assert tag(scope) == first  # nothing happened
    assert tag(other) != first  # each unit has its own tag
    assert tag(scope, NOW + timedelta(minutes=1)) != first  # deadlines fall due with time alone
    event = add_event(world, world.grid, registered_at=NOW)
    second = tag(scope)
    assert second != first  # a new event
    event.title = "改过的标题"
    world.session.flush()
    assert tag(scope) != second  # a changed event
