"""Login, logout, who am I — and the dependencies every protected route uses to know its caller."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from fengqiao.accounts import service
from fengqiao.accounts.models import ApiKey
from fengqiao.accounts.permissions import Permission
from fengqiao.accounts.schemas import AssignmentOut, LoginIn, LoginOut, MeOut
from fengqiao.accounts.scope import Viewer, load_viewer
from fengqiao.core.clock import utcnow
from fengqiao.core.errors import FengqiaoError, Forbidden, Unauthorized
from fengqiao.duty.models import Staff
from fengqiao.duty.roles import DUTY_ROLE_LABELS
from fengqiao.web.deps import SessionDep

SESSION_COOKIE = "fq_session"
router = APIRouter(tags=["账号 / accounts"])


def _raw_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.cookies.get(SESSION_COOKIE)


def current_staff(request: Request, session: SessionDep) -> Staff:
    raw = _raw_token(request)
    staff = service.staff_for_token(session=session, raw=raw) if raw else None
    if staff is None:
        raise Unauthorized("未登录或登录已失效，请重新登录", code="not_authenticated")
    return staff


def current_viewer(session: SessionDep, staff: Annotated[Staff, Depends(current_staff)]) -> Viewer:
    return load_viewer(session=session, staff=staff)


def channel_key(request: Request, session: SessionDep) -> ApiKey:
    raw = request.headers.get("x-api-key", "").strip()
    key = service.api_key_for(session=session, raw=raw) if raw else None
    if key is None:
        raise Unauthorized("接口密钥无效或已停用", code="invalid_api_key")
    return key


ViewerDep = Annotated[Viewer, Depends(current_viewer)]
ChannelKeyDep = Annotated[ApiKey, Depends(channel_key)]


def require(viewer: Viewer, permission: Permission) -> None:
    if not viewer.may(permission):
        raise Forbidden("您的岗位没有此项权限", code="permission_denied", details={"permission": permission.value})


def me_out(viewer: Viewer) -> MeOut:
    return MeOut(
        id=viewer.staff_id,
        username=viewer.username,
        full_name=viewer.full_name,
        assignments=[
            AssignmentOut(
                unit_code=a.unit_code,
                unit_name=a.unit_name,
                unit_kind=a.unit_kind.value,
                role=a.role.value,
                role_label=DUTY_ROLE_LABELS[a.role],
            )
            for a in viewer.assignments
        ],
        permissions=sorted(p.value for p in Permission if viewer.may(p)),
    )


@router.post("/auth/login", response_model=LoginOut, summary="登录 / log in")
def login(body: LoginIn, request: Request, response: Response, session: SessionDep) -> LoginOut:
    ip = request.client.host if request.client else None
    try:
        staff = service.authenticate(session=session, username=body.username, password=body.password, ip=ip)
    except FengqiaoError:
        # The failure count and its audit entry must outlive the error response (which rolls the request back).
        session.commit()
        raise
    token = service.issue_token(session=session, staff=staff)
    expires_at = utcnow() + service.TOKEN_TTL
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(service.TOKEN_TTL / timedelta(seconds=1)),
        httponly=True,
        samesite="lax",
    )
    return LoginOut(token=token, expires_at=expires_at, user=me_out(load_viewer(session=session, staff=staff)))


@router.post("/auth/logout", status_code=204, summary="退出登录 / log out")
def logout(request: Request, response: Response, session: SessionDep) -> Response:
    raw = _raw_token(request)
    if raw:
        service.revoke_token(session=session, raw=raw)
    response.delete_cookie(SESSION_COOKIE)
    response.status_code = 204
    return response


@router.get("/me", response_model=MeOut, summary="当前用户 / who am I")
def me(viewer: ViewerDep) -> MeOut:
    return me_out(viewer)
