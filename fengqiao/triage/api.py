"""HTTP routes of triage: geo-routing (coordinates or a building → grid, village, town and serving stations).

For staff only (a logged-in viewer), though routing data is not personal: it is an internal tool, not a public map.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from fengqiao.accounts.api import ViewerDep
from fengqiao.core.errors import InvalidInput
from fengqiao.events import present
from fengqiao.events.schemas import EventDetailOut
from fengqiao.triage.geo import service
from fengqiao.triage.geo.coords import Crs
from fengqiao.triage.geo.schemas import BatchRouteIn, BatchRouteOut, Route
from fengqiao.triage.reclassify import reclassify
from fengqiao.web.deps import MAX_ID, ReadSessionDep, SessionDep, SettingsDep

router = APIRouter(prefix="/route", tags=["分拨 / triage"])


@router.get("", summary="坐标或楼栋分拨到网格、村社、镇街、联勤工作站、派出所 / route a point or a building")
def route(
    session: SessionDep,
    settings: SettingsDep,
    viewer: ViewerDep,
    lon: Annotated[float | None, Query(ge=-180, le=180, allow_inf_nan=False, description="经度")] = None,
    lat: Annotated[float | None, Query(ge=-90, le=90, allow_inf_nan=False, description="纬度")] = None,
    crs: Annotated[Crs, Query(description="坐标系：wgs84（GPS）或 gcj02（高德、腾讯等国内地图）")] = Crs.WGS84,
    building_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="楼栋编号（地址匹配结果）；与经纬度二选一")
    ] = None,
) -> Route:
    if building_id is not None and lon is None and lat is None:
        return service.route_building(session=session, county_code=settings.county_code, building_id=building_id)
    if building_id is None and lon is not None and lat is not None:
        return service.route_point(session=session, county_code=settings.county_code, lon=lon, lat=lat, crs=crs)
    raise InvalidInput(
        "请提供经纬度（lon 和 lat）或楼栋编号（building_id），二者选其一",
        code="invalid_route_query",
        details={"lon": lon, "lat": lat, "building_id": building_id},
    )


@router.post("/batch", response_model=BatchRouteOut, summary="批量坐标分拨（最多 10000 个点）/ route a batch of points")
def route_batch(session: ReadSessionDep, settings: SettingsDep, viewer: ViewerDep, body: BatchRouteIn) -> Response:
    lons = [point.lon for point in body.points]
    lats = [point.lat for point in body.points]
    routes = service.route_points(session=session, county_code=settings.county_code, lons=lons, lats=lats, crs=body.crs)
    # Serialised here: returning the model would make FastAPI validate all 10,000 routes again (~0.5 s) first.
    return Response(content=routes.model_dump_json(), media_type="application/json")


reclassify_router = APIRouter(tags=["分拨 / triage"])


class ReclassifyIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    version: int = Field(ge=1, le=2**31 - 1, description="您看到的事件版本")
    subcategory: str = Field(min_length=3, max_length=64, pattern=r"^[a-z_]+\.[a-z_0-9]+$", description="细类代码")
    note: str | None = Field(default=None, max_length=2000, pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$")


@reclassify_router.post(
    "/events/{event_id}/reclassify",
    response_model=EventDetailOut,
    summary="更正事件分类（记入模型纠错）/ correct an event's category",
)
def reclassify_event(
    event_id: Annotated[int, Path(ge=1, le=MAX_ID)], body: ReclassifyIn, viewer: ViewerDep, session: SessionDep
) -> EventDetailOut:
    event = reclassify(
        session=session,
        viewer=viewer,
        event_id=event_id,
        version=body.version,
        subcategory=body.subcategory,
        note=body.note,
    )
    return present.detail(session=session, viewer=viewer, event=event, unmasked=False)
