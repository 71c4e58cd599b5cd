"""Keeping the key registers: key projects (progress, task force, parties), key persons (visits) and key places.

Every function takes the viewer: entries are scoped by the ``unit_path`` of their unit (a viewer sees and edits what
lies in their jurisdiction; anything else answers 404 as if it did not exist). Keeping the registers is for the
dispatching posts (command rooms, village heads, the county centre); any post that registers events may log a visit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, false, func, or_, select
from sqlalchemy.orm import Session

from fengqiao.accounts.permissions import Permission
from fengqiao.accounts.scope import Viewer
from fengqiao.basedata import service as basedata
from fengqiao.basedata.identifiers import validate_credit_code, validate_resident_id
from fengqiao.basedata.models import Room
from fengqiao.core.clock import to_local, utcnow
from fengqiao.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from fengqiao.duty.models import Staff
from fengqiao.jurisdiction.kinds import UnitKind
from fengqiao.jurisdiction.models import Unit
from fengqiao.jurisdiction.paths import under_path
from fengqiao.linking.models import Identity
from fengqiao.registers import links
from fengqiao.registers.kinds import EntryKind, EntryStatus
from fengqiao.registers.matching import usable_aliases
from fengqiao.registers.models import (
    KeyPerson,
    KeyPersonVisit,
    KeyPlace,
    KeyProject,
    KeyProjectMember,
    KeyProjectParty,
    KeyProjectProgress,
    RegisterLink,
)
from fengqiao.registers.schemas import (
    MemberIn,
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

Entry = KeyProject | KeyPerson | KeyPlace
PROJECT_UNIT_KINDS = frozenset({UnitKind.TOWN.value, UnitKind.VILLAGE.value})
LOCAL_UNIT_KINDS = frozenset({UnitKind.TOWN.value, UnitKind.VILLAGE.value, UnitKind.GRID.value})


# --- access -----------------------------------------------------------------------------------------------------


def may_keep(viewer: Viewer) -> bool:
    return viewer.may(Permission.DISPATCH)


def may_visit(viewer: Viewer) -> bool:
    return viewer.may(Permission.DISPATCH) or viewer.may(Permission.REGISTER)


def _require_keep(viewer: Viewer) -> None:
    if not may_keep(viewer):
        raise Forbidden("您的岗位不能维护重点管控台账", code="registers_forbidden")


def in_scope(column: Any, viewer: Viewer) -> ColumnElement[bool]:
    """Entries whose unit lies in the viewer's jurisdiction."""
    if viewer.is_county_wide:
        return true_for_county(column, viewer)
    conditions = [under_path(column, p) for p in viewer.territorial_paths]
    return or_(*conditions) if conditions else false()


def true_for_county(column: Any, viewer: Viewer) -> ColumnElement[bool]:
    return under_path(column, f"{viewer.county_code}/")


def _visible_path(path: str, viewer: Viewer) -> bool:
    if viewer.is_county_wide:
        return path.startswith(f"{viewer.county_code}/")
    return viewer.covers_path(path)


def _unit(*, session: Session, viewer: Viewer, unit_id: int, kinds: frozenset[str]) -> Unit:
    unit = session.get(Unit, unit_id)
    if unit is None or not _visible_path(unit.path, viewer):
        raise NotFound(f"未找到编号为 {unit_id} 的单位", code="unit_not_found")
    if unit.kind not in kinds:
        raise InvalidInput("属地单位应为镇(街道)、村(社区)或网格", code="invalid_unit")
    return unit


def _check_building(*, session: Session, viewer: Viewer, building_id: int | None, unit: Unit) -> None:
    if building_id is None:
        return
    building = basedata.get_building(session=session, building_id=building_id, scope=viewer.territory)
    grid = session.get(Unit, building.grid_id)
    if grid is None or not grid.path.startswith(unit.path):
        raise InvalidInput("楼栋不在所选属地单位内", code="building_outside_unit")


def _staff(*, session: Session, viewer: Viewer, staff_id: int | None) -> int | None:
    if staff_id is None:
        return None
    staff = session.get(Staff, staff_id)
    if staff is None or staff.county_code != viewer.county_code or not staff.is_active:
        raise NotFound(f"未找到编号为 {staff_id} 的在岗人员", code="staff_not_found")
    return staff.id


def _check_version(entry: Entry, version: int) -> None:
    if entry.version != version:
        raise Conflict("该条目已被他人修改，请刷新后重试", code="stale_version", details={"version": entry.version})


def _aliases(raw: Sequence[str]) -> list[str]:
    cleaned = [a.strip() for a in raw if a.strip()]
    short = [a for a in cleaned if a not in usable_aliases([a])]
    if short:
        raise InvalidInput(f"别名至少3个字：{'、'.join(short)}", code="alias_too_short")
    return list(usable_aliases(cleaned))


def _identity_id(*, session: Session, county_code: str, number: str | None, column: Any) -> int | None:
    if not number:
        return None
    return session.scalar(
        select(Identity.id).where(Identity.county_code == county_code, column == number).order_by(Identity.id).limit(1)
    )


def _get(session: Session, model: type[Entry], entry_id: int, viewer: Viewer, label: str) -> Any:
    entry = session.scalars(select(model).where(model.id == entry_id, in_scope(model.unit_path, viewer))).one_or_none()
    if entry is None:
        raise NotFound(f"未找到编号为 {entry_id} 的{label}", code=f"{model.__tablename__[:-1]}_not_found")
    return entry


def _link_history(session: Session, kind: EntryKind, entry_id: int) -> None:
    """A newly registered or edited entry picks up the recent events that already touched it."""
    links.relink_entry(session=session, kind=kind, entry_id=entry_id)


def _page(session: Session, query: Select[Any], limit: int, offset: int) -> tuple[list[Any], int]:
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    return list(session.scalars(query.limit(limit).offset(offset))), total


# --- key projects -----------------------------------------------------------------------------------------------


def _next_code(*, session: Session, county_code: str, subclass_code: str) -> str:
    prefix = f"{county_code}-{subclass_code}-"
    last = session.scalar(
        select(func.max(KeyProject.code)).where(
            KeyProject.county_code == county_code, KeyProject.subclass_code == subclass_code
        )
    )
    sequence = int(last.rsplit("-", 1)[1]) + 1 if last and last.startswith(prefix) else 1
    return f"{prefix}{sequence:04d}"


def _project_party(*, session: Session, county_code: str, data: Any) -> KeyProjectParty:
    credit_code = validate_credit_code(data.credit_code) if data.credit_code else None
    id_number = validate_resident_id(data.id_number) if data.id_number else None
    identity_id = _identity_id(
        session=session, county_code=county_code, number=credit_code, column=Identity.credit_code
    ) or _identity_id(session=session, county_code=county_code, number=id_number, column=Identity.id_number)
    return KeyProjectParty(
        county_code=county_code,
        kind=data.kind,
        role=data.role,
        name=data.name,
        credit_code=credit_code,
        id_number=id_number,
        identity_id=identity_id,
    )


def create_project(*, session: Session, viewer: Viewer, data: ProjectIn) -> KeyProject:
    _require_keep(viewer)
    found = taxonomy().subclass(data.subclass_code)
    if found is None:
        raise InvalidInput(f"重点项目小类编码“{data.subclass_code}”不存在", code="unknown_subclass")
    cls, sub = found
    unit = _unit(session=session, viewer=viewer, unit_id=data.unit_id, kinds=PROJECT_UNIT_KINDS)
    _check_building(session=session, viewer=viewer, building_id=data.building_id, unit=unit)
    county = viewer.county_code
    project = KeyProject(
        county_code=county,
        code=_next_code(session=session, county_code=county, subclass_code=sub.code),
        class_code=cls.code,
        subclass_code=sub.code,
        name=data.name,
        unit_id=unit.id,
        unit_path=unit.path,
        building_id=data.building_id,
        address=data.address,
        lon=data.lon,
        lat=data.lat,
        aliases=_aliases(data.aliases),
        description=data.description,
        risk_level=data.risk_level.value,
        progress_percent=0,
        status=EntryStatus.ACTIVE.value,
        created_by_id=viewer.staff_id,
    )
    project.parties = [_project_party(session=session, county_code=county, data=p) for p in data.parties]
    # The preset task force: one empty seat per role of the subclass, the first leading, for staff to fill.
    project.members = [
        KeyProjectMember(county_code=county, role=role, is_lead=i == 0)
        for i, role in enumerate(taxonomy().task_force(sub.code))
    ]
    session.add(project)
    session.flush()
    _link_history(session, EntryKind.PROJECT, project.id)
    return project


def get_project(*, session: Session, viewer: Viewer, project_id: int) -> KeyProject:
    project: KeyProject = _get(session, KeyProject, project_id, viewer, "重点项目")
    return project


def list_projects(
    *,
    session: Session,
    viewer: Viewer,
    class_code: str | None = None,
    subclass_code: str | None = None,
    risk_level: str | None = None,
    status: str | None = None,
    q: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[KeyProject], int]:
    query = select(KeyProject).where(in_scope(KeyProject.unit_path, viewer))
    if class_code:
        query = query.where(KeyProject.class_code == class_code)
    if subclass_code:
        query = query.where(KeyProject.subclass_code == subclass_code)
    if risk_level:
        query = query.where(KeyProject.risk_level == risk_level)
    if status:
        query = query.where(KeyProject.status == status)
    if q:
        query = query.where(or_(KeyProject.name.contains(q, autoescape=True), KeyProject.code == q))
    return _page(session, query.order_by(KeyProject.code), limit, offset)


def update_project(*, session: Session, viewer: Viewer, project_id: int, changes: ProjectUpdate) -> KeyProject:
    _require_keep(viewer)
    project = get_project(session=session, viewer=viewer, project_id=project_id)
    _check_version(project, changes.version)
    fields = changes.model_fields_set
    if "name" in fields and changes.name:
        project.name = changes.name
    if "building_id" in fields:
        unit = session.get(Unit, project.unit_id)
        assert unit is not None
        _check_building(session=session, viewer=viewer, building_id=changes.building_id, unit=unit)
        project.building_id = changes.building_id
    if "address" in fields:
        project.address = changes.address
    if "aliases" in fields and changes.aliases is not None:
        project.aliases = _aliases(changes.aliases)
    if "description" in fields:
        project.description = changes.description
    if changes.risk_level is not None:
        project.risk_level = changes.risk_level.value
    if changes.status is not None:
        project.status = changes.status.value
    project.updated_at = utcnow()
    session.flush()
    if fields & {"building_id", "aliases", "status", "risk_level"}:
        _link_history(session, EntryKind.PROJECT, project.id)
    return project


def add_progress(*, session: Session, viewer: Viewer, project_id: int, data: ProgressIn) -> KeyProjectProgress:
    if not may_visit(viewer):
        raise Forbidden("您的岗位不能填报项目进度", code="registers_forbidden")
    project = get_project(session=session, viewer=viewer, project_id=project_id)
    if data.percent is None and not data.stage and not data.note:
        raise InvalidInput("请填写进度百分比、阶段或说明", code="empty_progress")
    entry = KeyProjectProgress(
        county_code=project.county_code,
        project_id=project.id,
        on_date=data.on_date or to_local(utcnow()).date(),
        percent=data.percent,
        stage=data.stage or None,
        note=data.note or None,
        by_id=viewer.staff_id,
    )
    session.add(entry)
    if data.percent is not None:
        project.progress_percent = data.percent
    if data.stage:
        project.stage = data.stage
    project.updated_at = utcnow()
    session.flush()
    return entry


def add_member(*, session: Session, viewer: Viewer, project_id: int, data: MemberIn) -> KeyProjectMember:
    _require_keep(viewer)
    project = get_project(session=session, viewer=viewer, project_id=project_id)
    member = KeyProjectMember(
        county_code=project.county_code,
        project_id=project.id,
        role=data.role,
        staff_id=_staff(session=session, viewer=viewer, staff_id=data.staff_id),
        is_lead=data.is_lead,
    )
    session.add(member)
    session.flush()
    return member


def _member(*, session: Session, viewer: Viewer, project_id: int, member_id: int) -> KeyProjectMember:
    get_project(session=session, viewer=viewer, project_id=project_id)
    member = session.get(KeyProjectMember, member_id)
    if member is None or member.project_id != project_id:
        raise NotFound(f"未找到编号为 {member_id} 的专班席位", code="member_not_found")
    return member


def assign_member(
    *, session: Session, viewer: Viewer, project_id: int, member_id: int, staff_id: int | None
) -> KeyProjectMember:
    """Fill (or clear) a seat of the task force with a staff member of the county (departments sit on it too)."""
    _require_keep(viewer)
    member = _member(session=session, viewer=viewer, project_id=project_id, member_id=member_id)
    member.staff_id = _staff(session=session, viewer=viewer, staff_id=staff_id)
    session.flush()
    return member


def remove_member(*, session: Session, viewer: Viewer, project_id: int, member_id: int) -> None:
    _require_keep(viewer)
    member = _member(session=session, viewer=viewer, project_id=project_id, member_id=member_id)
    session.delete(member)
    session.flush()


# --- key persons ------------------------------------------------------------------------------------------------


def create_person(*, session: Session, viewer: Viewer, data: PersonIn) -> KeyPerson:
    _require_keep(viewer)
    category = taxonomy().person_category(data.category)
    if category is None:
        raise InvalidInput(f"重点人员类别“{data.category}”不存在", code="unknown_category")
    if category.restricted and data.note:
        raise InvalidInput("该类别为严管信息，只登记类别，不得填写病情等备注", code="restricted_note")
    id_number = validate_resident_id(data.id_number)
    unit = _unit(session=session, viewer=viewer, unit_id=data.unit_id, kinds=LOCAL_UNIT_KINDS)
    _check_building(session=session, viewer=viewer, building_id=data.building_id, unit=unit)
    exists = session.scalar(
        select(KeyPerson.id).where(
            KeyPerson.county_code == viewer.county_code,
            KeyPerson.id_number == id_number,
            KeyPerson.category == category.code,
        )
    )
    if exists is not None:
        raise Conflict("该人员已在此类别的重点人员名册中", code="person_exists", details={"id": exists})
    person = KeyPerson(
        county_code=viewer.county_code,
        name=data.name,
        id_number=id_number,
        phone=data.phone or None,
        identity_id=_identity_id(
            session=session, county_code=viewer.county_code, number=id_number, column=Identity.id_number
        ),
        category=category.code,
        level=(data.level or category.level).value,
        unit_id=unit.id,
        unit_path=unit.path,
        building_id=data.building_id,
        responsible_staff_id=_staff(session=session, viewer=viewer, staff_id=data.responsible_staff_id),
        note=data.note or None,
        status=EntryStatus.ACTIVE.value,
        created_by_id=viewer.staff_id,
    )
    session.add(person)
    session.flush()
    _link_history(session, EntryKind.PERSON, person.id)
    return person


def get_person(*, session: Session, viewer: Viewer, person_id: int) -> KeyPerson:
    person: KeyPerson = _get(session, KeyPerson, person_id, viewer, "重点人员")
    return person


def list_persons(
    *,
    session: Session,
    viewer: Viewer,
    category: str | None = None,
    level: str | None = None,
    status: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[KeyPerson], int]:
    return _list_entries(session, KeyPerson, viewer, category, level, status, limit, offset)


def update_person(*, session: Session, viewer: Viewer, person_id: int, changes: PersonUpdate) -> KeyPerson:
    _require_keep(viewer)
    person = get_person(session=session, viewer=viewer, person_id=person_id)
    _check_version(person, changes.version)
    fields = changes.model_fields_set
    category = taxonomy().person_category(person.category)
    if "note" in fields:
        if changes.note and category is not None and category.restricted:
            raise InvalidInput("该类别为严管信息，只登记类别，不得填写病情等备注", code="restricted_note")
        person.note = changes.note or None
    if changes.level is not None:
        person.level = changes.level.value
    if changes.unit_id is not None:
        unit = _unit(session=session, viewer=viewer, unit_id=changes.unit_id, kinds=LOCAL_UNIT_KINDS)
        person.unit_id, person.unit_path = unit.id, unit.path
    if "responsible_staff_id" in fields:
        person.responsible_staff_id = _staff(session=session, viewer=viewer, staff_id=changes.responsible_staff_id)
    if "phone" in fields:
        person.phone = changes.phone or None
    if changes.status is not None:
        person.status = changes.status.value
    person.updated_at = utcnow()
    session.flush()
    return person


def add_visit(*, session: Session, viewer: Viewer, person_id: int, data: VisitIn) -> KeyPersonVisit:
    if not may_visit(viewer):
        raise Forbidden("您的岗位不能登记走访", code="registers_forbidden")
    person = get_person(session=session, viewer=viewer, person_id=person_id)
    category = taxonomy().person_category(person.category)
    if data.note and category is not None and category.restricted:
        raise InvalidInput("该类别为严管信息，走访记录不得填写病情等备注", code="restricted_note")
    visited_on = data.visited_on or to_local(utcnow()).date()
    if visited_on > to_local(utcnow()).date():
        raise InvalidInput("走访日期不能晚于今天", code="visit_in_future")
    visit = KeyPersonVisit(
        county_code=person.county_code,
        person_id=person.id,
        visited_on=visited_on,
        by_id=viewer.staff_id,
        outcome=data.outcome,
        note=data.note or None,
    )
    session.add(visit)
    session.flush()
    return visit


def last_visits(*, session: Session, person_ids: Sequence[int]) -> dict[int, date]:
    if not person_ids:
        return {}
    rows = session.execute(
        select(KeyPersonVisit.person_id, func.max(KeyPersonVisit.visited_on))
        .where(KeyPersonVisit.person_id.in_(person_ids))
        .group_by(KeyPersonVisit.person_id)
    )
    return dict(rows.all())


Listed = TypeVar("Listed", KeyPerson, KeyPlace)


# --- key places -------------------------------------------------------------------------------------------------


def _list_entries(
    session: Session,
    model: type[Listed],
    viewer: Viewer,
    category: str | None,
    level: str | None,
    status: str | None,
    limit: int,
    offset: int,
) -> tuple[list[Listed], int]:
    """Key persons and key places are filtered and paged alike: by category, level and status, in the viewer's
    jurisdiction, newest first."""
    query = select(model).where(in_scope(model.unit_path, viewer))
    for column, value in ((model.category, category), (model.level, level), (model.status, status)):
        if value:
            query = query.where(column == value)
    return _page(session, query.order_by(model.id.desc()), limit, offset)


def create_place(*, session: Session, viewer: Viewer, data: PlaceIn) -> KeyPlace:
    _require_keep(viewer)
    category = taxonomy().place_category(data.category)
    if category is None:
        raise InvalidInput(f"重点场所类别“{data.category}”不存在", code="unknown_category")
    unit = _unit(session=session, viewer=viewer, unit_id=data.unit_id, kinds=LOCAL_UNIT_KINDS)
    _check_building(session=session, viewer=viewer, building_id=data.building_id, unit=unit)
    if data.room_id is not None:
        room = session.get(Room, data.room_id)
        if room is None or room.building_id != data.building_id:
            raise InvalidInput("户室不属于所选楼栋", code="room_outside_building")
    aliases = _aliases(data.aliases)
    if data.building_id is None and not aliases:
        raise InvalidInput("请选择楼栋，或填写至少一个场所别名", code="place_unlocated")
    place = KeyPlace(
        county_code=viewer.county_code,
        name=data.name,
        category=category.code,
        level=(data.level or category.level).value,
        unit_id=unit.id,
        unit_path=unit.path,
        building_id=data.building_id,
        room_id=data.room_id,
        aliases=aliases,
        responsible_staff_id=_staff(session=session, viewer=viewer, staff_id=data.responsible_staff_id),
        note=data.note or None,
        status=EntryStatus.ACTIVE.value,
        created_by_id=viewer.staff_id,
    )
    session.add(place)
    session.flush()
    _link_history(session, EntryKind.PLACE, place.id)
    return place


def get_place(*, session: Session, viewer: Viewer, place_id: int) -> KeyPlace:
    place: KeyPlace = _get(session, KeyPlace, place_id, viewer, "重点场所")
    return place


def list_places(
    *,
    session: Session,
    viewer: Viewer,
    category: str | None = None,
    level: str | None = None,
    status: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[KeyPlace], int]:
    return _list_entries(session, KeyPlace, viewer, category, level, status, limit, offset)


def update_place(*, session: Session, viewer: Viewer, place_id: int, changes: PlaceUpdate) -> KeyPlace:
    _require_keep(viewer)
    place = get_place(session=session, viewer=viewer, place_id=place_id)
    _check_version(place, changes.version)
    fields = changes.model_fields_set
    if "name" in fields and changes.name:
        place.name = changes.name
    if changes.level is not None:
        place.level = changes.level.value
    if "aliases" in fields and changes.aliases is not None:
        aliases = _aliases(changes.aliases)
        if place.building_id is None and not aliases:
            raise InvalidInput("未关联楼栋的场所至少保留一个别名", code="place_unlocated")
        place.aliases = aliases
    if "responsible_staff_id" in fields:
        place.responsible_staff_id = _staff(session=session, viewer=viewer, staff_id=changes.responsible_staff_id)
    if "note" in fields:
        place.note = changes.note or None
    if changes.status is not None:
        place.status = changes.status.value
    place.updated_at = utcnow()
    session.flush()
    if fields & {"aliases", "status", "level"}:
        _link_history(session, EntryKind.PLACE, place.id)
    return place


# --- links ------------------------------------------------------------------------------------------------------


def link_counts(*, session: Session, kind: EntryKind, entry_ids: Sequence[int]) -> dict[int, int]:
    if not entry_ids:
        return {}
    rows = session.execute(
        select(RegisterLink.entry_id, func.count())
        .where(RegisterLink.entry_kind == kind.value, RegisterLink.entry_id.in_(entry_ids))
        .group_by(RegisterLink.entry_id)
    )
    return dict(rows.all())
