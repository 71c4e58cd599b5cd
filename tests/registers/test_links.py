"""Linking events to key projects, persons and places: by party identity, building and alias; the event's risk is
raised to at least the entry's level and never lowered; links are stored once."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from fengqiao.basedata.models import Building
from fengqiao.events.kinds import RiskLevel
from fengqiao.events.models import Event
from fengqiao.linking.models import PartyLink
from fengqiao.registers import links
from fengqiao.registers import service as registers
from fengqiao.registers.kinds import EntryKind, LinkReason
from fengqiao.registers.models import KeyPerson, KeyPlace, KeyProject, RegisterLink
from fengqiao.registers.schemas import PersonIn, PlaceIn, ProjectIn, ProjectPartyIn, ProjectUpdate
from tests import factories
from tests.events.world import World
from tests.registers.conftest import BUILDER, LIN, builder_party, lin_party, register_event
from tests.web.helpers import made


def wage_project(world: World, *, risk: RiskLevel = RiskLevel.HIGH, aliases: list[str] | None = None) -> KeyProject:
    return registers.create_project(
        session=world.session,
        viewer=world.viewer("town_dispatcher"),
        data=ProjectIn(
            subclass_code="0201",
            name="城西玖都荟项目工地欠薪",
            unit_id=world.village.id,
            risk_level=risk,
            aliases=aliases or [],
            parties=[
                ProjectPartyIn(kind="organisation", role="建设单位", name="温岭市城西置业有限公司", credit_code=BUILDER)
            ],
        ),
    )


def key_person(world: World, *, category: str = "petitioner") -> KeyPerson:
    return registers.create_person(
        session=world.session,
        viewer=world.viewer("town_dispatcher"),
        data=PersonIn(name="林国强", id_number=LIN, category=category, unit_id=world.village.id),
    )


def building_in(session: Session, world: World) -> int:
    building = made(Building, factories.BuildingFactory(grid_id=world.grid.id))
    session.flush()
    return building.id


def key_place(world: World, building_id: int) -> KeyPlace:
    return registers.create_place(
        session=world.session,
        viewer=world.viewer("town_dispatcher"),
        data=PlaceIn(name="东辉路群租房", category="group_rental", unit_id=world.village.id, building_id=building_id),
    )


def _links(session: Session, event: Event) -> list[RegisterLink]:
    return list(session.scalars(select(RegisterLink).where(RegisterLink.event_id == event.id)))


def test_a_project_gets_its_standard_code_and_preset_task_force(world: World) -> None:
    first = wage_project(world)
    second = wage_project(world)
    assert first.code == "331081-0201-0001"
    assert second.code == "331081-0201-0002"
    assert first.class_code == "02"
    assert [m.role for m in first.members] == ["人社部门", "住建部门", "属地镇街", "派出所"]
    assert [m.is_lead for m in first.members] == [True, False, False, False]


def test_an_event_against_the_project_enterprise_is_linked_and_its_risk_raised(world: World, db: Session) -> None:
    project = wage_project(world)
    event = register_event(world, content="城西某工地拖欠农民工工资三个月", parties=[builder_party()])
    assert event.risk_level != RiskLevel.HIGH.value
    before = event.risk_level
    hits = links.link_events(session=db, event_ids=[event.id])
    assert [(h.entry_kind, h.entry_id, h.reason) for h in hits] == [(EntryKind.PROJECT, project.id, LinkReason.PARTY)]
    db.refresh(event)
    assert event.risk_level == "high"
    [link] = _links(db, event)
    assert (link.risk_before, link.risk_after) == (before, "high")
    assert "被申请人" in link.detail
    # The respondent's identity is what the rules engine sees as a key identity.
    identity_id = db.scalar(select(PartyLink.identity_id).where(PartyLink.event_id == event.id, PartyLink.slot != 0))
    assert identity_id in links.key_identity_ids(db, "331081")


def test_linking_twice_stores_one_link(world: World, db: Session) -> None:
    wage_project(world)
    event = register_event(world, parties=[builder_party()])
    links.link_events(session=db, event_ids=[event.id])
    assert links.link_events(session=db, event_ids=[event.id]) == []
    assert len(_links(db, event)) == 1


def test_an_alias_in_the_text_links_the_project(world: World, db: Session) -> None:
    project = wage_project(world, aliases=["玖都荟"])
    event = register_event(world, content="玖都荟工地二十余名工人聚集讨薪")
    [hit] = links.link_events(session=db, event_ids=[event.id])
    assert (hit.entry_id, hit.reason) == (project.id, LinkReason.ALIAS)


def test_an_event_at_a_key_place_is_linked(world: World, db: Session) -> None:
    building_id = building_in(db, world)
    place = key_place(world, building_id)
    event = register_event(world, content="出租房内住户噪音扰民", building_id=building_id)
    [hit] = links.link_events(session=db, event_ids=[event.id])
    assert (hit.entry_kind, hit.entry_id, hit.reason) == (EntryKind.PLACE, place.id, LinkReason.BUILDING)
    db.refresh(event)
    assert event.risk_level in ("medium", "high")
    assert building_id in links.key_building_ids(db, "331081")


def test_a_key_persons_event_is_linked_and_the_name_stays_masked(world: World, db: Session) -> None:
    person = key_person(world)
    event = register_event(world, content="反映邻里宅基地纠纷", parties=[lin_party()])
    [hit] = links.link_events(session=db, event_ids=[event.id])
    assert (hit.entry_kind, hit.entry_id) == (EntryKind.PERSON, person.id)
    [link] = _links(db, event)
    assert "林国强" not in link.detail
    assert "林**" in link.detail


def test_risk_is_never_lowered(world: World, db: Session) -> None:
    wage_project(world, risk=RiskLevel.LOW)
    event = register_event(world, parties=[builder_party()])
    event.risk_level = RiskLevel.HIGH.value
    db.flush()
    links.link_events(session=db, event_ids=[event.id])
    db.refresh(event)
    assert event.risk_level == "high"
    [link] = _links(db, event)
    assert (link.risk_before, link.risk_after) == ("high", "high")


def test_a_closed_entry_no_longer_links(world: World, db: Session) -> None:
    project = wage_project(world)
    project.status = "resolved"
    db.flush()
    event = register_event(world, parties=[builder_party()])
    assert links.link_events(session=db, event_ids=[event.id]) == []
    assert links.key_identity_ids(db, "331081") == set()


def test_a_key_person_is_a_key_identity_once_linked(world: World, db: Session) -> None:
    key_person(world)
    event = register_event(world, parties=[lin_party()])
    identity_id = db.scalar(select(PartyLink.identity_id).where(PartyLink.event_id == event.id, PartyLink.slot != 0))
    assert identity_id is not None
    assert identity_id in links.key_identity_ids(db, "331081")
    assert links.key_identity_ids(db, "999999") == set()


def test_a_new_entry_picks_up_the_recent_events_that_touched_it(world: World, db: Session) -> None:
    earlier = register_event(world, content="玖都荟工地工人讨薪", parties=[builder_party()])
    unrelated = register_event(world, content="楼上漏水")
    project = wage_project(world)
    linked = {link.event_id for link in db.scalars(select(RegisterLink).where(RegisterLink.entry_id == project.id))}
    assert linked == {earlier.id}
    assert unrelated.id not in linked
    db.refresh(earlier)
    assert earlier.risk_level == "high"


def test_adding_an_alias_links_the_events_that_named_it(world: World, db: Session) -> None:
    project = wage_project(world)
    event = register_event(world, content="玖都荟业主聚集")
    assert _links(db, event) == []
    registers.update_project(
        session=db,
        viewer=world.viewer("town_dispatcher"),
        project_id=project.id,
        changes=ProjectUpdate(version=project.version, aliases=["玖都荟"]),
    )
    [link] = _links(db, event)
    assert link.reason == "alias"
