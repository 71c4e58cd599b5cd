"""A small hand-built history of events for the metrics tests: each event registered through intake, then given the
state the test needs (registered time, status, risk, level, deadline, callbacks) — the answers are counted by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fengqiao.events import intake
from fengqiao.events.kinds import Channel, EventStatus, HandlingLevel, RiskLevel, Satisfaction
from fengqiao.events.models import Callback, Event
from fengqiao.jurisdiction.models import Unit
from tests.events.world import World

# 12:00 in Shanghai on 10 March 2026 (04:00 UTC): "today" began at 2026-03-09 16:00 UTC.
NOW = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)


def add_event(
    world: World,
    unit: Unit,
    *,
    registered_at: datetime,
    channel: Channel = Channel.FRONT_DESK,
    status: EventStatus = EventStatus.REGISTERED,
    risk: RiskLevel = RiskLevel.LOW,
    level: HandlingLevel | None = None,
    category: str | None = "neighbour",
    overdue_flag: bool = False,
    step_deadline: datetime | None = None,
    lon: float | None = 121.31,
    lat: float | None = 28.31,
    callbacks: tuple[Satisfaction, ...] = (),
    title: str = "邻里纠纷",
    sensitive: bool = False,
) -> Event:
    new = intake.NewEvent(
        channel=channel,
        title=title,
        content="楼上卫生间漏水至楼下，协商未果，请求调处。",
        unit_code=unit.code,
        is_sensitive=sensitive,
        reporter_name="陈海燕",
        reporter_phone="13905761234",
    )
    event = intake.register(session=world.session, new=new, registering_unit=world.town).event
    event.registered_at = registered_at
    event.status = status.value
    event.risk_level = risk.value
    event.level = level.value if level else None
    event.category = category
    event.is_overdue = overdue_flag
    event.step_deadline = step_deadline
    event.lon, event.lat = lon, lat
    if status == EventStatus.CLOSED:
        event.closed_at = registered_at + timedelta(hours=5)
    for i, verdict in enumerate(callbacks):
        world.session.add(
            Callback(
                county_code=event.county_code,
                event_id=event.id,
                satisfaction=verdict.value,
                at=registered_at + timedelta(hours=6 + i),
            )
        )
    world.session.flush()
    return event


def build_history(world: World) -> dict[str, Event]:
    """Eight events; see tests/metrics/test_live.py for what each is there to test."""
    town_grid = world.grid  # town 0 / village 0 / grid 0
    other_village_grid = world.other_grid  # town 0 / village 1
    other_town_grid = world.other_town_grid  # town 1
    return {
        "e1": add_event(
            world,
            town_grid,
            registered_at=datetime(2026, 3, 10, 1, 0, tzinfo=UTC),  # 09:00 Shanghai today
            channel=Channel.HOTLINE_12345,
            risk=RiskLevel.HIGH,
            category="labour",
            title="拖欠工资",
        ),
        "e2": add_event(
            world,
            town_grid,
            registered_at=datetime(2026, 3, 9, 15, 30, tzinfo=UTC),  # 23:30 Shanghai yesterday
            status=EventStatus.DISPATCHED,
            risk=RiskLevel.MEDIUM,
            level=HandlingLevel.GRID,
            step_deadline=NOW - timedelta(hours=1),  # past its deadline, not yet flagged by the timer
        ),
        "e3": add_event(
            world,
            other_village_grid,
            registered_at=datetime(2026, 3, 9, 16, 10, tzinfo=UTC),  # 00:10 Shanghai today
            channel=Channel.GRID_PATROL,
            status=EventStatus.CLOSED,
            callbacks=(Satisfaction.SATISFIED,),
        ),
        "e4": add_event(
            world,
            other_town_grid,
            registered_at=NOW - timedelta(days=5),
            status=EventStatus.HANDLING,
            risk=RiskLevel.HIGH,
            level=HandlingLevel.TOWN,
            overdue_flag=True,
            category="labour",
            lon=121.35,
            title="讨薪聚集",
            sensitive=True,
        ),
        "e5": add_event(
            world,
            world.town,  # placed at the town only: the town's 本级 row
            registered_at=NOW - timedelta(days=40),  # before the 30-day window
            lon=None,
            lat=None,
        ),
        "e6": add_event(world, town_grid, registered_at=NOW - timedelta(days=3), status=EventStatus.VOIDED),
        "e7": add_event(
            world,
            town_grid,
            registered_at=NOW - timedelta(days=2),
            status=EventStatus.CLOSED,
            callbacks=(Satisfaction.DISSATISFIED, Satisfaction.BASICALLY),
        ),
        "e8": add_event(
            world,
            other_town_grid,
            registered_at=NOW - timedelta(hours=1),
            channel=Channel.HOTLINE_12345,
            status=EventStatus.MERGED,
        ),
    }
