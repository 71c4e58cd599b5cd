"""Duplicate hints at registration: which recent events look like the one being typed in, and why."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from fengqiao.basedata.identifiers import make_resident_id
from fengqiao.basedata.models import Building
from fengqiao.core.clock import utcnow
from fengqiao.events import duplicates, intake
from fengqiao.events.duplicates import REASON_BUILDING, REASON_ID_NUMBER, REASON_PHONE, find_duplicates
from fengqiao.events.kinds import Channel, EventStatus, PartyRole
from fengqiao.events.models import Event
from fengqiao.jurisdiction.models import Unit
from tests import factories
from tests.events.world import World, make_world


def _id_ending_in_x() -> str:
    """An ID number whose check character is X, so that typing it with a small x can be tried."""
    for sequence in range(500):
        number = make_resident_id(region_code="331081", birth_date=date(1996, 3, 4), sequence=sequence, female=False)
        if number.endswith("X"):
            return number
    raise AssertionError("no sequence gives X")


ID_A = _id_ending_in_x()
ID_B = make_resident_id(region_code="331081", birth_date=date(1998, 6, 7), sequence=12, female=True)
LEAK = "楼上卫生间漏水，渗到楼下客厅天花板，多次协商未果，请求调解。"


@pytest.fixture
def world(db: Session) -> World:
    return make_world(db)


def _building(world: World, grid: Unit, number: int = 88) -> Building:
    building = factories.BuildingFactory(grid_id=grid.id, road="文昌路", house_number=number)
    assert isinstance(building, Building)
    return building


def _event(
    world: World,
    *,
    title: str = "邻里漏水纠纷",
    content: str = LEAK,
    grid: Unit | None = None,
    building: Building | None = None,
    id_number: str | None = None,
    phone: str | None = None,
    reporter_phone: str | None = None,
    channel: Channel = Channel.FRONT_DESK,
    registering_unit: Unit | None = None,
) -> Event:
    parties = []
    if id_number or phone:
        parties.append(intake.NewParty(role=PartyRole.APPLICANT, name="陈海燕", id_number=id_number, phone=phone))
    new = intake.NewEvent(
        channel=channel,
        title=title,
        content=content,
        unit_code=None if building else (grid or world.grid).code,
        building_id=building.id if building else None,
        reporter_phone=reporter_phone,
        parties=parties,
    )
    return intake.register(session=world.session, new=new, registering_unit=registering_unit or world.town).event


def _ids(hints: list[duplicates.DuplicateHint]) -> list[int]:
    return [h.event.id for h in hints]


def test_same_id_number_phone_and_building_each_give_their_reason(world: World) -> None:
    building = _building(world, world.grid)
    by_id = _event(world, title="身份证相同", id_number=ID_A, content="工资拖欠三个月")
    by_phone = _event(world, title="电话相同", phone="13905761234", content="道路坑洼需要修补")
    by_reporter = _event(
        world, title="热线来电", reporter_phone="13905761234", content="噪音扰民", channel=Channel.HOTLINE_12345
    )
    at_building = _event(world, title="同楼", building=building, content="楼道堆放杂物")
    _event(world, title="无关", id_number=ID_B, phone="13800000000", content="咨询社保")
    hints = find_duplicates(
        session=world.session,
        viewer=world.viewer("town_dispatcher"),
        id_numbers=[ID_A.lower()],  # typed with a small x: still the same person
        phones=[" 139 0576 1234 "],
        building_id=building.id,
    )
    reasons = {h.event.id: h.reasons for h in hints}
    assert reasons == {
        by_id.id: [REASON_ID_NUMBER],
        by_phone.id: [REASON_PHONE],
        by_reporter.id: [REASON_PHONE],
        at_building.id: [REASON_BUILDING],
    }
    # Identity before building; among equals, the most recent first.
    assert _ids(hints)[0] == by_id.id
    assert _ids(hints).index(by_reporter.id) < _ids(hints).index(by_phone.id)
    assert _ids(hints)[-1] == at_building.id


def test_several_clues_add_up_on_one_event(world: World) -> None:
    building = _building(world, world.grid)
    # The phone twice (party and reporter): one reason, not two.
    both = _event(world, building=building, id_number=ID_A, phone="13905761234", reporter_phone="13905761234")
    hints = find_duplicates(
        session=world.session,
        viewer=world.viewer("town_dispatcher"),
        id_numbers=[ID_A],
        phones=["13905761234"],
        building_id=building.id,
        text=LEAK,
    )
    assert _ids(hints) == [both.id]
    assert hints[0].reasons == [REASON_ID_NUMBER, REASON_PHONE, REASON_BUILDING, "内容相似 100%"]


def test_similar_text_in_the_same_village_only(world: World) -> None:
    alike = _event(world, content=LEAK, grid=world.tree.grids[1])  # the other grid of the same village
    _event(world, content=LEAK, grid=world.other_grid)  # another village
    _event(world, title="占道经营", content="沿街商铺占道经营，影响通行。", grid=world.grid)
    typed = "楼上卫生间漏水渗到楼下客厅的天花板，协商多次未果，请求调解"
    hints = find_duplicates(
        session=world.session,
        viewer=world.viewer("town_dispatcher"),
        text=typed,
        village_path=world.village.path,
    )
    assert _ids(hints) == [alike.id]
    assert hints[0].similarity is not None
    assert duplicates.SIMILAR_TEXT <= hints[0].similarity < 100
    assert hints[0].reasons == [f"内容相似 {round(hints[0].similarity)}%"]


def test_the_buildings_village_is_used_for_text_when_none_is_given(world: World) -> None:
    building = _building(world, world.grid)
    alike = _event(world, content=LEAK, grid=world.tree.grids[1])
    hints = find_duplicates(
        session=world.session, viewer=world.viewer("town_dispatcher"), text=LEAK, building_id=building.id
    )
    assert _ids(hints) == [alike.id]


def test_old_merged_voided_and_unseen_events_are_not_hints(world: World) -> None:
    old = _event(world, id_number=ID_A)
    old.registered_at = utcnow() - timedelta(days=31)
    voided = _event(world, id_number=ID_A)
    voided.status = EventStatus.VOIDED.value
    elsewhere = _event(world, id_number=ID_A, grid=world.other_town_grid, registering_unit=world.tree.towns[1])
    recent = _event(world, id_number=ID_A)
    world.session.flush()
    viewer = world.viewer("town_dispatcher")
    assert _ids(find_duplicates(session=world.session, viewer=viewer, id_numbers=[ID_A])) == [recent.id]
    # The other town's grid worker sees only the event in their own grid.
    other = world.viewer("other_town_grid_worker")
    assert _ids(find_duplicates(session=world.session, viewer=other, id_numbers=[ID_A])) == [elsewhere.id]
    # And the event being edited is not its own duplicate.
    assert find_duplicates(session=world.session, viewer=viewer, id_numbers=[ID_A], exclude_event_id=recent.id) == []


def test_nothing_to_compare_gives_no_hints_and_no_query_for_blank_clues(world: World) -> None:
    _event(world, id_number=ID_A, phone="13905761234")
    viewer = world.viewer("county")
    assert find_duplicates(session=world.session, viewer=viewer) == []
    # Too short to mean anything: a half-typed phone or ID, a two-character text.
    assert find_duplicates(session=world.session, viewer=viewer, id_numbers=["3310"], phones=["139", "", None]) == []
    assert find_duplicates(session=world.session, viewer=viewer, text="漏水", village_path=world.village.path) == []
    assert find_duplicates(session=world.session, viewer=viewer, building_id=2**31 - 1) == []


def test_limit_keeps_the_strongest(world: World) -> None:
    for _ in range(4):
        _event(world, phone="13905761234")
    strongest = _event(world, id_number=ID_A, phone="13905761234")
    hints = find_duplicates(
        session=world.session, viewer=world.viewer("county"), id_numbers=[ID_A], phones=["13905761234"], limit=2
    )
    assert len(hints) == 2
    assert hints[0].event.id == strongest.id


def test_village_path_for_a_viewer(world: World) -> None:
    assert duplicates.village_path_for(world.viewer("grid_worker")) == world.village.path
    assert duplicates.village_path_for(world.viewer("village_head")) == world.village.path
    assert duplicates.village_path_for(world.viewer("town_dispatcher")) is None


def test_text_similarity_ignores_punctuation_and_width() -> None:
    assert duplicates.text_similarity("楼上漏水，请求调解！", "楼上漏水 请求调解") == 100
    assert duplicates.text_similarity("ＡＢＣ漏水", "abc漏水") == 100
    assert duplicates.text_similarity("楼上漏水", "道路塌陷") == 0
