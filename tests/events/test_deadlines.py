"""Deadline policy: most specific rule wins, holidays are skipped, a broken policy file names its problem."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from fengqiao.core.clock import CHINA_TZ
from fengqiao.events.deadlines import PolicyError, default_policy, load_policy, step_deadline
from fengqiao.events.kinds import HandlingLevel
from fengqiao.workcalendar import WorkCalendar


def test_the_most_specific_rule_wins() -> None:
    policy = default_policy()
    assert policy.limits_for(category=None, level=None).handle_days == 5
    assert policy.limits_for(category=None, level=HandlingLevel.GRID).handle_days == 3
    assert policy.limits_for(category="safety_hazard", level=HandlingLevel.TOWN).handle_days == 2
    assert policy.limits_for(category="labour", level=HandlingLevel.TOWN).handle_days == 10
    assert policy.limits_for(category="labour", level=HandlingLevel.GRID).handle_days == 3


def test_a_deadline_over_national_day_skips_the_holiday_and_counts_the_makeup_saturday() -> None:
    start = datetime(2025, 9, 30, 10, 0, tzinfo=CHINA_TZ)
    limits = default_policy().limits_for(category=None, level=None)
    step = step_deadline(calendar=WorkCalendar(), start=start, days=limits.handle_days, warning_ratio=0.7)
    # Oct 1–8 are off; Oct 9, 10, 11 (make-up Saturday), 13 and 14 are the five working days.
    assert step.deadline.astimezone(CHINA_TZ).date().isoformat() == "2025-10-14"
    assert start < step.warning_at < step.deadline


def test_accept_deadline_in_working_hours_skips_the_night() -> None:
    start = datetime(2026, 3, 6, 16, 30, tzinfo=CHINA_TZ)  # Friday afternoon
    step = step_deadline(calendar=WorkCalendar(), start=start, hours=4, warning_ratio=0.7)
    local = step.deadline.astimezone(CHINA_TZ)
    assert (local.date().isoformat(), local.hour) == ("2026-03-09", 11)  # Monday 11:30: 1 h Friday + 3 h Monday


def test_a_broken_policy_names_the_file_and_field(tmp_path: Path) -> None:
    broken = tmp_path / "deadlines.toml"
    broken.write_text(
        "[default]\naccept_hours = 4\nhandle_days = -1\nreview_days = 2\nrework_days = 3\nwarning_ratio = 0.7\n"
        "[supervision.normal]\ndays = 3\n[callback]\nafter_days = 1\nmax_reopens = 2\n",
        encoding="utf-8",
    )
    with pytest.raises(PolicyError) as error:
        load_policy(broken)
    assert str(broken) in str(error.value)
    assert "default.handle_days" in str(error.value)
