"""Citizen pages, no account: the report form behind a place code (/q/<token>, B3), its receipt with the dispute
code, and progress by dispute code (/progress, B5). Also the staff download of printable code sheets."""

from __future__ import annotations

import time
from collections.abc import Callable, Coroutine
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import segno
from fastapi import APIRouter, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException

from fengqiao.citizen import guard, places, service
from fengqiao.citizen.places import PlaceKind
from fengqiao.citizen.sheet import build_sheet
from fengqiao.core.clock import utcnow
from fengqiao.core.errors import FengqiaoError, InvalidInput
from fengqiao.events import present
from fengqiao.events.dispute_code import display
from fengqiao.files.storage import LocalFileStorage
from fengqiao.web.deps import ReadSessionDep, SessionDep, SettingsDep
from fengqiao.web.ratelimit import RateLimiter, TooManyRequests, client_key, limit
from fengqiao.web.work.base import PageViewerDep, WorkRoute, render
from fengqiao.web.work.nav import work_me

REPORT_LIMITER = "citizen_report"
PROGRESS_LIMITER = "progress"  # the same limiter as GET /api/v1/public/progress
REPORT_LIMIT_MESSAGE = "提交过于频繁，请10分钟后再试；紧急情况请拨打110"
PROGRESS_LIMIT_MESSAGE = "查询过于频繁，请10分钟后再试"
TokenParam = Annotated[str, PathParam(pattern=places.TOKEN_PATTERN)]


def citizen_limiters() -> dict[str, RateLimiter]:
    """The limiters these pages add to ``app.state.rate_limiters``."""
    return {REPORT_LIMITER: RateLimiter(limit=5, window_seconds=600)}


class CitizenRoute(APIRoute):
    """Errors of citizen pages are a Chinese page a phone can show, never JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except FengqiaoError as exc:
                return _error(request, exc.status_code, exc.message)
            except RequestValidationError:
                return _error(request, 422, "链接或填写的内容有误，请重新扫码或检查后重试")

        return guarded


router = APIRouter(include_in_schema=False, route_class=CitizenRoute)
staff_router = APIRouter(include_in_schema=False, route_class=WorkRoute)


def _error(request: Request, status_code: int, message: str) -> HTMLResponse:
    titles = {404: "未找到", 422: "填写有误", 429: "请稍后再试"}
    return render(
        request,
        "citizen/error.html",
        {"title": titles.get(status_code, "出错了"), "message": message},
        status_code=status_code,
    )


@lru_cache(maxsize=8)
def _secret(data_dir: Path) -> bytes:
    return guard.load_secret(data_dir)


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _form_page(
    request: Request,
    place: places.Place,
    *,
    secret: bytes,
    values: dict[str, str] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "citizen/report.html",
        {
            "place": place,
            "token": place.code.token,
            "form_token": guard.issue_form_token(secret=secret, place_token=place.code.token, now=time.time()),
            "values": values or {},
            "error": error,
            "honeypot": guard.HONEYPOT_FIELD,
            "limits": {
                "content_min": service.CONTENT_MIN,
                "content_max": service.CONTENT_MAX,
                "name_max": service.NAME_MAX,
                "photos": service.MAX_PHOTOS,
                "photo_mb": service.MAX_PHOTO_BYTES // 1024 // 1024,
            },
        },
        status_code=status_code,
    )


@router.get("/q/{token}", response_class=HTMLResponse)
def report_form(request: Request, token: TokenParam, session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    place = places.resolve(session=session, token=token)
    return _form_page(request, place, secret=_secret(settings.data_dir))


async def _read_form(request: Request) -> tuple[dict[str, str], list[service.Photo]]:
    try:
        # Generous part limits: too many photos is answered by the service with a Chinese message, not a 400.
        form = await request.form(max_files=service.MAX_PHOTOS * 4, max_fields=40)
    except (MultiPartException, HTTPException) as exc:
        raise InvalidInput(f"提交的内容有误，请重新填写（最多{service.MAX_PHOTOS}张照片）", code="bad_form") from exc
    values = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    photos = []
    for item in form.getlist("photos"):
        if isinstance(item, UploadFile) and item.filename:
            photos.append(service.Photo(filename=item.filename, data=await item.read(service.MAX_PHOTO_BYTES + 1)))
    return values, photos


@router.post("/q/{token}", response_class=HTMLResponse)
async def submit_report(
    request: Request, token: TokenParam, session: SessionDep, settings: SettingsDep
) -> HTMLResponse:
    place = await run_in_threadpool(places.resolve, session=session, token=token)
    secret = _secret(settings.data_dir)
    values, photos = await _read_form(request)
    kept = {k: values.get(k, "")[:2000] for k in ("content", "phone", "name")}
    limiter: RateLimiter = request.app.state.rate_limiters[REPORT_LIMITER]
    if not limiter.allow(client_key(request)):
        return _form_page(request, place, secret=secret, values=kept, error=REPORT_LIMIT_MESSAGE, status_code=429)
    try:
        ticket = guard.check_form(
            secret=secret,
            place_token=place.code.token,
            form_token=values.get("form_token", ""),
            honeypot=values.get(guard.HONEYPOT_FIELD, ""),
            now=time.time(),
        )
        receipt = await run_in_threadpool(
            service.submit_report,
            session=session,
            storage=LocalFileStorage(settings.data_dir / "files"),
            place=place,
            form=service.ReportForm(
                content=values.get("content", ""),
                phone=values.get("phone", ""),
                name=values.get("name", ""),
                photos=photos,
            ),
            nonce=ticket.nonce,
            client_hash=guard.client_hash(secret=secret, client=client_key(request)),
            now=utcnow(),
        )
    except FengqiaoError as exc:
        return _form_page(request, place, secret=secret, values=kept, error=exc.message, status_code=exc.status_code)
    code = display(receipt.event.dispute_code)
    progress_url = f"{_base(request)}/progress?code={quote(code)}"
    qr = segno.make(progress_url, error="m")
    return render(
        request,
        "citizen/answer.html",
        {
            "place": place,
            "code": code,
            "created": receipt.created,
            "query_pin": receipt.query_pin,
            "photos": len(photos),
            "progress_url": progress_url,
            "qr_svg": qr.svg_inline(scale=5, border=2, dark="#111", title=f"解纷码 {code} 进度查询二维码"),
        },
    )


def _progress_page(
    request: Request,
    *,
    code: str = "",
    error: str | None = None,
    result: Any = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "citizen/progress.html",
        {"code": code, "error": error, "result": result},
        status_code=status_code,
    )


@router.get("/progress", response_class=HTMLResponse)
def progress_form(
    request: Request, code: Annotated[str, Query(max_length=32, pattern=r"^[0-9A-Za-z\- ]*$")] = ""
) -> HTMLResponse:
    return _progress_page(request, code=code)


@router.post("/progress", response_class=HTMLResponse)
async def progress_lookup(request: Request, session: ReadSessionDep) -> HTMLResponse:
    try:
        form = await request.form(max_files=0, max_fields=5)
    except (MultiPartException, HTTPException):
        return _progress_page(request, error="请填写解纷码和4位数字", status_code=422)
    code = str(form.get("code") or "").strip()[:32]
    last4 = str(form.get("last4") or "").strip()[:8]
    try:
        limit(PROGRESS_LIMITER, PROGRESS_LIMIT_MESSAGE)(request)
    except TooManyRequests as exc:
        return _progress_page(request, code=code, error=exc.message, status_code=429)
    if not code or not last4.isdigit() or len(last4) != 4:
        return _progress_page(request, code=code, error="请填写解纷码和4位数字", status_code=422)
    try:
        event = await run_in_threadpool(service.find_for_progress, session=session, code=code, last4=last4)
    except FengqiaoError as exc:
        return _progress_page(request, code=code, error=exc.message, status_code=exc.status_code)
    result = await run_in_threadpool(present.progress, session=session, event=event)
    return _progress_page(request, code=display(result.dispute_code), result=result)


@staff_router.get("/work/qr-sheet.pdf")
def qr_sheet(
    request: Request,
    viewer: PageViewerDep,
    session: SessionDep,
    unit: Annotated[str, Query(min_length=6, max_length=24, pattern=r"^[0-9A-Z]+$", description="单位代码")],
    kind: PlaceKind = PlaceKind.GRID,
) -> Response:
    """Printable codes of every grid or building under a unit within the viewer's jurisdiction. The codes it makes
    are committed with the request, so what was printed resolves."""
    result = build_sheet(session=session, unit_code=unit, kind=kind, base_url=_base(request), scope=viewer.territory)
    filename = f"共治码-{unit}-{places.PLACE_KIND_LABELS[kind]}.pdf"
    return Response(
        content=result.pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"},
    )


@staff_router.get("/work/qr-codes", response_class=HTMLResponse)
def qr_codes_page(request: Request, viewer: PageViewerDep) -> HTMLResponse:
    """Where staff print the codes of their own territory: pick a unit and grids or buildings, get the PDF."""
    territorial = {"county", "town", "village", "grid"}
    units = [(a.unit_code, a.unit_name) for a in viewer.assignments if a.unit_kind.value in territorial]
    return render(
        request,
        "citizen/qr_codes.html",
        {
            "me": work_me(viewer),
            "units": list(dict.fromkeys(units)),
            "kinds": [(k.value, places.PLACE_KIND_LABELS[k]) for k in PlaceKind],
        },
    )
