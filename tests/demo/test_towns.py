from __future__ import annotations

from shapely.geometry import Point

from fengqiao.demo.outline import COUNTY_OUTLINE, county_outline
from fengqiao.demo.towns import COUNTY_CODE, COUNTY_NAME, TOWNS
from fengqiao.jurisdiction.geometry import area_km2
from fengqiao.jurisdiction.kinds import UnitVariant

EXPECTED_TOWNS = {
    "331081001": "太平街道",
    "331081002": "城东街道",
    "331081003": "城西街道",
    "331081004": "城北街道",
    "331081005": "横峰街道",
    "331081100": "泽国镇",
    "331081101": "大溪镇",
    "331081102": "松门镇",
    "331081103": "箬横镇",
    "331081104": "新河镇",
    "331081105": "石塘镇",
    "331081106": "滨海镇",
    "331081107": "温峤镇",
    "331081108": "城南镇",
    "331081109": "石桥头镇",
    "331081110": "坞根镇",
}


def test_towns_have_their_real_names_and_codes() -> None:
    assert (COUNTY_CODE, COUNTY_NAME) == ("331081", "温岭市")
    assert {town.code: town.name for town in TOWNS} == EXPECTED_TOWNS
    for town in TOWNS:
        expected = UnitVariant.SUBDISTRICT if town.name.endswith("街道") else UnitVariant.TOWNSHIP
        assert town.variant is expected
        assert town.code.startswith(COUNTY_CODE)


def test_county_outline_is_wenling_sized_and_holds_every_town_seat() -> None:
    outline = county_outline()
    assert outline.is_valid
    assert 20 <= len(COUNTY_OUTLINE) <= 40
    assert 850 <= area_km2(outline) <= 950
    min_lon, min_lat, max_lon, max_lat = outline.bounds
    assert min_lon >= 121.1
    assert max_lon <= 121.7
    assert min_lat >= 28.2
    assert max_lat <= 28.6
    for town in TOWNS:
        assert outline.contains(Point(town.lon, town.lat)), town.name
