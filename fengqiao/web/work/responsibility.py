"""The responsibility list screen (属地事项清单): read by every account, kept by the county centre. Thin over
``triage.responsibility.service``; the same permission rule as its API."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from fengqiao.accounts.scope import Viewer
from fengqiao.core.errors import FengqiaoError, Forbidden, InvalidInput, NotFound
from fengqiao.jurisdiction.kinds import UnitKind
from fengqiao.jurisdiction.models import Unit
from fengqiao.triage.responsibility import service
from fengqiao.triage.responsibility.api import known_categories
from fengqiao.triage.responsibility.models import ResponsibilityRule
from fengqiao.triage.responsibility.schemas import RuleIn
from fengqiao.triage.taxonomy.schema import default_taxonomy
from fengqiao.web.deps import SessionDep
from fengqiao.web.work.base import PageViewerDep, WorkRoute, render
from fengqiao.web.work.nav import may_edit_responsibilities, work_me

router = APIRouter(prefix="/work", include_in_schema=False, route_class=WorkRoute)
RuleId = Annotated[int, Path(ge=1, le=2**31 - 1)]

# Chinese messages for the fields ``RuleIn`` checks, by field name.
_FIELD_MESSAGES = {
    "category": "请选择事项类别",
    "scope_code": "请选择适用范围（县、镇街或村社）",
    "department_code": "请选择责任部门",
    "note": "备注不超过200字，且不能包含换行等控制字符",
}


class RuleFields(BaseModel):
    """The rule form as posted (text, checked by ``RuleIn`` with the messages above)."""

    category: str = Field(default="", max_length=64)
    scope_code: str = Field(default="", max_length=24)
    department_code: str = Field(default="", max_length=24)
    note: str = Field(default="", max_length=400)


class ListFilter(BaseModel):
    category: str = Field(default="", max_length=64)
    q: str = Field(default="", max_length=50)


@dataclass
class FormState:
    fields: RuleFields = field(default_factory=RuleFields)
    errors: dict[str, str] = field(default_factory=dict)
    error: str | None = None


def _require_editor(viewer: Viewer) -> None:
    if not may_edit_responsibilities(viewer):
        raise Forbidden("仅社会治理中心可以维护属地事项清单", code="permission_denied")


def _rule_in(fields: RuleFields) -> RuleIn:
    """``RuleIn`` from the form, or an ``InvalidInput`` whose details name each bad field in Chinese."""
    try:
        return RuleIn(
            category=fields.category.strip(),
            scope_code=fields.scope_code.strip().upper(),
            department_code=fields.department_code.strip().upper(),
            note=fields.note.strip() or None,
        )
    except ValidationError as exc:
        errors = {str(e["loc"][0]): _FIELD_MESSAGES.get(str(e["loc"][0]), "取值无效") for e in exc.errors()}
        raise InvalidInput("请检查标出的项目", code="invalid_rule", details=errors) from exc


def _category_names() -> dict[str, str]:
    taxonomy = default_taxonomy()
    names = {c.code: c.name for c in taxonomy.categories}
    names.update({s.code: f"{s.category_name} / {s.name}" for s in taxonomy})
    return names


def _choices(session: Session, county_code: str) -> dict[str, Any]:
    taxonomy = default_taxonomy()
    units = session.scalars(
        select(Unit)
        .where(
            Unit.county_code == county_code,
            Unit.kind.in_([k.value for k in (UnitKind.COUNTY, UnitKind.TOWN, UnitKind.VILLAGE, UnitKind.DEPARTMENT)]),
        )
        .order_by(Unit.path)
    ).all()
    return {
        "categories": [
            (c.name, [(c.code, f"{c.name}（全部）")] + [(s.code, s.name) for s in c.subcategories])
            for c in taxonomy.categories
        ],
        "scopes": [(u.code, ("　" * u.level) + u.name) for u in units if u.kind != UnitKind.DEPARTMENT.value],
        "departments": [(u.code, u.name) for u in units if u.kind == UnitKind.DEPARTMENT.value],
    }


def _page(
    request: Request,
    *,
    session: Session,
    viewer: Viewer,
    flt: ListFilter,
    form: FormState | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    names = _category_names()
    rules = service.list_rules(session=session, category=flt.category or None) if flt.category in {"", *names} else []
    text = flt.q.strip()
    if text:
        rules = [
            r
            for r in rules
            if any(text in value for value in (r.scope_name, r.scope_code, r.department_name, r.department_code))
        ]
    editor = may_edit_responsibilities(viewer)
    context = {
        "me": work_me(viewer),
        "nav": "responsibility",
        "rules": rules,
        "names": names,
        "flt": flt,
        "editor": editor,
        "choices": _choices(session, viewer.county_code) if editor else {},
        "form": form or FormState(),
        "notice": notice,
        "error": form.error if form else None,
    }
    return render(request, "work/responsibility.html", context, status_code=status_code)


def _form_error(exc: FengqiaoError) -> FormState:
    errors = exc.details if exc.code == "invalid_rule" and isinstance(exc.details, dict) else {}
    return FormState(errors={str(k): str(v) for k, v in errors.items()}, error=exc.message)


@router.get("/responsibility", response_class=HTMLResponse)
def rules_page(
    request: Request, viewer: PageViewerDep, session: SessionDep, flt: Annotated[ListFilter, Query()]
) -> HTMLResponse:
    notice = {"added": "已新增规则", "saved": "已保存修改", "removed": "已删除规则"}.get(
        request.query_params.get("done", "")
    )
    return _page(request, session=session, viewer=viewer, flt=flt, notice=notice)


@router.post("/responsibility", response_class=HTMLResponse)
def add_rule(
    request: Request, viewer: PageViewerDep, session: SessionDep, fields: Annotated[RuleFields, Form()]
) -> Response:
    _require_editor(viewer)
    try:
        body = _rule_in(fields)
        service.add_rule(
            session=session,
            category=body.category,
            scope_code=body.scope_code,
            department_code=body.department_code,
            note=body.note,
            staff_id=viewer.staff_id,
            known_categories=known_categories(),
        )
    except FengqiaoError as exc:
        form = _form_error(exc)
        form.fields = fields
        return _page(request, session=session, viewer=viewer, flt=ListFilter(), form=form, status_code=exc.status_code)
    return RedirectResponse("/work/responsibility?done=added", status_code=303)


def _rule(session: Session, rule_id: int) -> ResponsibilityRule:
    rule = session.get(ResponsibilityRule, rule_id)
    if rule is None:
        raise NotFound(f"未找到属地事项规则{rule_id}", code="rule_not_found")
    return rule


def _edit_page(
    request: Request, *, session: Session, viewer: Viewer, rule_id: int, form: FormState, status_code: int = 200
) -> HTMLResponse:
    context = {
        "me": work_me(viewer),
        "nav": "responsibility",
        "rule_id": rule_id,
        "choices": _choices(session, viewer.county_code),
        "form": form,
        "error": form.error,
    }
    return render(request, "work/responsibility_edit.html", context, status_code=status_code)


@router.get("/responsibility/{rule_id}/edit", response_class=HTMLResponse)
def edit_form(rule_id: RuleId, request: Request, viewer: PageViewerDep, session: SessionDep) -> HTMLResponse:
    _require_editor(viewer)
    rule = _rule(session, rule_id)
    scope, department = session.get(Unit, rule.scope_unit_id), session.get(Unit, rule.department_unit_id)
    assert scope is not None
    assert department is not None
    fields = RuleFields(
        category=rule.category, scope_code=scope.code, department_code=department.code, note=rule.note or ""
    )
    return _edit_page(request, session=session, viewer=viewer, rule_id=rule_id, form=FormState(fields=fields))


@router.post("/responsibility/{rule_id}", response_class=HTMLResponse)
def save_rule(
    rule_id: RuleId,
    request: Request,
    viewer: PageViewerDep,
    session: SessionDep,
    fields: Annotated[RuleFields, Form()],
) -> Response:
    """The service has no update: the rule is replaced (removed and added again) in one savepoint, so a refused
    change leaves the old rule as it was."""
    _require_editor(viewer)
    _rule(session, rule_id)
    try:
        body = _rule_in(fields)
        with session.begin_nested():
            service.remove_rule(session=session, rule_id=rule_id)
            service.add_rule(
                session=session,
                category=body.category,
                scope_code=body.scope_code,
                department_code=body.department_code,
                note=body.note,
                staff_id=viewer.staff_id,
                known_categories=known_categories(),
            )
    except FengqiaoError as exc:
        form = _form_error(exc)
        form.fields = fields
        return _edit_page(
            request, session=session, viewer=viewer, rule_id=rule_id, form=form, status_code=exc.status_code
        )
    return RedirectResponse("/work/responsibility?done=saved", status_code=303)


@router.post("/responsibility/{rule_id}/delete", response_class=HTMLResponse)
def delete_rule(rule_id: RuleId, viewer: PageViewerDep, session: SessionDep) -> Response:
    _require_editor(viewer)
    service.remove_rule(session=session, rule_id=rule_id)
    return RedirectResponse("/work/responsibility?done=removed", status_code=303)
