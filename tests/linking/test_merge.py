"""Identities the rules merge by themselves: a party that proves two identities one person joins them — and what must
never merge (a family on one phone, namesakes, a pair staff split apart) stays apart."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fengqiao.audit.models import AuditEntry
from fengqiao.basedata.identifiers import make_resident_id, resident_id_check_digit
from fengqiao.events import intake
from fengqiao.events.kinds import Channel, PartyRole
from fengqiao.events.models import Event
from fengqiao.linking import service
from fengqiao.linking.models import Identity, IdentitySeparation, PartyLink
from tests.events.world import World, make_world

LIN = make_resident_id(region_code="331081", birth_date=date(1996, 5, 17), sequence=21, female=False)
LIN_SON = make_resident_id(region_code="331081", birth_date=date(2001, 9, 3), sequence=33, female=False)
# One digit wrong and the check digit recomputed: a valid number of nobody.
LIN_TYPO = LIN[:14] + str((int(LIN[14]) + 1) % 10) + LIN[15:17]
LIN_TYPO += resident_id_check_digit(LIN_TYPO)
PHONE = "13905761234"


@pytest.fixture
def world(db: Session) -> World:
    return make_world(db)


def _register(world: World, content: str, parties: list[intake.NewParty]) -> Event:
    new = intake.NewEvent(
        channel=Channel.FRONT_DESK, title=content[:12], content=content, unit_code=world.grid.code, parties=parties
    )
    return intake.register(session=world.session, new=new, registering_unit=world.town).event


def _person(name: str, *, id_number: str | None = None, phone: str | None = None) -> intake.NewParty:
    return intake.NewParty(role=PartyRole.RESPONDENT, name=name, id_number=id_number, phone=phone)


def _identity(session: Session, event: Event) -> int:
    return session.scalars(select(PartyLink.identity_id).where(PartyLink.event_id == event.id)).one()


def _link(world: World, events: list[Event], *, one_by_one: bool) -> None:
    if one_by_one:
        for event in events:
            service.link_events(session=world.session, event_ids=[event.id])
    else:
        service.link_events(session=world.session, event_ids=[e.id for e in events])


@pytest.mark.parametrize("one_by_one", [True, False])
def test_a_party_with_the_number_and_the_phone_merges_the_typo_and_the_number(world: World, one_by_one: bool) -> None:
    events = [
        # The typo and the phone first: a valid number of nobody, so an identity of its own.
        _register(world, "装修款纠纷", [_person("林国强", id_number=LIN_TYPO, phone=PHONE)]),
        # The right number without a phone: both numbers valid and different, nothing to say it is one person.
        _register(world, "装修款纠纷再次反映", [_person("林国强", id_number=LIN)]),
    ]
    _link(world, events, one_by_one=one_by_one)
    typo, right = (_identity(world.session, e) for e in events)
    assert typo != right

    bridge = _register(world, "林国强第三次反映", [_person("林国强", id_number=LIN, phone=PHONE)])
    service.link_events(session=world.session, event_ids=[bridge.id])
    merged = {_identity(world.session, e) for e in [*events, bridge]}
    assert merged == {min(typo, right)}
    kept = world.session.get(Identity, min(typo, right))
    assert kept is not None
    assert kept.party_count == 3
    assert world.session.get(Identity, max(typo, right)) is None
    reasons = world.session.scalars(select(PartyLink.reasons).where(PartyLink.event_id == bridge.id)).one()
    assert any("合并" in r for r in reasons)
    entry = world.session.scalars(select(AuditEntry).where(AuditEntry.action == "identity.merge")).one()
    assert entry.detail == {"merged": max(typo, right), "by": "rule"}
    # Later parties find the merged identity by either number's keys.
    later = _register(world, "又一次反映", [_person("林国强", id_number=LIN_TYPO)])
    service.link_events(session=world.session, event_ids=[later.id])
    assert _identity(world.session, later) == min(typo, right)


def test_merging_in_one_batch_decides_as_one_by_one(world: World) -> None:
    events = [
        _register(world, "一", [_person("林国强", id_number=LIN_TYPO, phone=PHONE)]),
        _register(world, "二", [_person("林国强", id_number=LIN)]),
        _register(world, "三", [_person("林国强", id_number=LIN, phone=PHONE)]),
        _register(world, "四", [_person("林国强", phone=PHONE)]),
    ]
    result = service.link_events(session=world.session, event_ids=[e.id for e in events])
    assert result.merged == 1
    assert len({_identity(world.session, e) for e in events}) == 1
    assert world.session.scalar(select(func.count()).select_from(Identity)) == 1
    assert world.session.scalars(select(Identity.party_count)).one() == 4


def test_a_family_on_one_phone_is_not_merged(world: World) -> None:
    father = _register(world, "父亲", [_person("林国强", id_number=LIN, phone=PHONE)])
    son = _register(world, "儿子", [_person("林小军", id_number=LIN_SON, phone=PHONE)])
    # A nickname on the family phone fits both: neither joined surely enough to merge them.
    nickname = _register(world, "老林来电", [_person("老林", phone=PHONE)])
    # The father by name and phone only: the son's different name keeps him out.
    again = _register(world, "父亲再来", [_person("林国强", phone=PHONE)])
    _link(world, [father, son, nickname, again], one_by_one=False)
    assert _identity(world.session, father) != _identity(world.session, son)
    assert _identity(world.session, again) == _identity(world.session, father)
    assert world.session.scalar(select(func.count()).select_from(AuditEntry)) == 0 or not any(
        e.action == "identity.merge" for e in world.session.scalars(select(AuditEntry))
    )


def test_namesakes_are_not_merged(world: World) -> None:
    one = _register(world, "一", [_person("王伟", phone="13905761234")])
    other = _register(world, "二", [_person("王伟", phone="13857612345")])
    # The same name with a third phone, or with a number: nothing ties the two together.
    third = _register(world, "三", [_person("王伟", id_number=LIN)])
    _link(world, [one, other, third], one_by_one=True)
    assert len({_identity(world.session, e) for e in (one, other, third)}) == 3


def test_identities_a_person_split_are_never_merged_by_the_rules(world: World) -> None:
    first = _register(world, "一", [_person("林国强", phone=PHONE)])
    second = _register(world, "二", [_person("林国强", id_number=LIN)])
    _link(world, [first, second], one_by_one=True)
    a, b = _identity(world.session, first), _identity(world.session, second)
    third = _register(world, "三", [_person("林国强", phone=PHONE)])
    service.link_events(session=world.session, event_ids=[third.id])
    staff = world.staff["town_dispatcher"]
    split = service.split_identity(
        session=world.session, identity_id=a, links=[(third.id, _slot(world.session, third))], staff_id=staff.id
    )
    assert world.session.get(IdentitySeparation, (min(a, split.id), max(a, split.id))) is not None

    bridge = _register(world, "四", [_person("林国强", id_number=LIN, phone=PHONE)])
    service.link_events(session=world.session, event_ids=[bridge.id])
    # It joins one of them (the rules see it is both), but identities staff touched are never merged.
    assert world.session.get(Identity, a) is not None
    assert world.session.get(Identity, split.id) is not None
    assert world.session.get(Identity, b) is not None or _identity(world.session, second) != a


def _slot(session: Session, event: Event) -> int:
    return session.scalars(select(PartyLink.slot).where(PartyLink.event_id == event.id)).one()
