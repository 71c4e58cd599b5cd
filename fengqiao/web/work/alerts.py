"""Work screens of sensor alerts (感知告警): the command room's live alert groups with maintenance silences, the
grid worker's 三必到 cards (acknowledge, arrive, result), the device registry with its import, and the maintenance
list with false-alarm rates. Thin over ``fengqiao.alerts``: the services decide and scope, ``alerts.present``
labels, these routes only choose the template."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Path, Query, Request, Response, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse
from openpyxl import Workbook
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from fengqiao.accounts.masking import mask_phone
from fengqiao.accounts.permissions import Permission
from fengqiao.accounts.scope import Viewer
from fengqiao.alerts import deadletters, devices, dispatch, groups, maintenance, present, silences
from fengqiao.alerts.importer import MAX_BYTES, import_devices
from fengqiao.alerts.kinds import AlertKind, DeviceStatus, GroupStatus
from fengqiao.alerts.models import AlertDevice
from fengqiao.core.clock import CHINA_TZ, utcnow
from fengqiao.core.errors import FengqiaoError, Forbidden, InvalidInput, NotFound
from fengqiao.core.paging import page_count
from fengqiao.jurisdiction.kinds import UnitKind
from fengqiao.jurisdiction.models import Unit
from fengqiao.jurisdiction.paths import under_path
from fengqiao.web.deps import SessionDep
from fengqiao.web.work.base import PageViewerDep, WorkRoute, is_htmx, render, safe_next
from fengqiao.web.work.nav import work_me

router = APIRouter(prefix="/work", include_in_schema=False, route_class=WorkRoute)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
GROUP_PAGE = 50
DEVICE_PAGE = 50
REFRESH_SECONDS = 10
TEMPLATE_HEADERS = (
    "设备编号",
    "设备类型",
    "设备名称",
    "点位",
    "楼栋/地址",
    "经度",
    "纬度",
    "责任人",
    "联系电话",
    "型号",
    "厂商",
    "心跳间隔(秒)",
)
TEMPLATE_EXAMPLE = (
    "331081-SD-900001",
    "烟感",
    "3楼走廊烟感",
    "",
    "泽国镇文昌路88号",
    "",
    "",
    "陈海燕",
    "13905761234",
    "NB-IoT独立式烟感",
    "海曼科技",
    "3600",
)
KindParam = Annotated[str, Query(pattern="^(|smoke|drowning|intrusion|key_person)$")]


def _kind(value: str) -> AlertKind | None:
    return AlertKind(value) if value else None


def _require_dispatch(viewer: Viewer, what: str) -> None:
    if not viewer.may(Permission.DISPATCH):
        raise Forbidden(f"只有指挥调度岗位可以{what}", code="permission_denied")


def _back(request: Request) -> str:
    return str(request.url.path) + (f"?{request.url.query}" if request.url.query else "")


# --- 三必到 cards (the grid worker's, also at the top of the inbox) -------------------------------------------------


def inbox_cards(*, session: Session, viewer: Viewer) -> list[present.DispatchCard]:
    """The dispatched sensor alerts the viewer's units must act on, nearest arrival deadline first."""
    items = dispatch.awaiting(session=session, viewer=viewer)
    return present.dispatch_cards(session, items, unmasked=viewer.may(Permission.UNMASK))


def inbox_context(*, session: Session, viewer: Viewer) -> dict[str, Any]:
    """What the inbox adds for its 三必到 cards (template ``work/_alert_inbox.html``)."""
    return {
        "alert_cards": inbox_cards(session=session, viewer=viewer),
        "alert_back": "/work",
        "alert_empty": False,
        "results": present.RESULT_CHOICES,
    }


def _duty_context(
    session: Session, viewer: Viewer, *, back: str, error: str | None = None, empty: bool = True
) -> dict[str, Any]:
    return {
        "me": work_me(viewer),
        "nav": "alert_duty",
        "alert_cards": inbox_cards(session=session, viewer=viewer),
        "alert_back": back,
        "alert_empty": empty,  # say "nothing to do" when there are no cards (not in the inbox: it has its own)
        "results": present.RESULT_CHOICES,
        "error": error,
    }


@router.get("/alerts/duty", response_class=HTMLResponse)
def duty_page(request: Request, viewer: PageViewerDep, session: SessionDep) -> HTMLResponse:
    return render(request, "work/alerts_duty.html", _duty_context(session, viewer, back="/work/alerts/duty"))


@router.get("/alerts/inbox", response_class=HTMLResponse)
def inbox_partial(
    request: Request,
    viewer: PageViewerDep,
    session: SessionDep,
    back: Annotated[str, Query(max_length=200)] = "/work",
    empty: Annotated[str, Query(pattern="^(|1)$")] = "",
) -> HTMLResponse:
    """The cards alone, for the inbox's polling (a new dispatch shows up without reloading)."""
    context = _duty_context(session, viewer, back=safe_next(back), empty=empty == "1")
    return render(request, "work/_alert_inbox.html", context)


def _after(request: Request, session: Session, viewer: Viewer, back: str, error: str | None) -> Response:
    if error is None:
        return RedirectResponse(safe_next(back or "/work/alerts/duty"), status_code=303)
    context = _duty_context(session, viewer, back=safe_next(back or "/work/alerts/duty"), error=error)
    return render(request, "work/alerts_duty.html", context, status_code=409 if not is_htmx(request) else 200)


def _step(
    request: Request,
    session: Session,
    viewer: Viewer,
    back: str,
    dispatch_id: int,
    version: int | None,
    act: Callable[..., object],
) -> Response:
    """Acknowledge or arrive: refused steps show their reason on the card instead of failing the page."""
    dispatch.get_dispatch(session=session, viewer=viewer, dispatch_id=dispatch_id)
    try:
        with session.begin_nested():
            act(session=session, viewer=viewer, dispatch_id=dispatch_id, version=version)
    except FengqiaoError as exc:
        return _after(request, session, viewer, back, exc.message)
    return _after(request, session, viewer, back, None)


@router.post("/alerts/dispatches/{dispatch_id}/acknowledge", response_class=HTMLResponse)
def acknowledge(
    dispatch_id: Id,
    request: Request,
    viewer: PageViewerDep,
    session: SessionDep,
    version: Annotated[int | None, Form(ge=1, le=2**31 - 1)] = None,
    back: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    return _step(request, session, viewer, back, dispatch_id, version, dispatch.acknowledge)


@router.post("/alerts/dispatches/{dispatch_id}/arrive", response_class=HTMLResponse)
def arrive(
    dispatch_id: Id,
    request: Request,
    viewer: PageViewerDep,
    session: SessionDep,
    version: Annotated[int | None, Form(ge=1, le=2**31 - 1)] = None,
    back: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    return _step(request, session, viewer, back, dispatch_id, version, dispatch.arrive)


@router.post("/alerts/dispatches/{dispatch_id}/result", response_class=HTMLResponse)
def record_result(
    dispatch_id: Id,
    request: Request,
    viewer: PageViewerDep,
    session: SessionDep,
    result: Annotated[str, Form(max_length=16)],
    version: Annotated[int | None, Form(ge=1, le=2**31 - 1)] = None,
    note: Annotated[str, Form(max_length=400)] = "",
    back: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    dispatch.get_dispatch(session=session, viewer=viewer, dispatch_id=dispatch_id)
    try:
        outcome = dispatch.parse_result(result)
        with session.begin_nested():
            dispatch.record_result(
                session=session, viewer=viewer, dispatch_id=dispatch_id, result=outcome, note=note, version=version
            )
    except FengqiaoError as exc:
        return _after(request, session, viewer, back, exc.message)
    return _after(request, session, viewer, back, None)


# --- the command room's other tabs: the daily list and the dead letters ----------------------------------------

DEAD_LETTER_PAGE = 50
ALERT_TABS = (("groups", "告警组", "/work/alerts"), ("daily", "每日清单", "/work/alerts/daily"))
DEAD_LETTER_TAB = ("dead-letters", "死信", "/work/alerts/dead-letters")


def alert_tabs(viewer: Viewer) -> list[tuple[str, str, str]]:
    """The tabs of the alerts screens; the dead letters only for county-wide staff (they have no place to scope)."""
    return [*ALERT_TABS, DEAD_LETTER_TAB] if viewer.is_county_wide else list(ALERT_TABS)


@router.get("/alerts/daily", response_class=HTMLResponse)
def daily_page(
    request: Request,
    viewer: PageViewerDep,
    session: SessionDep,
    day: Annotated[str, Query(pattern=r"^(|\d{4}-\d{2}-\d{2})$")] = "",
) -> HTMLResponse:
    """重点人员等低风险告警的每日清单: groups the policy lists rather than promotes, by the day they began."""
    today = utcnow().astimezone(CHINA_TZ).date()
    try:
        chosen = date.fromisoformat(day) if day else today
    except ValueError:
        chosen = today
    rows = groups.daily_list(session=session, viewer=viewer, day=chosen)
    context = {
        "me": work_me(viewer),
        "nav": "alerts",
        "tabs": alert_tabs(viewer),
        "tab": "daily",
        "day": chosen,
        "previous_day": chosen - timedelta(days=1),
        "next_day": chosen + timedelta(days=1) if chosen < today else None,
        "groups": present.group_rows(session, rows),
        "by_kind": _count_by(rows, "kind"),
    }
    return render(request, "work/alerts_daily.html", context)


def _count_by(rows: list[Any], attribute: str) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for row in rows:
        key = getattr(row, attribute)
        counts[key] = counts.get(key, 0) + 1
    return [(present.kind_label(k), n) for k, n in sorted(counts.items())]


@router.get("/alerts/dead-letters", response_class=HTMLResponse)
def dead_letters_page(
    request: Request,
    viewer: PageViewerDep,
    session: SessionDep,
    reason: Annotated[str, Query(max_length=40, pattern=r"^[a-z_]*$")] = "",
    channel: Annotated[str, Query(pattern="^(|mqtt|http|demo)$")] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    """死信: messages intake refused, with why — for the county centre, who chases the vendors' feeds (the service
    refuses everyone else)."""
    rows, total = deadletters.list_dead_letters(
        session=session,
        viewer=viewer,
        reason_code=reason or None,
        channel=channel or None,
        limit=DEAD_LETTER_PAGE,
        offset=(page - 1) * DEAD_LETTER_PAGE,
    )
    context = {
        "me": work_me(viewer),
        "nav": "alerts",
        "tabs": alert_tabs(viewer),
        "tab": "dead-letters",
        "letters": present.dead_letter_rows(rows),
        "total": total,
        "page": page,
        "pages": page_count(total, DEAD_LETTER_PAGE),
        "reason": reason,
        "channel": channel,
        "reasons": present.DEAD_LETTER_REASON_CHOICES,
        "channels": present.CHANNEL_CHOICES,
    }
    return render(request, "work/alerts_dead_letters.html", context)


# --- the command room ----------------------------------------------------------------------------------------------


def _groups_context(session: Session, viewer: Viewer, *, kind: str, status: str, page: int) -> dict[str, Any]:
    rows, total = groups.list_groups(
        session=session,
        viewer=viewer,
        kind=_kind(kind),
        status=GroupStatus(status) if status else None,
        limit=GROUP_PAGE,
        offset=(page - 1) * GROUP_PAGE,
    )
    query = f"kind={kind}&status={status}&page={page}"
    return {
        "groups": present.group_rows(session, rows),
        "total": total,
        "page": page,
        "pages": page_count(total, GROUP_PAGE),
        "kind": kind,
        "status": status,
        "refresh_url": f"/work/alerts/groups?{query}",
        "refresh_seconds": REFRESH_SECONDS,
        "tally": present.status_counts(session=session, viewer=viewer, since=utcnow() - timedelta(hours=24)),
        "refreshed_at": utcnow(),
    }


def _silence_units(session: Session, viewer: Viewer) -> list[tuple[str, str]]:
    """Areas a silence may cover: the viewer's towns, villages and grids (the county centre: towns and villages)."""
    kinds = [UnitKind.TOWN.value, UnitKind.VILLAGE.value]
    statement = select(Unit.code, Unit.name, Unit.kind, Unit.path).where(Unit.county_code == viewer.county_code)
    if not viewer.is_county_wide:
        paths = viewer.territorial_paths
        if not paths:
            return []
        statement = statement.where(or_(*[under_path(Unit.path, p) for p in paths]))
        kinds.append(UnitKind.GRID.value)
    rows = session.execute(statement.where(Unit.kind.in_(kinds)).order_by(Unit.path).limit(2000)).all()
    indent = {UnitKind.TOWN.value: "", UnitKind.VILLAGE.value: "　", UnitKind.GRID.value: "　　"}
    return [(code, f"{indent.get(k, '')}{name}") for code, name, k, _ in rows]


def _command_room(
    request: Request,
    session: Session,
    viewer: Viewer,
    *,
    kind: str = "",
    status: str = "",
    page: int = 1,
    error: str | None = None,
    notice: str | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    items, silence_total = silences.list_silences(session=session, viewer=viewer)
    context = {
        "me": work_me(viewer),
        "nav": "alerts",
        "tabs": alert_tabs(viewer),
        "tab": "groups",
        **_groups_context(session, viewer, kind=kind, status=status, page=page),
        "kinds": present.KIND_CHOICES,
        "statuses": present.STATUS_CHOICES,
        "silences": present.silence_rows(session, items),
        "silence_total": silence_total,
        "may_silence": viewer.may(Permission.DISPATCH),
        "silence_units": _silence_units(session, viewer) if viewer.may(Permission.DISPATCH) else [],
        "default_end": (utcnow() + timedelta(hours=4)).astimezone(CHINA_TZ).strftime("%Y-%m-%dT%H:%M"),
        "form": form or {},
        "alert_cards": inbox_cards(session=session, viewer=viewer),
        "alert_back": "/work/alerts",
        "results": present.RESULT_CHOICES,
        "error": error,
        "notice": notice,
    }
    return render(request, "work/alerts.html", context, status_code=status_code)


@router.get("/alerts", response_class=HTMLResponse)
def command_room(
    request: Request,
    viewer: PageViewerDep,
    session: SessionDep,
    kind: KindParam = "",
    status: Annotated[str, Query(pattern="^(|pending|cancelled|suppressed|silenced|listed|promoted|resolved)$")] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    saved: Annotated[str, Query(pattern="^(|created|deleted)$")] = "",
) -> HTMLResponse:
    notice = {"created": "已设置维护静默", "deleted": "已结束维护静默"}.get(saved)
    return _command_room(request, session, viewer, kind=kind, status=status, page=page, notice=notice)


@router.get("/alerts/groups", response_class=HTMLResponse)
def groups_partial(
    request: Request,
    viewer: PageViewerDep,
    session: SessionDep,
    kind: KindParam = "",
    status: Annotated[str, Query(pattern="^(|pending|cancelled|suppressed|silenced|listed|promoted|resolved)$")] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    """The live part of the command room, polled by htmx."""
    context = _groups_context(session, viewer, kind=kind, status=status, page=page)
    return render(request, "work/_alert_groups.html", context)


def _parse_local(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput("结束时间格式不正确", code="invalid_time") from None
    return moment.replace(tzinfo=CHINA_TZ) if moment.tzinfo is None else moment


def _device_by_code(session: Session, viewer: Viewer, code: str) -> AlertDevice:
    found = session.scalars(
        select(AlertDevice).where(AlertDevice.code == code.strip(), devices.visible_device(viewer)).limit(2)
    ).all()
    if len(found) != 1:
        raise NotFound(f"辖区内未找到设备“{code.strip()}”", code="device_not_found")
    return found[0]


@router.post("/alerts/silences", response_class=HTMLResponse)
def create_silence(
    request: Request,
    viewer: PageViewerDep,
    session: SessionDep,
    target: Annotated[str, Form(pattern="^(device|unit)$")] = "device",
    device_code: Annotated[str, Form(max_length=64)] = "",
    unit_code: Annotated[str, Form(max_length=24)] = "",
    kind: Annotated[str, Form(pattern="^(|smoke|drowning|intrusion|key_person)$")] = "",
    ends_at: Annotated[str, Form(max_length=32)] = "",
    reason: Annotated[str, Form(max_length=200)] = "",
    back: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    _require_dispatch(viewer, "设置维护静默")
    form = {
        "target": target,
        "device_code": device_code,
        "unit_code": unit_code,
        "kind": kind,
        "ends_at": ends_at,
        "reason": reason,
    }
    try:
        if not ends_at.strip():
            raise InvalidInput("请填写结束时间", code="ends_at_required")
        end = _parse_local(ends_at)
        with session.begin_nested():
            if target == "device":
                if not device_code.strip():
                    raise InvalidInput("请填写设备编号", code="device_code_required")
                device = _device_by_code(session, viewer, device_code)
                silences.create_silence(
                    session=session, viewer=viewer, reason=reason, ends_at=end, device_id=device.id, kind=_kind(kind)
                )
            else:
                if not unit_code.strip():
                    raise InvalidInput("请选择区域", code="unit_required")
                silences.create_silence(
                    session=session, viewer=viewer, reason=reason, ends_at=end, unit_code=unit_code, kind=_kind(kind)
                )
    except FengqiaoError as exc:
        if back.startswith("/work/devices/"):
            return RedirectResponse(safe_next(back) + "?silence_error=" + exc.code, status_code=303)
        return _command_room(request, session, viewer, error=exc.message, form=form, status_code=422)
    return RedirectResponse(safe_next(back) if back else "/work/alerts?saved=created", status_code=303)


@router.post("/alerts/silences/{silence_id}/delete", response_class=HTMLResponse)
def delete_silence(silence_id: Id, viewer: PageViewerDep, session: SessionDep) -> Response:
    _require_dispatch(viewer, "结束维护静默")
    silences.delete_silence(session=session, viewer=viewer, silence_id=silence_id)
    return RedirectResponse("/work/alerts?saved=deleted", status_code=303)


# --- devices -----------------------------------------------------------------------------------------------------


@router.get("/devices", response_class=HTMLResponse)
def device_list(
    request: Request,
    viewer: PageViewerDep,
    session: SessionDep,
    kind: KindParam = "",
    status: Annotated[str, Query(pattern="^(|active|maintenance|retired)$")] = "",
    offline: Annotated[str, Query(pattern="^(|1)$")] = "",
    code: Annotated[str, Query(max_length=64)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    rows, total = devices.list_devices(
        session=session,
        viewer=viewer,
        kind=_kind(kind),
        status=DeviceStatus(status) if status else None,
        offline_only=offline == "1",
        code_prefix=code.strip() or None,
        limit=DEVICE_PAGE,
        offset=(page - 1) * DEVICE_PAGE,
    )
    context = {
        "me": work_me(viewer),
        "nav": "devices",
        "rows": present.device_rows(session, rows),
        "total": total,
        "page": page,
        "pages": page_count(total, DEVICE_PAGE),
        "kind": kind,
        "status": status,
        "offline": offline,
        "code": code.strip(),
        "kinds": present.KIND_CHOICES,
        "statuses": present.DEVICE_STATUS_CHOICES,
        "may_import": viewer.may(Permission.DISPATCH),
        "pager_url": f"/work/devices?kind={kind}&status={status}&offline={offline}&code={code.strip()}&",
    }
    return render(request, "work/devices.html", context)


def _attachment(filename: str) -> str:
    return f"attachment; filename*=UTF-8''{quote(filename)}"


def _template_rows() -> list[tuple[str, ...]]:
    return [TEMPLATE_HEADERS, TEMPLATE_EXAMPLE]


@router.get("/devices/import/template.csv")
def import_template_csv(viewer: PageViewerDep) -> Response:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(_template_rows())
    # A BOM, so that Excel on Windows opens the UTF-8 file with its Chinese headers intact.
    return Response(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": _attachment("设备导入模板.csv")},
    )


@router.get("/devices/import/template.xlsx")
def import_template_xlsx(viewer: PageViewerDep) -> Response:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "设备"
    for row in _template_rows():
        sheet.append(list(row))
    for column, width in zip("ABCDEFGHIJKL", (20, 10, 16, 14, 22, 10, 10, 10, 14, 18, 12, 12), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return Response(
        buffer.getvalue(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": _attachment("设备导入模板.xlsx")},
    )


def _import_page(
    request: Request,
    viewer: Viewer,
    *,
    report: Any = None,
    error: str | None = None,
    filename: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    context = {
        "me": work_me(viewer),
        "nav": "devices",
        "report": report,
        "error": error,
        "filename": filename,
        "headers": TEMPLATE_HEADERS,
    }
    return render(request, "work/devices_import.html", context, status_code=status_code)


@router.get("/devices/import", response_class=HTMLResponse)
def import_page(request: Request, viewer: PageViewerDep) -> HTMLResponse:
    _require_dispatch(viewer, "导入设备")
    return _import_page(request, viewer)


@router.post("/devices/import", response_class=HTMLResponse)
async def import_submit(
    request: Request,
    viewer: PageViewerDep,
    session: SessionDep,
    file: Annotated[UploadFile, File()],
) -> HTMLResponse:
    _require_dispatch(viewer, "导入设备")
    content = await file.read(MAX_BYTES + 1)
    filename = file.filename or ""

    def run() -> Any:
        with session.begin_nested():
            return import_devices(
                session=session,
                filename=filename,
                content=content,
                county_code=viewer.county_code,
                scope=viewer.territory,
            )

    try:
        report = await run_in_threadpool(run)
    except FengqiaoError as exc:
        return _import_page(request, viewer, error=exc.message, filename=filename, status_code=422)
    return _import_page(request, viewer, report=report, filename=filename)


@router.get("/devices/maintenance", response_class=HTMLResponse)
def maintenance_page(request: Request, viewer: PageViewerDep, session: SessionDep) -> HTMLResponse:
    by_kind = maintenance.false_alarm_rates_by_kind(session=session, viewer=viewer)
    by_device = maintenance.false_alarm_rates_by_device(session=session, viewer=viewer, limit=50)
    items = maintenance.maintenance_list(session=session, viewer=viewer)
    rows = present.device_rows(session, [i.device for i in items])
    ids = {r.code: r.id for r in rows}
    codes = [r.key for r in by_device]
    if codes:
        ids.update(
            dict(
                session.execute(
                    select(AlertDevice.code, AlertDevice.id).where(
                        AlertDevice.code.in_(codes), devices.visible_device(viewer)
                    )
                ).all()
            )
        )
    chart = {
        "labels": [present.KIND_SHORT.get(r.key, r.label) for r in by_kind],
        "rates": [round(r.rate * 100, 1) for r in by_kind],
        "counts": [r.results for r in by_kind],
    }
    context = {
        "me": work_me(viewer),
        "nav": "devices",
        "by_kind": by_kind,
        "by_device": by_device,
        "kind_short": present.KIND_SHORT,
        "items": list(zip(items, rows, strict=True)),
        "device_ids": ids,
        "chart": chart,
        "offline": sum(1 for i in items if i.device.offline_since is not None),
        "flapping": sum(1 for i in items if i.device.flapping_since is not None),
    }
    return render(request, "work/devices_maintenance.html", context)


@router.get("/devices/{device_id}", response_class=HTMLResponse)
def device_page(
    device_id: Id,
    request: Request,
    viewer: PageViewerDep,
    session: SessionDep,
    silence_error: Annotated[str, Query(max_length=40)] = "",
) -> HTMLResponse:
    device = devices.get_device(session=session, viewer=viewer, device_id=device_id)
    recent, group_total = groups.list_groups(session=session, viewer=viewer, device_id=device.id, limit=20)
    context = {
        "me": work_me(viewer),
        "nav": "devices",
        "d": present.device_rows(session, [device])[0],
        "device": device,
        "address": present.address_of(session, device),
        "owner_phone": device.owner_phone
        if viewer.may(Permission.UNMASK) or device.owner_phone is None
        else mask_phone(device.owner_phone),
        "stats": present.device_stats(session=session, device=device),
        "groups": present.group_rows(session, recent),
        "group_total": group_total,
        "alerts": present.recent_alerts(session=session, device_id=device.id),
        "may_manage": viewer.may(Permission.DISPATCH),
        "statuses": present.DEVICE_STATUS_CHOICES,
        "default_end": (utcnow() + timedelta(hours=4)).astimezone(CHINA_TZ).strftime("%Y-%m-%dT%H:%M"),
        "silence_error": silence_error,
        "back": _back(request).split("?")[0],
    }
    return render(request, "work/devices_detail.html", context)


@router.post("/devices/{device_id}/status", response_class=HTMLResponse)
def device_status(
    device_id: Id,
    viewer: PageViewerDep,
    session: SessionDep,
    status: Annotated[str, Form(pattern="^(active|maintenance|retired)$")],
) -> Response:
    _require_dispatch(viewer, "修改设备状态")
    devices.set_status(session=session, viewer=viewer, device_id=device_id, status=DeviceStatus(status))
    return RedirectResponse(f"/work/devices/{device_id}", status_code=303)
