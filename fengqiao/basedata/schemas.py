"""API schemas of buildings, rooms and addresses. No personal data of residents: only counts, until masking and
permissions exist."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from fengqiao.basedata.kinds import BUILDING_KIND_LABELS, BuildingKind
from fengqiao.jurisdiction.schemas import LonLat, UnitRef


def building_kind_label(kind: str) -> str:
    try:
        return BUILDING_KIND_LABELS[BuildingKind(kind)]
    except ValueError:
        return kind


class EnterpriseBrief(BaseModel):
    id: int
    name: str = Field(description="企业名称")
    credit_code: str = Field(description="统一社会信用代码")
    industry: str = Field(description="行业")
    employee_count: int = Field(description="从业人数")


class BuildingDetail(BaseModel):
    id: int
    standard_address: str = Field(description="标准地址（不含省市县前缀）", examples=["泽国镇文昌路88号"])
    kind: str = Field(examples=["estate"])
    kind_label: str = Field(examples=["小区住宅"])
    name: str | None = Field(default=None, description="楼栋名称")
    road: str = Field(description="道路，或农居房所在村")
    house_number: int = Field(description="门牌号")
    estate: str | None = Field(default=None, description="小区")
    building_no: int | None = Field(default=None, description="幢号")
    floors: int = Field(description="层数")
    location: LonLat
    grid: UnitRef = Field(description="所在网格")
    village: UnitRef | None = Field(default=None, description="所在村(社区)")
    town: UnitRef | None = Field(default=None, description="所在镇(街道)")
    room_count: int = Field(description="户室数")
    rental_room_count: int = Field(description="出租户室数")
    resident_count: int = Field(description="实有人口数")
    enterprises: list[EnterpriseBrief] = Field(description="楼内企业")


class RoomSummary(BaseModel):
    id: int
    unit_no: int | None = Field(default=None, description="单元号")
    floor: int = Field(description="楼层")
    room_no: str = Field(description="室号")
    standard_address: str
    is_rental: bool = Field(description="是否出租")
    resident_count: int = Field(description="居住人数")


class RoomPage(BaseModel):
    building_id: int
    total: int
    limit: int
    offset: int
    items: list[RoomSummary]


class AddressMatch(BaseModel):
    kind: Literal["building", "room"] = Field(description="building 楼栋 / room 户室")
    id: int
    building_id: int
    standard_address: str


class AddressSearchResult(BaseModel):
    prefix: str = Field(description="去掉省市县前缀和空白后实际查询的前缀")
    has_more: bool = Field(description="是否还有更多匹配")
    items: list[AddressMatch]


class TerritoryCounts(BaseModel):
    villages: int = Field(description="村(社区)数")
    grids: int = Field(description="网格数")
    buildings: int = Field(description="楼栋数")
    residents: int = Field(description="实有人口数")


class SubunitCounts(TerritoryCounts):
    unit: UnitRef


class TerritoryOverview(BaseModel):
    """A unit's direct territorial subunits with what lies in each, for the home page and the cockpit."""

    unit: UnitRef
    breadcrumb: list[UnitRef]
    rows: list[SubunitCounts]
    totals: TerritoryCounts
