"""Kinds of unit and their Chinese names. Pure data, shared by models, schemas and the generator."""

from __future__ import annotations

from enum import StrEnum


class UnitKind(StrEnum):
    COUNTY = "county"
    TOWN = "town"
    VILLAGE = "village"
    GRID = "grid"
    JOINT_STATION = "joint_station"
    POLICE_STATION = "police_station"
    DEPARTMENT = "department"


class UnitVariant(StrEnum):
    """Finer kind within a level: 街道 vs 镇, 社区 vs 村."""

    SUBDISTRICT = "subdistrict"
    TOWNSHIP = "township"
    COMMUNITY = "community"
    RURAL_VILLAGE = "rural_village"


UNIT_KIND_LABELS: dict[UnitKind, str] = {
    UnitKind.COUNTY: "县(市)",
    UnitKind.TOWN: "镇(街道)",
    UnitKind.VILLAGE: "村(社区)",
    UnitKind.GRID: "网格",
    UnitKind.JOINT_STATION: "联勤工作站",
    UnitKind.POLICE_STATION: "派出所",
    UnitKind.DEPARTMENT: "市级部门",
}

# The territorial tree, top to bottom; a unit's tree level is its index here.
TERRITORIAL_LEVELS: tuple[UnitKind, ...] = (UnitKind.COUNTY, UnitKind.TOWN, UnitKind.VILLAGE, UnitKind.GRID)

# Statistical code lengths (GB/T 2260 + 统计用区划代码 + 单元网格代码).
CODE_LENGTHS: dict[UnitKind, int] = {
    UnitKind.COUNTY: 6,
    UnitKind.TOWN: 9,
    UnitKind.VILLAGE: 12,
    UnitKind.GRID: 15,
}
