"""What lies within each unit, as the home page's table shows it."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from fengqiao.basedata.service import territory_overview
from fengqiao.core.errors import NotFound
from tests import factories
from tests.web.helpers import populate


def test_overview_of_the_county_by_town(db: Session) -> None:
    populate(db)
    overview = territory_overview(session=db, code="331081")
    assert overview.unit.name == "温岭市"
    assert overview.breadcrumb == []
    assert [(r.unit.name, r.villages, r.grids, r.buildings, r.residents) for r in overview.rows] == [
        ("泽国镇", 2, 4, 1, 3),
        ("大溪镇", 2, 4, 1, 1),
    ]
    assert overview.totals.model_dump() == {"villages": 4, "grids": 8, "buildings": 2, "residents": 4}


def test_overview_of_a_grid_has_no_rows_but_its_own_totals(db: Session) -> None:
    county = populate(db)
    overview = territory_overview(session=db, code=county.tree.grids[0].code)
    assert overview.rows == []
    assert [u.name for u in overview.breadcrumb] == ["温岭市", "泽国镇", "泽国东村"]
    assert overview.totals.model_dump() == {"villages": 0, "grids": 0, "buildings": 1, "residents": 3}


def test_overview_ignores_residents_without_a_room_and_units_elsewhere(db: Session) -> None:
    populate(db)
    factories.ResidentFactory(room_id=None)
    overview = territory_overview(session=db, code="331081101")
    assert [(r.unit.name, r.buildings, r.residents) for r in overview.rows] == [("大溪东村", 1, 1), ("大溪西村", 0, 0)]


def test_overview_of_unknown_unit(db: Session) -> None:
    with pytest.raises(NotFound) as raised:
        territory_overview(session=db, code="331081404")
    assert raised.value.code == "unit_not_found"
