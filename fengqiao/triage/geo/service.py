"""Geo-routing services: a point, a batch of points or a building → grid, village, town and serving stations.

Thin over ``routing``: validate, route with the cached table, then resolve the few distinct unit ids to codes and
names in one query. Points outside the county are an ``outside_county`` error for one point and a marked item in a
batch, so one stray point never fails a whole import.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from sqlalchemy import select
from sqlalchemy.orm import Session

from fengqiao.basedata.models import Building
from fengqiao.core.errors import InvalidInput, NotFound
from fengqiao.jurisdiction.locator import NOT_FOUND
from fengqiao.jurisdiction.models import Unit
from fengqiao.jurisdiction.schemas import LonLat, UnitRef, kind_label
from fengqiao.triage.geo.coords import Crs
from fengqiao.triage.geo.routing import RoutedPoints, route_table
from fengqiao.triage.geo.schemas import BatchRouteItem, BatchRouteOut, Route

# A unit as the answer shows it, and the county it belongs to (a grid of another county is not ours to route to).
_Known = tuple[UnitRef, str]


@dataclass(frozen=True)
class _Units:
    """The part of a route that depends only on the grid."""

    grid: UnitRef
    village: UnitRef | None
    town: UnitRef | None
    joint_station: UnitRef | None
    police_station: UnitRef | None


def check_coordinates(lon: float, lat: float) -> None:
    """Reject what cannot be a place on Earth (the API's own validation says the same in its 422)."""
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise InvalidInput(
            "经纬度无效：经度应在 -180 到 180 之间，纬度应在 -90 到 90 之间，且为有限数字",
            code="invalid_coordinates",
            details={"lon": repr(lon), "lat": repr(lat)},
        )


def route_arrays(
    *, session: Session, lons: ArrayLike, lats: ArrayLike, crs: Crs = Crs.WGS84, workers: int = 1
) -> RoutedPoints:
    """The vectorised form: arrays in, per-point unit-id arrays out (``NOT_FOUND`` outside every grid or for
    non-finite input). For imports and analytics that want ids, not names. It routes to any grid in the database
    (one county per deployment); the named forms below also check the grid belongs to ``county_code``."""
    return route_table(session).route(lons, lats, crs=crs, workers=workers)


def _resolve(session: Session, ids: Collection[int]) -> dict[int, _Known]:
    if not ids:
        return {}
    rows = session.execute(
        select(Unit.id, Unit.code, Unit.name, Unit.kind, Unit.county_code).where(Unit.id.in_(sorted(ids)))
    ).all()
    return {
        row.id: (
            UnitRef(code=row.code, name=row.name, kind=row.kind, kind_label=kind_label(row.kind)),
            row.county_code,
        )
        for row in rows
    }


def _units_at(routed: RoutedPoints, i: int, known: dict[int, _Known], county_code: str) -> _Units | None:
    """The units of point ``i``'s route, or None outside the county (including a grid of another county)."""
    grid = known.get(int(routed.grid_ids[i]))
    if grid is None or grid[1] != county_code:
        return None

    def ref(unit_id: np.int64) -> UnitRef | None:
        found = known.get(int(unit_id)) if unit_id != NOT_FOUND else None
        return found[0] if found is not None else None

    return _Units(
        grid=grid[0],
        village=ref(routed.village_ids[i]),
        town=ref(routed.town_ids[i]),
        joint_station=ref(routed.joint_station_ids[i]),
        police_station=ref(routed.police_station_ids[i]),
    )


def _route(lon: float, lat: float, units: _Units) -> Route:
    # model_construct: the values come typed from the database and the arrays, and the unit refs are shared between
    # routes; validating 10,000 routes one by one would cost far more than routing them.
    return Route.model_construct(
        point=LonLat.model_construct(lon=lon, lat=lat),
        grid=units.grid,
        village=units.village,
        town=units.town,
        joint_station=units.joint_station,
        police_station=units.police_station,
    )


def _route_at(routed: RoutedPoints, i: int, known: dict[int, _Known], county_code: str) -> Route | None:
    units = _units_at(routed, i, known, county_code)
    return None if units is None else _route(float(routed.lons[i]), float(routed.lats[i]), units)


def _outside(session: Session, *, county_code: str, lon: float, lat: float, crs: Crs) -> NotFound:
    county_name = session.scalar(select(Unit.name).where(Unit.code == county_code)) or "本县"
    return NotFound(
        f"坐标（经度 {lon}，纬度 {lat}）不在{county_name}辖区范围内",
        code="outside_county",
        details={"lon": lon, "lat": lat, "crs": crs.value, "county": county_code},
    )


def route_point(*, session: Session, county_code: str, lon: float, lat: float, crs: Crs = Crs.WGS84) -> Route:
    """The route of one point given in ``crs``; ``outside_county`` (404) if no grid of the county holds it."""
    check_coordinates(lon, lat)
    routed = route_arrays(session=session, lons=[lon], lats=[lat], crs=crs)
    route = _route_at(routed, 0, _resolve(session, routed.unit_ids()), county_code)
    if route is None:
        raise _outside(session, county_code=county_code, lon=lon, lat=lat, crs=crs)
    return route


def route_points(
    *, session: Session, county_code: str, lons: ArrayLike, lats: ArrayLike, crs: Crs = Crs.WGS84
) -> BatchRouteOut:
    """Routes of a batch in input order; points outside the county are items with status ``outside_county``."""
    routed = route_arrays(session=session, lons=lons, lats=lats, crs=crs)
    known = _resolve(session, routed.unit_ids())
    # Everything but the point depends only on the grid, so it is worked out once per grid.
    by_grid: dict[int, _Units | None] = {}
    items: list[BatchRouteItem] = []
    for i, (grid_index, lon, lat) in enumerate(
        zip(routed.grid_index.tolist(), routed.lons.tolist(), routed.lats.tolist(), strict=True)
    ):
        if grid_index not in by_grid:
            by_grid[grid_index] = _units_at(routed, i, known, county_code) if grid_index != NOT_FOUND else None
        units = by_grid[grid_index]
        if units is None:
            items.append(BatchRouteItem.model_construct(index=i, status="outside_county", route=None))
        else:
            items.append(BatchRouteItem.model_construct(index=i, status="routed", route=_route(lon, lat, units)))
    outside = sum(1 for item in items if item.route is None)
    return BatchRouteOut(crs=crs, routed=len(items) - outside, outside=outside, items=items)


def route_building(*, session: Session, county_code: str, building_id: int) -> Route:
    """The route of a matched address: the building's own grid (not its coordinates, which may sit on an edge)."""
    building = session.get(Building, building_id)
    if building is None or building.county_code != county_code:
        raise NotFound(
            f"未找到编号为 {building_id} 的楼栋", code="building_not_found", details={"building_id": building_id}
        )
    table = route_table(session)
    index = table.index_of_grid(building.grid_id)
    if index == NOT_FOUND:
        raise NotFound(
            "该楼栋所属网格没有边界数据，无法分拨",
            code="grid_without_boundary",
            details={"building_id": building_id},
        )
    routed = table.gather(
        np.array([building.lon], dtype=np.float64),
        np.array([building.lat], dtype=np.float64),
        np.array([index], dtype=np.int64),
    )
    route = _route_at(routed, 0, _resolve(session, routed.unit_ids()), county_code)
    if route is None:
        raise NotFound(
            f"编号为 {building_id} 的楼栋不在本县辖区内", code="outside_county", details={"building_id": building_id}
        )
    return route
