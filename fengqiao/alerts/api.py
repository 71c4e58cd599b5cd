"""Routes of sensor alerts: the vendor webhook (bearer token per integration) and, for staff, devices, groups,
silences, dispatched alerts (acknowledge, arrive, result), the maintenance list and false-alarm rates."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, File, Path, Query, Request, Response, UploadFile
from starlette.concurrency import run_in_threadpool

from fengqiao.accounts.api import ViewerDep, require
from fengqiao.accounts.permissions import Permission
from fengqiao.alerts import deadletters, devices, dispatch, groups, integrations, maintenance, silences
from fengqiao.alerts.importer import MAX_BYTES, import_devices
from fengqiao.alerts.intake import ingest
from fengqiao.alerts.kinds import AlertKind, DeviceStatus, GroupStatus
from fengqiao.alerts.models import AlertIntegration
from fengqiao.alerts.policy import default_policy
from fengqiao.alerts.schemas import (
    AlertOut,
    DeadLetterListOut,
    DeadLetterOut,
    DeviceListOut,
    DeviceOut,
    DeviceStatusIn,
    DispatchActionIn,
    DispatchOut,
    DispatchResultIn,
    GroupDetailOut,
    GroupListOut,
    GroupOut,
    ImportErrorOut,
    ImportOut,
    IngestOut,
    IntegrationIn,
    IntegrationOut,
    MaintenanceItemOut,
    RateOut,
    SilenceIn,
    SilenceListOut,
    SilenceOut,
)
from fengqiao.core.errors import InvalidInput, Unauthorized
from fengqiao.web.deps import NO_CONTROL_CHARS, PageDep, SessionDep

router = APIRouter(prefix="/alerts", tags=["感知告警 / sensor alerts"])
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]


def integration(request: Request, session: SessionDep) -> AlertIntegration:
    header = request.headers.get("authorization", "")
    raw = header[7:].strip() if header.lower().startswith("bearer ") else ""
    found = integrations.integration_for(session=session, raw=raw) if raw else None
    if found is None:
        raise Unauthorized("接入令牌无效或已停用", code="invalid_integration_token")
    return found


IntegrationDep = Annotated[AlertIntegration, Depends(integration)]


@router.post(
    "/ingest",
    response_model=IngestOut,
    summary="接收感知告警 / ingest sensor alerts (webhook)",
    description="请求体为一条消息或不超过1000条消息的数组；`Authorization: Bearer <接入令牌>`。"
    "格式错误的消息转入死信表（计入 dead_letters），不会静默丢弃；同一设备的同一 alert_id 只存一次。",
)
async def ingest_alerts(request: Request, session: SessionDep, source: IntegrationDep) -> IngestOut:
    body = await request.body()
    policy = default_policy()
    try:
        parsed: Any = orjson.loads(body)
    except orjson.JSONDecodeError:
        parsed = None
    if isinstance(parsed, list):
        if len(parsed) > policy.intake.max_batch:
            raise InvalidInput(f"每批最多{policy.intake.max_batch}条消息", code="batch_too_large")
        payloads: list[Any] = parsed
    elif isinstance(parsed, dict):
        payloads = [parsed]
    else:
        payloads = [body]  # not JSON, or a bare value: stored as a dead letter with its reason
    # The database work runs in the thread pool, as in a sync route: it must not block the event loop.
    result = await run_in_threadpool(
        lambda: ingest(session=session, payloads=payloads, source=f"http:{source.name}", county_code=source.county_code)
    )
    return IngestOut(
        accepted=result.accepted,
        duplicates=result.duplicates,
        dead_letters=result.dead_letters,
        heartbeats=result.heartbeats,
    )


# --- devices ----------------------------------------------------------------------------------------------------


@router.get("/devices", response_model=DeviceListOut, summary="设备列表 / devices")
def list_devices(
    session: SessionDep,
    viewer: ViewerDep,
    page: PageDep,
    kind: AlertKind | None = None,
    status: DeviceStatus | None = None,
    offline: Annotated[bool, Query(description="只列心跳超时的设备")] = False,
    code: Annotated[str | None, Query(max_length=64, pattern=NO_CONTROL_CHARS, description="编号前缀")] = None,
) -> DeviceListOut:
    rows, total = devices.list_devices(
        session=session,
        viewer=viewer,
        kind=kind,
        status=status,
        offline_only=offline,
        code_prefix=code,
        limit=page.limit,
        offset=page.offset,
    )
    unmasked = viewer.may(Permission.UNMASK)
    return DeviceListOut(total=total, items=[DeviceOut.of(d, unmasked=unmasked) for d in rows])


@router.get("/devices/{device_id}", response_model=DeviceOut, summary="设备详情 / one device")
def get_device(session: SessionDep, viewer: ViewerDep, device_id: Id) -> DeviceOut:
    device = devices.get_device(session=session, viewer=viewer, device_id=device_id)
    return DeviceOut.of(device, unmasked=viewer.may(Permission.UNMASK))


@router.put("/devices/{device_id}/status", response_model=DeviceOut, summary="设置设备状态 / set device status")
def set_device_status(session: SessionDep, viewer: ViewerDep, device_id: Id, body: DeviceStatusIn) -> DeviceOut:
    require(viewer, Permission.DISPATCH)
    device = devices.set_status(session=session, viewer=viewer, device_id=device_id, status=body.status)
    return DeviceOut.of(device, unmasked=viewer.may(Permission.UNMASK))


@router.post("/devices/import", response_model=ImportOut, summary="导入设备（CSV/Excel）/ import devices")
async def import_device_file(
    session: SessionDep, viewer: ViewerDep, file: Annotated[UploadFile, File(description=".csv 或 .xlsx")]
) -> ImportOut:
    require(viewer, Permission.DISPATCH)
    content = await file.read(MAX_BYTES + 1)
    report = await run_in_threadpool(
        lambda: import_devices(
            session=session,
            filename=file.filename or "",
            content=content,
            county_code=viewer.county_code,
            scope=viewer.territory,
        )
    )
    return ImportOut(
        created=report.created,
        updated=report.updated,
        errors=[ImportErrorOut(row=e.row, message=e.message) for e in report.errors],
        summary=report.summary,
    )


# --- groups -----------------------------------------------------------------------------------------------------


@router.get("/groups", response_model=GroupListOut, summary="告警组列表 / alert groups")
def list_groups(
    session: SessionDep,
    viewer: ViewerDep,
    page: PageDep,
    kind: AlertKind | None = None,
    status: GroupStatus | None = None,
    device_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> GroupListOut:
    rows, total = groups.list_groups(
        session=session,
        viewer=viewer,
        kind=kind,
        status=status,
        device_id=device_id,
        limit=page.limit,
        offset=page.offset,
    )
    return GroupListOut(total=total, items=[GroupOut.of(g) for g in rows])


@router.get("/groups/{group_id}", response_model=GroupDetailOut, summary="告警组详情 / one group with its alerts")
def get_group(session: SessionDep, viewer: ViewerDep, group_id: Id) -> GroupDetailOut:
    group = groups.get_group(session=session, viewer=viewer, group_id=group_id)
    alerts = groups.alerts_of(session=session, group_id=group.id)
    return GroupDetailOut(**GroupOut.of(group).model_dump(), alerts=[AlertOut.of(a) for a in alerts])


@router.get("/daily-list", response_model=list[GroupOut], summary="每日清单（低风险未转事件）/ daily list")
def daily_list(
    session: SessionDep, viewer: ViewerDep, day: Annotated[date, Query(description="日期")]
) -> list[GroupOut]:
    return [GroupOut.of(g) for g in groups.daily_list(session=session, viewer=viewer, day=day)]


# --- silences ---------------------------------------------------------------------------------------------------


@router.get("/silences", response_model=SilenceListOut, summary="维护静默 / silences")
def list_silences(session: SessionDep, viewer: ViewerDep, page: PageDep, active: bool = True) -> SilenceListOut:
    rows, total = silences.list_silences(
        session=session, viewer=viewer, active_only=active, limit=page.limit, offset=page.offset
    )
    return SilenceListOut(total=total, items=[SilenceOut.of(s) for s in rows])


@router.post("/silences", response_model=SilenceOut, status_code=201, summary="设置维护静默 / create a silence")
def create_silence(session: SessionDep, viewer: ViewerDep, body: SilenceIn) -> SilenceOut:
    require(viewer, Permission.DISPATCH)
    silence = silences.create_silence(
        session=session,
        viewer=viewer,
        reason=body.reason,
        ends_at=body.ends_at,
        starts_at=body.starts_at,
        device_id=body.device_id,
        unit_code=body.unit_code,
        kind=body.kind,
    )
    return SilenceOut.of(silence)


@router.delete("/silences/{silence_id}", status_code=204, summary="结束维护静默 / end a silence")
def delete_silence(session: SessionDep, viewer: ViewerDep, silence_id: Id) -> Response:
    require(viewer, Permission.DISPATCH)
    silences.delete_silence(session=session, viewer=viewer, silence_id=silence_id)
    return Response(status_code=204)


# --- dispatched alerts ------------------------------------------------------------------------------------------


@router.get("/dispatches", response_model=list[DispatchOut], summary="待处置告警（本单位）/ alerts to act on")
def awaiting(session: SessionDep, viewer: ViewerDep) -> list[DispatchOut]:
    return [DispatchOut.of(d) for d in dispatch.awaiting(session=session, viewer=viewer)]


@router.get("/dispatches/{dispatch_id}", response_model=DispatchOut, summary="告警派单 / one dispatched alert")
def get_dispatch(session: SessionDep, viewer: ViewerDep, dispatch_id: Id) -> DispatchOut:
    return DispatchOut.of(dispatch.get_dispatch(session=session, viewer=viewer, dispatch_id=dispatch_id))


@router.post("/dispatches/{dispatch_id}/acknowledge", response_model=DispatchOut, summary="签收 / acknowledge")
def acknowledge(session: SessionDep, viewer: ViewerDep, dispatch_id: Id, body: DispatchActionIn) -> DispatchOut:
    found = dispatch.acknowledge(
        session=session, viewer=viewer, dispatch_id=dispatch_id, version=body.version, note=body.note
    )
    return DispatchOut.of(found)


@router.post("/dispatches/{dispatch_id}/arrive", response_model=DispatchOut, summary="到场 / arrived (三必到)")
def arrive(session: SessionDep, viewer: ViewerDep, dispatch_id: Id, body: DispatchActionIn) -> DispatchOut:
    found = dispatch.arrive(
        session=session, viewer=viewer, dispatch_id=dispatch_id, version=body.version, note=body.note
    )
    return DispatchOut.of(found)


@router.post("/dispatches/{dispatch_id}/result", response_model=DispatchOut, summary="处置结果 / record the result")
def record_result(session: SessionDep, viewer: ViewerDep, dispatch_id: Id, body: DispatchResultIn) -> DispatchOut:
    found = dispatch.record_result(
        session=session,
        viewer=viewer,
        dispatch_id=dispatch_id,
        result=body.result,
        note=body.note,
        version=body.version,
    )
    return DispatchOut.of(found)


# --- maintenance ------------------------------------------------------------------------------------------------


@router.get("/maintenance", response_model=list[MaintenanceItemOut], summary="维修清单 / maintenance list")
def maintenance_list(session: SessionDep, viewer: ViewerDep) -> list[MaintenanceItemOut]:
    unmasked = viewer.may(Permission.UNMASK)
    return [
        MaintenanceItemOut(device=DeviceOut.of(item.device, unmasked=unmasked), reasons=item.reasons)
        for item in maintenance.maintenance_list(session=session, viewer=viewer)
    ]


@router.get("/false-alarm-rates", response_model=list[RateOut], summary="误报率 / false-alarm rates")
def false_alarm_rates(
    session: SessionDep,
    viewer: ViewerDep,
    by: Annotated[str, Query(pattern="^(kind|device)$", description="kind 按类型 / device 按设备")] = "kind",
    days: Annotated[int | None, Query(ge=1, le=3660)] = None,
) -> list[RateOut]:
    rates = (
        maintenance.false_alarm_rates_by_kind(session=session, viewer=viewer, days=days)
        if by == "kind"
        else maintenance.false_alarm_rates_by_device(session=session, viewer=viewer, days=days)
    )
    return [
        RateOut(key=r.key, label=r.label, results=r.results, false_alarms=r.false_alarms, tests=r.tests, rate=r.rate)
        for r in rates
    ]


@router.get("/dead-letters", response_model=DeadLetterListOut, summary="死信（被拒消息）/ dead letters")
def list_dead_letters(
    session: SessionDep,
    viewer: ViewerDep,
    page: PageDep,
    reason: Annotated[str | None, Query(max_length=40, pattern=r"^[a-z_]+$", description="原因代码")] = None,
) -> DeadLetterListOut:
    rows, total = deadletters.list_dead_letters(
        session=session, viewer=viewer, reason_code=reason, limit=page.limit, offset=page.offset
    )
    return DeadLetterListOut(total=total, items=[DeadLetterOut.of(d) for d in rows])


# --- integrations -----------------------------------------------------------------------------------------------


@router.post("/integrations", response_model=IntegrationOut, status_code=201, summary="新建接入方 / new integration")
def create_integration(session: SessionDep, viewer: ViewerDep, body: IntegrationIn) -> IntegrationOut:
    require(viewer, Permission.ADMINISTER)
    found, token = integrations.create_integration(
        session=session, county_code=viewer.county_code, name=body.name, created_by_id=viewer.staff_id
    )
    return IntegrationOut(id=found.id, name=found.name, prefix=found.prefix, token=token)
