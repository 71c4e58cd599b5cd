"""A hand-built month of events for the metric definitions (tests/metrics/test_definitions.py), each given the
status, handling level, timeline entries and callbacks its rows below say. Times are Shanghai local; the period is
March 2026. g0 = town0/village0/grid0, g2 = town0/village1's grid, g4 = town1/village0's grid.

| ev  | where | registered  | channel | dispute | status     | level           | closed after |
| a1  | g0    | 03-02 10:00 | patrol  | yes     | closed     | grid            | 10 h         |
| a2  | g0    | 03-03 09:00 | 12345   | yes     | closed     | village         | 30 h         |
| a3  | g2    | 03-05 09:00 | 110     | yes     | closed     | town            | 50 h         |
| a4  | g4    | 03-10 09:00 | desk    | no      | closed     | county          | 100 h        |
| a5  | g4    | 03-12 09:00 | court   | yes     | handling   | town            | (labour)     |
| a6  | vill0 | 03-15 09:00 | QR code | yes     | closed     | — (owner town0) | 2 h          |
| a7  | g0    | 03-20 09:00 | patrol  | no      | voided     |                 |              |
| a8  | g2    | 03-31 23:30 | 12345   | yes     | merged     |                 |              |
| a9  | g0    | 02-28 23:00 | patrol  | yes     | closed     | grid            | 5 h          |
| a10 | g0    | 04-01 00:10 | patrol  | yes     | registered |                 |              |

| ev | timeline                                                                         | callbacks            |
| a1 | mediate: success (by the village head)                                           | 满意                 |
| a2 | return, mediate: success, mediate: failed, overdue, callback reopened (grid worker) | 不满意, 满意     |
| a3 | review_fail                                                                      |                      |
| a4 | merge (a8, reported again, merged into it)                                       | 基本满意             |
| a5 | mediate: ongoing (village head)                                                  |                      |
| a7 | return                                                                           |                      |
| a9 |                                                                                  | 满意 (03-01 05:00)   |
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from fengqiao.core.clock import CHINA_TZ
from fengqiao.events.kinds import Channel, EventStatus, HandlingLevel, Satisfaction
from fengqiao.events.models import Callback, Event, EventAction
from fengqiao.jurisdiction.models import Unit
from tests.events.world import World
from tests.metrics.history import add_event

MARCH = (date(2026, 3, 1), date(2026, 3, 31))


def shanghai(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=CHINA_TZ)


def _event(
    world: World,
    unit: Unit,
    registered: datetime,
    channel: Channel,
    status: EventStatus,
    *,
    dispute: bool = True,
    level: HandlingLevel | None = None,
    closed_after_hours: int | None = None,
) -> Event:
    event = add_event(world, unit, registered_at=registered, channel=channel, status=status, level=level)
    event.is_dispute = dispute
    event.closed_at = registered + timedelta(hours=closed_after_hours) if closed_after_hours is not None else None
    return event


def _timeline(world: World, event: Event, *entries: tuple[str, int | None, dict[str, Any] | None]) -> None:
    at = event.registered_at
    for action, actor_id, data in entries:
        at += timedelta(minutes=10)
        world.session.add(
            EventAction(
                county_code=event.county_code,
                event_id=event.id,
                action=action,
                from_status=event.status,
                to_status=event.status,
                actor_id=actor_id,
                at=at,
                data=data,
            )
        )


def _callback(world: World, event: Event, verdict: Satisfaction, at: datetime) -> None:
    world.session.add(Callback(county_code=event.county_code, event_id=event.id, satisfaction=verdict.value, at=at))


def build_ledger(world: World) -> dict[str, Event]:
    s = world.session
    head = world.staff["village_head"].id
    grid_worker = world.staff["grid_worker"].id
    g0, g2, g4 = world.grid, world.other_grid, world.other_town_grid
    e: dict[str, Event] = {}

    e["a1"] = _event(world, g0, shanghai(3, 2, 10), Channel.GRID_PATROL, EventStatus.CLOSED, level=HandlingLevel.GRID,
                     closed_after_hours=10)  # fmt: skip
    _timeline(world, e["a1"], ("mediate", head, {"mediation": {"outcome": "success", "mediators": []}}))
    _callback(world, e["a1"], Satisfaction.SATISFIED, shanghai(3, 2, 22))

    e["a2"] = _event(world, g0, shanghai(3, 3, 9), Channel.HOTLINE_12345, EventStatus.CLOSED,
                     level=HandlingLevel.VILLAGE, closed_after_hours=30)  # fmt: skip
    _timeline(
        world,
        e["a2"],
        ("return", grid_worker, None),
        ("mediate", grid_worker, {"mediation": {"outcome": "success"}}),
        ("mediate", grid_worker, {"mediation": {"outcome": "failed"}}),
        ("overdue", None, {}),
        ("callback", None, {"satisfaction": "dissatisfied", "reopened": True}),
    )
    _callback(world, e["a2"], Satisfaction.DISSATISFIED, shanghai(3, 3, 20))
    _callback(world, e["a2"], Satisfaction.SATISFIED, shanghai(3, 4, 18))

    e["a3"] = _event(world, g2, shanghai(3, 5, 9), Channel.POLICE_110, EventStatus.CLOSED, level=HandlingLevel.TOWN,
                     closed_after_hours=50)  # fmt: skip
    _timeline(world, e["a3"], ("review_fail", None, None))

    e["a4"] = _event(world, g4, shanghai(3, 10, 9), Channel.FRONT_DESK, EventStatus.CLOSED, dispute=False,
                     level=HandlingLevel.COUNTY, closed_after_hours=100)  # fmt: skip
    e["a8"] = _event(world, g2, shanghai(3, 31, 23, 30), Channel.HOTLINE_12345, EventStatus.MERGED)
    _timeline(world, e["a4"], ("merge", None, {"merged_from": e["a8"].id}))
    _callback(world, e["a4"], Satisfaction.BASICALLY, shanghai(3, 15, 10))

    e["a5"] = _event(world, g4, shanghai(3, 12, 9), Channel.COURT, EventStatus.HANDLING, level=HandlingLevel.TOWN)
    e["a5"].category = "labour"
    _timeline(world, e["a5"], ("mediate", head, {"mediation": {"outcome": "ongoing"}}))

    e["a6"] = _event(world, world.village, shanghai(3, 15, 9), Channel.CITIZEN_QR, EventStatus.CLOSED,
                     closed_after_hours=2)  # fmt: skip
    e["a6"].owner_unit_id = world.town.id

    e["a7"] = _event(world, g0, shanghai(3, 20, 9), Channel.GRID_PATROL, EventStatus.VOIDED, dispute=False)
    _timeline(world, e["a7"], ("return", grid_worker, None))

    e["a9"] = _event(world, g0, shanghai(2, 28, 23), Channel.GRID_PATROL, EventStatus.CLOSED, level=HandlingLevel.GRID,
                     closed_after_hours=5)  # fmt: skip
    _callback(world, e["a9"], Satisfaction.SATISFIED, shanghai(3, 1, 5))

    e["a10"] = _event(world, g0, shanghai(4, 1, 0, 10), Channel.GRID_PATROL, EventStatus.REGISTERED)
    s.flush()
    return e
