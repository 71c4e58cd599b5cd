"""Each metric on the hand-built month of tests/metrics/ledger.py, the answer counted by hand from its table.

Counted (county, March 2026): registered a1…a8 (a9 is February's, a10 April's); neither merged nor voided: a1–a6
(a7 voided, a8 merged); closed: a1 a2 a3 a4 a6; disputes among the counted: a1 a2 a3 a5 a6 (a4 is not one).
Each figure is checked twice: before the worker folded the changes in (read from the pending difference) and after
(read from the rollups and facts)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from fengqiao.core.errors import InvalidInput, NotFound
from fengqiao.jurisdiction.models import Unit
from fengqiao.metrics import rollups, service
from fengqiao.metrics.service import MetricRow
from tests.events.world import World
from tests.metrics.ledger import MARCH, build_ledger

# metric → (numerator, denominator), with the reasoning.
BY_HAND: dict[str, tuple[int, int | None]] = {
    "intake": (8, None),  # a1…a8, merged and voided included
    "resolution_rate": (5, 6),  # closed a1 a2 a3 a4 a6 of a1–a6
    "first_resolution_rate": (2, 6),  # a1 a6; not a2 (callback reopened), a3 (review failed), a4 (report merged in)
    "mediation_success_rate": (1, 2),  # concluded: a1 (success), a2 (last: failed); a5 still ongoing
    "on_time_rate": (4, 5),  # a2 went overdue
    "satisfaction_rate": (4, 5),  # March callbacks: a1 满意, a2 不满意 + 满意, a4 基本满意, a9 满意 (03-01 05:00)
    "local_resolution_rate": (4, 5),  # a1 grid, a2 village, a3 town, a6 town (its owner); a4 at county
    "screening_rate": (1, 5),  # a1 found by patrol, of disputes a1 a2 a3 a5 a6
    "missed_screening_rate": (3, 5),  # a2 12345, a3 110, a5 court
    "village_head_rate": (1, 2),  # disputes closed at village/grid: a1 (head mediated) a2 (grid worker only)
    "return_rate": (1, 6),  # a2; a7 was returned too but is voided
    "rework_rate": (2, 6),  # a2 (dissatisfied callback reopened it), a3 (review failed)
    "average_handling_hours": (192 * 3600, 5),  # 10 + 30 + 50 + 100 + 2 hours over 5 closed
}


def _unit(world: World, code: str | None) -> Unit:
    if code is None:
        return world.tree.county
    return world.session.scalars(select(Unit).where(Unit.code == code)).one()


def _rows(
    world: World,
    metric: str,
    *,
    code: str | None = None,
    by: tuple[str, ...] = (),
    period: tuple[date, date] = MARCH,
) -> list[MetricRow]:
    unit = _unit(world, code)
    return service.compute(session=world.session, unit=unit, metric=metric, start=period[0], end=period[1], by=by)


def _fractions(rows: list[MetricRow], key: str) -> dict[str | None, tuple[int, int | None]]:
    return {r.group[key]: (r.numerator, r.denominator) for r in rows}


@pytest.mark.parametrize("folded", [False, True], ids=["pending", "rollups"])
@pytest.mark.parametrize("metric", sorted(BY_HAND))
def test_each_metric_counted_by_hand(world: World, metric: str, folded: bool) -> None:
    build_ledger(world)
    if folded:
        rollups.refresh_all(world.session)
        assert rollups.check(world.session) == []
    [row] = _rows(world, metric)
    assert (row.numerator, row.denominator) == BY_HAND[metric]
    assert row.group == {}


def test_values(world: World) -> None:
    build_ledger(world)
    values = {m: _rows(world, m)[0].value for m in BY_HAND}
    assert values["intake"] == 8.0
    assert values["resolution_rate"] == pytest.approx(5 / 6)
    assert values["village_head_rate"] == pytest.approx(0.5)
    assert values["average_handling_hours"] == pytest.approx(38.4)


@pytest.mark.parametrize("folded", [False, True], ids=["pending", "rollups"])
def test_breakdowns_counted_by_hand(world: World, folded: bool) -> None:
    build_ledger(world)
    if folded:
        rollups.refresh_all(world.session)
    town0, town1 = (t.code for t in world.tree.towns)
    village0, village1 = (v.code for v in world.tree.villages[:2])

    # Towns: town0 has a1 a2 a3 a6 counted (a7 voided, a8 merged), all closed; town1 a4 (closed) and a5.
    assert _fractions(_rows(world, "resolution_rate", by=("unit",)), "unit") == {town0: (4, 4), town1: (1, 2)}
    # Villages of town0: a1 a2 and a6 (placed at village0 itself) in village0; a3 in village1.
    rows = _rows(world, "resolution_rate", code=town0, by=("village",))
    assert _fractions(rows, "village") == {village0: (3, 3), village1: (1, 1)}
    # Grids of town0 (from the facts): a1 a2 in grid0, a3 in village1's grid; a6 lies above any grid: 本级 (None).
    rows = _rows(world, "resolution_rate", code=town0, by=("grid",))
    assert _fractions(rows, "grid") == {world.grid.code: (2, 2), world.other_grid.code: (1, 1), None: (1, 1)}
    # The county's villages, two levels down: town1's village holds a4 a5.
    rows = _rows(world, "resolution_rate", by=("village",))
    assert _fractions(rows, "village") == {village0: (3, 3), village1: (1, 1), world.tree.villages[2].code: (1, 2)}

    # Handling level of the closed ones: a1 grid, a2 village, a3 a6 town (a5 town, open), a4 county.
    rows = _rows(world, "local_resolution_rate", by=("level",))
    assert _fractions(rows, "level") == {"grid": (1, 1), "village": (1, 1), "town": (2, 2), "county": (0, 1)}
    assert _fractions(_rows(world, "intake", by=("category",)), "category") == {
        "labour": (1, None),
        "neighbour": (7, None),
    }
    rows = _rows(world, "missed_screening_rate", by=("channel",))
    assert _fractions(rows, "channel") == {
        "citizen_qr": (0, 1),  # a6
        "court": (1, 1),  # a5
        "grid_patrol": (0, 1),  # a1 (a7 voided)
        "hotline_12345": (1, 1),  # a2 (a8 merged)
        "police_110": (1, 1),  # a3
    }


@pytest.mark.parametrize("folded", [False, True], ids=["pending", "rollups"])
def test_periods_counted_by_hand(world: World, folded: bool) -> None:
    build_ledger(world)
    if folded:
        rollups.refresh_all(world.session)
    quarter = (date(2026, 2, 1), date(2026, 4, 30))
    # a9 (23:00 on 28 Feb in Shanghai) is February's; a10 (00:10 on 1 April) April's.
    rows = _rows(world, "resolution_rate", by=("month",), period=quarter)
    assert _fractions(rows, "month") == {"2026-02": (1, 1), "2026-03": (5, 6), "2026-04": (0, 1)}
    # Weeks start on Monday: 1 March (a Sunday) belongs to the week of 23 February, when nothing was registered —
    # a group shows only when its numerator or denominator counted something.
    rows = _rows(world, "intake", by=("week",))
    assert _fractions(rows, "week") == {
        "2026-03-02": (3, None),  # a1 a2 a3
        "2026-03-09": (3, None),  # a4 a5 a6 (Sunday 15th)
        "2026-03-16": (1, None),  # a7
        "2026-03-30": (1, None),  # a8, 23:30 on the 31st
    }
    rows = _rows(world, "satisfaction_rate", by=("week",))
    assert _fractions(rows, "week")["2026-02-23"] == (1, 1)  # a9's callback on 1 March, on its own day
    rows = _rows(world, "satisfaction_rate", by=("day",))
    assert _fractions(rows, "day") == {
        "2026-03-01": (1, 1),  # a9's
        "2026-03-02": (1, 1),  # a1's
        "2026-03-03": (0, 1),  # a2's first
        "2026-03-04": (1, 1),  # a2's second
        "2026-03-15": (1, 1),  # a4's
    }


def test_breakdown_combined(world: World) -> None:
    build_ledger(world)
    town0 = world.town.code
    rows = _rows(world, "intake", by=("unit", "category", "month"))
    groups = {(r.group["unit"], r.group["category"], r.group["month"]): r.numerator for r in rows}
    assert groups == {
        (town0, "neighbour", "2026-03"): 6,  # a1 a2 a3 a6 a7 a8
        (world.tree.towns[1].code, "labour", "2026-03"): 1,  # a5
        (world.tree.towns[1].code, "neighbour", "2026-03"): 1,  # a4
    }


def test_nothing_counted_is_none_not_zero(world: World) -> None:
    [row] = _rows(world, "resolution_rate")
    assert (row.numerator, row.denominator, row.value) == (0, 0, None)
    [count] = _rows(world, "intake")
    assert count.value == 0.0


def test_bad_requests(world: World) -> None:
    with pytest.raises(NotFound):
        _rows(world, "happiness")
    for by in (("category", "channel"), ("day", "month"), ("town", "village"), ("colour",)):
        with pytest.raises(InvalidInput):
            _rows(world, "intake", by=by)
    with pytest.raises(InvalidInput):  # the grid has no level below it
        _rows(world, "intake", code=world.grid.code, by=("unit",))
    with pytest.raises(InvalidInput):
        _rows(world, "intake", period=(MARCH[1], MARCH[0]))
