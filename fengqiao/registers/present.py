"""Shaping register entries for viewers: labels, unit and staff names, and personal data masked. A key person's
name, ID number and phone are always masked here; restricted categories also hide any note."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from fengqiao.accounts.masking import mask_id_number, mask_name, mask_phone
from fengqiao.accounts.scope import Viewer
from fengqiao.basedata.models import Building
from fengqiao.duty.models import Staff
from fengqiao.events.kinds import RISK_LEVEL_LABELS, RiskLevel
from fengqiao.events.present import summaries
from fengqiao.events.schemas import Labelled
from fengqiao.jurisdiction.models import Unit
from fengqiao.registers import links
from fengqiao.registers import service as registers
from fengqiao.registers.kinds import (
    ENTRY_STATUS_LABELS,
    LINK_REASON_LABELS,
    EntryKind,
    EntryStatus,
    LinkReason,
)
from fengqiao.registers.models import KeyPerson, KeyPlace, KeyProject
from fengqiao.registers.schemas import (
    LinkedEventOut,
    LinkedEventsOut,
    MemberOut,
    PersonDetailOut,
    PersonOut,
    PlaceOut,
    ProgressOut,
    ProjectDetailOut,
    ProjectOut,
    ProjectPartyOut,
    VisitOut,
)
from fengqiao.registers.taxonomy import taxonomy

VISIT_OUTCOME_LABELS = {"stable": "情况稳定", "attention": "需关注", "unreachable": "未见到本人"}
RESTRICTED_NOTE = "【严管信息，不显示】"


def risk(value: str) -> Labelled:
    return Labelled(value=value, label=RISK_LEVEL_LABELS[RiskLevel(value)])


def status(value: str) -> Labelled:
    return Labelled(value=value, label=ENTRY_STATUS_LABELS[EntryStatus(value)])


def _unit_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    wanted = set(ids)
    if not wanted:
        return {}
    return dict(session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(wanted))).all())


def staff_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(session.execute(select(Staff.id, Staff.full_name).where(Staff.id.in_(wanted))).all())


def _project_out(p: KeyProject, units: dict[int, str], counts: dict[int, int]) -> dict[str, object]:
    tax = taxonomy()
    return {
        "id": p.id,
        "code": p.code,
        "name": p.name,
        "project_class": Labelled(value=p.class_code, label=tax.class_name(p.class_code)),
        "subclass": Labelled(value=p.subclass_code, label=tax.subclass_name(p.subclass_code)),
        "unit_id": p.unit_id,
        "unit_name": units.get(p.unit_id, ""),
        "building_id": p.building_id,
        "address": p.address,
        "risk_level": risk(p.risk_level),
        "progress_percent": p.progress_percent,
        "stage": p.stage,
        "status": status(p.status),
        "aliases": list(p.aliases or []),
        "linked_event_count": counts.get(p.id, 0),
        "updated_at": p.updated_at,
        "version": p.version,
    }


def projects(*, session: Session, items: Sequence[KeyProject]) -> list[ProjectOut]:
    units = _unit_names(session, (p.unit_id for p in items))
    counts = registers.link_counts(session=session, kind=EntryKind.PROJECT, entry_ids=[p.id for p in items])
    return [ProjectOut.model_validate(_project_out(p, units, counts)) for p in items]


def project_detail(*, session: Session, project: KeyProject) -> ProjectDetailOut:
    units = _unit_names(session, [project.unit_id])
    counts = registers.link_counts(session=session, kind=EntryKind.PROJECT, entry_ids=[project.id])
    names = staff_names(session, [m.staff_id for m in project.members] + [e.by_id for e in project.progress])
    return ProjectDetailOut.model_validate(
        {
            **_project_out(project, units, counts),
            "description": project.description,
            "lon": project.lon,
            "lat": project.lat,
            "parties": [
                ProjectPartyOut(
                    id=x.id,
                    kind=x.kind,
                    role=x.role,
                    name=x.name if x.kind == "organisation" else (mask_name(x.name) or ""),
                    credit_code=x.credit_code,
                    id_number=mask_id_number(x.id_number),
                    identity_id=x.identity_id,
                )
                for x in project.parties
            ],
            "progress": [
                ProgressOut(
                    id=e.id,
                    on_date=e.on_date,
                    percent=e.percent,
                    stage=e.stage,
                    note=e.note,
                    by_name=names.get(e.by_id) if e.by_id else None,
                    created_at=e.created_at,
                )
                for e in project.progress
            ],
            "members": [
                MemberOut(
                    id=m.id,
                    role=m.role,
                    staff_id=m.staff_id,
                    staff_name=names.get(m.staff_id) if m.staff_id else None,
                    is_lead=m.is_lead,
                )
                for m in project.members
            ],
        }
    )


def _restricted(category: str) -> bool:
    found = taxonomy().person_category(category)
    return bool(found and found.restricted)


def _person_out(
    p: KeyPerson, units: dict[int, str], staff: dict[int, str], counts: dict[int, int], visits: dict[int, object]
) -> dict[str, object]:
    found = taxonomy().person_category(p.category)
    return {
        "id": p.id,
        "name": mask_name(p.name) or "",
        "id_number": mask_id_number(p.id_number) or "",
        "phone": mask_phone(p.phone),
        "category": Labelled(value=p.category, label=found.name if found else p.category),
        "restricted": bool(found and found.restricted),
        "level": risk(p.level),
        "unit_id": p.unit_id,
        "unit_name": units.get(p.unit_id, ""),
        "responsible_staff_id": p.responsible_staff_id,
        "responsible_name": staff.get(p.responsible_staff_id) if p.responsible_staff_id else None,
        "status": status(p.status),
        "last_visit": visits.get(p.id),
        "linked_event_count": counts.get(p.id, 0),
        "version": p.version,
    }


def persons(*, session: Session, items: Sequence[KeyPerson]) -> list[PersonOut]:
    units = _unit_names(session, (p.unit_id for p in items))
    staff = staff_names(session, (p.responsible_staff_id for p in items))
    ids = [p.id for p in items]
    counts = registers.link_counts(session=session, kind=EntryKind.PERSON, entry_ids=ids)
    visits: dict[int, object] = dict(registers.last_visits(session=session, person_ids=ids))
    return [PersonOut.model_validate(_person_out(p, units, staff, counts, visits)) for p in items]


def person_detail(*, session: Session, person: KeyPerson) -> PersonDetailOut:
    units = _unit_names(session, [person.unit_id])
    staff = staff_names(session, [person.responsible_staff_id, *(v.by_id for v in person.visits)])
    counts = registers.link_counts(session=session, kind=EntryKind.PERSON, entry_ids=[person.id])
    visits: dict[int, object] = dict(registers.last_visits(session=session, person_ids=[person.id]))
    hidden = _restricted(person.category)
    return PersonDetailOut.model_validate(
        {
            **_person_out(person, units, staff, counts, visits),
            "note": RESTRICTED_NOTE if hidden and person.note else person.note,
            "building_id": person.building_id,
            "visits": [
                VisitOut(
                    id=v.id,
                    visited_on=v.visited_on,
                    outcome=Labelled(value=v.outcome, label=VISIT_OUTCOME_LABELS.get(v.outcome, v.outcome)),
                    note=RESTRICTED_NOTE if hidden and v.note else v.note,
                    by_name=staff.get(v.by_id) if v.by_id else None,
                )
                for v in person.visits
            ],
        }
    )


def places(*, session: Session, items: Sequence[KeyPlace]) -> list[PlaceOut]:
    units = _unit_names(session, (p.unit_id for p in items))
    staff = staff_names(session, (p.responsible_staff_id for p in items))
    counts = registers.link_counts(session=session, kind=EntryKind.PLACE, entry_ids=[p.id for p in items])
    building_ids = {p.building_id for p in items if p.building_id}
    addresses = (
        dict(session.execute(select(Building.id, Building.standard_address).where(Building.id.in_(building_ids))).all())
        if building_ids
        else {}
    )
    tax = taxonomy()
    out: list[PlaceOut] = []
    for p in items:
        found = tax.place_category(p.category)
        out.append(
            PlaceOut(
                id=p.id,
                name=p.name,
                category=Labelled(value=p.category, label=found.name if found else p.category),
                level=risk(p.level),
                unit_id=p.unit_id,
                unit_name=units.get(p.unit_id, ""),
                building_id=p.building_id,
                building_address=addresses.get(p.building_id) if p.building_id else None,
                room_id=p.room_id,
                aliases=list(p.aliases or []),
                responsible_name=staff.get(p.responsible_staff_id) if p.responsible_staff_id else None,
                status=status(p.status),
                note=p.note,
                linked_event_count=counts.get(p.id, 0),
                version=p.version,
            )
        )
    return out


def linked(*, session: Session, viewer: Viewer, kind: EntryKind, entry_id: int) -> LinkedEventsOut:
    rows, hidden = links.linked_events(session=session, viewer=viewer, kind=kind, entry_id=entry_id)
    events = summaries(session=session, events=[e for _, e in rows])
    return LinkedEventsOut(
        items=[
            LinkedEventOut(
                event=summary,
                reason=Labelled(value=link.reason, label=LINK_REASON_LABELS[LinkReason(link.reason)]),
                detail=link.detail,
                risk_before=link.risk_before,
                risk_after=link.risk_after,
                linked_at=link.linked_at,
            )
            for (link, _), summary in zip(rows, events, strict=True)
        ],
        hidden_count=hidden,
    )
