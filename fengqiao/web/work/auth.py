"""Logging in and out through HTML forms: the same authentication, token and cookie as ``POST /api/v1/auth/login``."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from fengqiao.accounts import service
from fengqiao.accounts.api import SESSION_COOKIE
from fengqiao.core.errors import FengqiaoError
from fengqiao.web.deps import SessionDep
from fengqiao.web.work.base import WorkRoute, render, safe_next

router = APIRouter(include_in_schema=False, route_class=WorkRoute)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: Annotated[str, Query(max_length=2000)] = "/work") -> HTMLResponse:
    return render(request, "work/login.html", {"next": safe_next(next), "username": "", "error": None})


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/work",
) -> Response:
    target = safe_next(next)
    if not username.strip() or not password:
        context = {"next": target, "username": username, "error": "请输入用户名和密码"}
        return render(request, "work/login.html", context, status_code=422)
    ip = request.client.host if request.client else None
    try:
        staff = service.authenticate(session=session, username=username.strip(), password=password, ip=ip)
    except FengqiaoError as exc:
        # Caught here, so the session commits: failed attempts are counted and lock the account as they should.
        context = {"next": target, "username": username, "error": exc.message}
        return render(request, "work/login.html", context, status_code=exc.status_code)
    token = service.issue_token(session=session, staff=staff)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(service.TOKEN_TTL / timedelta(seconds=1)),
        httponly=True,
        samesite="lax",
    )
    return response


@router.post("/logout")
def logout(request: Request, session: SessionDep) -> Response:
    raw = request.cookies.get(SESSION_COOKIE)
    if raw:
        service.revoke_token(session=session, raw=raw)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
