"""Enumerations of base data with their Chinese names."""

from __future__ import annotations

from enum import StrEnum


class BuildingKind(StrEnum):
    ESTATE = "estate"  # 小区住宅楼
    VILLAGE_HOUSE = "village_house"  # 农居房
    SHOP = "shop"  # 沿街商铺
    FACTORY = "factory"  # 厂房
    PUBLIC = "public"  # 公共建筑 (学校、医院、机关)


BUILDING_KIND_LABELS: dict[BuildingKind, str] = {
    BuildingKind.ESTATE: "小区住宅",
    BuildingKind.VILLAGE_HOUSE: "农居房",
    BuildingKind.SHOP: "沿街商铺",
    BuildingKind.FACTORY: "厂房",
    BuildingKind.PUBLIC: "公共建筑",
}


class PopulationType(StrEnum):
    REGISTERED = "registered"  # 户籍人口
    FLOATING = "floating"  # 流动人口


POPULATION_TYPE_LABELS: dict[PopulationType, str] = {
    PopulationType.REGISTERED: "户籍人口",
    PopulationType.FLOATING: "流动人口",
}
