"""Printable sheets: one QR code per grid or building under a unit, on A4 pages, within the viewer's territory."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from fengqiao.citizen import places
from fengqiao.citizen.models import PlaceCode
from fengqiao.citizen.places import PlaceKind
from fengqiao.citizen.sheet import PER_PAGE, build_sheet
from fengqiao.core.errors import InvalidInput, NotFound
from tests import factories
from tests.events.world import World

BASE = "https://fq.example.gov.cn"


def _uris(pdf: bytes) -> list[str]:
    # Each code carries a link annotation to its own report URL (annotations are not compressed).
    return [u.decode() for u in re.findall(rb"/URI \((https://[^)]+)\)", pdf)]


def _page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b", pdf))


def test_a_town_sheet_has_one_code_per_grid(world: World) -> None:
    result = build_sheet(session=world.session, unit_code=world.town.code, kind=PlaceKind.GRID, base_url=BASE)
    grids = [g for g in world.tree.grids if g.path.startswith(world.town.path)]
    codes = world.session.scalars(select(PlaceCode).where(PlaceCode.unit_id.in_([g.id for g in grids]))).all()
    assert result.codes == len(grids) == len(codes)
    assert sorted(_uris(result.pdf)) == sorted(places.report_url(BASE, c.token) for c in codes)
    assert result.pdf.startswith(b"%PDF")
    assert _page_count(result.pdf) == result.pages == 1
    for code in codes:
        assert places.resolve(session=world.session, token=code.token).grid.id == code.unit_id
    again = build_sheet(session=world.session, unit_code=world.town.code, kind=PlaceKind.GRID, base_url=BASE)
    assert sorted(_uris(again.pdf)) == sorted(_uris(result.pdf))  # printing again prints the same codes


def test_a_building_sheet_spans_pages(world: World) -> None:
    for n in range(PER_PAGE + 2):
        factories.BuildingFactory(grid_id=world.grid.id, road="东辉路", house_number=n + 1)
    factories.BuildingFactory(grid_id=world.other_town_grid.id)
    result = build_sheet(session=world.session, unit_code=world.village.code, kind=PlaceKind.BUILDING, base_url=BASE)
    assert (result.codes, result.pages, _page_count(result.pdf)) == (PER_PAGE + 2, 2, 2)
    assert len(set(_uris(result.pdf))) == PER_PAGE + 2


def test_a_sheet_is_bounded_by_the_viewers_territory(world: World) -> None:
    scope = world.viewer("village_head").territory
    own = build_sheet(session=world.session, unit_code=world.grid.code, kind=PlaceKind.GRID, base_url=BASE, scope=scope)
    assert own.codes == 1
    with pytest.raises(NotFound):
        build_sheet(session=world.session, unit_code=world.town.code, kind=PlaceKind.GRID, base_url=BASE, scope=scope)
    with pytest.raises(InvalidInput):
        build_sheet(session=world.session, unit_code=world.police.code, kind=PlaceKind.GRID, base_url=BASE)


def test_an_empty_unit_gives_a_one_page_sheet_that_says_so(db: Session) -> None:
    tree = factories.make_tree(db)
    result = build_sheet(session=db, unit_code=tree.grids[0].code, kind=PlaceKind.BUILDING, base_url=BASE)
    assert (result.codes, result.pages, _page_count(result.pdf), _uris(result.pdf)) == (0, 1, 1, [])
