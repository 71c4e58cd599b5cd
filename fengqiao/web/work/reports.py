"""Work screens of bulletins (通报): the list with downloads, a form to issue one, one bulletin's headline figures.
Thin: ``fengqiao.reports.service`` issues and decides who may see what."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from fengqiao.accounts.scope import Viewer
from fengqiao.assessment.rates import label as metric_label
from fengqiao.core.clock import utcnow
from fengqiao.core.errors import FengqiaoError, Forbidden
from fengqiao.events.kinds import CHANNEL_LABELS, SUPERVISION_LEVEL_LABELS
from fengqiao.jurisdiction.kinds import UnitKind
from fengqiao.jurisdiction.models import Unit
from fengqiao.reports import period as periods
from fengqiao.reports import service
from fengqiao.reports.api import file_response
from fengqiao.reports.period import PERIOD_KIND_LABELS, PeriodKind
from fengqiao.reports.service import FORMAT_LABELS, FileFormat
from fengqiao.web.deps import SessionDep, SettingsDep
from fengqiao.web.work.base import PageViewerDep, WorkRoute, render
from fengqiao.web.work.nav import nav_links, work_me

router = APIRouter(prefix="/work", include_in_schema=False, route_class=WorkRoute)
BulletinId = Annotated[int, Path(ge=1, le=2**31 - 1)]
_CHANNELS = {c.value: label for c, label in CHANNEL_LABELS.items()}
_SUPERVISION = {s.value: label for s, label in SUPERVISION_LEVEL_LABELS.items()}


def require_screen(viewer: Viewer, name: str) -> None:
    """The screen only for posts whose navigation shows it (the county centre and the command rooms)."""
    if not any(link.name == name for link in nav_links(viewer)):
        raise Forbidden("您的岗位不能查看该页面", code="permission_denied")


def issuable_units(*, session: Session, viewer: Viewer) -> list[Unit]:
    """The county and its towns the viewer may issue bulletins for (none for most posts)."""
    units = session.scalars(
        select(Unit)
        .where(Unit.county_code == viewer.county_code, Unit.kind.in_([UnitKind.COUNTY.value, UnitKind.TOWN.value]))
        .order_by(Unit.level, Unit.code)
    ).all()
    return [u for u in units if service.may_issue(viewer, u)]


def _list(
    request: Request, *, session: Session, viewer: Viewer, error: str | None = None, form: dict[str, str] | None = None
) -> HTMLResponse:
    require_screen(viewer, "reports")
    now = utcnow()
    context: dict[str, Any] = {
        "me": work_me(viewer),
        "nav": "reports",
        "rows": service.visible_bulletins(session=session, viewer=viewer),
        "units": issuable_units(session=session, viewer=viewer),
        "kinds": PERIOD_KIND_LABELS,
        "formats": FORMAT_LABELS,
        "error": error,
        "form": form
        or {
            "kind": PeriodKind.MONTHLY.value,
            "month": periods.last_complete(PeriodKind.MONTHLY, now).key,
            "week": periods.last_complete(PeriodKind.WEEKLY, now).key,
        },
    }
    return render(request, "work/reports.html", context, status_code=422 if error else 200)


@router.get("/reports", response_class=HTMLResponse)
def bulletin_list(request: Request, viewer: PageViewerDep, session: SessionDep) -> HTMLResponse:
    return _list(request, session=session, viewer=viewer)


@router.post("/reports", response_class=HTMLResponse)
def issue_bulletin(
    request: Request,
    viewer: PageViewerDep,
    session: SessionDep,
    settings: SettingsDep,
    kind: Annotated[PeriodKind, Form()],
    unit: Annotated[str, Form(max_length=24)],
    month: Annotated[str, Form(max_length=10)] = "",
    week: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    form = {"kind": kind.value, "unit": unit, "month": month, "week": week}
    try:
        issued = service.issue_for(
            session=session,
            viewer=viewer,
            unit_code=unit,
            kind=kind,
            period_text=month if kind is PeriodKind.MONTHLY else week,
            storage=service.file_storage(settings),
        )
    except FengqiaoError as exc:
        return _list(request, session=session, viewer=viewer, error=exc.message, form=form)
    return RedirectResponse(f"/work/reports/{issued.bulletin.id}", status_code=303)


@router.get("/reports/{bulletin_id}", response_class=HTMLResponse)
def bulletin_page(
    bulletin_id: BulletinId, request: Request, viewer: PageViewerDep, session: SessionDep
) -> HTMLResponse:
    require_screen(viewer, "reports")
    bulletin, unit = service.get_bulletin(session=session, viewer=viewer, bulletin_id=bulletin_id)
    figures = bulletin.figures
    context = {
        "me": work_me(viewer),
        "nav": "reports",
        "b": bulletin,
        "unit": unit,
        "formats": FORMAT_LABELS,
        "kind_label": PERIOD_KIND_LABELS[PeriodKind(bulletin.kind)],
        "f": figures,
        "channels": [(_CHANNELS.get(k, k), v) for k, v in figures.get("by_channel", {}).items()],
        "supervised": [(_SUPERVISION.get(k, k), v) for k, v in figures.get("supervised", {}).items()],
        "rates": [(metric_label(k), v) for k, v in figures.get("rates", {}).items()],
    }
    return render(request, "work/report.html", context)


@router.get("/reports/{bulletin_id}/{fmt}")
def bulletin_file(
    bulletin_id: BulletinId, fmt: FileFormat, viewer: PageViewerDep, session: SessionDep, settings: SettingsDep
) -> Response:
    require_screen(viewer, "reports")
    bulletin, _ = service.get_bulletin(session=session, viewer=viewer, bulletin_id=bulletin_id)
    return file_response(bulletin, fmt, settings)
