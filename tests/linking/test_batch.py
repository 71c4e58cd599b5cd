"""The set-based path of linking: many events in one call decide exactly as one by one, a batch sees what it created
itself, and the fast signatures and ID checks give what the libraries they replace give."""

from __future__ import annotations

import random
from datetime import date

import pytest
from datasketch import MinHash
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from stdnum.cn import ric

from fengqiao.basedata.identifiers import make_resident_id, resident_id_check_digit
from fengqiao.events import intake
from fengqiao.events.kinds import Channel, PartyKind, PartyRole
from fengqiao.events.models import Event
from fengqiao.linking import service, texts
from fengqiao.linking.identity import id_number_valid
from fengqiao.linking.models import Identity, IdentityKey, PartyLink, TextSignature
from tests.events.world import World, make_world

LIN = make_resident_id(region_code="331081", birth_date=date(1996, 5, 17), sequence=21, female=False)
LIN_SON = make_resident_id(region_code="331081", birth_date=date(2001, 9, 3), sequence=33, female=False)
# One digit wrong and the check digit recomputed: valid, and only the phone tells it is Lin.
LIN_TYPO = LIN[:14] + str((int(LIN[14]) + 1) % 10) + LIN[15:17]
LIN_TYPO += resident_id_check_digit(LIN_TYPO)


@pytest.fixture
def world(db: Session) -> World:
    return make_world(db)


def _register(world: World, content: str, reporter: tuple[str, str] | None, parties: list[intake.NewParty]) -> Event:
    new = intake.NewEvent(
        channel=Channel.FRONT_DESK,
        title=content[:12],
        content=content,
        unit_code=world.grid.code,
        reporter_name=reporter[0] if reporter else None,
        reporter_phone=reporter[1] if reporter else None,
        parties=parties,
    )
    return intake.register(session=world.session, new=new, registering_unit=world.town).event


def _person(name: str, *, id_number: str | None = None, phone: str | None = None) -> intake.NewParty:
    return intake.NewParty(role=PartyRole.RESPONDENT, name=name, id_number=id_number, phone=phone)


def _org(name: str) -> intake.NewParty:
    return intake.NewParty(role=PartyRole.RESPONDENT, name=name, kind=PartyKind.ORGANISATION)


def _events(world: World) -> list[Event]:
    """A run of events where order matters: nicknames before full names, a typo after the number, a family phone."""
    return [
        _register(world, "楼上漏水协商未果请求调处", ("老林", "13905761234"), []),
        _register(world, "林国强拖欠装修款三万元", None, [_person("林国强", id_number=LIN, phone="13905761234")]),
        _register(world, "装修款纠纷再次反映", None, [_person("林国强", id_number=LIN_TYPO, phone="13905761234")]),
        _register(world, "林家儿子反映噪音问题", None, [_person("林小军", id_number=LIN_SON, phone="13905761234")]),
        _register(world, "同名不同人", None, [_person("林国强", phone="13857612345")]),
        _register(world, "鑫达机械拖欠工资", None, [_org("温岭市鑫达机械有限公司")]),
        _register(world, "工人反映鑫达欠薪", ("林师傅", "139 0576 1234"), [_org("鑫达机械（温岭）有限公司")]),
    ]


def _partition(session: Session, events: list[Event]) -> list[tuple[int, int, int, str, tuple[str, ...]]]:
    """(event position, slot kind, identity in order of first appearance, method, reasons) for every link."""
    position = {e.id: n for n, e in enumerate(events)}
    rows = list(
        session.execute(
            select(
                PartyLink.event_id, PartyLink.slot, PartyLink.identity_id, PartyLink.method, PartyLink.reasons
            ).where(PartyLink.event_id.in_(list(position)))
        ).all()
    )
    rows.sort(key=lambda r: (position[r.event_id], r.slot))
    canonical: dict[int, int] = {}
    out = []
    for row in rows:
        canonical.setdefault(row.identity_id, len(canonical))
        slot = 0 if row.slot == service.REPORTER_SLOT else 1
        out.append((position[row.event_id], slot, canonical[row.identity_id], row.method, tuple(row.reasons)))
    return out


def _unlink(session: Session) -> None:
    for model in (PartyLink, IdentityKey, TextSignature, Identity):
        session.execute(delete(model))


def test_one_call_for_many_events_decides_as_one_by_one(world: World) -> None:
    events = _events(world)
    for event in events:
        service.link_events(session=world.session, event_ids=[event.id])
    one_by_one = _partition(world.session, events)
    counts_one_by_one = sorted(world.session.scalars(select(Identity.party_count)))

    _unlink(world.session)
    result = service.link_events(session=world.session, event_ids=[e.id for e in events])
    assert _partition(world.session, events) == one_by_one
    assert sorted(world.session.scalars(select(Identity.party_count))) == counts_one_by_one
    assert result.parties == len(one_by_one)
    assert result.new_identities == len({identity for _, _, identity, _, _ in one_by_one})


def test_a_batch_joins_what_it_created_itself_and_keeps_apart_what_the_rules_keep_apart(world: World) -> None:
    events = _events(world)
    service.link_events(session=world.session, event_ids=[e.id for e in events])
    links = _partition(world.session, events)
    by_place = {(position, slot): identity for position, slot, identity, _, _ in links}
    lin = by_place[(0, 0)]
    assert by_place[(1, 1)] == lin  # 老林 and 林国强 share the phone
    assert by_place[(2, 1)] == lin  # the typo, with the same phone
    assert by_place[(6, 0)] == lin  # 林师傅 with the phone written in groups
    assert by_place[(3, 1)] != lin  # the son on the family phone: his valid ID number differs from Lin's
    assert by_place[(4, 1)] != lin  # the namesake with another phone
    assert by_place[(5, 1)] == by_place[(6, 1)]  # the firm under two name variants
    typo_reasons = next(reasons for position, slot, _, _, reasons in links if (position, slot) == (2, 1))
    assert any("校验位随之不同" in r for r in typo_reasons)


def test_a_batch_improves_identities_it_joins(world: World) -> None:
    first = _register(world, "老林反映漏水", ("老林", "13905761234"), [])
    service.link_events(session=world.session, event_ids=[first.id])
    identity_id = world.session.scalars(select(PartyLink.identity_id).where(PartyLink.event_id == first.id)).one()
    identity = world.session.get(Identity, identity_id)
    assert identity is not None
    assert identity.name == "老林"

    later = [
        _register(world, "林国强拖欠装修款", None, [_person("林国强", id_number=LIN, phone="13905761234")]),
        _register(world, "林国强再次反映", ("林国强", "13905761234"), []),
    ]
    service.link_events(session=world.session, event_ids=[e.id for e in later])
    identity = world.session.get(Identity, identity_id)
    assert identity is not None
    assert (identity.name, identity.id_number, identity.party_count) == ("林国强", LIN, 3)


def test_linking_a_batch_twice_changes_nothing(world: World) -> None:
    events = _events(world)
    ids = [e.id for e in events]
    service.link_events(session=world.session, event_ids=ids)
    before = _partition(world.session, events)
    again = service.link_events(session=world.session, event_ids=ids)
    assert again.parties == 0
    assert _partition(world.session, events) == before


def test_signatures_are_those_of_datasketch() -> None:
    rng = random.Random(7)
    alphabet = "楼上卫生间漏水至楼下协商未果请求调处拖欠工资噪音扰民占道经营abc123，。！"
    corpus = ["", "同上", *("".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 90))) for _ in range(300))]
    expected = MinHash.bulk(
        ([g.encode("utf-8") for g in texts.shingles(t)] for t in corpus),
        num_perm=texts.NUM_PERM,
        seed=texts.SEED,
        hashfunc=texts.shingle_hash,
    )
    for mine, theirs in zip(texts.signatures(corpus), expected, strict=True):
        assert mine.tolist() == theirs.hashvalues.tolist()


def test_id_number_check_agrees_with_stdnum() -> None:
    rng = random.Random(11)
    numbers = [LIN, LIN_SON, LIN_TYPO, LIN.lower(), LIN[:17], "33108119960517002", "ABCDEFGHIJKLMNOPQR"]
    for _ in range(2_000):
        region = rng.choice(("331081", "332623", "110101", "999999", "331004"))
        first17 = f"{region}{rng.randrange(1900, 2030)}{rng.randrange(0, 14):02d}{rng.randrange(0, 33):02d}"
        first17 += f"{rng.randrange(1000):03d}"
        check = resident_id_check_digit(first17) if rng.random() < 0.8 else str(rng.randrange(10))
        numbers.append(first17 + check)
    assert [id_number_valid(n) for n in numbers] == [ric.is_valid(n) for n in numbers]
    assert any(id_number_valid(n) for n in numbers)
    assert not all(id_number_valid(n) for n in numbers)
