"""Work screens of the key registers (重点管控): key projects by class, risk and progress, a project with its progress,
task force and linked events; key persons (always masked) with visits; key places. Thin: the registers services
decide, their presenters shape the data; errors are shown on the page they came from."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, ValidationError
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from fengqiao.accounts.scope import Viewer
from fengqiao.core.errors import FengqiaoError, InvalidInput
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
        "pages": max(1, -(-total // PAGE_SIZE)),
        "class_code": class_code,
        "risk": risk,
        "status": status,
        "classes": [(c.code, c.name) for c in taxonomy().classes],
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


@router.post("/projects/{project_id}/progress", response_class=HTMLResponse)
async def add_progress(project_id: EntryId, request: Request, viewer: PageViewerDep, session: SessionDep) -> Response:
    values = {k: str(v) for k, v in (await request.form()).items()}
    try:
        data = _form(ProgressIn, {k: values.get(k) for k in ("on_date", "percent", "stage", "note")})
        with session.begin_nested():
            registers.add_progress(session=session, viewer=viewer, project_id=project_id, data=data)
    except FengqiaoError as exc:
        return _project_page(
            request,
            session=session,
            viewer=viewer,
            project_id=project_id,
            error=exc.message,
            status_code=exc.status_code,
        )
    return RedirectResponse(f"/work/registers/projects/{project_id}", status_code=303)


@router.post("/projects/{project_id}/members/{member_id}", response_class=HTMLResponse)
async def assign_member(
    project_id: EntryId, member_id: EntryId, request: Request, viewer: PageViewerDep, session: SessionDep
) -> Response:
    values = {k: str(v) for k, v in (await request.form()).items()}
    try:
        raw = values.get("staff_id", "")
        if raw and not raw.isdigit():
            raise InvalidInput("请选择专班成员", code="invalid_form")
        with session.begin_nested():
            registers.assign_member(
                session=session,
                viewer=viewer,
                project_id=project_id,
                member_id=member_id,
                staff_id=int(raw) if raw else None,
            )
    except FengqiaoError as exc:
        return _project_page(
            request,
            session=session,
            viewer=viewer,
            project_id=project_id,
            error=exc.message,
            status_code=exc.status_code,
        )
    return RedirectResponse(f"/work/registers/projects/{project_id}", status_code=303)


@router.post("/projects/{project_id}/edit", response_class=HTMLResponse)
async def edit_project(project_id: EntryId, request: Request, viewer: PageViewerDep, session: SessionDep) -> Response:
    values = {k: str(v) for k, v in (await request.form()).items()}
    try:
        data = _form(
            ProjectUpdate,
            {
                "version": values.get("version"),
                "risk_level": values.get("risk_level"),
                "status": values.get("status"),
                "aliases": _aliases(values.get("aliases", "")),
            },
        )
        with session.begin_nested():
            registers.update_project(session=session, viewer=viewer, project_id=project_id, changes=data)
    except FengqiaoError as exc:
        return _project_page(
            request,
            session=session,
            viewer=viewer,
            project_id=project_id,
            error=exc.message,
            status_code=exc.status_code,
        )
    return RedirectResponse(f"/work/registers/projects/{project_id}", status_code=303)


# --- key persons ------------------------------------------------------------------------------------------------


def _person_list(
    request: Request,
    *,
    session: Session,
    viewer: Viewer,
    category: str = "",
    level: str = "",
    page: int = 1,
    error: str | None = None,
    values: dict[str, Any] | None = None,
) -> HTMLResponse:
    items, total = registers.list_persons(
        session=session,
        viewer=viewer,
        category=category or None,
        level=level or None,
        status=EntryStatus.ACTIVE.value,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    context = {
        **_base(viewer, "persons"),
        "rows": present.persons(session=session, items=items),
        "total": total,
        "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "category": category,
        "level": level,
        "categories": taxonomy().person_categories,
        "units": _units(session, viewer, (UnitKind.TOWN, UnitKind.VILLAGE, UnitKind.GRID)),
        "error": error,
        "v": values or {},
    }
    return render(request, "work/key_persons.html", context, status_code=422 if error else 200)


@router.get("/persons", response_class=HTMLResponse)
def person_list(
    request: Request,
    viewer: PageViewerDep,
    session: SessionDep,
    category: FilterCode = "",
    level: FilterCode = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    return _person_list(request, session=session, viewer=viewer, category=category, level=level, page=page)


@router.post("/persons", response_class=HTMLResponse)
async def create_person(request: Request, viewer: PageViewerDep, session: SessionDep) -> Response:
    values = {k: str(v) for k, v in (await request.form()).items()}
    try:
        fields = ("name", "id_number", "phone", "category", "level", "unit_id", "responsible_staff_id", "note")
        data = _form(PersonIn, {k: values.get(k) for k in fields})
        with session.begin_nested():
            person = registers.create_person(session=session, viewer=viewer, data=data)
    except FengqiaoError as exc:
        safe = {k: v for k, v in values.items() if k != "id_number"}
        return _person_list(request, session=session, viewer=viewer, error=exc.message, values=safe)
    return RedirectResponse(f"/work/registers/persons/{person.id}", status_code=303)


def _person_page(
    request: Request,
    *,
    session: Session,
    viewer: Viewer,
    person_id: int,
    error: str | None = None,
    status_code: int = 422,
) -> HTMLResponse:
    person = registers.get_person(session=session, viewer=viewer, person_id=person_id)
    context = {
        **_base(viewer, "persons"),
        "p": present.person_detail(session=session, person=person),
        "linked": present.linked(session=session, viewer=viewer, kind=EntryKind.PERSON, entry_id=person.id),
        "outcomes": OUTCOMES,
        "error": error,
    }
    return render(request, "work/key_person.html", context, status_code=status_code if error else 200)


@router.get("/persons/{person_id}", response_class=HTMLResponse)
def person_page(person_id: EntryId, request: Request, viewer: PageViewerDep, session: SessionDep) -> HTMLResponse:
    return _person_page(request, session=session, viewer=viewer, person_id=person_id)


@router.post("/persons/{person_id}/edit", response_class=HTMLResponse)
async def edit_person(person_id: EntryId, request: Request, viewer: PageViewerDep, session: SessionDep) -> Response:
    values = {k: str(v) for k, v in (await request.form()).items()}
    try:
        data = _form(PersonUpdate, {k: values.get(k) for k in ("version", "level", "status")})
        with session.begin_nested():
            registers.update_person(session=session, viewer=viewer, person_id=person_id, changes=data)
    except FengqiaoError as exc:
        return _person_page(
            request, session=session, viewer=viewer, person_id=person_id, error=exc.message, status_code=exc.status_code
        )
    return RedirectResponse(f"/work/registers/persons/{person_id}", status_code=303)


@router.post("/persons/{person_id}/visits", response_class=HTMLResponse)
async def add_visit(person_id: EntryId, request: Request, viewer: PageViewerDep, session: SessionDep) -> Response:
    values = {k: str(v) for k, v in (await request.form()).items()}
    try:
        data = _form(VisitIn, {k: values.get(k) for k in ("visited_on", "outcome", "note")})
        with session.begin_nested():
            registers.add_visit(session=session, viewer=viewer, person_id=person_id, data=data)
    except FengqiaoError as exc:
        return _person_page(
            request, session=session, viewer=viewer, person_id=person_id, error=exc.message, status_code=exc.status_code
        )
    return RedirectResponse(f"/work/registers/persons/{person_id}", status_code=303)


# --- key places -------------------------------------------------------------------------------------------------


def _place_list(
    request: Request,
    *,
    session: Session,
    viewer: Viewer,
    category: str = "",
    level: str = "",
    page: int = 1,
    error: str | None = None,
    values: dict[str, Any] | None = None,
) -> HTMLResponse:
    items, total = registers.list_places(
        session=session,
        viewer=viewer,
        category=category or None,
        level=level or None,
        status=EntryStatus.ACTIVE.value,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    context = {
        **_base(viewer, "places"),
        "rows": present.places(session=session, items=items),
        "total": total,
        "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "category": category,
        "level": level,
        "categories": taxonomy().place_categories,
        "units": _units(session, viewer, (UnitKind.TOWN, UnitKind.VILLAGE, UnitKind.GRID)),
        "error": error,
        "v": values or {},
    }
    return render(request, "work/key_places.html", context, status_code=422 if error else 200)


@router.get("/places", response_class=HTMLResponse)
def place_list(
    request: Request,
    viewer: PageViewerDep,
    session: SessionDep,
    category: FilterCode = "",
    level: FilterCode = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    return _place_list(request, session=session, viewer=viewer, category=category, level=level, page=page)


@router.post("/places", response_class=HTMLResponse)
async def create_place(request: Request, viewer: PageViewerDep, session: SessionDep) -> Response:
    values = {k: str(v) for k, v in (await request.form()).items()}
    try:
        fields = ("name", "category", "level", "unit_id", "building_id", "note")
        data = _form(PlaceIn, {**{k: values.get(k) for k in fields}, "aliases": _aliases(values.get("aliases", ""))})
        with session.begin_nested():
            place = registers.create_place(session=session, viewer=viewer, data=data)
    except FengqiaoError as exc:
        return _place_list(request, session=session, viewer=viewer, error=exc.message, values=values)
    return RedirectResponse(f"/work/registers/places/{place.id}", status_code=303)


def _place_page(
    request: Request,
    *,
    session: Session,
    viewer: Viewer,
    place_id: int,
    error: str | None = None,
    status_code: int = 422,
) -> HTMLResponse:
    place = registers.get_place(session=session, viewer=viewer, place_id=place_id)
    context = {
        **_base(viewer, "places"),
        "p": present.places(session=session, items=[place])[0],
        "linked": present.linked(session=session, viewer=viewer, kind=EntryKind.PLACE, entry_id=place.id),
        "error": error,
    }
    return render(request, "work/key_place.html", context, status_code=status_code if error else 200)


@router.get("/places/{place_id}", response_class=HTMLResponse)
def place_page(place_id: EntryId, request: Request, viewer: PageViewerDep, session: SessionDep) -> HTMLResponse:
    return _place_page(request, session=session, viewer=viewer, place_id=place_id)


@router.post("/places/{place_id}/edit", response_class=HTMLResponse)
async def edit_place(place_id: EntryId, request: Request, viewer: PageViewerDep, session: SessionDep) -> Response:
    values = {k: str(v) for k, v in (await request.form()).items()}
    try:
        data = _form(
            PlaceUpdate,
            {
                **{k: values.get(k) for k in ("version", "level", "status")},
                "aliases": _aliases(values.get("aliases", "")),
            },
        )
        with session.begin_nested():
            registers.update_place(session=session, viewer=viewer, place_id=place_id, changes=data)
    except FengqiaoError as exc:
        return _place_page(
            request, session=session, viewer=viewer, place_id=place_id, error=exc.message, status_code=exc.status_code
        )
    return RedirectResponse(f"/work/registers/places/{place_id}", status_code=303)
