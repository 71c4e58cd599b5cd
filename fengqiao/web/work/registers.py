"""Work screens of the key registers (重点管控): key projects by class, risk and progress, a project with its progress,
task force and linked events; key persons (always masked) with visits; key places. Thin: the registers services
decide, their presenters shape the data; errors are shown on the page they came from."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, ValidationError
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from fengqiao.accounts.scope import Viewer
from fengqiao.core.errors import FengqiaoError, InvalidInput
from fengqiao.core.paging import page_count
from fengqiao.duty.models import DutyAssignment, Staff
from fengqiao.events.kinds import RISK_LEVEL_LABELS
from fengqiao.jurisdiction.kinds import UnitKind
from fengqiao.jurisdiction.models import Unit
from fengqiao.jurisdiction.paths import under_path
from fengqiao.registers import present
from fengqiao.registers import service as registers
from fengqiao.registers.kinds import ENTRY_STATUS_LABELS, EntryKind, EntryStatus
from fengqiao.registers.schemas import (
    PersonIn,
    PersonUpdate,
    PlaceIn,
    PlaceUpdate,
    ProgressIn,
    ProjectIn,
    ProjectUpdate,
    VisitIn,
)
from fengqiao.registers.taxonomy import taxonomy
from fengqiao.web.deps import SessionDep
from fengqiao.web.work.base import PageViewerDep, WorkRoute, render
from fengqiao.web.work.nav import work_me

router = APIRouter(prefix="/work/registers", include_in_schema=False, route_class=WorkRoute)
EntryId = Annotated[int, Path(ge=1, le=2**31 - 1)]
PAGE_SIZE = 30
FilterCode = Annotated[str, Query(max_length=32, pattern=r"^[0-9a-z_]*$")]
RISKS = [(r.value, label) for r, label in RISK_LEVEL_LABELS.items()]
STATUSES = [(s.value, label) for s, label in ENTRY_STATUS_LABELS.items()]
OUTCOMES = list(present.VISIT_OUTCOME_LABELS.items())
NAV = "registers"


def _form(model: type[BaseModel], data: dict[str, Any]) -> Any:
    """A schema from form fields: blank fields are left out, a refusal becomes a Chinese message."""
    values = {k: v for k, v in data.items() if v not in ("", None)}
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise InvalidInput("提交的内容有误，请检查必填项和格式后重试", code="invalid_form") from exc


def _aliases(text: str) -> list[str]:
    return [a.strip() for a in text.replace("，", ",").replace("、", ",").split(",") if a.strip()]


def _units(session: Session, viewer: Viewer, kinds: tuple[UnitKind, ...]) -> list[Unit]:
    query = select(Unit).where(Unit.kind.in_([k.value for k in kinds]), Unit.county_code == viewer.county_code)
    if viewer.territory is not None:
        query = query.where(or_(*(under_path(Unit.path, p) for p in viewer.territory)))
    return list(session.scalars(query.order_by(Unit.path).limit(500)))


def _staff_choices(session: Session, viewer: Viewer, path: str) -> list[tuple[int, str]]:
    """Who may sit on a task force: staff of the entry's town and of the county's departments and stations."""
    town_path = "/".join(path.split("/")[:2]) + "/"
    rows = session.execute(
        select(Staff.id, Staff.full_name, Unit.name)
        .join(DutyAssignment, DutyAssignment.staff_id == Staff.id)
        .join(Unit, Unit.id == DutyAssignment.unit_id)
        .where(
            Staff.county_code == viewer.county_code,
            Staff.is_active.is_(True),
            or_(
                under_path(Unit.path, town_path),
                Unit.kind.in_([UnitKind.DEPARTMENT.value, UnitKind.POLICE_STATION.value, UnitKind.JOINT_STATION.value]),
            ),
        )
        .order_by(Unit.path, Staff.full_name, Staff.id)
        .limit(400)
    )
    seen: dict[int, str] = {}
    for staff_id, name, unit_name in rows:
        seen.setdefault(staff_id, f"{name}（{unit_name}）")
    return list(seen.items())


def _base(viewer: Viewer, tab: str) -> dict[str, Any]:
    return {
        "me": work_me(viewer),
        "nav": NAV,
        "tab": tab,
        "may_keep": registers.may_keep(viewer),
        "may_visit": registers.may_visit(viewer),
        "risks": RISKS,
        "statuses": STATUSES,
    }


# --- key projects -----------------------------------------------------------------------------------------------


@router.get("", response_class=HTMLResponse)
def project_list(
    request: Request,
    viewer: PageViewerDep,
    session: SessionDep,
    class_code: FilterCode = "",
    risk: FilterCode = "",
    status: FilterCode = "active",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    items, total = registers.list_projects(
        session=session,
        viewer=viewer,
        class_code=class_code or None,
        risk_level=risk or None,
        status=status or None,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    context = {
        **_base(viewer, "projects"),
        "rows": present.projects(session=session, items=items),
        "total": total,
        "page": page,
        "pages": page_count(total, PAGE_SIZE),
        "class_code": class_code,
        "risk": risk,
        "status": status,
        "classes": [(c.code, f"{c.code} {c.name}") for c in taxonomy().classes],
    }
    return render(request, "work/registers.html", context)


def _new_project(
    request: Request,
    *,
    session: Session,
    viewer: Viewer,
    error: str | None = None,
    values: dict[str, Any] | None = None,
) -> HTMLResponse:
    context = {
        **_base(viewer, "projects"),
        "classes": taxonomy().classes,
        "units": _units(session, viewer, (UnitKind.TOWN, UnitKind.VILLAGE)),
        "error": error,
        "v": values or {},
    }
    return render(request, "work/key_project_new.html", context, status_code=422 if error else 200)


@router.get("/projects/new", response_class=HTMLResponse)
def new_project(request: Request, viewer: PageViewerDep, session: SessionDep) -> HTMLResponse:
    return _new_project(request, session=session, viewer=viewer)


@router.post("/projects", response_class=HTMLResponse)
async def create_project(request: Request, viewer: PageViewerDep, session: SessionDep) -> Response:
    form = dict(await request.form())
    values = {k: str(v) for k, v in form.items()}
    try:
        parties = []
        if values.get("party_name"):
            parties.append(
                {
                    "kind": "organisation",
                    "role": values.get("party_role") or "建设单位",
                    "name": values["party_name"],
                    "credit_code": values.get("party_credit_code") or None,
                }
            )
        data = _form(
            ProjectIn,
            {
                "subclass_code": values.get("subclass_code"),
                "name": values.get("name"),
                "unit_id": values.get("unit_id"),
                "building_id": values.get("building_id"),
                "address": values.get("address"),
                "risk_level": values.get("risk_level"),
                "description": values.get("description"),
                "aliases": _aliases(values.get("aliases", "")),
                "parties": parties,
            },
        )
        with session.begin_nested():
            project = registers.create_project(session=session, viewer=viewer, data=data)
    except FengqiaoError as exc:
        return _new_project(request, session=session, viewer=viewer, error=exc.message, values=values)
    return RedirectResponse(f"/work/registers/projects/{project.id}", status_code=303)


def _project_page(
    request: Request,
    *,
    session: Session,
    viewer: Viewer,
    project_id: int,
    error: str | None = None,
    status_code: int = 422,
) -> HTMLResponse:
    project = registers.get_project(session=session, viewer=viewer, project_id=project_id)
    context = {
        **_base(viewer, "projects"),
        "p": present.project_detail(session=session, project=project),
        "linked": present.linked(session=session, viewer=viewer, kind=EntryKind.PROJECT, entry_id=project.id),
        "staff_choices": _staff_choices(session, viewer, project.unit_path) if registers.may_keep(viewer) else [],
        "error": error,
    }
    return render(request, "work/key_project.html", context, status_code=status_code if error else 200)


@router.get("/projects/{project_id}", response_class=HTMLResponse)
def project_page(project_id: EntryId, request: Request, viewer: PageViewerDep, session: SessionDep) -> HTMLResponse:
    return _project_page(request, session=session, viewer=viewer, project_id=project_id)


async def _change_on_page(
    request: Request,
    *,
    session: Session,
    change: Callable[[dict[str, str]], object],
    page: Callable[..., HTMLResponse],
    back: str,
) -> Response:
    """A form posted from an entry's page: the change in a savepoint, then back to the page; a refusal is shown on
    the page itself (``page(error=..., status_code=...)``)."""
    values = {k: str(v) for k, v in (await request.form()).items()}
    try:
        with session.begin_nested():
            change(values)
    except FengqiaoError as exc:
        return page(error=exc.message, status_code=exc.status_code)
    return RedirectResponse(back, status_code=303)


async def _change_project(
    request: Request, *, session: Session, viewer: Viewer, project_id: int, change: Callable[[dict[str, str]], object]
) -> Response:
    page = partial(_project_page, request, session=session, viewer=viewer, project_id=project_id)
    back = f"/work/registers/projects/{project_id}"
    return await _change_on_page(request, session=session, change=change, page=page, back=back)


@router.post("/projects/{project_id}/progress", response_class=HTMLResponse)
async def add_progress(project_id: EntryId, request: Request, viewer: PageViewerDep, session: SessionDep) -> Response:
    def change(values: dict[str, str]) -> object:
        data = _form(ProgressIn, {k: values.get(k) for k in ("on_date", "percent", "stage", "note")})
        return registers.add_progress(session=session, viewer=viewer, project_id=project_id, data=data)

    return await _change_project(request, session=session, viewer=viewer, project_id=project_id, change=change)


@router.post("/projects/{project_id}/members/{member_id}", response_class=HTMLResponse)
async def assign_member(
    project_id: EntryId, member_id: EntryId, request: Request, viewer: PageViewerDep, session: SessionDep
) -> Response:
    def change(values: dict[str, str]) -> object:
        raw = values.get("staff_id", "")
        if raw and not raw.isdigit():
            raise InvalidInput("请选择专班成员", code="invalid_form")
        staff_id = int(raw) if raw else None
        return registers.assign_member(
            session=session, viewer=viewer, project_id=project_id, member_id=member_id, staff_id=staff_id
        )

    return await _change_project(request, session=session, viewer=viewer, project_id=project_id, change=change)


@router.post("/projects/{project_id}/edit", response_class=HTMLResponse)
async def edit_project(project_id: EntryId, request: Request, viewer: PageViewerDep, session: SessionDep) -> Response:
    def change(values: dict[str, str]) -> object:
        fields = {k: values.get(k) for k in ("version", "risk_level", "status")}
        data = _form(ProjectUpdate, {**fields, "aliases": _aliases(values.get("aliases", ""))})
        return registers.update_project(session=session, viewer=viewer, project_id=project_id, changes=data)

    return await _change_project(request, session=session, viewer=viewer, project_id=project_id, change=change)


# --- key persons and key places: one list screen and one detail frame, told apart by a description ---------------


@dataclass(frozen=True)
class Column:
    """A list column: its heading and the text of a row's cell (``chip``: a marker shown beside the text)."""

    label: str
    text: Callable[[Any], object]
    chip: Callable[[Any], str | None] = lambda row: None


@dataclass(frozen=True)
class FormField:
    """A field of the 登记 form. ``kind`` chooses the control: text, textarea, category, level, unit or aliases."""

    name: str
    label: str
    kind: str = "text"
    required: bool = False
    maxlength: int = 0
    testid: str = ""
    inputmode: str = ""
    secret: bool = False  # never written back into the form (an ID number is not echoed after a refusal)


@dataclass(frozen=True)
class Register:
    """What sets the key-person register apart from the key-place register on screen; the rest is shared."""

    tab: str  # the URL segment and the tab
    noun: str  # the prefix of the stable test ids
    title: str
    intro: str
    measure: str  # 共 N 人 / 共 N 处
    head: str  # the first column: the entry's name, a link to its page
    head_sub: Callable[[Any], str | None]
    category_label: str
    columns: tuple[Column, ...]
    form_title: str
    form_save: str
    fields: tuple[FormField, ...]
    create_schema: type[BaseModel]
    update_schema: type[BaseModel]
    update_fields: tuple[str, ...]
    categories: Callable[[], list[Any]]
    listing: Callable[..., tuple[list[Any], int]]
    rows: Callable[..., list[Any]]
    create: Callable[..., Any]
    get: Callable[..., Any]
    detail: Callable[..., Any]
    update: Callable[..., Any]
    kind: EntryKind
    template: str  # the detail page

    def path(self, entry_id: int | None = None) -> str:
        return f"/work/registers/{self.tab}" + (f"/{entry_id}" if entry_id else "")


def _placing(noun: str) -> tuple[FormField, ...]:
    """The fields every register entry has: its category, level and unit."""
    return (
        FormField("category", f"{noun}类别", kind="category", required=True, testid="category"),
        FormField("level", "管控等级（默认按类别）", kind="level", testid="level"),
        FormField("unit_id", "属地单位", kind="unit", required=True, testid="unit"),
    )


PERSONS = Register(
    tab="persons",
    noun="person",
    title="重点人员",
    intro="重点人员名册：姓名、身份证号一律脱敏显示；严管类别只登记类别，不记录病情。涉及名册人员的事件自动关联并调高风险。",
    measure="人",
    head="姓名",
    head_sub=lambda p: p.id_number,  # masked by the presenter
    category_label="人员类别",
    columns=(
        Column("类别", lambda p: p.category.label, chip=lambda p: "严管" if p.restricted else None),
        Column("等级", lambda p: p.level.label),
        Column("属地", lambda p: p.unit_name),
        Column("责任人", lambda p: p.responsible_name or "—"),
        Column("最近走访", lambda p: p.last_visit or "未走访"),
        Column("关联事件", lambda p: p.linked_event_count),
    ),
    form_title="登记重点人员",
    form_save="登记人员",
    fields=(
        FormField("name", "姓名", required=True, maxlength=32, testid="name"),
        FormField("id_number", "身份证号码", required=True, maxlength=18, testid="id-number", secret=True),
        FormField("phone", "联系电话（选填）", maxlength=20),
        *_placing("人员"),
        FormField("note", "备注（严管类别不得填写）", kind="textarea", maxlength=1000),
    ),
    create_schema=PersonIn,
    update_schema=PersonUpdate,
    update_fields=("version", "level", "status"),
    categories=lambda: taxonomy().person_categories,
    listing=registers.list_persons,
    rows=present.persons,
    create=registers.create_person,
    get=lambda *, session, viewer, entry_id: registers.get_person(session=session, viewer=viewer, person_id=entry_id),
    detail=lambda *, session, entry: present.person_detail(session=session, person=entry),
    update=lambda *, session, viewer, entry_id, changes: registers.update_person(
        session=session, viewer=viewer, person_id=entry_id, changes=changes
    ),
    kind=EntryKind.PERSON,
    template="work/key_person.html",
)

PLACES = Register(
    tab="places",
    noun="place",
    title="重点场所",
    intro="重点场所：发生在场所楼栋或提及场所别名的事件自动关联并调高风险。",
    measure="处",
    head="场所",
    head_sub=lambda p: None,
    category_label="场所类别",
    columns=(
        Column("类别", lambda p: p.category.label),
        Column("等级", lambda p: p.level.label),
        Column("属地", lambda p: p.unit_name),
        Column("位置", lambda p: p.building_address or "、".join(p.aliases)),
        Column("关联事件", lambda p: p.linked_event_count),
    ),
    form_title="登记重点场所",
    form_save="登记场所",
    fields=(
        FormField("name", "场所名称", required=True, maxlength=100, testid="name"),
        *_placing("场所"),
        FormField("building_id", "楼栋编号（选填）", maxlength=10, testid="building", inputmode="numeric"),
        FormField(
            "aliases", "别名（无楼栋时必填，逗号分隔，每个至少3字）", kind="aliases", maxlength=400, testid="aliases"
        ),
        FormField("note", "备注（选填）", kind="textarea", maxlength=1000),
    ),
    create_schema=PlaceIn,
    update_schema=PlaceUpdate,
    update_fields=("version", "level", "status", "aliases"),
    categories=lambda: taxonomy().place_categories,
    listing=registers.list_places,
    rows=present.places,
    create=registers.create_place,
    get=lambda *, session, viewer, entry_id: registers.get_place(session=session, viewer=viewer, place_id=entry_id),
    detail=lambda *, session, entry: present.places(session=session, items=[entry])[0],
    update=lambda *, session, viewer, entry_id, changes: registers.update_place(
        session=session, viewer=viewer, place_id=entry_id, changes=changes
    ),
    kind=EntryKind.PLACE,
    template="work/key_place.html",
)


def _entry_values(fields: Sequence[str], values: dict[str, str]) -> dict[str, Any]:
    """Form text for a register schema: aliases are typed as one line, the rest goes as it is."""
    return {k: _aliases(values.get(k, "")) if k == "aliases" else values.get(k) for k in fields}


def _entry_list(
    request: Request,
    *,
    register: Register,
    session: Session,
    viewer: Viewer,
    category: str = "",
    level: str = "",
    page: int = 1,
    error: str | None = None,
    values: dict[str, Any] | None = None,
) -> HTMLResponse:
    items, total = register.listing(
        session=session,
        viewer=viewer,
        category=category or None,
        level=level or None,
        status=EntryStatus.ACTIVE.value,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    context = {
        **_base(viewer, register.tab),
        "reg": register,
        "rows": register.rows(session=session, items=items),
        "total": total,
        "page": page,
        "pages": page_count(total, PAGE_SIZE),
        "category": category,
        "level": level,
        "categories": register.categories(),
        "category_choices": [(c.code, c.name) for c in register.categories()],
        "units": _units(session, viewer, (UnitKind.TOWN, UnitKind.VILLAGE, UnitKind.GRID)),
        "error": error,
        "v": values or {},
    }
    return render(request, "work/key_entries.html", context, status_code=422 if error else 200)


def _entry_page(
    request: Request,
    *,
    register: Register,
    session: Session,
    viewer: Viewer,
    entry_id: int,
    error: str | None = None,
    status_code: int = 422,
) -> HTMLResponse:
    entry = register.get(session=session, viewer=viewer, entry_id=entry_id)
    context = {
        **_base(viewer, register.tab),
        "reg": register,
        "p": register.detail(session=session, entry=entry),
        "linked": present.linked(session=session, viewer=viewer, kind=register.kind, entry_id=entry.id),
        "outcomes": OUTCOMES,
        "error": error,
    }
    return render(request, register.template, context, status_code=status_code if error else 200)


def _mount(register: Register) -> None:
    """The list, 登记, detail and edit routes of one register."""

    @router.get(f"/{register.tab}", response_class=HTMLResponse, name=f"{register.tab}_list")
    def entry_list(
        request: Request,
        viewer: PageViewerDep,
        session: SessionDep,
        category: FilterCode = "",
        level: FilterCode = "",
        page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    ) -> HTMLResponse:
        return _entry_list(
            request, register=register, session=session, viewer=viewer, category=category, level=level, page=page
        )

    @router.post(f"/{register.tab}", response_class=HTMLResponse, name=f"{register.tab}_create")
    async def create_entry(request: Request, viewer: PageViewerDep, session: SessionDep) -> Response:
        values = {k: str(v) for k, v in (await request.form()).items()}
        try:
            data = _form(register.create_schema, _entry_values([f.name for f in register.fields], values))
            with session.begin_nested():
                entry = register.create(session=session, viewer=viewer, data=data)
        except FengqiaoError as exc:
            secret = {f.name for f in register.fields if f.secret}
            safe = {k: v for k, v in values.items() if k not in secret}
            return _entry_list(
                request, register=register, session=session, viewer=viewer, error=exc.message, values=safe
            )
        return RedirectResponse(register.path(entry.id), status_code=303)

    @router.get(f"/{register.tab}/{{entry_id}}", response_class=HTMLResponse, name=f"{register.tab}_page")
    def entry_page(entry_id: EntryId, request: Request, viewer: PageViewerDep, session: SessionDep) -> HTMLResponse:
        return _entry_page(request, register=register, session=session, viewer=viewer, entry_id=entry_id)

    @router.post(f"/{register.tab}/{{entry_id}}/edit", response_class=HTMLResponse, name=f"{register.tab}_edit")
    async def edit_entry(entry_id: EntryId, request: Request, viewer: PageViewerDep, session: SessionDep) -> Response:
        def change(values: dict[str, str]) -> object:
            changes = _form(register.update_schema, _entry_values(register.update_fields, values))
            return register.update(session=session, viewer=viewer, entry_id=entry_id, changes=changes)

        return await _change_entry(
            request, register=register, session=session, viewer=viewer, entry_id=entry_id, change=change
        )


async def _change_entry(
    request: Request,
    *,
    register: Register,
    session: Session,
    viewer: Viewer,
    entry_id: int,
    change: Callable[[dict[str, str]], object],
) -> Response:
    page = partial(_entry_page, request, register=register, session=session, viewer=viewer, entry_id=entry_id)
    return await _change_on_page(request, session=session, change=change, page=page, back=register.path(entry_id))


for _register in (PERSONS, PLACES):
    _mount(_register)


@router.post("/persons/{person_id}/visits", response_class=HTMLResponse)
async def add_visit(person_id: EntryId, request: Request, viewer: PageViewerDep, session: SessionDep) -> Response:
    def change(values: dict[str, str]) -> object:
        data = _form(VisitIn, {k: values.get(k) for k in ("visited_on", "outcome", "note")})
        return registers.add_visit(session=session, viewer=viewer, person_id=person_id, data=data)

    return await _change_entry(
        request, register=PERSONS, session=session, viewer=viewer, entry_id=person_id, change=change
    )
