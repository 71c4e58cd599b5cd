"""HTTP routes of base data: buildings, rooms and the standard-address prefix search."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from fengqiao.accounts.api import ViewerDep
from fengqiao.basedata import service
from fengqiao.basedata.schemas import AddressSearchResult, BuildingDetail, RoomPage
from fengqiao.web.deps import MAX_ID, NO_CONTROL_CHARS, PageDep, SessionDep

router = APIRouter(tags=["基础数据 / base data"])

BuildingId = Annotated[int, Path(ge=1, le=MAX_ID, description="楼栋编号")]


@router.get("/buildings/{building_id}", summary="楼栋详情 / building detail")
def get_building(session: SessionDep, viewer: ViewerDep, building_id: BuildingId) -> BuildingDetail:
    return service.get_building_detail(session=session, building_id=building_id, scope=viewer.territory)


@router.get("/buildings/{building_id}/rooms", summary="楼栋户室 / rooms of a building")
def list_rooms(session: SessionDep, viewer: ViewerDep, page: PageDep, building_id: BuildingId) -> RoomPage:
    return service.list_rooms(
        session=session, building_id=building_id, limit=page.limit, offset=page.offset, scope=viewer.territory
    )


@router.get("/addresses", summary="标准地址前缀查询 / standard-address prefix search")
def search_addresses(
    session: SessionDep,
    viewer: ViewerDep,
    prefix: Annotated[
        str,
        Query(
            max_length=128,
            pattern=NO_CONTROL_CHARS,
            description="地址开头，可带“浙江省台州市温岭市”，如 泽国镇文昌路88号",
        ),
    ],
    limit: Annotated[int, Query(ge=1, le=100, description="最多返回条数")] = 20,
) -> AddressSearchResult:
    return service.search_addresses(session=session, prefix=prefix, limit=limit, scope=viewer.territory)
