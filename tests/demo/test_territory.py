"""The generated jurisdiction at full scale, checked in memory (fast: no database)."""

from __future__ import annotations

import re
from collections import Counter

import pytest
import shapely

from fengqiao.demo.county import build_territory
from fengqiao.demo.plan import plan_county
from fengqiao.demo.records import IdCounter
from fengqiao.demo.territory import Territory, UnitDraft
from fengqiao.jurisdiction.kinds import UnitKind, UnitVariant
from tests.demo.tiling import assert_tiles


@pytest.fixture(scope="module")
def territory() -> Territory:
    return build_territory(plan=plan_county(scale=1.0), seed=7, ids=IdCounter())


def _geometry(unit: UnitDraft) -> shapely.Geometry:
    assert unit.geometry is not None
    return unit.geometry


def test_every_level_tiles_its_parent(territory: Territory) -> None:
    county = _geometry(territory.county)
    assert_tiles(county, [_geometry(t.unit) for t in territory.towns], label="county")
    for town in territory.towns:
        assert_tiles(_geometry(town.unit), [_geometry(v) for v in town.villages], label=town.unit.name)
        for village in town.villages:
            assert_tiles(_geometry(village), [_geometry(g) for g in village.children], label=village.name)


def test_full_scale_counts(territory: Territory) -> None:
    kinds = Counter(unit.kind for unit in territory.units())
    assert kinds[UnitKind.COUNTY] == 1
    assert kinds[UnitKind.TOWN] == 16
    assert kinds[UnitKind.VILLAGE] == plan_county(scale=1.0).total("villages")
    assert kinds[UnitKind.GRID] == plan_county(scale=1.0).total("grids")
    assert kinds[UnitKind.JOINT_STATION] == 52
    assert kinds[UnitKind.POLICE_STATION] == 18
    assert kinds[UnitKind.DEPARTMENT] >= 30
    assert len({unit.id for unit in territory.units()}) == len(territory.units())


def test_codes_paths_and_levels(territory: Territory) -> None:
    codes = [unit.code for unit in territory.units()]
    assert len(set(codes)) == len(codes)
    for town in territory.towns:
        assert town.unit.path == f"331081/{town.unit.code}/"
        for village in town.villages:
            serial = int(village.code[9:])
            assert re.fullmatch(rf"{town.unit.code}\d{{3}}", village.code)
            if village.variant is UnitVariant.COMMUNITY:
                assert 1 <= serial <= 199
                assert village.name.endswith("社区")
            else:
                assert 200 <= serial <= 399
                assert village.name.endswith("村")
            assert village.level == 2
            assert village.path == f"{town.unit.path}{village.code}/"
            for number, grid in enumerate(village.children, start=1):
                assert grid.code == f"{village.code}{number:03d}"
                assert grid.name == f"{village.name}第{number}网格"
                assert grid.level == 3
                assert grid.path == f"{village.path}{grid.code}/"
    for serial, department in enumerate(territory.departments, start=1):
        assert department.code == f"331081D{serial:02d}"
        assert department.geometry is None
        assert department.path == f"331081/{department.code}/"
        assert department.level == 1


def test_names_are_chinese_words_unique_in_their_town(territory: Territory) -> None:
    for town in territory.towns:
        names = [village.name for village in town.villages]
        assert len(set(names)) == len(names)
        for name in names:
            assert re.fullmatch(r"[\u4e00-\u9fff]{2,6}", name), name


def test_stations_cover_every_village_within_its_town(territory: Territory) -> None:
    joint_codes, police_codes = [], []
    for town in territory.towns:
        for village in town.villages:
            assert village.joint_station in town.joint_stations
            assert village.police_station in town.police_stations
        for station in town.joint_stations + town.police_stations:
            served = [v for v in town.villages if station in (v.joint_station, v.police_station)]
            assert served
            union = shapely.union_all([_geometry(v) for v in served])
            assert _geometry(station).symmetric_difference(union).area < 1e-12
            assert station.parent is town.unit
            assert station.level == 2
        joint_codes += [s.code for s in town.joint_stations]
        police_codes += [s.code for s in town.police_stations]
        assert all(s.name.startswith(town.unit.name) and s.name.endswith("联勤工作站") for s in town.joint_stations)
        assert town.police_stations[0].name == f"{town.plan.spec.short_name}派出所"
    assert joint_codes == [f"331081JS{n:02d}" for n in range(1, 53)]
    assert police_codes == [f"331081PS{n:02d}" for n in range(1, 19)]
    police_names = {s.name for town in territory.towns for s in town.police_stations}
    assert {"泽国派出所", "牧屿派出所", "大溪派出所", "潘郎派出所"} <= police_names


def test_station_areas_are_mostly_contiguous(territory: Territory) -> None:
    stations = [s for town in territory.towns for s in town.joint_stations]
    single = sum(_geometry(s).geom_type == "Polygon" for s in stations)
    assert single >= 0.9 * len(stations)


def test_subdistricts_are_smaller_than_rural_towns(territory: Territory) -> None:
    areas = {town.unit.name: _geometry(town.unit).area for town in territory.towns}
    subdistricts = [a for name, a in areas.items() if name.endswith("街道")]
    townships = [a for name, a in areas.items() if name.endswith("镇")]
    assert sum(subdistricts) / len(subdistricts) < sum(townships) / len(townships)
