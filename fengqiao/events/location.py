"""Placing an event: the most specific territorial unit known from a grid code, a building or a point."""

from __future__ import annotations

import shapely
from sqlalchemy import select
from sqlalchemy.orm import Session

from fengqiao.basedata.models import Building
from fengqiao.core.errors import InvalidInput, NotFound
from fengqiao.jurisdiction.kinds import UnitKind
from fengqiao.jurisdiction.models import Unit


def unit_by_code(*, session: Session, code: str) -> Unit:
    unit = session.scalars(select(Unit).where(Unit.code == code)).one_or_none()
    if unit is None:
        raise NotFound(f"未找到单位“{code}”", code="unit_not_found")
    return unit


def grid_at(*, session: Session, lon: float, lat: float) -> Unit | None:
    """The grid containing a WGS84 point, or None outside every grid."""
    candidates = session.scalars(
        select(Unit).where(
            Unit.kind == UnitKind.GRID.value,
            Unit.min_lon <= lon,
            Unit.max_lon >= lon,
            Unit.min_lat <= lat,
            Unit.max_lat >= lat,
        )
    ).all()
    point = shapely.Point(lon, lat)
    for unit in candidates:
        if unit.boundary is not None and shapely.from_wkb(unit.boundary).covers(point):
            return unit
    return None


def resolve_location(
    *,
    session: Session,
    fallback: Unit,
    unit_code: str | None = None,
    building_id: int | None = None,
    lon: float | None = None,
    lat: float | None = None,
) -> Unit:
    """The unit an event lies in: an explicit unit code wins, then the building's grid, then the point's grid; else
    ``fallback`` (the registering unit) until triage places it better."""
    if unit_code:
        return unit_by_code(session=session, code=unit_code)
    if building_id is not None:
        building = session.get(Building, building_id)
        if building is None:
            raise NotFound(f"未找到楼址{building_id}", code="building_not_found")
        grid = session.get(Unit, building.grid_id)
        if grid is not None:
            return grid
    if lon is not None and lat is not None:
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise InvalidInput("经纬度超出范围", code="invalid_coordinates")
        grid = grid_at(session=session, lon=lon, lat=lat)
        if grid is not None:
            return grid
    return fallback


def dispatching_unit_for(*, session: Session, unit: Unit) -> Unit:
    """Who dispatches what is registered in ``unit``: a grid's matters go to its village; others dispatch their own."""
    if unit.kind == UnitKind.GRID.value and unit.parent_id is not None:
        parent = session.get(Unit, unit.parent_id)
        if parent is not None:
            return parent
    return unit
