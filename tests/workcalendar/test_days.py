"""Working days against the official 2025 and 2026 arrangements (国务院办公厅节假日安排) and local overrides."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from structlog.testing import capture_logs

from fengqiao.core.clock import CHINA_TZ
from fengqiao.workcalendar import days, official
from fengqiao.workcalendar.days import add_working_days, add_working_hours, is_workday, working_days_between


def local(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=CHINA_TZ)


def end_of(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 23, 59, 59, tzinfo=CHINA_TZ)


# -- the official arrangement ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 9, 28), True),  # Sunday, make-up working day for 国庆
        (date(2025, 10, 1), False),
        (date(2025, 10, 8), False),
        (date(2025, 10, 9), True),
        (date(2025, 10, 11), True),  # Saturday, make-up working day
        (date(2025, 10, 12), False),
        (date(2026, 2, 14), True),  # Saturday, make-up working day for 春节
        (date(2026, 2, 15), False),
        (date(2026, 2, 23), False),  # Monday, still 春节
        (date(2026, 2, 24), True),
        (date(2026, 2, 28), True),  # Saturday, make-up working day
        (date(2026, 3, 1), False),
    ],
)
def test_official_days_off_and_make_up_working_days(day: date, expected: bool) -> None:
    assert is_workday(day) is expected


def test_the_library_covers_2025_and_2026() -> None:
    assert {2025, 2026} <= set(official.covered_years())


def test_an_unknown_year_falls_back_to_monday_to_friday_with_one_warning() -> None:
    official._warned_years.discard(2099)
    with capture_logs() as logs:
        assert is_workday(date(2099, 1, 1))  # a Thursday: New Year's Day unknown, so taken as a working day
        assert not is_workday(date(2099, 1, 3))  # Saturday
        assert is_workday(date(2099, 1, 5))
    warnings = [entry for entry in logs if entry["event"] == "workcalendar.year_not_covered"]
    assert len(warnings) == 1
    assert warnings[0]["log_level"] == "warning"
    assert "2099 年" in warnings[0]["message"]


# -- deadlines in working days ---------------------------------------------------------------------------------------


def test_a_deadline_over_national_day_2025_skips_the_holiday() -> None:
    assert add_working_days(local(2025, 9, 30, 16), 1) == end_of(2025, 10, 9)
    assert add_working_days(local(2025, 9, 30), 3) == end_of(2025, 10, 11)  # Oct 9, 10 and make-up Saturday 11
    assert add_working_days(local(2025, 9, 30), 4) == end_of(2025, 10, 13)


def test_a_make_up_sunday_counts_as_a_working_day() -> None:
    assert add_working_days(local(2025, 9, 26), 1) == end_of(2025, 9, 28)  # Friday → the make-up Sunday
    assert add_working_days(local(2025, 9, 27), 2) == end_of(2025, 9, 29)


def test_a_deadline_over_spring_festival_2026() -> None:
    assert add_working_days(local(2026, 2, 13), 1) == end_of(2026, 2, 14)  # make-up Saturday
    assert add_working_days(local(2026, 2, 13), 2) == end_of(2026, 2, 24)
    assert add_working_days(local(2026, 2, 12), 5) == end_of(2026, 2, 26)  # 13, 14, 24, 25, 26
    assert add_working_days(local(2026, 2, 12), 7) == end_of(2026, 2, 28)  # make-up Saturday


def test_the_start_day_never_counts_and_zero_means_the_same_working_day() -> None:
    assert add_working_days(local(2025, 10, 9, 0, 1), 1) == end_of(2025, 10, 10)
    assert add_working_days(local(2025, 10, 9, 23, 30), 1) == end_of(2025, 10, 10)
    assert add_working_days(local(2025, 10, 9), 0) == end_of(2025, 10, 9)
    assert add_working_days(local(2025, 10, 3), 0) == end_of(2025, 10, 9)


def test_the_start_day_is_the_day_in_china_whatever_the_zone_given() -> None:
    late_evening_utc = datetime(2025, 9, 30, 16, 30, tzinfo=UTC)  # 00:30 on Oct 1 in China
    assert add_working_days(late_evening_utc, 1) == end_of(2025, 10, 9)
    deadline = add_working_days(datetime(2025, 9, 29, 1, 0, tzinfo=UTC), 1)
    assert deadline.tzinfo is CHINA_TZ
    assert deadline.astimezone(UTC) == datetime(2025, 9, 30, 15, 59, 59, tzinfo=UTC)


def test_an_override_day_off_moves_the_deadline() -> None:
    typhoon = {date(2025, 10, 9): False}
    assert not is_workday(date(2025, 10, 9), typhoon)
    assert add_working_days(local(2025, 9, 30), 1, typhoon) == end_of(2025, 10, 10)
    extra_working_sunday = {date(2025, 10, 12): True}
    assert add_working_days(local(2025, 10, 11), 1, extra_working_sunday) == end_of(2025, 10, 12)


def test_naive_and_negative_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        add_working_days(datetime(2025, 10, 9, 9, 0), 1)
    with pytest.raises(ValueError, match="negative"):
        add_working_days(local(2025, 10, 9), -1)
    with pytest.raises(ValueError, match="positive"):
        add_working_hours(local(2025, 10, 9), 0)


def test_overrides_that_remove_every_working_day_stop_with_an_error() -> None:
    start = date(2025, 10, 9)
    nothing = {start + timedelta(days=n): False for n in range(days.MAX_SEARCH_DAYS + 2)}
    with pytest.raises(ValueError, match="no working day"):
        add_working_days(local(2025, 10, 9), 1, nothing)


# -- deadlines in working hours (08:30–12:00, 13:30–17:30) ------------------------------------------------------------


def test_working_hours_skip_lunch() -> None:
    assert add_working_hours(local(2025, 10, 9, 11, 0), 2) == local(2025, 10, 9, 14, 30)
    assert add_working_hours(local(2025, 10, 9, 11, 0), 1) == local(2025, 10, 9, 12, 0)
    assert add_working_hours(local(2025, 10, 9, 12, 30), 1) == local(2025, 10, 9, 14, 30)


def test_working_hours_skip_the_night() -> None:
    assert add_working_hours(local(2025, 10, 9, 16, 30), 2) == local(2025, 10, 10, 9, 30)
    assert add_working_hours(local(2025, 10, 9, 20, 0), 1) == local(2025, 10, 10, 9, 30)
    assert add_working_hours(local(2025, 10, 9, 7, 0), 0.5) == local(2025, 10, 9, 9, 0)


def test_working_hours_skip_holidays_and_count_make_up_days() -> None:
    assert add_working_hours(local(2025, 9, 30, 17, 0), 1) == local(2025, 10, 9, 9, 0)
    assert add_working_hours(local(2025, 10, 10, 17, 0), 1) == local(2025, 10, 11, 9, 0)  # make-up Saturday
    # 7 h on Thursday, 7.5 on Friday, 7.5 on the make-up Saturday, Sunday off, 2 on Monday.
    assert add_working_hours(local(2025, 10, 9, 9, 0), 24) == local(2025, 10, 13, 10, 30)


def test_working_hours_accept_any_zone_and_answer_in_china_time() -> None:
    deadline = add_working_hours(datetime(2025, 10, 9, 3, 0, tzinfo=UTC), 2)  # 11:00 in China
    assert deadline == local(2025, 10, 9, 14, 30)
    assert deadline.tzinfo is CHINA_TZ


# -- used working days -------------------------------------------------------------------------------------------------


def test_working_days_between_counts_days_after_the_start_up_to_the_end() -> None:
    assert working_days_between(local(2025, 9, 30), local(2025, 10, 9)) == 1
    assert working_days_between(local(2025, 9, 30), local(2025, 10, 8)) == 0
    assert working_days_between(date(2026, 2, 13), date(2026, 2, 28)) == 6
    assert working_days_between(local(2025, 10, 9), local(2025, 10, 9, 17)) == 0
    assert working_days_between(local(2025, 10, 13), local(2025, 9, 30)) == -4
    assert working_days_between(local(2025, 9, 30), local(2025, 10, 9), {date(2025, 10, 9): False}) == 0


def test_working_days_between_is_the_inverse_of_add_working_days() -> None:
    start = local(2025, 9, 1, 9)
    for offset in range(0, 200, 3):
        begin = start + timedelta(days=offset)
        for n in (1, 2, 5, 10):
            assert working_days_between(begin, add_working_days(begin, n)) == n


def test_the_yellow_light_at_70_percent_of_a_five_day_limit() -> None:
    started = local(2025, 9, 29, 9)
    limit = 5
    used = [working_days_between(started, local(2025, 10, day)) for day in (9, 10, 11)]
    assert used == [2, 3, 4]
    assert [n >= 0.7 * limit for n in used] == [False, False, True]
