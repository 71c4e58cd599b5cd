from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy.orm import Session

from fengqiao.core.clock import CHINA_TZ
from fengqiao.core.errors import InvalidInput
from fengqiao.workcalendar import WorkCalendar
from fengqiao.workcalendar.service import list_overrides, remove_override, set_override

COUNTY = "331081"
NEIGHBOUR = "331082"
TYPHOON_DAY = date(2025, 10, 9)


def test_a_county_typhoon_day_off_moves_its_deadlines_only(db: Session) -> None:
    set_override(session=db, county_code=COUNTY, day=TYPHOON_DAY, is_workday=False, reason="台风“麦德姆”停工停课")
    start = datetime(2025, 9, 30, 15, 0, tzinfo=CHINA_TZ)

    ours = WorkCalendar.load(session=db, county_code=COUNTY)
    theirs = WorkCalendar.load(session=db, county_code=NEIGHBOUR)

    assert not ours.is_workday(TYPHOON_DAY)
    assert theirs.is_workday(TYPHOON_DAY)
    assert ours.add_working_days(start, 1) == datetime(2025, 10, 10, 23, 59, 59, tzinfo=CHINA_TZ)
    assert theirs.add_working_days(start, 1) == datetime(2025, 10, 9, 23, 59, 59, tzinfo=CHINA_TZ)
    assert ours.add_working_hours(datetime(2025, 9, 30, 17, 0, tzinfo=CHINA_TZ), 1) == datetime(
        2025, 10, 10, 9, 0, tzinfo=CHINA_TZ
    )
    assert ours.working_days_between(start, date(2025, 10, 10)) == 1
    assert ours.next_workday(date(2025, 9, 30)) == date(2025, 10, 10)


def test_the_loaded_calendar_does_not_see_later_overrides(db: Session) -> None:
    calendar = WorkCalendar.load(session=db, county_code=COUNTY)
    set_override(session=db, county_code=COUNTY, day=TYPHOON_DAY, is_workday=False, reason="台风")
    assert calendar.is_workday(TYPHOON_DAY)
    assert not WorkCalendar.load(session=db, county_code=COUNTY).is_workday(TYPHOON_DAY)
    assert dict(WorkCalendar.load(session=db, county_code=COUNTY).overrides) == {TYPHOON_DAY: False}


def test_an_override_is_replaced_then_removed(db: Session) -> None:
    first = set_override(session=db, county_code=COUNTY, day=date(2025, 10, 12), is_workday=True, reason="防汛加班")
    second = set_override(session=db, county_code=COUNTY, day=date(2025, 10, 12), is_workday=False, reason="取消加班")
    assert second.id == first.id
    assert (second.is_workday, second.reason) == (False, "取消加班")
    assert [o.day for o in list_overrides(session=db, county_code=COUNTY, year=2025)] == [date(2025, 10, 12)]
    assert list_overrides(session=db, county_code=COUNTY, year=2026) == []

    assert remove_override(session=db, county_code=COUNTY, day=date(2025, 10, 12))
    assert not remove_override(session=db, county_code=COUNTY, day=date(2025, 10, 12))
    assert WorkCalendar.load(session=db, county_code=COUNTY).overrides == {}


def test_an_override_needs_a_reason(db: Session) -> None:
    with pytest.raises(InvalidInput, match="原因"):
        set_override(session=db, county_code=COUNTY, day=TYPHOON_DAY, is_workday=False, reason="  ")


def test_a_calendar_without_database_uses_the_official_arrangement() -> None:
    calendar = WorkCalendar()
    assert calendar.is_workday(date(2026, 2, 28))
    assert not calendar.is_workday(date(2026, 2, 23))
