"""Working-day calendar: deadlines counted in working days, with Chinese public holidays and make-up working days.

Source of the official arrangement: the ``chinesecalendar`` package (module ``chinese_calendar``), a transcription of
the State Council's yearly holiday notice with both the days off and the make-up working days (调休上班日). Version
1.11.0 covers 2004–2026; the next year is published each November and needs a package upgrade. A year the package
does not know falls back to Monday–Friday with a warning logged once (see ``official``). On top of it each county
keeps overrides in ``calendar_overrides`` (an extra day off for a typhoon, an extra working day).

- ``days``: pure functions — ``is_workday``, ``add_working_days``, ``add_working_hours``, ``working_days_between``,
  ``next_workday`` — and the conventions they follow (end of day 23:59:59, working hours 08:30–12:00 and
  13:30–17:30, Asia/Shanghai).
- ``service``: ``WorkCalendar`` (overrides loaded from the database once) and ``set_override`` /
  ``remove_override`` / ``list_overrides``.
"""

from fengqiao.workcalendar.days import add_working_days, add_working_hours, is_workday, working_days_between
from fengqiao.workcalendar.service import WorkCalendar

__all__ = ["WorkCalendar", "add_working_days", "add_working_hours", "is_workday", "working_days_between"]
