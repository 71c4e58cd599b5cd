"""API schemas of the jurisdiction tree, separate from the table model so each can change on its own."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from fengqiao.jurisdiction.kinds import UNIT_KIND_LABELS, UnitKind, UnitVariant
from fengqiao.jurisdiction.models import Unit

UNIT_VARIANT_LABELS: dict[UnitVariant, str] = {
    UnitVariant.SUBDISTRICT: "街道",
    UnitVariant.TOWNSHIP: "镇",
    UnitVariant.COMMUNITY: "社区",
    UnitVariant.RURAL_VILLAGE: "村",
}


def kind_label(kind: str) -> str:
    try:
        return UNIT_KIND_LABELS[UnitKind(kind)]
    except ValueError:
        return kind


def variant_label(variant: str | None) -> str | None:
    if variant is None:
        return None
    try:
        return UNIT_VARIANT_LABELS[UnitVariant(variant)]
    except ValueError:
        return variant


class LonLat(BaseModel):
    lon: float = Field(description="经度（WGS84）")
    lat: float = Field(description="纬度（WGS84）")


class UnitRef(BaseModel):
    """A unit named in another answer: enough to show it and to link to it."""

    code: str = Field(description="单位代码", examples=["331081100"])
    name: str = Field(description="名称", examples=["泽国镇"])
    kind: str = Field(description="类别代码", examples=["town"])
    kind_label: str = Field(description="类别名称", examples=["镇(街道)"])

    @classmethod
    def of(cls, unit: Unit) -> UnitRef:
        return cls(code=unit.code, name=unit.name, kind=unit.kind, kind_label=kind_label(unit.kind))


class UnitSummary(UnitRef):
    variant: str | None = Field(default=None, description="细分类别代码，如 subdistrict")
    variant_label: str | None = Field(default=None, description="细分类别名称，如 街道")
    level: int = Field(description="层级：0 县，1 镇街，2 村社，3 网格")
    parent_code: str | None = Field(default=None, description="上级单位代码")
    area_km2: float | None = Field(default=None, description="面积（平方千米）")
    centroid: LonLat | None = Field(default=None, description="标注点（位于边界之内）")

    @classmethod
    def of_unit(cls, unit: Unit, *, parent_code: str | None) -> UnitSummary:
        return cls(
            **UnitRef.of(unit).model_dump(),
            variant=unit.variant,
            variant_label=variant_label(unit.variant),
            level=unit.level,
            parent_code=parent_code,
            area_km2=unit.area_km2,
            centroid=_centroid(unit),
        )


def _centroid(unit: Unit) -> LonLat | None:
    if unit.centroid_lon is None or unit.centroid_lat is None:
        return None
    return LonLat(lon=unit.centroid_lon, lat=unit.centroid_lat)


class UnitPage(BaseModel):
    total: int = Field(description="符合条件的总数")
    limit: int
    offset: int
    items: list[UnitSummary]


class KindCount(BaseModel):
    kind: str
    kind_label: str
    count: int


class UnitDetail(UnitSummary):
    breadcrumb: list[UnitRef] = Field(description="从县(市)到上级单位的层级链，不含本单位")
    children_count: int = Field(description="直属下级单位数")
    descendant_counts: list[KindCount] = Field(description="辖区内各类下级单位数（含间接下级）")
    joint_station: UnitRef | None = Field(default=None, description="所属联勤工作站（村社、网格）")
    police_station: UnitRef | None = Field(default=None, description="所属派出所（村社、网格）")
    bbox: tuple[float, float, float, float] | None = Field(
        default=None, description="边界外接矩形 [最小经度, 最小纬度, 最大经度, 最大纬度]"
    )
    has_boundary: bool
    phone: str | None = None


class UnitFeatureProperties(BaseModel):
    code: str
    name: str
    kind: str
    kind_label: str
    area_km2: float | None = None
    label_lon: float | None = Field(default=None, description="标注点经度")
    label_lat: float | None = Field(default=None, description="标注点纬度")


class UnitFeature(BaseModel):
    """A GeoJSON Feature (RFC 7946) of one unit's boundary."""

    type: Literal["Feature"] = "Feature"
    id: str
    geometry: dict[str, Any]
    properties: UnitFeatureProperties


class UnitFeatureCollection(BaseModel):
    type: Literal["FeatureCollection"] = "FeatureCollection"
    bbox: tuple[float, float, float, float] | None = None
    features: list[UnitFeature]


class LocateResult(BaseModel):
    lon: float
    lat: float
    county: UnitRef
    town: UnitRef | None = Field(default=None, description="所在镇(街道)")
    village: UnitRef | None = Field(default=None, description="所在村(社区)")
    grid: UnitRef | None = Field(default=None, description="所在网格")
    chain: list[UnitRef] = Field(description="从县(市)到最小单位的层级链")
