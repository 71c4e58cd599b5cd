"""Work screens of early warning: the patterns to review (研判线索) and a pattern with its events, where a dispatcher
confirms, dismisses or merges it. Thin: the warnings services decide and the API's presenters shape the data."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from fengqiao.accounts.permissions import Permission
from fengqiao.accounts.scope import Viewer
from fengqiao.core.errors import FengqiaoError, Forbidden
from fengqiao.core.paging import page_count
from fengqiao.warnings import patterns
from fengqiao.warnings import queries as pattern_queries
from fengqiao.warnings.patterns import PATTERN_KIND_LABELS, PATTERN_STATUS_LABELS, PatternKind, PatternStatus
from fengqiao.warnings.present import pattern_detail, pattern_out
from fengqiao.web.deps import SessionDep
from fengqiao.web.work.base import PageViewerDep, WorkRoute, render
from fengqiao.web.work.nav import work_me

router = APIRouter(prefix="/work", include_in_schema=False, route_class=WorkRoute)
PatternId = Annotated[int, Path(ge=1, le=2**31 - 1)]
PAGE_SIZE = 30
DECISIONS = {"confirmed": "确认线索", "dismissed": "排除线索", "open": "重新研判"}


@router.get("/patterns", response_class=HTMLResponse)
def pattern_list(
    request: Request,
    viewer: PageViewerDep,
    session: SessionDep,
    kind: Annotated[PatternKind | None, Query()] = None,
    status: Annotated[PatternStatus | None, Query()] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    items, total = pattern_queries.list_patterns(
        session=session,
        viewer=viewer,
        kind=kind.value if kind else None,
        status=status.value if status else None,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    masked = pattern_queries.sensitive_members(session=session, pattern_ids=[p.id for p in items])
    context = {
        "me": work_me(viewer),
        "nav": "patterns",
        "rows": [pattern_out(p, mask_subject=p.id in masked) for p in items],
        "total": total,
        "page": page,
        "pages": page_count(total, PAGE_SIZE),
        "kind": kind.value if kind else "",
        "status": status.value if status else "",
        "kinds": [(k.value, label) for k, label in PATTERN_KIND_LABELS.items()],
        "statuses": [(s.value, label) for s, label in PATTERN_STATUS_LABELS.items() if s is not PatternStatus.MERGED],
    }
    return render(request, "work/patterns.html", context)


def _detail(
    request: Request, *, session: Session, viewer: Viewer, pattern_id: int, error: str | None = None, notice: str = ""
) -> HTMLResponse:
    context = {
        "me": work_me(viewer),
        "nav": "patterns",
        "p": pattern_detail(session=session, viewer=viewer, pattern_id=pattern_id),
        "may_decide": viewer.may(Permission.DISPATCH),
        "decisions": DECISIONS,
        "error": error,
        "notice": notice,
    }
    return render(request, "work/pattern.html", context, status_code=422 if error else 200)


@router.get("/patterns/{pattern_id}", response_class=HTMLResponse)
def pattern_page(pattern_id: PatternId, request: Request, viewer: PageViewerDep, session: SessionDep) -> HTMLResponse:
    return _detail(request, session=session, viewer=viewer, pattern_id=pattern_id)


@router.post("/patterns/{pattern_id}/decision", response_class=HTMLResponse)
def decide(
    pattern_id: PatternId,
    request: Request,
    viewer: PageViewerDep,
    session: SessionDep,
    status: Annotated[str, Form(max_length=16)],
    version: Annotated[int, Form(ge=1, le=2**31 - 1)],
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    if not viewer.may(Permission.DISPATCH):
        raise Forbidden("您的岗位不能研判线索", code="permission_denied")
    pattern_queries.get_pattern(session=session, viewer=viewer, pattern_id=pattern_id)
    try:
        if status not in DECISIONS:
            raise FengqiaoError("请选择确认、排除或重新研判")
        with session.begin_nested():
            patterns.decide(
                session=session,
                pattern_id=pattern_id,
                status=PatternStatus(status),
                staff_id=viewer.staff_id,
                version=version,
                note=note,
            )
    except FengqiaoError as exc:
        return _detail(request, session=session, viewer=viewer, pattern_id=pattern_id, error=exc.message)
    return RedirectResponse(f"/work/patterns/{pattern_id}", status_code=303)


@router.post("/patterns/{pattern_id}/merge", response_class=HTMLResponse)
def merge(
    pattern_id: PatternId,
    request: Request,
    viewer: PageViewerDep,
    session: SessionDep,
    into_id: Annotated[str, Form(max_length=12)],
    version: Annotated[int, Form(ge=1, le=2**31 - 1)],
) -> Response:
    if not viewer.may(Permission.DISPATCH):
        raise Forbidden("您的岗位不能研判线索", code="permission_denied")
    pattern_queries.get_pattern(session=session, viewer=viewer, pattern_id=pattern_id)
    try:
        if not into_id.strip().isdigit():
            raise FengqiaoError("请填写要合并到的线索编号")
        target = int(into_id)
        pattern_queries.get_pattern(session=session, viewer=viewer, pattern_id=target)
        with session.begin_nested():
            kept = patterns.merge(
                session=session, keep_id=target, merge_id=pattern_id, staff_id=viewer.staff_id, version=version
            )
    except FengqiaoError as exc:
        return _detail(request, session=session, viewer=viewer, pattern_id=pattern_id, error=exc.message)
    return RedirectResponse(f"/work/patterns/{kept.id}", status_code=303)
