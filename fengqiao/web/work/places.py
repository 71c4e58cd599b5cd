"""Work screens of base data: a building (rooms, residents masked, rentals, enterprises, events) and a grid, village
or town (team, buildings, subunits, open events, boundary map). Outside the viewer's territory: the Chinese 404."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse

from fengqiao.basedata import pages
from fengqiao.jurisdiction.kinds import UnitKind
from fengqiao.web.deps import SessionDep
from fengqiao.web.work.base import PageViewerDep, WorkRoute, render
from fengqiao.web.work.nav import work_me

router = APIRouter(prefix="/work", include_in_schema=False, route_class=WorkRoute)

BuildingId = Annotated[int, Path(ge=1, le=2**31 - 1)]
UnitCode = Annotated[str, Path(min_length=1, max_length=24, pattern=r"^[0-9A-Z]+$")]
PageNo = Annotated[int, Query(ge=1, le=100_000)]


@router.get("/buildings/{building_id}", response_class=HTMLResponse)
def building(
    building_id: BuildingId, request: Request, viewer: PageViewerDep, session: SessionDep, page: PageNo = 1
) -> HTMLResponse:
    data = pages.building_page(session=session, viewer=viewer, building_id=building_id, page=page)
    return render(request, "work/building.html", {"me": work_me(viewer), "nav": "places", "b": data})


@router.get("/units/{code}", response_class=HTMLResponse)
def unit(
    code: UnitCode, request: Request, viewer: PageViewerDep, session: SessionDep, page: PageNo = 1
) -> HTMLResponse:
    data = pages.unit_page(session=session, viewer=viewer, code=code, page=page)
    points = [
        {"id": b.id, "lon": round(b.lon, 6), "lat": round(b.lat, 6), "address": b.standard_address}
        for b in data.buildings
    ]
    context = {
        "me": work_me(viewer),
        "nav": "places",
        "u": data,
        "is_grid": data.unit.kind == UnitKind.GRID.value,
        "points": json.dumps(points, ensure_ascii=False),
    }
    return render(request, "work/grid.html", context)
