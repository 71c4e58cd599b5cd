"""Topic scans (趋势性、苗头性): a town's category rising against its own baseline of previous weeks fires the stated
one-sided Poisson test; steady or small counts do not; each topic warns its town once per week."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from fengqiao.core.clock import CHINA_TZ, utcnow
from fengqiao.events import intake
from fengqiao.events.kinds import Channel
from fengqiao.events.models import Event
from fengqiao.jobs.models import Job
from fengqiao.warnings import scans
from fengqiao.warnings.jobs import topic_scan_job
from fengqiao.warnings.models import RiskWarning
from tests.events.world import World, make_world

# Wednesday noon in China of the current week, so that "five minutes later" never crosses into the next ISO week.
_today = utcnow().astimezone(CHINA_TZ)
NOW = (_today - timedelta(days=_today.weekday() - 2)).replace(hour=12, minute=0, second=0, microsecond=0)
if utcnow() < NOW:
    NOW -= timedelta(days=7)


@pytest.fixture
def world(db: Session) -> World:
    return make_world(db)


def _events(world: World, *, category: str, days_ago: float, count: int, grid_code: str | None = None) -> None:
    for i in range(count):
        new = intake.NewEvent(
            channel=Channel.HOTLINE_12345,
            title="反映问题",
            content=f"反映问题第{i}件",
            unit_code=grid_code or world.grid.code,
        )
        event = intake.register(session=world.session, new=new, registering_unit=world.town).event
        event.registered_at = NOW - timedelta(days=days_ago, minutes=i)
        event.category = category
    world.session.flush()


def test_the_test_is_a_one_sided_poisson_tail() -> None:
    assert scans.one_sided_poisson(0, 3.0) == 1.0
    assert scans.one_sided_poisson(7, 1.0) == pytest.approx(8.324e-05, rel=1e-3)
    assert scans.one_sided_poisson(4, 3.0) == pytest.approx(0.3528, rel=1e-3)
    assert scans.one_sided_poisson(5, 0.0) == pytest.approx(scans.one_sided_poisson(5, 0.5))  # floored baseline


def test_a_rising_category_fires_and_a_steady_one_does_not(world: World) -> None:
    for week in range(1, 9):
        _events(world, category="labour", days_ago=7 * week + 2, count=1)
        _events(world, category="neighbour", days_ago=7 * week + 2, count=3)
    _events(world, category="labour", days_ago=2, count=7)
    _events(world, category="neighbour", days_ago=2, count=4)
    _events(world, category="consumer", days_ago=2, count=3, grid_code=world.other_town_grid.code)  # new, but few
    topics = scans.find_topics(session=world.session, county_code=world.tree.county.county_code, now=NOW)
    assert [(t.dimension, t.scope_path, t.topic, t.count, t.kind) for t in topics] == [
        ("town", world.town.path, "labour", 7, "trend")
    ]
    assert topics[0].baseline == [1] * 8
    assert topics[0].p_value < 0.01


def test_scan_warns_the_town_once_per_week_and_a_new_topic_is_emerging(world: World) -> None:
    _events(world, category="environment", days_ago=1, count=6)
    county = world.tree.county.county_code
    [warning] = scans.scan(session=world.session, county_code=county, now=NOW)
    assert warning.unit_id == world.town.id
    assert warning.source == "topic"
    assert warning.kind == "emerging"
    assert warning.title.startswith("苗头性预警")
    assert "环境污染" in warning.title
    assert "单侧泊松检验" in warning.reason
    assert warning.evidence["count"] == 6
    assert len(warning.evidence["event_ids"]) == 6
    assert scans.scan(session=world.session, county_code=county, now=NOW + timedelta(minutes=5)) == []
    assert warning.dedupe_key == f"topic:{county}:{world.town.code}:environment:{scans.iso_week(NOW)}"
    assert len(world.session.scalars(select(RiskWarning.id)).all()) == 1


def test_the_daily_scan_job_re_arms_itself_once(world: World) -> None:
    county = world.tree.county.county_code
    now = utcnow()  # the job re-arms from the real clock
    first = scans.ensure_scheduled(session=world.session, county_code=county, now=now)
    assert scans.ensure_scheduled(session=world.session, county_code=county, now=now).id == first.id
    assert first.run_at > now
    assert first.run_at.astimezone(scans.CHINA_TZ).hour == scans.SCAN_HOUR
    topic_scan_job(world.session, first)
    jobs = world.session.scalars(select(Job).where(Job.kind == scans.TOPIC_SCAN)).all()
    assert len(jobs) == 1  # the job re-armed the same slot (it ran before its time here)


def test_a_trade_rising_across_towns_warns_the_county(world: World) -> None:
    for grid in (world.grid, world.other_town_grid):  # three a week in each of two towns: no town fires alone
        for week in range(1, 9):
            _events(world, category="consumer", days_ago=7 * week + 2, count=1, grid_code=grid.code)
        _events(world, category="consumer", days_ago=2, count=4, grid_code=grid.code)
    for event in world.session.scalars(select(Event).where(Event.category == "consumer")):
        event.subcategory = "consumer.prepaid_card"
    world.session.flush()
    county = world.tree.county.county_code
    topics = scans.find_topics(session=world.session, county_code=county, now=NOW)
    assert [(t.dimension, t.scope_path, t.topic, t.count) for t in topics] == [
        ("trade", world.tree.county.path, "consumer.prepaid_card", 8)
    ]
    [warning] = scans.scan(session=world.session, county_code=county, now=NOW)
    assert warning.unit_id == world.tree.county.id
    assert "预付卡" in warning.title
