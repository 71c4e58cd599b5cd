"""HTTP routes of the jurisdiction tree: parse parameters, call the service, return its schema."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse

from fengqiao.jurisdiction import service
from fengqiao.jurisdiction.kinds import UnitKind
from fengqiao.jurisdiction.schemas import LocateResult, UnitDetail, UnitFeature, UnitFeatureCollection, UnitPage
from fengqiao.web.deps import NO_CONTROL_CHARS, PageDep, SessionDep, SettingsDep

router = APIRouter(prefix="/units", tags=["辖区 / jurisdiction"])

UnitCode = Annotated[
    str, Path(min_length=1, max_length=64, pattern=NO_CONTROL_CHARS, description="单位代码，如 331081100")
]


class GeoJSONResponse(JSONResponse):
    media_type = "application/geo+json"


@router.get("", summary="单位列表 / list units")
def list_units(
    session: SessionDep,
    page: PageDep,
    kind: Annotated[UnitKind | None, Query(description="单位类别")] = None,
    parent: Annotated[
        str | None, Query(max_length=64, pattern=NO_CONTROL_CHARS, description="上级单位代码（直属下级）")
    ] = None,
    q: Annotated[str | None, Query(max_length=64, pattern=NO_CONTROL_CHARS, description="名称包含")] = None,
) -> UnitPage:
    return service.list_units(session=session, kind=kind, parent_code=parent, q=q, limit=page.limit, offset=page.offset)


@router.get("/locate", summary="坐标定位到网格、村社、镇街 / locate a point")
def locate(
    session: SessionDep,
    settings: SettingsDep,
    lon: Annotated[float, Query(ge=-180, le=180, allow_inf_nan=False, description="经度（WGS84）")],
    lat: Annotated[float, Query(ge=-90, le=90, allow_inf_nan=False, description="纬度（WGS84）")],
) -> LocateResult:
    return service.locate(session=session, county_code=settings.county_code, lon=lon, lat=lat)


@router.get("/{code}", summary="单位详情 / unit detail")
def get_unit(session: SessionDep, code: UnitCode) -> UnitDetail:
    return service.get_unit_detail(session=session, code=code)


@router.get("/{code}/children", summary="直属下级单位 / children of a unit")
def list_children(
    session: SessionDep,
    page: PageDep,
    code: UnitCode,
    kind: Annotated[UnitKind | None, Query(description="只列出该类别")] = None,
) -> UnitPage:
    return service.list_children(session=session, code=code, kind=kind, limit=page.limit, offset=page.offset)


@router.get("/{code}/boundary", response_class=GeoJSONResponse, summary="单位边界（GeoJSON Feature）")
def get_boundary(session: SessionDep, code: UnitCode) -> UnitFeature:
    return service.get_boundary(session=session, code=code)


@router.get(
    "/{code}/children.geojson",
    response_class=GeoJSONResponse,
    summary="下级单位边界（GeoJSON FeatureCollection，供地图使用）",
)
def get_children_boundaries(
    session: SessionDep,
    code: UnitCode,
    kind: Annotated[
        UnitKind | None, Query(description="只含该类别；默认只含镇街、村社、网格（不含联勤工作站、派出所的服务范围）")
    ] = None,
) -> UnitFeatureCollection:
    return service.get_children_boundaries(session=session, code=code, kind=kind)
