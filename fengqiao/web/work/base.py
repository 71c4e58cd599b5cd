"""What every staff work page shares: the templates, the logged-in viewer (or a redirect to /login), and errors
shown as Chinese HTML rather than the API's JSON."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from fengqiao.accounts.api import current_staff
from fengqiao.accounts.scope import Viewer, load_viewer
from fengqiao.core.clock import to_local
from fengqiao.core.errors import FengqiaoError, Unauthorized
from fengqiao.web.deps import SessionDep
from fengqiao.web.pages import PLATFORM_TITLE, TEMPLATES_DIR
from fengqiao.web.work.views import remaining

templates = Jinja2Templates(directory=TEMPLATES_DIR)
templates.env.globals.update(platform_title=PLATFORM_TITLE)


def _when(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return to_local(value).strftime(fmt) if value else "—"


templates.env.filters["when"] = _when
templates.env.filters["remaining"] = remaining


class LoginRequired(Exception):
    """Raised by ``page_viewer``; answered with a redirect to the login page."""


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def safe_next(target: str | None) -> str:
    """Only a path on this site: never an absolute URL or a scheme-relative one (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/work"
    return target


def login_redirect(request: Request) -> Response:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    url = f"/login?next={quote(safe_next(here), safe='')}"
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def error_page(request: Request, status_code: int, message: str) -> HTMLResponse:
    if is_htmx(request):
        return htmx_flash(request, message)
    titles = {401: "请先登录", 403: "没有权限", 404: "未找到", 409: "操作冲突", 422: "填写有误"}
    return render(
        request,
        "work/error.html",
        {"title": titles.get(status_code, "出错了"), "message": message},
        status_code=status_code,
    )


def htmx_flash(request: Request, message: str) -> HTMLResponse:
    """htmx swaps only 2xx answers: an error goes, with status 200, to the page's flash area instead."""
    response = render(request, "work/_flash.html", {"error": message})
    response.headers["HX-Retarget"] = "#flash"
    response.headers["HX-Reswap"] = "innerHTML"
    return response


class WorkRoute(APIRoute):
    """Routes of the work pages: a missing login redirects, domain errors become a Chinese page, never JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except LoginRequired:
                return login_redirect(request)
            except FengqiaoError as exc:
                return error_page(request, exc.status_code, exc.message)
            except RequestValidationError:
                return error_page(request, 422, "提交的内容有误，请检查后重试")

        return guarded


def page_viewer(request: Request, session: SessionDep) -> Viewer:
    """The logged-in viewer, from the same cookie (or bearer token) the API reads."""
    try:
        staff = current_staff(request, session)
    except Unauthorized as exc:
        raise LoginRequired from exc
    return load_viewer(session=session, staff=staff)


PageViewerDep = Annotated[Viewer, Depends(page_viewer)]
