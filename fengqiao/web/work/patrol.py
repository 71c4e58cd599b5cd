"""Work screens for the phone: the navigation by permission, the grid worker's patrol report (网格排查) with photos
and the phone's location, and photos of an event (taken at report back). Thin: intake goes through the triage
pipeline, photos through ``events.attachments``, places through ``triage.geo``."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, Request, Response, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from fengqiao.accounts.scope import Viewer
from fengqiao.config import Settings
from fengqiao.core.errors import FengqiaoError, Forbidden, InvalidInput, NotFound
from fengqiao.events import attachments
from fengqiao.events.intake import NewEvent
from fengqiao.events.kinds import Channel
from fengqiao.files.storage import MAX_FILE_BYTES, LocalFileStorage, sniff
from fengqiao.jurisdiction.models import Unit
from fengqiao.triage import pipeline
from fengqiao.triage.geo.coords import Crs, to_wgs84
from fengqiao.triage.geo.service import check_coordinates, route_point
from fengqiao.triage.taxonomy.schema import default_taxonomy
from fengqiao.web.deps import SessionDep, SettingsDep
from fengqiao.web.work.base import PageViewerDep, WorkRoute, is_htmx, render
from fengqiao.web.work.nav import patrol_grids, work_me

router = APIRouter(prefix="/work", include_in_schema=False, route_class=WorkRoute)
EventId = Annotated[int, Path(ge=1, le=2**31 - 1)]

# --- photos -------------------------------------------------------------------------------------------------------

MAX_PHOTOS = 9
_PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})


@dataclass(frozen=True)
class Photo:
    filename: str
    data: bytes


async def read_photos(files: list[UploadFile]) -> list[Photo]:
    """The chosen photos, each checked by its first bytes (not its name or the browser's claim) before anything is
    stored or registered. An empty file part is what a form sends when no photo was chosen."""
    chosen = [f for f in files if f.filename or f.size]
    if len(chosen) > MAX_PHOTOS:
        raise InvalidInput(f"每次最多上传{MAX_PHOTOS}张照片", code="too_many_photos")
    photos = []
    for upload in chosen:
        name = (upload.filename or "照片")[:200]
        data = await upload.read(MAX_FILE_BYTES + 1)
        if not data:
            raise InvalidInput(f"照片“{name}”是空文件", code="empty_file")
        if len(data) > MAX_FILE_BYTES:
            raise InvalidInput(f"照片“{name}”超过{MAX_FILE_BYTES // 1024 // 1024}MB上限", code="file_too_large")
        try:
            content_type = sniff(data, name)
        except InvalidInput:
            content_type = ""
        if content_type not in _PHOTO_TYPES:
            raise InvalidInput(f"“{name}”不是照片：仅限 JPG、PNG、GIF、WEBP 图片", code="not_a_photo")
        photos.append(Photo(name, data))
    return photos


def photo_storage(settings: Settings) -> LocalFileStorage:
    # Where ``events.api`` keeps attachments, so the API's download serves what these pages store.
    return LocalFileStorage(settings.data_dir / "files")


def attach_photos(
    *,
    session: Session,
    storage: LocalFileStorage,
    viewer: Viewer,
    event_id: int,
    photos: list[Photo],
    action_id: int | None = None,
) -> None:
    for photo in photos:
        attachments.attach(
            session=session,
            storage=storage,
            viewer=viewer,
            event_id=event_id,
            data=photo.data,
            filename=photo.filename,
            action_id=action_id,
        )


def _photos_context(*, session: Session, viewer: Viewer, event_id: int) -> dict[str, Any]:
    found = attachments.list_for(session=session, viewer=viewer, event_id=event_id)
    return {
        "event_id": event_id,
        "photos": [a for a in found if a.content_type in _PHOTO_TYPES],
        "files": [a for a in found if a.content_type not in _PHOTO_TYPES],
        "error": None,
        "notice": None,
    }


@router.get("/events/{event_id}/photos", response_class=HTMLResponse)
def event_photos(event_id: EventId, request: Request, viewer: PageViewerDep, session: SessionDep) -> HTMLResponse:
    """The detail page's 现场照片 card, loaded by htmx (a page of its own without script)."""
    context = _photos_context(session=session, viewer=viewer, event_id=event_id)
    if is_htmx(request):
        return render(request, "work/patrol_photos.html", context)
    return render(request, "work/patrol_photos_page.html", {**context, "me": work_me(viewer), "nav": "events"})


@router.post("/events/{event_id}/photos", response_class=HTMLResponse)
async def upload_photos(
    event_id: EventId,
    request: Request,
    viewer: PageViewerDep,
    session: SessionDep,
    settings: SettingsDep,
    photos: Annotated[list[UploadFile], File()] = [],  # noqa: B006 - FastAPI copies defaults per request
) -> Response:
    """Photos of an event (on report back, of the finished work): all stored, or none with the reason in Chinese."""
    error: str | None = None
    added = 0
    try:
        chosen = await read_photos(photos)
        if not chosen:
            raise InvalidInput("请先选择照片", code="no_photo")
        with session.begin_nested():
            attach_photos(
                session=session, storage=photo_storage(settings), viewer=viewer, event_id=event_id, photos=chosen
            )
        added = len(chosen)
    except NotFound:
        raise
    except FengqiaoError as exc:
        if not is_htmx(request):
            raise
        error = exc.message
    if not is_htmx(request):
        return RedirectResponse(f"/work/events/{event_id}#event-photos", status_code=303)
    context = _photos_context(session=session, viewer=viewer, event_id=event_id)
    context["error"] = error
    context["notice"] = f"已上传{added}张照片" if added else None
    return render(request, "work/patrol_photos.html", context)


# --- the patrol report --------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"^[0-9a-f]{32}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class PatrolFields(BaseModel):
    """The patrol form as posted: all text, checked with Chinese messages by ``_new_event``."""

    content: str = Field(default="", max_length=10_000)
    title: str = Field(default="", max_length=200)
    category: str = Field(default="", max_length=32)
    is_dispute: str = Field(default="", max_length=8)
    lon: str = Field(default="", max_length=32)
    lat: str = Field(default="", max_length=32)
    crs: str = Field(default="wgs84", max_length=8)
    accuracy: str = Field(default="", max_length=16)
    grid_code: str = Field(default="", max_length=24)
    address: str = Field(default="", max_length=200)
    token: str = Field(default="", max_length=32)


@dataclass(frozen=True)
class Placed:
    grid: Unit  # where the event lies (and the registering unit: the worker's own grid there)
    lon: float | None
    lat: float | None


def _categories() -> list[tuple[str, str]]:
    return [(c.code, c.name) for c in default_taxonomy().categories]


def _coordinate(value: str, label: str) -> float:
    try:
        return float(value.strip())
    except ValueError as exc:
        raise InvalidInput(f"{label}格式无效，请重新定位或改为手动选择网格", code="invalid_coordinates") from exc


def place_patrol(*, session: Session, viewer: Viewer, fields: PatrolFields) -> Placed:
    """The grid of the report: the phone's point if it sent one (refused outside the worker's own grids: a patrol
    report belongs to the patrolled grid, and a stray fix must not drop a matter into a neighbour's inbox), else the
    grid the worker picked."""
    own = patrol_grids(viewer)
    if not own:
        raise Forbidden("仅网格员可以上报网格巡查", code="permission_denied")
    if fields.lon.strip() or fields.lat.strip():
        lon, lat = _coordinate(fields.lon, "经度"), _coordinate(fields.lat, "纬度")
        check_coordinates(lon, lat)
        crs = {c.value: c for c in Crs}.get(fields.crs.strip().lower() or "wgs84")
        if crs is None:
            raise InvalidInput("坐标系只能是 WGS84 或 GCJ-02", code="invalid_crs")
        # Stored in WGS84: a point a Chinese map app gave (GCJ-02) is shifted back first, or it lands ~500 m off.
        lons, lats = to_wgs84([lon], [lat], crs)
        lon, lat = round(float(lons[0]), 7), round(float(lats[0]), 7)
        try:
            route = route_point(session=session, county_code=viewer.county_code, lon=lon, lat=lat)
        except NotFound as exc:
            raise InvalidInput(
                "当前定位不在本县辖区内，请到户外重新定位，或改为手动选择网格后提交", code="outside_county"
            ) from exc
        grid = session.scalars(select(Unit).where(Unit.code == route.grid.code)).one()
        if not any(grid.path.startswith(a.unit_path) for a in own):
            raise InvalidInput(
                f"当前定位在“{grid.name}”，不在您负责的网格内。请核对定位，或改为手动选择本人网格后提交",
                code="outside_own_grid",
                details={"grid": grid.code},
            )
        return Placed(grid, lon, lat)
    code = fields.grid_code.strip() or own[0].unit_code
    chosen = next((a for a in own if a.unit_code == code), None)
    if chosen is None:
        raise InvalidInput("请选择您负责的网格", code="invalid_grid")
    own_grid = session.get(Unit, chosen.unit_id)
    assert own_grid is not None
    return Placed(own_grid, None, None)


def _new_event(fields: PatrolFields, placed: Placed, viewer: Viewer) -> NewEvent:
    content = fields.content.strip()
    if not content:
        raise InvalidInput("请填写巡查发现的情况", code="content_required")
    title = fields.title.strip() or "网格巡查：" + content.splitlines()[0][:30]
    address = fields.address.strip() or None
    if any(_CONTROL.search(text) for text in (content, title, address or "")):
        raise InvalidInput("内容中不能包含控制字符", code="invalid_input")
    category = fields.category.strip() or None
    if category is not None and category not in {code for code, _ in _categories()}:
        raise InvalidInput("事项类别的取值无效", code="invalid_category")
    token = fields.token.strip()
    return NewEvent(
        channel=Channel.GRID_PATROL,
        # The form's one-time token: a second tap on 提交 (or a resend on a weak signal) finds the first report.
        source_id=f"web-{token}" if _TOKEN.match(token) else None,
        title=title[:200],
        content=content,
        category=category,
        is_dispute=fields.is_dispute == "on",
        unit_code=placed.grid.code,
        address=address,
        lon=placed.lon,
        lat=placed.lat,
        reporter_name=viewer.full_name,
    )


def _patrol_page(
    request: Request, viewer: Viewer, fields: PatrolFields, error: str | None = None, status_code: int = 200
) -> HTMLResponse:
    context = {
        "me": work_me(viewer),
        "nav": "patrol",
        "grids": patrol_grids(viewer),
        "categories": _categories(),
        "fields": fields,
        "token": fields.token if _TOKEN.match(fields.token) else uuid.uuid4().hex,
        "max_photos": MAX_PHOTOS,
        "error": error,
    }
    return render(request, "work/patrol.html", context, status_code=status_code)


@router.get("/patrol", response_class=HTMLResponse)
def patrol_form(request: Request, viewer: PageViewerDep) -> HTMLResponse:
    if not patrol_grids(viewer):
        raise Forbidden("仅网格员可以上报网格巡查", code="permission_denied")
    return _patrol_page(request, viewer, PatrolFields())


@router.post("/patrol", response_class=HTMLResponse)
async def patrol_submit(
    request: Request,
    viewer: PageViewerDep,
    session: SessionDep,
    settings: SettingsDep,
    fields: Annotated[PatrolFields, Form()],
    photos: Annotated[list[UploadFile], File()] = [],  # noqa: B006 - FastAPI copies defaults per request
) -> Response:
    if not patrol_grids(viewer):
        raise Forbidden("仅网格员可以上报网格巡查", code="permission_denied")
    try:
        chosen = await read_photos(photos)
        placed = place_patrol(session=session, viewer=viewer, fields=fields)
        new = _new_event(fields, placed, viewer)
        # One savepoint: a refused photo leaves no event behind (the request itself still commits normally).
        with session.begin_nested():
            result = pipeline.register(session=session, new=new, registering_unit=placed.grid, actor_id=viewer.staff_id)
            if result.created:
                attach_photos(
                    session=session,
                    storage=photo_storage(settings),
                    viewer=viewer,
                    event_id=result.event.id,
                    photos=chosen,
                )
    except Forbidden:
        raise
    except FengqiaoError as exc:
        message = exc.message + ("（照片需重新选择）" if photos and any(p.filename for p in photos) else "")
        return _patrol_page(request, viewer, fields, error=message, status_code=exc.status_code)
    return RedirectResponse(f"/work/events/{result.event.id}", status_code=303)
