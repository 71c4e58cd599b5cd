"""Routes of the key registers (重点管控): key projects with progress and task force, key persons with visits, key
places, and the events linked to each entry. Scoped to the caller's jurisdiction; updates carry the version seen."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from fengqiao.accounts.api import ViewerDep
from fengqiao.events.kinds import RiskLevel
from fengqiao.registers import present
from fengqiao.registers import service as registers
from fengqiao.registers.kinds import EntryKind, EntryStatus
from fengqiao.registers.schemas import (
    CategoryOut,
    LinkedEventsOut,
    MemberAssign,
    MemberIn,
    MemberOut,
    PersonDetailOut,
    PersonIn,
    PersonPage,
    PersonUpdate,
    PlaceIn,
    PlaceOut,
    PlacePage,
    PlaceUpdate,
    ProgressIn,
    ProjectClassOut,
    ProjectDetailOut,
    ProjectIn,
    ProjectPage,
    ProjectUpdate,
    SubclassOut,
    TaxonomyOut,
    VisitIn,
)
from fengqiao.registers.taxonomy import taxonomy
from fengqiao.web.deps import NO_CONTROL_CHARS, PageDep, SessionDep

router = APIRouter(tags=["重点管控 / key registers"])
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
Code = Annotated[str | None, Query(max_length=32, pattern=r"^[0-9a-z_]*$")]


@router.get("/key-registers/taxonomy", response_model=TaxonomyOut, summary="重点项目分类与人员场所类别 / taxonomy")
def get_taxonomy(viewer: ViewerDep) -> TaxonomyOut:
    tax = taxonomy()
    return TaxonomyOut(
        classes=[
            ProjectClassOut(
                code=c.code,
                name=c.name,
                subclasses=[
                    SubclassOut(code=s.code, name=s.name, task_force=tax.task_force(s.code)) for s in c.subclasses
                ],
            )
            for c in tax.classes
        ],
        person_categories=[
            CategoryOut(code=c.code, name=c.name, level=c.level.value, restricted=c.restricted)
            for c in tax.person_categories
        ],
        place_categories=[
            CategoryOut(code=c.code, name=c.name, level=c.level.value, restricted=c.restricted)
            for c in tax.place_categories
        ],
    )


# --- key projects -----------------------------------------------------------------------------------------------


@router.get("/key-projects", response_model=ProjectPage, summary="重点项目列表 / key projects")
def list_projects(
    session: SessionDep,
    viewer: ViewerDep,
    page: PageDep,
    class_code: Code = None,
    subclass_code: Code = None,
    risk: RiskLevel | None = None,
    status: EntryStatus | None = None,
    q: Annotated[str | None, Query(max_length=60, pattern=NO_CONTROL_CHARS)] = None,
) -> ProjectPage:
    items, total = registers.list_projects(
        session=session,
        viewer=viewer,
        class_code=class_code,
        subclass_code=subclass_code,
        risk_level=risk.value if risk else None,
        status=status.value if status else None,
        q=q,
        limit=page.limit,
        offset=page.offset,
    )
    return ProjectPage(items=present.projects(session=session, items=items), total=total)


@router.post("/key-projects", response_model=ProjectDetailOut, status_code=201, summary="登记重点项目")
def create_project(session: SessionDep, viewer: ViewerDep, body: ProjectIn) -> ProjectDetailOut:
    project = registers.create_project(session=session, viewer=viewer, data=body)
    return present.project_detail(session=session, project=project)


@router.get("/key-projects/{project_id}", response_model=ProjectDetailOut, summary="重点项目详情")
def get_project(session: SessionDep, viewer: ViewerDep, project_id: Id) -> ProjectDetailOut:
    project = registers.get_project(session=session, viewer=viewer, project_id=project_id)
    return present.project_detail(session=session, project=project)


@router.patch("/key-projects/{project_id}", response_model=ProjectDetailOut, summary="修改重点项目（带版本号）")
def update_project(session: SessionDep, viewer: ViewerDep, project_id: Id, body: ProjectUpdate) -> ProjectDetailOut:
    project = registers.update_project(session=session, viewer=viewer, project_id=project_id, changes=body)
    return present.project_detail(session=session, project=project)


@router.post(
    "/key-projects/{project_id}/progress", response_model=ProjectDetailOut, status_code=201, summary="填报项目进度"
)
def add_progress(session: SessionDep, viewer: ViewerDep, project_id: Id, body: ProgressIn) -> ProjectDetailOut:
    registers.add_progress(session=session, viewer=viewer, project_id=project_id, data=body)
    project = registers.get_project(session=session, viewer=viewer, project_id=project_id)
    session.refresh(project)
    return present.project_detail(session=session, project=project)


@router.post("/key-projects/{project_id}/members", response_model=MemberOut, status_code=201, summary="增加专班席位")
def add_member(session: SessionDep, viewer: ViewerDep, project_id: Id, body: MemberIn) -> MemberOut:
    member = registers.add_member(session=session, viewer=viewer, project_id=project_id, data=body)
    names = present.staff_names(session, [member.staff_id])
    return MemberOut(
        id=member.id,
        role=member.role,
        staff_id=member.staff_id,
        staff_name=names.get(member.staff_id) if member.staff_id else None,
        is_lead=member.is_lead,
    )


@router.put("/key-projects/{project_id}/members/{member_id}", response_model=MemberOut, summary="指定专班成员")
def assign_member(
    session: SessionDep, viewer: ViewerDep, project_id: Id, member_id: Id, body: MemberAssign
) -> MemberOut:
    member = registers.assign_member(
        session=session, viewer=viewer, project_id=project_id, member_id=member_id, staff_id=body.staff_id
    )
    names = present.staff_names(session, [member.staff_id])
    return MemberOut(
        id=member.id,
        role=member.role,
        staff_id=member.staff_id,
        staff_name=names.get(member.staff_id) if member.staff_id else None,
        is_lead=member.is_lead,
    )


@router.delete("/key-projects/{project_id}/members/{member_id}", status_code=204, summary="删除专班席位")
def remove_member(session: SessionDep, viewer: ViewerDep, project_id: Id, member_id: Id) -> Response:
    registers.remove_member(session=session, viewer=viewer, project_id=project_id, member_id=member_id)
    return Response(status_code=204)


@router.get("/key-projects/{project_id}/events", response_model=LinkedEventsOut, summary="重点项目关联事件")
def project_events(session: SessionDep, viewer: ViewerDep, project_id: Id) -> LinkedEventsOut:
    registers.get_project(session=session, viewer=viewer, project_id=project_id)
    return present.linked(session=session, viewer=viewer, kind=EntryKind.PROJECT, entry_id=project_id)


# --- key persons ------------------------------------------------------------------------------------------------


@router.get("/key-persons", response_model=PersonPage, summary="重点人员列表（脱敏）")
def list_persons(
    session: SessionDep,
    viewer: ViewerDep,
    page: PageDep,
    category: Code = None,
    level: RiskLevel | None = None,
    status: EntryStatus | None = None,
) -> PersonPage:
    items, total = registers.list_persons(
        session=session,
        viewer=viewer,
        category=category,
        level=level.value if level else None,
        status=status.value if status else None,
        limit=page.limit,
        offset=page.offset,
    )
    return PersonPage(items=present.persons(session=session, items=items), total=total)


@router.post("/key-persons", response_model=PersonDetailOut, status_code=201, summary="登记重点人员")
def create_person(session: SessionDep, viewer: ViewerDep, body: PersonIn) -> PersonDetailOut:
    person = registers.create_person(session=session, viewer=viewer, data=body)
    return present.person_detail(session=session, person=person)


@router.get("/key-persons/{person_id}", response_model=PersonDetailOut, summary="重点人员详情（脱敏）")
def get_person(session: SessionDep, viewer: ViewerDep, person_id: Id) -> PersonDetailOut:
    person = registers.get_person(session=session, viewer=viewer, person_id=person_id)
    return present.person_detail(session=session, person=person)


@router.patch("/key-persons/{person_id}", response_model=PersonDetailOut, summary="修改重点人员（带版本号）")
def update_person(session: SessionDep, viewer: ViewerDep, person_id: Id, body: PersonUpdate) -> PersonDetailOut:
    person = registers.update_person(session=session, viewer=viewer, person_id=person_id, changes=body)
    return present.person_detail(session=session, person=person)


@router.post("/key-persons/{person_id}/visits", response_model=PersonDetailOut, status_code=201, summary="登记走访")
def add_visit(session: SessionDep, viewer: ViewerDep, person_id: Id, body: VisitIn) -> PersonDetailOut:
    registers.add_visit(session=session, viewer=viewer, person_id=person_id, data=body)
    person = registers.get_person(session=session, viewer=viewer, person_id=person_id)
    session.refresh(person)
    return present.person_detail(session=session, person=person)


@router.get("/key-persons/{person_id}/events", response_model=LinkedEventsOut, summary="重点人员关联事件")
def person_events(session: SessionDep, viewer: ViewerDep, person_id: Id) -> LinkedEventsOut:
    registers.get_person(session=session, viewer=viewer, person_id=person_id)
    return present.linked(session=session, viewer=viewer, kind=EntryKind.PERSON, entry_id=person_id)


# --- key places -------------------------------------------------------------------------------------------------


@router.get("/key-places", response_model=PlacePage, summary="重点场所列表")
def list_places(
    session: SessionDep,
    viewer: ViewerDep,
    page: PageDep,
    category: Code = None,
    level: RiskLevel | None = None,
    status: EntryStatus | None = None,
) -> PlacePage:
    items, total = registers.list_places(
        session=session,
        viewer=viewer,
        category=category,
        level=level.value if level else None,
        status=status.value if status else None,
        limit=page.limit,
        offset=page.offset,
    )
    return PlacePage(items=present.places(session=session, items=items), total=total)


@router.post("/key-places", response_model=PlaceOut, status_code=201, summary="登记重点场所")
def create_place(session: SessionDep, viewer: ViewerDep, body: PlaceIn) -> PlaceOut:
    place = registers.create_place(session=session, viewer=viewer, data=body)
    return present.places(session=session, items=[place])[0]


@router.get("/key-places/{place_id}", response_model=PlaceOut, summary="重点场所详情")
def get_place(session: SessionDep, viewer: ViewerDep, place_id: Id) -> PlaceOut:
    place = registers.get_place(session=session, viewer=viewer, place_id=place_id)
    return present.places(session=session, items=[place])[0]


@router.patch("/key-places/{place_id}", response_model=PlaceOut, summary="修改重点场所（带版本号）")
def update_place(session: SessionDep, viewer: ViewerDep, place_id: Id, body: PlaceUpdate) -> PlaceOut:
    place = registers.update_place(session=session, viewer=viewer, place_id=place_id, changes=body)
    return present.places(session=session, items=[place])[0]


@router.get("/key-places/{place_id}/events", response_model=LinkedEventsOut, summary="重点场所关联事件")
def place_events(session: SessionDep, viewer: ViewerDep, place_id: Id) -> LinkedEventsOut:
    registers.get_place(session=session, viewer=viewer, place_id=place_id)
    return present.linked(session=session, viewer=viewer, kind=EntryKind.PLACE, entry_id=place_id)
