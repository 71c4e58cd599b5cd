"""Stage A1 end to end: the territorial tree, its stations and departments, ids, phones, and the unit rows."""

from __future__ import annotations

from fengqiao.demo.plan import CountyPlan
from fengqiao.demo.records import DEMO_CREATED_AT, Batch, IdCounter
from fengqiao.demo.stations import add_stations
from fengqiao.demo.territory import Territory, UnitDraft, assign_phones, build_tree
from fengqiao.demo.towns import COUNTY_CODE
from fengqiao.jurisdiction.geometry import boundary_columns

_BOUNDARY_COLUMNS = ("boundary", "centroid_lon", "centroid_lat", "min_lon", "min_lat", "max_lon", "max_lat", "area_km2")
UNIT_COLUMNS = (
    "id", "county_code", "code", "name", "kind", "variant", "level", "parent_id", "path",
    "joint_station_id", "police_station_id", *_BOUNDARY_COLUMNS, "phone", "created_at",
)  # fmt: skip


def build_territory(*, plan: CountyPlan, seed: int, ids: IdCounter) -> Territory:
    territory = build_tree(plan=plan, seed=seed)
    add_stations(territory, seed=seed)
    assign_phones(territory, seed=seed)
    territory.assign_ids(ids.take("units", len(territory.units())))
    return territory


def _unit_row(unit: UnitDraft) -> tuple[object, ...]:
    if unit.geometry is None:
        boundary: tuple[object, ...] = (None,) * len(_BOUNDARY_COLUMNS)
    else:
        columns = boundary_columns(unit.geometry)
        boundary = tuple(columns[name] for name in _BOUNDARY_COLUMNS)
    return (
        unit.id,
        COUNTY_CODE,
        unit.code,
        unit.name,
        unit.kind.value,
        unit.variant.value if unit.variant else None,
        unit.level,
        unit.parent.id if unit.parent else None,
        unit.path,
        unit.joint_station.id if unit.joint_station else None,
        unit.police_station.id if unit.police_station else None,
        *boundary,
        unit.phone,
        DEMO_CREATED_AT,
    )


def unit_batch(territory: Territory) -> Batch:
    return Batch("units", UNIT_COLUMNS, [_unit_row(unit) for unit in territory.units()])
