"""A small hand-built history for the bulletin and assessment tests: October 2026 in the test county, with edge
cases at the month's borders; the expected figures are counted by hand in the table below.

| ev  | where          | registered   | channel    | dispute | category        | status     | notes               |
| e1  | t0/v0/grid0    | Oct 3        | 12345      | yes     | neighbour       | closed     | 满意                |
| e2  | t0/v0/grid0    | Oct 5        | 110        | yes     | marriage_family | closed     | 不满意              |
| e3  | t0/v1/grid     | Oct 8        | patrol     | yes     | labour          | handling   | overdue since Oct 20 |
| e4  | t1/v0/grid     | Oct 10       | court      | yes     | debt_contract   | closed     |                     |
| e5  | t1/v0/grid     | Oct 12       | petition   | yes     | labour          | dispatched | deadline past       |
| e6  | t1/v0/grid     | Oct 12       | front desk | no      | consultation    | closed     | 基本满意            |
| e7  | t0 itself      | Oct 15       | 110        | no      | public_order    | registered |                     |
| e8  | t0/v0/grid0    | Oct 6        | 12345      | yes     | neighbour       | merged     | not counted         |
| e9  | t1/v1/grid     | Oct 7        | patrol     | yes     | neighbour       | voided     | not counted         |
| e10 | t1/v1/grid     | Oct 31 23:30 | citizen QR | yes     | neighbour       | registered | October's end       |
| e11 | t1/v1/grid     | Nov 1 00:10  | 12345      | yes     | neighbour       | registered | November            |
| e12 | county itself  | Oct 20       | front desk | yes     | property_mgmt   | closed     | county 本级 row     |
| p1  | t0/v0/grid0    | Sep 15       | 12345      | yes     | neighbour       | closed     | September           |
| p2  | t1/v0/grid     | Sep 20       | 110        | no      | public_order    | closed     | September           |

(Shanghai times; t = town, v = village.) e3's title names its reporter; e5 is sensitive.
e3 went overdue on Oct 20 (an overdue action); e5's step deadline (Oct 28) passed but no timer flagged it.
Supervision: 黄牌 on e3 to t0/v1 (Oct 22), 普通 on e3 to a county department (Oct 25), 红牌 on e5 to t1 (Oct 29).
Warnings: w1 high (town1) Oct 29, w2 low (town0) Oct 2, w3 medium (town0) Sep 30 (September).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fengqiao.core.clock import CHINA_TZ
from fengqiao.events.kinds import Channel, EventStatus, Satisfaction, SupervisionLevel
from fengqiao.events.lifecycle import Action
from fengqiao.events.models import Event, EventAction, Supervision
from fengqiao.jurisdiction.models import Unit
from fengqiao.warnings.models import RiskWarning
from tests.events.world import World
from tests.metrics.history import add_event

# 10:00 Shanghai on 2 November 2026: October is over, its bulletin is due.
NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
_RANK = {level: i for i, level in enumerate(SupervisionLevel)}


def local(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=CHINA_TZ).astimezone(UTC)


def _event(
    world: World,
    unit: Unit,
    at: datetime,
    channel: Channel,
    *,
    dispute: bool,
    category: str,
    status: EventStatus,
    callbacks: tuple[Satisfaction, ...] = (),
) -> Event:
    event = add_event(
        world, unit, registered_at=at, channel=channel, status=status, category=category, callbacks=callbacks
    )
    event.is_dispute = dispute
    return event


def _supervise(world: World, event: Event, level: SupervisionLevel, target: Unit, at: datetime) -> Supervision:
    supervision = Supervision(
        county_code=event.county_code,
        event_id=event.id,
        level=level.value,
        reason="请加快办理",
        target_unit_id=target.id,
        deadline=at + timedelta(days=2),
        created_at=at,
    )
    world.session.add(supervision)
    if event.supervision_level is None or _RANK[level] > _RANK[SupervisionLevel(event.supervision_level)]:
        event.supervision_level = level.value
    return supervision


def _warning(world: World, unit: Unit, level: str, title: str, at: datetime) -> RiskWarning:
    warning = RiskWarning(
        county_code=unit.county_code,
        source="rule",
        kind="test_rule",
        level=level,
        title=title,
        reason="测试",
        evidence={},
        unit_id=unit.id,
        unit_path=unit.path,
        first_unit_id=unit.id,
        status="issued",
        ack_deadline=at + timedelta(hours=4),
        dedupe_key=f"test:{title}",
        history=[],
        created_at=at,
    )
    world.session.add(warning)
    return warning


def build_history(world: World) -> dict[str, Event]:
    t = world.tree
    grid0, v1_grid, t1_grid, t1_v1_grid = t.grids[0], t.grids[2], t.grids[4], t.grids[6]
    closed, open_ = EventStatus.CLOSED, EventStatus.REGISTERED
    events = {
        "e1": _event(
            world,
            grid0,
            local(10, 3),
            Channel.HOTLINE_12345,
            dispute=True,
            category="neighbour",
            status=closed,
            callbacks=(Satisfaction.SATISFIED,),
        ),
        "e2": _event(
            world,
            grid0,
            local(10, 5),
            Channel.POLICE_110,
            dispute=True,
            category="marriage_family",
            status=closed,
            callbacks=(Satisfaction.DISSATISFIED,),
        ),
        "e3": _event(
            world,
            v1_grid,
            local(10, 8),
            Channel.GRID_PATROL,
            dispute=True,
            category="labour",
            status=EventStatus.HANDLING,
        ),
        "e4": _event(
            world, t1_grid, local(10, 10), Channel.COURT, dispute=True, category="debt_contract", status=closed
        ),
        "e5": _event(
            world,
            t1_grid,
            local(10, 12),
            Channel.FIRST_PETITION,
            dispute=True,
            category="labour",
            status=EventStatus.DISPATCHED,
        ),
        "e6": _event(
            world,
            t1_grid,
            local(10, 12, 15),
            Channel.FRONT_DESK,
            dispute=False,
            category="consultation",
            status=closed,
            callbacks=(Satisfaction.BASICALLY,),
        ),
        "e7": _event(
            world, t.towns[0], local(10, 15), Channel.POLICE_110, dispute=False, category="public_order", status=open_
        ),
        "e8": _event(
            world,
            grid0,
            local(10, 6),
            Channel.HOTLINE_12345,
            dispute=True,
            category="neighbour",
            status=EventStatus.MERGED,
        ),
        "e9": _event(
            world,
            t1_v1_grid,
            local(10, 7),
            Channel.GRID_PATROL,
            dispute=True,
            category="neighbour",
            status=EventStatus.VOIDED,
        ),
        "e10": _event(
            world,
            t1_v1_grid,
            local(10, 31, 23, 30),
            Channel.CITIZEN_QR,
            dispute=True,
            category="neighbour",
            status=open_,
        ),
        "e11": _event(
            world,
            t1_v1_grid,
            local(11, 1, 0, 10),
            Channel.HOTLINE_12345,
            dispute=True,
            category="neighbour",
            status=open_,
        ),
        "e12": _event(
            world, t.county, local(10, 20), Channel.FRONT_DESK, dispute=True, category="property_mgmt", status=closed
        ),
        "p1": _event(
            world, grid0, local(9, 15), Channel.HOTLINE_12345, dispute=True, category="neighbour", status=closed
        ),
        "p2": _event(
            world, t1_grid, local(9, 20), Channel.POLICE_110, dispute=False, category="public_order", status=closed
        ),
    }
    e3, e5 = events["e3"], events["e5"]
    e3.title = "陈海燕反映工资被拖欠"  # the reporter's name, masked in the bulletin
    e5.is_sensitive = True
    e3.is_overdue = True
    e3.overdue_since = local(10, 20)
    e3.step_deadline = local(10, 20)
    world.session.add(
        EventAction(
            county_code=e3.county_code,
            event_id=e3.id,
            action=Action.OVERDUE.value,
            from_status=e3.status,
            to_status=e3.status,
            at=local(10, 20),
        )
    )
    e5.step_deadline = local(10, 28)
    _supervise(world, e3, SupervisionLevel.YELLOW, t.villages[1], local(10, 22))
    _supervise(world, e3, SupervisionLevel.NORMAL, world.department, local(10, 25))
    _supervise(world, e5, SupervisionLevel.RED, t.towns[1], local(10, 29))
    _warning(world, t.towns[1], "high", "大溪镇欠薪聚集风险", local(10, 29))
    _warning(world, t.towns[0], "low", "泽国镇邻里纠纷增多", local(10, 2))
    _warning(world, t.towns[0], "medium", "九月预警", local(9, 30))
    world.session.flush()
    return events
