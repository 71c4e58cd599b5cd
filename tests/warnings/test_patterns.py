"""Patterns across events (E1): each kind on a small hand-built history, with its thresholds and windows, and the
staff decisions on a pattern."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from fengqiao.basedata.identifiers import make_resident_id
from fengqiao.core.clock import utcnow
from fengqiao.core.errors import Conflict, InvalidInput
from fengqiao.events import intake
from fengqiao.events.kinds import Channel, PartyKind, PartyRole
from fengqiao.events.models import Event
from fengqiao.warnings.jobs import analyse
from fengqiao.warnings.models import Pattern
from fengqiao.warnings.patterns import PatternKind, PatternStatus, common_path, decide, merge
from tests import factories
from tests.events.world import World, make_world

LIN = make_resident_id(region_code="331081", birth_date=date(1996, 5, 17), sequence=21, female=False)
NOW = utcnow()


@pytest.fixture
def world(db: Session) -> World:
    return make_world(db)


def _event(
    world: World,
    *,
    days_ago: float = 0,
    content: str = "楼上卫生间漏水至楼下，协商未果，请求调处。",
    channel: Channel = Channel.FRONT_DESK,
    parties: list[intake.NewParty] | None = None,
    reporter: tuple[str, str] | None = None,
    building_id: int | None = None,
    involved: int | None = None,
    grid_code: str | None = None,
) -> Event:
    new = intake.NewEvent(
        channel=channel,
        title=content[:14],
        content=content,
        unit_code=grid_code or world.grid.code,
        building_id=building_id,
        reporter_name=reporter[0] if reporter else None,
        reporter_phone=reporter[1] if reporter else None,
        involved_count=involved,
        parties=parties or [],
    )
    event = intake.register(session=world.session, new=new, registering_unit=world.town).event
    event.registered_at = NOW - timedelta(days=days_ago)
    world.session.flush()
    analyse(session=world.session, event_ids=[event.id])
    return event


def _lin(role: PartyRole = PartyRole.RESPONDENT) -> intake.NewParty:
    return intake.NewParty(role=role, name="林国强", id_number=LIN, phone="13905761234")


def _patterns(session: Session, kind: PatternKind) -> list[Pattern]:
    return list(session.scalars(select(Pattern).where(Pattern.kind == kind.value).order_by(Pattern.id)))


def _members(pattern: Pattern) -> set[int]:
    return {m.event_id for m in pattern.members}


def test_repeat_person_needs_three_events_in_ninety_days(world: World) -> None:
    old = _event(world, days_ago=120, parties=[_lin()])
    first = _event(world, days_ago=60, parties=[_lin()])
    second = _event(world, days_ago=10, parties=[_lin()])
    assert _patterns(world.session, PatternKind.REPEAT_PERSON) == []  # the old one is outside the window
    third = _event(world, days_ago=1, reporter=("林国强", "13905761234"))  # the same man, now reporting
    [pattern] = _patterns(world.session, PatternKind.REPEAT_PERSON)
    assert _members(pattern) == {first.id, second.id, third.id}
    assert old.id not in _members(pattern)
    assert pattern.member_count == 3
    assert pattern.status == "open"
    assert "90天内涉及3起事件" in pattern.reason
    assert pattern.subject == "林国强"


def test_a_shared_family_phone_is_not_a_repeat_person(world: World) -> None:
    for name in ("林国强", "林小军", "林秀英"):
        _event(world, parties=[intake.NewParty(role=PartyRole.APPLICANT, name=name, phone="13905761234")])
    assert _patterns(world.session, PatternKind.REPEAT_PERSON) == []


def test_repeated_police_calls_about_one_party(world: World) -> None:
    call = "邻居因噪音发生口角，报警求助，民警到场调解。"
    first = _event(world, days_ago=20, channel=Channel.POLICE_110, content=call, parties=[_lin()])
    _event(world, days_ago=5, channel=Channel.FRONT_DESK, parties=[_lin()])
    assert _patterns(world.session, PatternKind.REPEAT_POLICE_CALL) == []  # the front desk is not a police call
    second = _event(world, days_ago=1, channel=Channel.POLICE_110, content=call, parties=[_lin()])
    [pattern] = _patterns(world.session, PatternKind.REPEAT_POLICE_CALL)
    assert _members(pattern) == {first.id, second.id}
    assert "2次涉及110纠纷类警情" in pattern.reason


def test_repeat_place_counts_one_buildings_events_in_sixty_days(world: World) -> None:
    building = factories.BuildingFactory(grid_id=world.grid.id)
    other = factories.BuildingFactory(grid_id=world.grid.id)
    texts = ["楼道堆放杂物影响通行", "楼顶违章搭建阳光房", "出租房内住人过多存在隐患", "化粪池堵塞污水外溢"]
    _event(world, days_ago=90, content=texts[0], building_id=building.id)
    _event(world, days_ago=30, content=texts[1], building_id=building.id)
    _event(world, days_ago=20, content=texts[2], building_id=other.id)
    assert _patterns(world.session, PatternKind.REPEAT_PLACE) == []
    _event(world, days_ago=10, content=texts[3], building_id=building.id)
    assert _patterns(world.session, PatternKind.REPEAT_PLACE) == []  # two inside the window
    last = _event(world, days_ago=0, content="楼下商铺油烟扰民", building_id=building.id)
    [pattern] = _patterns(world.session, PatternKind.REPEAT_PLACE)
    assert pattern.key == f"building:{building.id}"
    assert pattern.member_count == 3
    assert last.id in _members(pattern)


def test_one_event_about_forty_workers_is_a_collective_matter(world: World) -> None:
    event = _event(world, content="某工地四十名工人集体讨薪", involved=40)
    [pattern] = _patterns(world.session, PatternKind.COLLECTIVE_MATTER)
    assert _members(pattern) == {event.id}
    assert "涉及40人" in pattern.reason


def test_five_complainants_about_one_firm_are_a_collective_matter(world: World) -> None:
    firm = intake.NewParty(role=PartyRole.RESPONDENT, name="温岭市鑫达机械有限公司", kind=PartyKind.ORGANISATION)
    workers = ["陈海燕", "李秀英", "王建国", "张伟", "刘洋"]
    events = []
    for i, name in enumerate(workers):
        worker = intake.NewParty(role=PartyRole.APPLICANT, name=name, phone=f"1390576{i:04d}")
        events.append(
            _event(world, days_ago=10 - i, content=f"{name}反映被拖欠工资{i + 2}个月", parties=[firm, worker])
        )
        found = _patterns(world.session, PatternKind.COLLECTIVE_MATTER)
        assert (found != []) == (i == 4)
    [pattern] = _patterns(world.session, PatternKind.COLLECTIVE_MATTER)
    assert _members(pattern) == {e.id for e in events}
    assert "5人" in pattern.reason


WAGES = "温岭市鑫达机械有限公司拖欠四十余名工人三个月工资共计约八十万元，工人多次讨要未果，情绪激动，要求尽快支付。"
WAGES_12345 = "市民来电：温岭市鑫达机械有限公司拖欠四十余名工人三个月工资约八十万元，工人多次讨要未果，要求尽快支付。"
WAGES_110 = "报警称温岭市鑫达机械有限公司拖欠四十余名工人三个月工资共计约八十万元，工人情绪激动，多次讨要未果。"


def test_near_duplicate_texts_across_channels_link_into_one_case(world: World) -> None:
    first = _event(world, days_ago=3, content=WAGES)
    _event(world, days_ago=2, content="小区东门路灯损坏多日，夜间出行不便，请有关部门尽快维修。")
    second = _event(world, days_ago=2, channel=Channel.HOTLINE_12345, content=WAGES_12345)
    [pattern] = _patterns(world.session, PatternKind.CASE_LINKING)
    assert _members(pattern) == {first.id, second.id}
    third = _event(world, days_ago=1, channel=Channel.POLICE_110, content=WAGES_110)
    [pattern] = _patterns(world.session, PatternKind.CASE_LINKING)  # the chain grows one pattern
    world.session.refresh(pattern)
    assert _members(pattern) == {first.id, second.id, third.id}
    assert "内容高度相似" in pattern.reason


def test_analysing_again_changes_nothing(world: World) -> None:
    events = [_event(world, days_ago=d, parties=[_lin()]) for d in (3, 2, 1)]
    [pattern] = _patterns(world.session, PatternKind.REPEAT_PERSON)
    version = pattern.version
    assert analyse(session=world.session, event_ids=[e.id for e in events]) == []
    assert pattern.version == version


def test_patterns_are_scoped_to_the_smallest_common_unit(world: World) -> None:
    for grid in (world.grid, world.other_grid, world.grid):
        _event(world, parties=[_lin()], grid_code=grid.code)
    [pattern] = _patterns(world.session, PatternKind.REPEAT_PERSON)
    assert pattern.unit_path == world.town.path


def test_common_path() -> None:
    assert common_path(["331081/331081100/a/", "331081/331081100/b/"]) == "331081/331081100/"
    assert common_path(["331081/x/"]) == "331081/x/"


def test_confirm_dismiss_with_stale_refusal_and_merge(world: World) -> None:
    for d in (3, 2, 1):
        _event(world, days_ago=d, parties=[_lin()])
    firm = _event(world, content="某工地四十名工人集体讨薪", involved=40)
    [person] = _patterns(world.session, PatternKind.REPEAT_PERSON)
    [collective] = _patterns(world.session, PatternKind.COLLECTIVE_MATTER)
    staff = world.staff["town_dispatcher"]

    seen = person.version
    decide(session=world.session, pattern_id=person.id, status=PatternStatus.CONFIRMED, staff_id=staff.id, version=seen)
    assert person.status == "confirmed"
    assert person.decided_by_id == staff.id
    with pytest.raises(Conflict):
        decide(session=world.session, pattern_id=person.id, status=PatternStatus.DISMISSED, staff_id=None, version=seen)

    kept = merge(
        session=world.session, keep_id=person.id, merge_id=collective.id, staff_id=staff.id, version=collective.version
    )
    assert kept.member_count == 4
    assert firm.id in {
        m.event_id for m in world.session.scalars(select(Pattern).where(Pattern.id == kept.id)).one().members
    }
    assert collective.status == "merged"
    assert collective.merged_into_id == person.id
    with pytest.raises(InvalidInput):
        decide(
            session=world.session,
            pattern_id=collective.id,
            status=PatternStatus.OPEN,
            staff_id=None,
            version=collective.version,
        )
