"""Routes of events: registration, channel intake, lists and inbox, detail and timeline, actions, citizen progress."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Body, Depends, Path, Query, Request, Response, UploadFile
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from fengqiao.accounts.api import ChannelKeyDep, ViewerDep, require
from fengqiao.accounts.permissions import Permission
from fengqiao.audit import service as audit
from fengqiao.citizen import service as citizen
from fengqiao.config import Settings
from fengqiao.core.errors import FengqiaoError, InvalidInput
from fengqiao.events import actions, attachments, intake, present, queries
from fengqiao.events.channels import ADAPTERS
from fengqiao.events.dispute_code import display, qr_svg
from fengqiao.events.kinds import Channel, EventStatus
from fengqiao.events.lifecycle import ACTION_LABELS, Action
from fengqiao.events.schemas import (
    ACTION_PATHS,
    ActionIn,
    AttachmentOut,
    BatchIntakeOut,
    EventCreateIn,
    EventDetailOut,
    EventListOut,
    InboxItemOut,
    InboxOut,
    IntakeOut,
    ProgressOut,
    TimelineEntryOut,
)
from fengqiao.files.storage import MAX_FILE_BYTES, LocalFileStorage
from fengqiao.jurisdiction.models import Unit
from fengqiao.triage import pipeline
from fengqiao.web.deps import PageDep, SessionDep, SettingsDep
from fengqiao.web.ratelimit import limit

router = APIRouter(tags=["事件 / events"])
EventId = Annotated[int, Path(ge=1, le=2**31 - 1, description="事件编号")]
MAX_BATCH = 500


@router.post("/events", status_code=201, response_model=EventDetailOut, summary="窗口受理登记 / register")
def register_event(body: EventCreateIn, viewer: ViewerDep, session: SessionDep) -> EventDetailOut:
    require(viewer, Permission.REGISTER)
    acting = viewer.primary_unit()
    unit = session.get(Unit, acting.unit_id)
    assert unit is not None
    new = intake.NewEvent(
        channel=Channel.FRONT_DESK,
        parties=[intake.NewParty(**p.model_dump()) for p in body.parties],
        **body.model_dump(exclude={"parties"}),
    )
    result = pipeline.register(session=session, new=new, registering_unit=unit, actor_id=viewer.staff_id)
    return present.detail(session=session, viewer=viewer, event=result.event, unmasked=False)


def _parse(channel: Channel, payload: Any) -> Any:
    try:
        return ADAPTERS[channel].model_validate(payload)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False)) from exc


def _machine_channel(channel: Channel, key_channel: str) -> None:
    if channel not in ADAPTERS:
        raise InvalidInput(f"渠道“{channel.value}”不接受接口推送", code="channel_not_pushable")
    if key_channel != channel.value:
        raise FengqiaoError("该接口密钥不能用于此渠道", code="api_key_wrong_channel")


@router.post("/intake/{channel}", response_model=IntakeOut, summary="渠道推送事件 / channel intake (idempotent)")
def intake_one(
    channel: Channel,
    key: ChannelKeyDep,
    session: SessionDep,
    response: Response,
    payload: Annotated[dict[str, Any], Body()],
) -> IntakeOut:
    _machine_channel(channel, key.channel)
    parsed = _parse(channel, payload)
    unit = session.get(Unit, key.unit_id)
    assert unit is not None
    result = pipeline.register(session=session, new=parsed.to_new_event(), registering_unit=unit)
    response.status_code = 201 if result.created else 200
    return IntakeOut(created=result.created, event=present.summaries(session=session, events=[result.event])[0])


@router.post("/intake/{channel}/batch", response_model=BatchIntakeOut, summary="渠道批量推送 / batch intake")
def intake_batch(
    channel: Channel,
    key: ChannelKeyDep,
    session: SessionDep,
    payloads: Annotated[list[dict[str, Any]], Body(max_length=MAX_BATCH)],
) -> BatchIntakeOut:
    """Each item is answered on its own: a bad item gets its error and the others still land."""
    _machine_channel(channel, key.channel)
    unit = session.get(Unit, key.unit_id)
    assert unit is not None
    items: list[intake.NewEvent | FengqiaoError] = []
    for payload in payloads:
        try:
            items.append(ADAPTERS[channel].model_validate(payload).to_new_event())
        except ValidationError as exc:
            fields = sorted({".".join(str(p) for p in e["loc"]) for e in exc.errors()})
            items.append(InvalidInput("字段有误：" + "、".join(fields), code="invalid_input"))
    results = pipeline.register_many(session=session, items=items, registering_unit=unit)
    counts = {"created": 0, "existing": 0, "failed": 0}
    out: list[dict[str, Any]] = []
    for result in results:
        if result.error is not None:
            counts["failed"] += 1
            out.append({"index": result.index, "error": {"code": result.error.code, "message": result.error.message}})
            continue
        counts["created" if result.created else "existing"] += 1
        out.append(
            {
                "index": result.index,
                "created": result.created,
                "event_id": result.event_id,
                "dispute_code": result.dispute_code,
            }
        )
    return BatchIntakeOut(results=out, **counts)


@router.get("/events", response_model=EventListOut, summary="事件列表 / list events")
def list_events(
    viewer: ViewerDep,
    session: SessionDep,
    page: PageDep,
    status: Annotated[list[EventStatus] | None, Query(description="状态，可多选")] = None,
    open_only: Annotated[bool, Query(description="仅未办结")] = False,
    unit: Annotated[str | None, Query(max_length=24, pattern=r"^[0-9A-Z]+$", description="单位代码")] = None,
    category: Annotated[str | None, Query(max_length=32, pattern=r"^[a-z_0-9]+$")] = None,
    channel: Channel | None = None,
    risk: Annotated[str | None, Query(pattern=r"^(low|medium|high)$")] = None,
    overdue: bool | None = None,
    registered_from: datetime | None = None,
    registered_to: datetime | None = None,
    q: Annotated[str | None, Query(max_length=100, pattern=r"^[^\x00-\x1f\x7f%_\\]*$", description="全文检索")] = None,
    sort: queries.SortKey = queries.SortKey.REGISTERED_DESC,
) -> EventListOut:
    flt = queries.EventFilter(
        status=status,
        open_only=open_only,
        unit_code=unit,
        category=category,
        channel=channel.value if channel else None,
        risk_level=risk,
        overdue=overdue,
        registered_from=registered_from,
        registered_to=registered_to,
        text=q or None,
        sort=sort,
    )
    rows, total = queries.list_events(session=session, viewer=viewer, flt=flt, limit=page.limit, offset=page.offset)
    return EventListOut(total=total, items=present.summaries(session=session, events=rows))


@router.get("/inbox", response_model=InboxOut, summary="我的待办 / my inbox")
def my_inbox(viewer: ViewerDep, session: SessionDep) -> InboxOut:
    items = queries.inbox(session=session, viewer=viewer)
    outs = present.summaries(session=session, events=[i.event for i in items])
    return InboxOut(
        total=len(items),
        items=[InboxItemOut(reason=i.reason, event=o) for i, o in zip(items, outs, strict=True)],
        counts=queries.open_counts(session=session, viewer=viewer),
    )


@router.get("/events/{event_id}", response_model=EventDetailOut, summary="事件详情（脱敏） / event detail")
def get_event(event_id: EventId, viewer: ViewerDep, session: SessionDep) -> EventDetailOut:
    event = queries.get_visible_event(session=session, viewer=viewer, event_id=event_id)
    return present.detail(session=session, viewer=viewer, event=event, unmasked=False)


@router.post(
    "/events/{event_id}/unmask", response_model=EventDetailOut, summary="查看完整个人信息（记入审计） / unmask"
)
def unmask_event(event_id: EventId, viewer: ViewerDep, session: SessionDep, request: Request) -> EventDetailOut:
    event = queries.get_visible_event(session=session, viewer=viewer, event_id=event_id)
    require(viewer, Permission.UNMASK)
    audit.record(
        session=session,
        county_code=event.county_code,
        actor_id=viewer.staff_id,
        action="unmask",
        entity_type="event",
        entity_id=event.id,
        detail={"sensitive": event.is_sensitive, "parties": len(event.parties)},
        ip=request.client.host if request.client else None,
    )
    return present.detail(session=session, viewer=viewer, event=event, unmasked=True)


@router.get("/events/{event_id}/timeline", response_model=list[TimelineEntryOut], summary="办理过程 / timeline")
def event_timeline(event_id: EventId, viewer: ViewerDep, session: SessionDep) -> list[TimelineEntryOut]:
    event = queries.get_visible_event(session=session, viewer=viewer, event_id=event_id)
    return present.timeline(session=session, event=event)


@router.get("/events/{event_id}/access-log", summary="敏感信息查看记录 / who viewed (责任倒查)")
def access_log(event_id: EventId, viewer: ViewerDep, session: SessionDep) -> list[dict[str, Any]]:
    event = queries.get_visible_event(session=session, viewer=viewer, event_id=event_id)
    require(viewer, Permission.SUPERVISE)
    return [
        {"at": e.at, "actor_id": e.actor_id, "action": e.action, "ip": e.ip}
        for e in audit.entries_for(session=session, entity_type="event", entity_id=event.id)
    ]


def _action_route(action: Action) -> None:
    def handler(event_id: EventId, body: ActionIn, viewer: ViewerDep, session: SessionDep) -> EventDetailOut:
        request = actions.ActionRequest(
            action=action,
            expected_version=body.version,
            note=body.note,
            target_unit_code=body.target_unit_code,
            joint_unit_code=body.joint_unit_code,
            target_event_id=body.target_event_id,
            supervision_level=body.supervision_level,
            satisfaction=body.satisfaction,
            callback_method=body.callback_method,
            mediation=body.mediation.model_dump() if body.mediation else {},
        )
        event = actions.perform(session=session, viewer=viewer, event_id=event_id, request=request)
        return present.detail(session=session, viewer=viewer, event=event, unmasked=False)

    router.add_api_route(
        f"/events/{{event_id}}/actions/{action.value}",
        handler,
        methods=["POST"],
        response_model=EventDetailOut,
        summary=f"{ACTION_LABELS[action]} / {action.value}",
        name=f"event_action_{action.value}",
    )


for _action in ACTION_PATHS:
    _action_route(_action)


def _storage(settings: Settings) -> LocalFileStorage:
    return LocalFileStorage(settings.data_dir / "files")


@router.post(
    "/events/{event_id}/attachments", status_code=201, response_model=AttachmentOut, summary="上传附件 / attach a file"
)
async def upload_attachment(
    event_id: EventId, viewer: ViewerDep, session: SessionDep, settings: SettingsDep, file: UploadFile
) -> AttachmentOut:
    data = await file.read(MAX_FILE_BYTES + 1)
    attachment = attachments.attach(
        session=session,
        storage=_storage(settings),
        viewer=viewer,
        event_id=event_id,
        data=data,
        filename=file.filename or "附件",
    )
    return AttachmentOut.model_validate(attachment, from_attributes=True)


@router.get("/events/{event_id}/attachments", response_model=list[AttachmentOut], summary="附件列表 / attachments")
def list_attachments(event_id: EventId, viewer: ViewerDep, session: SessionDep) -> list[AttachmentOut]:
    return [
        AttachmentOut.model_validate(a, from_attributes=True)
        for a in attachments.list_for(session=session, viewer=viewer, event_id=event_id)
    ]


@router.get("/attachments/{attachment_id}", summary="下载附件 / download", response_class=Response)
def download_attachment(
    attachment_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    viewer: ViewerDep,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    attachment, data = attachments.read(
        session=session, storage=_storage(settings), viewer=viewer, attachment_id=attachment_id
    )
    disposition = f"inline; filename*=UTF-8''{quote(attachment.filename)}"
    return Response(content=data, media_type=attachment.content_type, headers={"Content-Disposition": disposition})


@router.get("/events/{event_id}/dispute-code.svg", summary="解纷码二维码 / dispute-code QR", response_class=Response)
def dispute_code_qr(event_id: EventId, viewer: ViewerDep, session: SessionDep, request: Request) -> Response:
    event = queries.get_visible_event(session=session, viewer=viewer, event_id=event_id)
    url = f"{str(request.base_url).rstrip('/')}/progress?code={display(event.dispute_code)}"
    return Response(content=qr_svg(url), media_type="image/svg+xml")


@router.get(
    "/public/progress",
    response_model=ProgressOut,
    summary="群众查询办理进度 / citizen progress",
    dependencies=[Depends(limit("progress", "查询过于频繁，请10分钟后再试"))],
)
def public_progress(
    session: SessionDep,
    code: Annotated[str, Query(min_length=4, max_length=32, description="解纷码")],
    phone_last4: Annotated[
        str, Query(pattern=r"^\d{4}$", description="登记手机号后四位（未留手机号的群众扫码反映：回执上的四位查询码）")
    ],
) -> ProgressOut:
    event = citizen.find_for_progress(session=session, code=code, last4=phone_last4)
    return present.progress(session=session, event=event)
