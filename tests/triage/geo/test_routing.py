"""Routing over the seeded demo county (scale 0.01): every village's point gets its own chain, GCJ-02 input lands in
the same grid, batches agree with single points and with a naive polygon loop, and the table follows edits."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
import shapely
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from fengqiao.basedata.models import Building
from fengqiao.core.errors import InvalidInput, NotFound
from fengqiao.jurisdiction.kinds import UnitKind
from fengqiao.jurisdiction.locator import NOT_FOUND
from fengqiao.jurisdiction.models import Unit
from fengqiao.triage.geo import service
from fengqiao.triage.geo.coords import Crs, wgs84_to_gcj02
from fengqiao.triage.geo.raster import CellIndex
from fengqiao.triage.geo.routing import route_table
from tests import factories
from tests.web.helpers import made, populate

COUNTY = "331081"


@pytest.fixture
def seeded(seeded_engine: Engine) -> Iterator[Session]:
    with Session(seeded_engine) as session:
        yield session


def units_of(session: Session, kind: UnitKind) -> list[Unit]:
    return list(session.scalars(select(Unit).where(Unit.kind == kind.value).order_by(Unit.code)))


def test_each_village_point_routes_to_its_grid_village_town_and_stations(seeded: Session) -> None:
    by_id = {u.id: u for u in seeded.scalars(select(Unit))}
    villages = units_of(seeded, UnitKind.VILLAGE)
    assert len(villages) > 50
    for village in villages:
        assert village.centroid_lon is not None
        assert village.centroid_lat is not None
        route = service.route_point(
            session=seeded, county_code=COUNTY, lon=village.centroid_lon, lat=village.centroid_lat
        )
        grid = next(u for u in by_id.values() if u.code == route.grid.code)
        assert grid.kind == UnitKind.GRID.value
        assert grid.parent_id == village.id
        assert route.village is not None
        assert route.village.code == village.code
        assert route.village.name == village.name
        assert route.village.kind_label == "村(社区)"
        assert village.parent_id is not None
        assert route.town is not None
        assert route.town.code == by_id[village.parent_id].code
        assert village.joint_station_id is not None
        assert village.police_station_id is not None
        assert route.joint_station is not None
        assert route.joint_station.code == by_id[village.joint_station_id].code
        assert route.police_station is not None
        assert route.police_station.code == by_id[village.police_station_id].code
        assert (route.point.lon, route.point.lat) == (village.centroid_lon, village.centroid_lat)


def test_gcj02_input_routes_to_the_same_grid_as_its_wgs84_original(seeded: Session) -> None:
    grids = units_of(seeded, UnitKind.GRID)
    lons = np.array([g.centroid_lon for g in grids], dtype=np.float64)
    lats = np.array([g.centroid_lat for g in grids], dtype=np.float64)
    gcj_lons, gcj_lats = wgs84_to_gcj02(lons, lats)
    from_wgs = service.route_arrays(session=seeded, lons=lons, lats=lats)
    from_gcj = service.route_arrays(session=seeded, lons=gcj_lons, lats=gcj_lats, crs=Crs.GCJ02)
    assert np.array_equal(from_wgs.grid_ids, [g.id for g in grids])
    assert np.array_equal(from_gcj.grid_ids, from_wgs.grid_ids)
    assert np.allclose(from_gcj.lons, lons, atol=1e-8)
    assert np.allclose(from_gcj.lats, lats, atol=1e-8)
    one = service.route_point(
        session=seeded, county_code=COUNTY, lon=float(gcj_lons[0]), lat=float(gcj_lats[0]), crs=Crs.GCJ02
    )
    assert one.grid.code == grids[0].code


@pytest.mark.parametrize(("lon", "lat"), [(120.0, 28.0), (121.64, 28.24), (-73.9, 40.7)])
def test_outside_the_county_is_an_outside_county_error(seeded: Session, lon: float, lat: float) -> None:
    with pytest.raises(NotFound) as caught:
        service.route_point(session=seeded, county_code=COUNTY, lon=lon, lat=lat)
    assert caught.value.code == "outside_county"
    assert "不在温岭市辖区范围内" in caught.value.message


@pytest.mark.parametrize(("lon", "lat"), [(float("nan"), 28.4), (121.4, float("inf")), (181.0, 28.4), (121.4, -91.0)])
def test_bad_numbers_are_invalid_coordinates(seeded: Session, lon: float, lat: float) -> None:
    with pytest.raises(InvalidInput) as caught:
        service.route_point(session=seeded, county_code=COUNTY, lon=lon, lat=lat)
    assert caught.value.code == "invalid_coordinates"


def test_batch_equals_single_and_marks_points_outside(seeded: Session) -> None:
    grids = units_of(seeded, UnitKind.GRID)
    points = [(float(g.centroid_lon or 0), float(g.centroid_lat or 0)) for g in grids[:40]]
    points += [(120.0, 28.0), (121.64, 28.24)]
    batch = service.route_points(
        session=seeded, county_code=COUNTY, lons=[p[0] for p in points], lats=[p[1] for p in points]
    )
    assert (batch.routed, batch.outside) == (40, 2)
    for item, (lon, lat) in zip(batch.items, points, strict=True):
        if item.status == "outside_county":
            assert item.route is None
            continue
        assert item.route == service.route_point(session=seeded, county_code=COUNTY, lon=lon, lat=lat)
    assert [item.index for item in batch.items] == list(range(len(points)))
    assert [item.status for item in batch.items[-2:]] == ["outside_county", "outside_county"]


def test_a_grid_of_another_county_is_outside(seeded: Session) -> None:
    grid = units_of(seeded, UnitKind.GRID)[0]
    assert grid.centroid_lon is not None
    assert grid.centroid_lat is not None
    with pytest.raises(NotFound, match="不在"):
        service.route_point(session=seeded, county_code="330000", lon=grid.centroid_lon, lat=grid.centroid_lat)


def test_vectorised_equals_a_naive_polygon_loop(seeded: Session) -> None:
    table = route_table(seeded)
    min_lon, min_lat, max_lon, max_lat = shapely.total_bounds(table.locator.tree.geometries)
    rng = np.random.default_rng(11)
    lons, lats = rng.uniform(min_lon, max_lon, 600), rng.uniform(min_lat, max_lat, 600)
    polygons = list(table.locator.tree.geometries)
    naive = [
        next((i for i, polygon in enumerate(polygons) if polygon.contains(shapely.Point(x, y))), NOT_FOUND)
        for x, y in zip(lons.tolist(), lats.tolist(), strict=True)
    ]
    routed = table.route(lons, lats)
    assert np.array_equal(routed.grid_index, naive)
    assert 0 < np.count_nonzero(routed.found) < len(lons)  # both inside and outside points were tried
    assert np.array_equal(routed.grid_ids[routed.found], table.locator.unit_ids[routed.grid_index[routed.found]])


def test_raster_agrees_with_the_tree_everywhere_including_edges(seeded: Session) -> None:
    locator = route_table(seeded).locator
    geometries = np.asarray(locator.tree.geometries)
    rings = shapely.get_rings(shapely.get_parts(geometries))
    vertices = shapely.get_coordinates(rings)
    midpoints = (vertices[:-1] + vertices[1:]) / 2
    rng = np.random.default_rng(5)
    box = shapely.total_bounds(geometries)
    scattered = np.column_stack([rng.uniform(box[0], box[2], 50_000), rng.uniform(box[1], box[3], 50_000)])
    points = np.concatenate([vertices, midpoints, scattered])
    for cell_deg in (0.0002, 0.001, 0.01):
        cells = CellIndex.build(locator, cell_deg=cell_deg)
        assert 0 < cells.mixed_share < 1
        assert np.array_equal(
            cells.locate_indices(points[:, 0], points[:, 1]), locator.locate_indices(points[:, 0], points[:, 1])
        )


def test_threads_give_the_same_answer(seeded: Session) -> None:
    table = route_table(seeded)
    rng = np.random.default_rng(3)
    lons, lats = rng.uniform(121.19, 121.65, 120_000), rng.uniform(28.24, 28.55, 120_000)
    assert np.array_equal(table.grid_indices(lons, lats, workers=2), table.grid_indices(lons, lats))


def test_route_a_matched_building_through_its_grid(seeded: Session) -> None:
    building = seeded.scalars(select(Building).order_by(Building.id).limit(1)).one()
    grid = seeded.get(Unit, building.grid_id)
    assert grid is not None
    route = service.route_building(session=seeded, county_code=COUNTY, building_id=building.id)
    assert route.grid.code == grid.code
    assert route.village is not None
    assert route.village.code == grid.path.split("/")[2]
    assert (route.point.lon, route.point.lat) == (building.lon, building.lat)
    with pytest.raises(NotFound) as caught:
        service.route_building(session=seeded, county_code=COUNTY, building_id=10**9)
    assert caught.value.code == "building_not_found"


def test_the_table_follows_edits_to_stations_and_names(db: Session) -> None:
    county = populate(db)
    route = service.route_point(session=db, county_code=COUNTY, lon=121.31, lat=28.31)
    assert route.joint_station is not None
    assert route.joint_station.name == "泽国联勤工作站"
    village = county.tree.villages[0]
    other = made(
        Unit, factories.UnitFactory(code="331081J02", name="新河联勤工作站", kind=UnitKind.JOINT_STATION.value)
    )
    village.joint_station_id = other.id
    village.name = "泽国东社区"
    db.flush()
    route = service.route_point(session=db, county_code=COUNTY, lon=121.31, lat=28.31)
    assert route.joint_station is not None
    assert route.joint_station.name == "新河联勤工作站"
    assert route.village is not None
    assert route.village.name == "泽国东社区"
    # A grid's own station overrides its village's.
    grid = county.tree.grids[0]
    grid.police_station_id = other.id
    db.flush()
    route = service.route_point(session=db, county_code=COUNTY, lon=121.31, lat=28.31)
    assert route.police_station is not None
    assert route.police_station.code == "331081J02"
    assert route.joint_station is None
