"""The staff work screens: inbox, event list, event detail with its actions. Thin: the events services decide, the
presenter masks and labels, these routes only choose the template."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, Query, Request, Response, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from fengqiao.accounts.permissions import Permission
from fengqiao.accounts.scope import Viewer
from fengqiao.core.clock import utcnow
from fengqiao.core.errors import FengqiaoError, InvalidInput, NotFound
from fengqiao.core.paging import page_count
from fengqiao.events import actions, present, queries
from fengqiao.events import api as events_api
from fengqiao.events.models import Event
from fengqiao.web.deps import SessionDep, SettingsDep
from fengqiao.web.work import alerts as alerts_screen
from fengqiao.web.work import patrol, views
from fengqiao.web.work import warnings as warnings_screen
from fengqiao.web.work.base import PageViewerDep, WorkRoute, htmx_flash, is_htmx, render
from fengqiao.web.work.nav import work_me

router = APIRouter(prefix="/work", include_in_schema=False, route_class=WorkRoute)
EventId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("", response_class=HTMLResponse)
def inbox(request: Request, viewer: PageViewerDep, session: SessionDep) -> HTMLResponse:
    items = queries.inbox(session=session, viewer=viewer)
    summaries = present.summaries(session=session, events=[i.event for i in items])
    now = utcnow()
    rows = views.urgency_order(
        [views.Row(s, views.light(i.event, now), i.reason) for i, s in zip(items, summaries, strict=True)]
    )
    context = {
        "me": work_me(viewer),
        "nav": "inbox",
        "rows": rows,
        "lights": views.light_counts(rows),
        "counts": queries.open_counts(session=session, viewer=viewer),
        "pending_warnings": warnings_screen.inbox_warnings(session=session, viewer=viewer),
        **alerts_screen.inbox_context(session=session, viewer=viewer),
    }
    return render(request, "work/inbox.html", context)


@router.get("/events", response_class=HTMLResponse)
def event_list(
    request: Request,
    viewer: PageViewerDep,
    session: SessionDep,
    params: Annotated[views.ListParams, Query()],
) -> HTMLResponse:
    error: str | None = None
    rows: list[views.Row] = []
    total = 0
    try:
        flt = views.event_filter(params)
        offset = (params.page - 1) * views.PAGE_SIZE
        events, total = queries.list_events(
            session=session, viewer=viewer, flt=flt, limit=views.PAGE_SIZE, offset=offset
        )
        now = utcnow()
        summaries = present.summaries(session=session, events=events)
        rows = [views.Row(s, views.light(e, now)) for e, s in zip(events, summaries, strict=True)]
    except FengqiaoError as exc:
        error = exc.message
    context = {
        "me": work_me(viewer),
        "nav": "events",
        "params": params,
        "rows": rows,
        "total": total,
        "pages": page_count(total, views.PAGE_SIZE),
        "error": error,
        "choices": {
            "status": views.STATUS_CHOICES,
            "channel": views.CHANNEL_CHOICES,
            "risk": views.RISK_CHOICES,
            "overdue": views.OVERDUE_CHOICES,
            "sort": views.SORT_CHOICES,
        },
    }
    template = "work/_events_table.html" if is_htmx(request) else "work/events.html"
    return render(request, template, context)


def _detail_context(
    *, session: Session, viewer: Viewer, event: Event, unmasked: bool = False, detail: Any = None
) -> dict[str, Any]:
    detail = detail or present.detail(session=session, viewer=viewer, event=event, unmasked=unmasked)
    forms = views.action_forms(session=session, viewer=viewer, event=event, allowed=detail.allowed_actions)
    triage = views.triage_view(session=session, event=event)
    needs_units = any(f.needs_target for f in forms)
    return {
        "me": work_me(viewer),
        "nav": "events",
        "event": detail,
        "map_point": views.map_point(session=session, event=event),
        "light": views.light(event),
        "timeline": present.timeline(session=session, event=event),
        "triage": triage,
        "forms": forms,
        "may_unmask": viewer.may(Permission.UNMASK) and detail.masked,
        "unit_groups": views.dispatch_choices(
            session=session, event=event, suggested=triage.primary_code if triage else None
        )
        if needs_units
        else [],
        "choices": {
            "satisfaction": views.SATISFACTION_CHOICES,
            "supervision": views.SUPERVISION_CHOICES,
            "callback": views.CALLBACK_METHODS,
            "outcome": views.MEDIATION_OUTCOMES,
        },
        "error": None,
        "notice": None,
    }


def _show(request: Request, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    if is_htmx(request):
        return render(request, "work/_detail.html", context)
    return render(request, "work/detail.html", context, status_code=status_code)


@router.get("/events/{event_id}", response_class=HTMLResponse)
def event_detail(event_id: EventId, request: Request, viewer: PageViewerDep, session: SessionDep) -> HTMLResponse:
    event = queries.get_visible_event(session=session, viewer=viewer, event_id=event_id)
    return _show(request, _detail_context(session=session, viewer=viewer, event=event))


@router.post("/events/{event_id}/unmask", response_class=HTMLResponse)
def unmask(event_id: EventId, request: Request, viewer: PageViewerDep, session: SessionDep) -> HTMLResponse:
    """The API's unmask itself: the same checks and the same audit entry; the page then shows the whole data."""
    detail = events_api.unmask_event(event_id, viewer, session, request)
    event = queries.get_visible_event(session=session, viewer=viewer, event_id=event_id)
    context = _detail_context(session=session, viewer=viewer, event=event, detail=detail)
    context["notice"] = "已显示完整信息，本次查看已记入审计日志"
    return _show(request, context)


@router.post("/events/{event_id}/actions/{action}", response_class=HTMLResponse)
async def act(
    event_id: EventId,
    action: Annotated[str, Path(max_length=32)],
    request: Request,
    viewer: PageViewerDep,
    session: SessionDep,
    settings: SettingsDep,
    fields: Annotated[views.ActionFields, Form()],
    photos: Annotated[list[UploadFile], File()] = [],  # noqa: B006 - FastAPI copies defaults per request
) -> Response:
    chosen = views.parse_action(action)
    error: FengqiaoError | None = None
    # A refused action sends nothing: the browser cannot keep a file input's choice across the answer.
    again = "（照片需重新选择）" if any(p.filename for p in photos) else ""
    try:
        action_request = views.action_request(chosen, fields)
        carried = await patrol.read_photos(photos)
        if carried and chosen not in views.PHOTO_ACTIONS:
            raise InvalidInput("这项操作不能附带照片", code="invalid_input")
        # A savepoint: a refused action (or photo) leaves nothing behind, and the page still renders (and commits).
        with session.begin_nested():
            event = actions.perform(session=session, viewer=viewer, event_id=event_id, request=action_request)
            # The photos belong to the action that carried them (the report back), not to whatever came before it.
            patrol.attach_photos(
                session=session,
                storage=patrol.photo_storage(settings),
                viewer=viewer,
                event_id=event_id,
                photos=carried,
                action_id=event.actions[-1].id,
            )
    except FengqiaoError as exc:
        error = exc
    try:
        event = queries.get_visible_event(session=session, viewer=viewer, event_id=event_id)
    except NotFound:
        # The action took the event out of this viewer's sight (or it never was in it).
        if error is not None and is_htmx(request):
            return htmx_flash(request, error.message)
        if is_htmx(request):
            return Response(status_code=204, headers={"HX-Redirect": "/work"})
        return RedirectResponse("/work", status_code=303)
    if error is None and not is_htmx(request):
        return RedirectResponse(f"/work/events/{event_id}", status_code=303)
    context = _detail_context(session=session, viewer=viewer, event=event)
    if error is not None:
        context["error"] = error.message + again
        context["failed_action"] = chosen.value
        context["fields"] = fields
        return _show(request, context, status_code=error.status_code)
    context["notice"] = views.success_message(chosen)
    return _show(request, context)
