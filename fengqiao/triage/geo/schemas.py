"""API schemas of geo-routing, apart from the routing tables so each can change on its own."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from fengqiao.jurisdiction.schemas import LonLat, UnitRef
from fengqiao.triage.geo.coords import Crs

MAX_BATCH_POINTS = 10_000


class Route(BaseModel):
    """Where a point belongs and who serves it."""

    point: LonLat = Field(description="用于定位的坐标（已换算为 WGS84）")
    grid: UnitRef = Field(description="所在网格")
    village: UnitRef | None = Field(default=None, description="所在村(社区)")
    town: UnitRef | None = Field(default=None, description="所在镇(街道)")
    joint_station: UnitRef | None = Field(default=None, description="负责的联勤工作站")
    police_station: UnitRef | None = Field(default=None, description="负责的派出所")


class PointIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lon: float = Field(ge=-180, le=180, allow_inf_nan=False, description="经度")
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False, description="纬度")


class BatchRouteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    crs: Crs = Field(default=Crs.WGS84, description="坐标系：wgs84（GPS）或 gcj02（高德、腾讯等国内地图）")
    points: list[PointIn] = Field(min_length=1, max_length=MAX_BATCH_POINTS, description="待定位的点，最多 10000 个")


class BatchRouteItem(BaseModel):
    """One input point's answer, in input order: a route, or ``outside_county`` with no route."""

    index: int = Field(description="在请求 points 中的序号（从 0 起）")
    status: Literal["routed", "outside_county"] = Field(description="routed 已定位；outside_county 不在本县辖区")
    route: Route | None = Field(default=None, description="定位结果；不在辖区时为空")


class BatchRouteOut(BaseModel):
    crs: Crs = Field(description="请求所用坐标系")
    routed: int = Field(description="已定位的点数")
    outside: int = Field(description="不在辖区内的点数")
    items: list[BatchRouteItem]
