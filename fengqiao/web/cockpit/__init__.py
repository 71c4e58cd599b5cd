"""The command cockpit (指挥大屏): one big screen per unit, drawn from the metrics module, updating itself by polling
``/api/v1/metrics/cockpit`` (with the version tag, so an unchanged screen costs two small aggregates)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from fengqiao.metrics import live, present
from fengqiao.web.deps import SessionDep, SettingsDep
from fengqiao.web.work.base import PageViewerDep, WorkRoute, render

router = APIRouter(include_in_schema=False, route_class=WorkRoute)
UnitCode = Annotated[str, Path(max_length=24, pattern=r"^[0-9A-Za-z]+$")]
POLL_SECONDS = 5


@router.get("/cockpit")
def own_cockpit(viewer: PageViewerDep, session: SessionDep) -> RedirectResponse:
    """The viewer's own top unit; the URL then names it, so a screen can be bookmarked per unit."""
    code = live.default_unit_code(session=session, viewer=viewer)
    return RedirectResponse(f"/cockpit/{code}", status_code=303)


@router.get("/cockpit/{code}", response_class=HTMLResponse)
def unit_cockpit(
    request: Request, code: UnitCode, viewer: PageViewerDep, session: SessionDep, settings: SettingsDep
) -> HTMLResponse:
    scope = live.resolve_scope(session=session, viewer=viewer, code=code)
    data = present.cockpit_out(session=session, data=live.cockpit(session=session, scope=scope))
    context = {
        "data": data,
        # Inside <script>: no "</" may close the element early, whatever an event title says.
        "data_json": data.model_dump_json().replace("<", "\\u003c"),
        "poll_seconds": POLL_SECONDS,
        "tile_url": settings.tile_url or "",
        "tile_attribution": settings.tile_attribution,
        "viewer_name": viewer.full_name,
    }
    return render(request, "cockpit/index.html", context)
