"""Work screens of warnings (预警): the unit's warnings with acknowledgement and closing, a warning with its evidence;
and, for administrators, the risk rule set editor (validate with errors per line and field, dry run over past
events, save as a new version, activate or roll back). Thin over ``warnings.issued`` and ``warnings.rules``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from fengqiao.accounts.permissions import Permission
from fengqiao.accounts.scope import Viewer
from fengqiao.core.errors import FengqiaoError, Forbidden
from fengqiao.core.paging import page_count
from fengqiao.events.kinds import RISK_LEVEL_LABELS
from fengqiao.warnings import issued, notices
from fengqiao.warnings.rules import service as rule_service
from fengqiao.warnings.rules import store as rule_store
from fengqiao.warnings.rules.schema import RuleProblem, RuleSetInvalid, parse
from fengqiao.warnings.schemas import WarningOut
from fengqiao.web.deps import SessionDep
from fengqiao.web.work.base import PageViewerDep, WorkRoute, render, safe_next
from fengqiao.web.work.nav import work_me

router = APIRouter(prefix="/work", include_in_schema=False, route_class=WorkRoute)
WarningId = Annotated[int, Path(ge=1, le=2**31 - 1)]
PAGE_SIZE = 30
MAX_RULES_TEXT = 200_000


def inbox_warnings(*, session: Session, viewer: Viewer) -> list[WarningOut]:
    """The inbox's 待签收预警: what the viewer's own units must acknowledge."""
    items = issued.awaiting(session=session, viewer=viewer)
    return notices.warnings_out(session=session, viewer=viewer, items=items)


@router.get("/warnings", response_class=HTMLResponse)
def warning_list(
    request: Request,
    viewer: PageViewerDep,
    session: SessionDep,
    view: Annotated[str, Query(pattern="^(pending|all)$")] = "pending",
    level: Annotated[str, Query(pattern="^(|low|medium|high)$")] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    items, total = issued.list_warnings(
        session=session,
        viewer=viewer,
        pending_only=view == "pending",
        level=level or None,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    context = {
        "me": work_me(viewer),
        "nav": "warnings",
        "rows": notices.warnings_out(session=session, viewer=viewer, items=items),
        "total": total,
        "page": page,
        "pages": page_count(total, PAGE_SIZE),
        "view": view,
        "level": level,
        "levels": [(k.value, f"{v}风险") for k, v in RISK_LEVEL_LABELS.items()],
        "here": str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
    }
    return render(request, "work/warnings.html", context)


def _detail(
    request: Request, *, session: Session, viewer: Viewer, warning_id: int, error: str | None = None
) -> HTMLResponse:
    context = {
        "me": work_me(viewer),
        "nav": "warnings",
        "w": notices.warning_detail(session=session, viewer=viewer, warning_id=warning_id),
        "error": error,
    }
    return render(request, "work/warning.html", context, status_code=422 if error else 200)


@router.get("/warnings/{warning_id}", response_class=HTMLResponse)
def warning_page(warning_id: WarningId, request: Request, viewer: PageViewerDep, session: SessionDep) -> HTMLResponse:
    return _detail(request, session=session, viewer=viewer, warning_id=warning_id)


@router.post("/warnings/{warning_id}/acknowledge", response_class=HTMLResponse)
def acknowledge(
    warning_id: WarningId,
    request: Request,
    viewer: PageViewerDep,
    session: SessionDep,
    version: Annotated[int, Form(ge=1, le=2**31 - 1)],
    note: Annotated[str, Form(max_length=500)] = "",
    back: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    issued.get_warning(session=session, viewer=viewer, warning_id=warning_id)
    try:
        with session.begin_nested():
            issued.acknowledge(session=session, viewer=viewer, warning_id=warning_id, version=version, note=note)
    except FengqiaoError as exc:
        return _detail(request, session=session, viewer=viewer, warning_id=warning_id, error=exc.message)
    return RedirectResponse(safe_next(back) if back else f"/work/warnings/{warning_id}", status_code=303)


@router.post("/warnings/{warning_id}/close", response_class=HTMLResponse)
def close(
    warning_id: WarningId,
    request: Request,
    viewer: PageViewerDep,
    session: SessionDep,
    version: Annotated[int, Form(ge=1, le=2**31 - 1)],
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    issued.get_warning(session=session, viewer=viewer, warning_id=warning_id)
    try:
        with session.begin_nested():
            issued.close(session=session, viewer=viewer, warning_id=warning_id, version=version, note=note)
    except FengqiaoError as exc:
        return _detail(request, session=session, viewer=viewer, warning_id=warning_id, error=exc.message)
    return RedirectResponse(f"/work/warnings/{warning_id}", status_code=303)


# --- the rule set editor (administrators) -------------------------------------------------------------------------


def may_edit_rules(viewer: Viewer) -> bool:
    return viewer.may(Permission.ADMINISTER)


def _require_admin(viewer: Viewer) -> None:
    if not may_edit_rules(viewer):
        raise Forbidden("仅系统管理员可以维护风险规则", code="permission_denied")


def _editor(
    request: Request,
    *,
    session: Session,
    viewer: Viewer,
    text: str,
    days: int = 30,
    note: str = "",
    problems: list[RuleProblem] | None = None,
    report: Any = None,
    notice: str | None = None,
    valid: bool | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    versions = rule_store.list_versions(session=session, county_code=viewer.county_code)
    current = rule_store.active(session=session, county_code=viewer.county_code)
    bad_lines = {p.line for p in problems or [] if p.line}
    context = {
        "me": work_me(viewer),
        "nav": "rules",
        "text": text,
        "days": days,
        "note": note,
        "problems": problems or [],
        "lines": list(enumerate(text.split("\n"), start=1)) if problems else [],
        "bad_lines": bad_lines,
        "report": notices.dry_run_out(report) if report is not None else None,
        "notice": notice,
        "valid": valid,
        "versions": notices.rule_sets_out(session=session, items=versions),
        "active_version": current.version,
        "builtin": not versions,
    }
    return render(request, "work/rules.html", context, status_code=status_code)


@router.get("/rules", response_class=HTMLResponse)
def rules_page(
    request: Request,
    viewer: PageViewerDep,
    session: SessionDep,
    version: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    saved: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> HTMLResponse:
    _require_admin(viewer)
    if version is not None:
        text = rule_store.get_version(session=session, county_code=viewer.county_code, rule_set_id=version).text
    else:
        versions = rule_store.list_versions(session=session, county_code=viewer.county_code)
        active = next((v for v in versions if v.is_active), None)
        text = active.text if active is not None else rule_store.default_text()
    notice = f"已保存为第 {saved} 版" if saved else None
    return _editor(request, session=session, viewer=viewer, text=text, notice=notice)


@router.post("/rules", response_class=HTMLResponse)
def rules_submit(
    request: Request,
    viewer: PageViewerDep,
    session: SessionDep,
    text: Annotated[str, Form(max_length=MAX_RULES_TEXT)] = "",
    action: Annotated[str, Form(pattern="^(validate|dry_run|save)$")] = "validate",
    days: Annotated[int, Form(ge=1, le=366)] = 30,
    note: Annotated[str, Form(max_length=200)] = "",
    activate: Annotated[bool, Form()] = False,
) -> Response:
    _require_admin(viewer)
    text = text.replace("\r\n", "\n")
    page: dict[str, Any] = {"session": session, "viewer": viewer, "text": text, "days": days, "note": note}
    try:
        spec = parse(text)
    except RuleSetInvalid as exc:
        return _editor(request, **page, problems=exc.problems, valid=False, status_code=422)
    if action == "dry_run":
        report = rule_service.dry_run(session=session, county_code=viewer.county_code, spec=spec, days=days)
        notice = f"试运行完成：近 {days} 天共 {report.events} 起事件"
        return _editor(request, **page, report=report, valid=True, notice=notice)
    if action == "save":
        with session.begin_nested():
            row = rule_store.save(
                session=session,
                county_code=viewer.county_code,
                text=text,
                staff_id=viewer.staff_id,
                note=note,
                activate=activate,
            )
        return RedirectResponse(f"/work/rules?saved={row.version}", status_code=303)
    return _editor(request, **page, valid=True, notice=f"校验通过：共 {len(spec.rules)} 条规则")


@router.post("/rules/{rule_set_id}/activate", response_class=HTMLResponse)
def rules_activate(
    rule_set_id: Annotated[int, Path(ge=1, le=2**31 - 1)], viewer: PageViewerDep, session: SessionDep
) -> Response:
    _require_admin(viewer)
    rule_store.make_active(
        session=session, county_code=viewer.county_code, rule_set_id=rule_set_id, staff_id=viewer.staff_id
    )
    return RedirectResponse("/work/rules", status_code=303)
