"""Server-rendered pages (Jinja2 + htmx). Pages call the same services as the API; templates only lay out."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from fengqiao import __version__
from fengqiao.basedata import service as basedata
from fengqiao.core.errors import NotFound
from fengqiao.jurisdiction import service as jurisdiction
from fengqiao.web.deps import NO_CONTROL_CHARS, SessionDep, SettingsDep

PLATFORM_TITLE = "枫桥·基层社会治理平台"
TEMPLATES_DIR = Path(__file__).parent / "templates"

templates = Jinja2Templates(directory=TEMPLATES_DIR)
templates.env.globals.update(platform_title=PLATFORM_TITLE, version=__version__)
templates.env.filters["num"] = lambda value: f"{value:,}"
router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    try:
        county = jurisdiction.get_unit(session=session, code=settings.county_code)
    except NotFound:
        county = None
    overview = basedata.territory_overview(session=session, code=county.code) if county else None
    return templates.TemplateResponse(
        request,
        "home.html",
        {
            "county": county,
            "overview": overview,
            "county_code": settings.county_code,
            "tile_url": settings.tile_url or "",
            "tile_attribution": settings.tile_attribution,
        },
    )


@router.get("/partials/units/{code}/overview", response_class=HTMLResponse)
def overview_partial(
    request: Request,
    session: SessionDep,
    code: Annotated[str, PathParam(min_length=1, max_length=64, pattern=NO_CONTROL_CHARS)],
) -> HTMLResponse:
    """The table of a unit's subunits, swapped in by htmx when the map drills down."""
    overview = basedata.territory_overview(session=session, code=code)
    return templates.TemplateResponse(request, "_overview.html", {"overview": overview})
