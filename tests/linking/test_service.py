"""Linking events in the database: parties join identities incrementally, texts meet their near-duplicates, and
staff can split a wrong join (audited, and never re-merged)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fengqiao.audit.models import AuditEntry
from fengqiao.basedata.identifiers import make_resident_id
from fengqiao.core.errors import InvalidInput
from fengqiao.events import intake
from fengqiao.events.kinds import Channel, PartyKind, PartyRole
from fengqiao.events.models import Event
from fengqiao.linking import service
from fengqiao.linking.models import Identity, PartyLink
from tests.events.world import World, make_world

LIN = make_resident_id(region_code="331081", birth_date=date(1996, 5, 17), sequence=21, female=False)
LIN_SON = make_resident_id(region_code="331081", birth_date=date(2001, 9, 3), sequence=33, female=False)


@pytest.fixture
def world(db: Session) -> World:
    return make_world(db)


def _event(
    world: World,
    *,
    content: str = "楼上卫生间漏水至楼下，协商未果，请求调处。",
    reporter: tuple[str, str] | None = None,
    parties: list[intake.NewParty] | None = None,
) -> Event:
    new = intake.NewEvent(
        channel=Channel.FRONT_DESK,
        title=content[:12],
        content=content,
        unit_code=world.grid.code,
        reporter_name=reporter[0] if reporter else None,
        reporter_phone=reporter[1] if reporter else None,
        parties=parties or [],
    )
    event = intake.register(session=world.session, new=new, registering_unit=world.town).event
    service.link_events(session=world.session, event_ids=[event.id])
    return event


def _person(name: str, *, id_number: str | None = None, phone: str | None = None) -> intake.NewParty:
    return intake.NewParty(role=PartyRole.RESPONDENT, name=name, id_number=id_number, phone=phone)


def _identity_of(session: Session, event: Event, slot: int | None = None) -> PartyLink:
    query = select(PartyLink).where(PartyLink.event_id == event.id)
    if slot is not None:
        query = query.where(PartyLink.slot == slot)
    else:
        query = query.where(PartyLink.slot != service.REPORTER_SLOT)
    return session.scalars(query).one()


def test_the_same_id_number_in_two_events_is_one_identity(world: World) -> None:
    first = _event(world, parties=[_person("林国强", id_number=LIN)])
    second = _event(world, content="林国强拖欠装修款三万元", parties=[_person("林國強", id_number=LIN)])
    a, b = _identity_of(world.session, first), _identity_of(world.session, second)
    assert a.identity_id == b.identity_id
    assert a.method == "new"
    assert b.method == "rule"
    assert "身份证号一致" in b.reasons
    identity = world.session.get(Identity, a.identity_id)
    assert identity is not None
    assert identity.party_count == 2


def test_a_reporter_joins_a_party_by_phone_and_nickname(world: World) -> None:
    first = _event(world, parties=[_person("林国强", phone="13905761234")])
    second = _event(world, reporter=("老林", "13905761234"))
    reporter = _identity_of(world.session, second, slot=service.REPORTER_SLOT)
    assert reporter.identity_id == _identity_of(world.session, first).identity_id
    assert reporter.role == "reporter"
    assert any("同姓" in r for r in reporter.reasons)


def test_a_family_phone_keeps_father_and_son_apart(world: World) -> None:
    father = _event(world, parties=[_person("林国强", id_number=LIN, phone="13905761234")])
    son = _event(world, parties=[_person("林小军", id_number=LIN_SON, phone="13905761234")])
    assert _identity_of(world.session, father).identity_id != _identity_of(world.session, son).identity_id


def test_same_name_different_people_stay_apart(world: World) -> None:
    one = _event(world, parties=[_person("陈海燕", phone="13905761234")])
    other = _event(world, parties=[_person("陈海燕", phone="13857612345")])
    assert _identity_of(world.session, one).identity_id != _identity_of(world.session, other).identity_id


def test_organisations_join_by_name_core(world: World) -> None:
    firm = intake.NewParty(role=PartyRole.RESPONDENT, name="温岭市鑫达机械有限公司", kind=PartyKind.ORGANISATION)
    again = intake.NewParty(role=PartyRole.RESPONDENT, name="鑫达机械（温岭）有限公司", kind=PartyKind.ORGANISATION)
    first = _event(world, content="鑫达机械拖欠四十名工人工资", parties=[firm])
    second = _event(world, content="工人反映鑫达机械欠薪", parties=[again])
    assert _identity_of(world.session, first).identity_id == _identity_of(world.session, second).identity_id


def test_linking_twice_changes_nothing(world: World) -> None:
    event = _event(world, reporter=("陈海燕", "13905761234"), parties=[_person("林国强", id_number=LIN)])
    links = world.session.scalar(select(func.count()).select_from(PartyLink))
    result = service.link_events(session=world.session, event_ids=[event.id])
    assert result.parties == 0
    assert world.session.scalar(select(func.count()).select_from(PartyLink)) == links


def test_split_moves_links_to_a_new_identity_with_audit_and_refuses_remerge(world: World) -> None:
    first = _event(world, parties=[_person("林国强", phone="13905761234")])
    second = _event(world, content="林国强家门口占道堆放建材", parties=[_person("林国强", phone="13905761234")])
    joined = _identity_of(world.session, first).identity_id
    assert _identity_of(world.session, second).identity_id == joined
    moved = _identity_of(world.session, second)

    staff = world.staff["town_dispatcher"]
    new = service.split_identity(
        session=world.session, identity_id=joined, links=[(moved.event_id, moved.slot)], staff_id=staff.id, note="同名"
    )
    assert _identity_of(world.session, second).identity_id == new.id
    assert _identity_of(world.session, second).method == "staff"
    assert service.identity_keys(session=world.session, identity_id=new.id) == {service.key_hash("ph:13905761234")}
    entry = world.session.scalars(select(AuditEntry).where(AuditEntry.action == "identity.split")).one()
    assert entry.actor_id == staff.id
    assert entry.detail is not None
    assert entry.detail["new_identity"] == new.id
    with pytest.raises(InvalidInput) as refused:
        service.merge_identities(session=world.session, keep_id=joined, merge_id=new.id, staff_id=staff.id)
    assert refused.value.code == "merge_separated"


def test_split_refuses_taking_every_link(world: World) -> None:
    event = _event(world, parties=[_person("林国强", phone="13905761234")])
    link = _identity_of(world.session, event)
    with pytest.raises(InvalidInput):
        service.split_identity(
            session=world.session, identity_id=link.identity_id, links=[(link.event_id, link.slot)], staff_id=None
        )


def test_merge_joins_two_identities(world: World) -> None:
    one = _event(world, parties=[_person("林国强", phone="13905761234")])
    other = _event(world, parties=[_person("林国强", phone="13857612345")])
    a, b = _identity_of(world.session, one).identity_id, _identity_of(world.session, other).identity_id
    assert a != b
    kept = service.merge_identities(session=world.session, keep_id=a, merge_id=b, staff_id=None)
    assert kept.party_count == 2
    assert _identity_of(world.session, other).identity_id == a
    assert world.session.get(Identity, b) is None


WAGES = "温岭市鑫达机械有限公司拖欠四十余名工人三个月工资共计约八十万元，工人多次讨要未果，情绪激动，要求尽快支付。"
WAGES_AGAIN = (
    "工人反映：温岭市鑫达机械有限公司拖欠四十余名工人三个月工资约八十二万元，多次讨要未果，情绪激动，要求尽快支付！"
)
OTHER = "小区东门路灯损坏多日，夜间出行不便，请有关部门尽快维修。"


def test_near_duplicate_texts_are_found_and_others_are_not(world: World) -> None:
    first = _event(world, content=WAGES)
    second = _event(world, content=WAGES_AGAIN)
    unrelated = _event(world, content=OTHER)
    found = service.similar_events(session=world.session, event_id=second.id)
    assert [s.event_id for s in found] == [first.id]
    assert found[0].similarity >= 0.5
    assert service.similar_events(session=world.session, event_id=unrelated.id) == []


def test_short_texts_are_not_banded(world: World) -> None:
    event = _event(world, content="同上")
    assert service.similar_events(session=world.session, event_id=event.id) == []
