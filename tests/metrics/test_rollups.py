"""Incremental maintenance of facts and rollups: marks, refresh, rebuild, and the consistency check."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fengqiao.events.kinds import EventStatus, Satisfaction
from fengqiao.events.models import Callback
from fengqiao.jobs.models import Job, JobStatus
from fengqiao.metrics import jobs, live, rollups, service
from fengqiao.metrics.definitions import Fact
from fengqiao.metrics.models import COUNTERS, MetricDirty, MetricFact, MetricRollup
from tests.events.world import World
from tests.metrics.history import NOW, build_history
from tests.metrics.ledger import MARCH, build_ledger


def _figure(world: World, metric: str) -> tuple[int, int | None]:
    [row] = service.compute(session=world.session, unit=world.tree.county, metric=metric, start=MARCH[0], end=MARCH[1])
    return row.numerator, row.denominator


def _dirty(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(MetricDirty)) or 0


def _rollup_rows(session: Session) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    columns = [getattr(MetricRollup, n) for n in ("county_code", "dimension", "parent_path", "day", "path", "value")]
    counters = [getattr(MetricRollup, n) for n in COUNTERS]
    return {
        tuple(r[:6]): tuple(r[6:])
        for r in session.execute(select(*columns, *counters))
        if any(r[6:])  # a row whose counters went back to zero is the same as no row
    }


def test_ancestors_and_deltas() -> None:
    path = "331081/331081100/331081100200/331081100200001/"
    assert rollups.ancestors(path) == [
        (0, "", "331081/"),
        (1, "331081/", "331081/331081100/"),
        (2, "331081/331081100/", "331081/331081100/331081100200/"),
    ]
    fact = Fact(
        event_id=1,
        part=0,
        county_code="331081",
        day=datetime(2026, 3, 1, tzinfo=UTC).date(),
        path=path,
        category="labour",
        channel="hotline_12345",
        level="grid",
        flags=0b111,
        handling_seconds=60,
    )
    deltas = rollups.rollup_deltas([(1, fact), (1, fact), (-1, fact)])
    # Three units × three dimensions, each holding the fact once (two added, one taken out).
    assert len(deltas) == 9
    assert all(v == fact.vector() for v in deltas.values())
    assert fact.vector()[:4] == [1, 1, 1, 0]


def test_changes_are_marked_then_folded(world: World) -> None:
    events = build_ledger(world)
    session = world.session
    assert _dirty(session) == len(events)
    assert rollups.refresh_all(session) == len(events)
    assert _dirty(session) == 0
    assert rollups.check(session) == []
    # One fact per event, one more per callback (a1, a2 twice, a4, a9).
    assert session.scalar(select(func.count()).select_from(MetricFact)) == len(events) + 5


def test_a_change_after_folding_shows_at_once_then_folds(world: World) -> None:
    events = build_ledger(world)
    session = world.session
    rollups.refresh_all(session)
    assert _figure(world, "resolution_rate") == (5, 6)

    a5 = events["a5"]
    a5.status = EventStatus.CLOSED.value
    a5.closed_at = a5.registered_at + timedelta(hours=8)
    session.add(Callback(county_code=a5.county_code, event_id=a5.id, satisfaction=Satisfaction.SATISFIED.value,
                         at=a5.closed_at + timedelta(hours=1)))  # fmt: skip
    session.delete(events["a7"])
    session.flush()
    assert _dirty(session) == 2
    # Read before the worker: the pending difference is added.
    assert _figure(world, "resolution_rate") == (6, 6)
    assert _figure(world, "satisfaction_rate") == (5, 6)
    assert _figure(world, "intake") == (7, None)
    assert rollups.check(session) == []  # marked events are compared as reads see them

    assert rollups.refresh_all(session) == 2
    assert _figure(world, "resolution_rate") == (6, 6)
    assert _figure(world, "satisfaction_rate") == (5, 6)
    assert _figure(world, "intake") == (7, None)
    assert rollups.check(session) == []


def test_rebuild_gives_the_incremental_rollups(world: World) -> None:
    build_ledger(world)
    build_history(world)
    session = world.session
    rollups.refresh_all(session)
    incremental = _rollup_rows(session)
    seen: list[tuple[int, int]] = []
    assert rollups.rebuild(session, chunk=5, progress=lambda done, total: seen.append((done, total))) == 18
    assert seen[-1] == (18, 18)
    assert _rollup_rows(session) == incremental
    assert rollups.check(session) == []
    assert _dirty(session) == 0


def test_a_stale_fact_is_reported(world: World) -> None:
    build_ledger(world)
    session = world.session
    rollups.refresh_all(session)
    fact = session.scalars(select(MetricFact).where(MetricFact.part == 0).limit(1)).one()
    fact.flags = 0
    session.flush()
    problems = rollups.check(session)
    assert problems
    assert any(p.startswith(f"event {fact.event_id}:") for p in problems)
    # …and the rollups no longer sum the stored facts.
    assert any(p.startswith("rollup") for p in problems)


def test_refresh_job_folds_and_rearms(world: World) -> None:
    build_ledger(world)
    session = world.session
    job = jobs.ensure_scheduled(session=session)
    jobs.refresh_job(session, job)
    assert _dirty(session) == 0
    pending = session.scalars(select(Job).where(Job.kind == jobs.REFRESH, Job.status == JobStatus.PENDING)).all()
    assert pending  # the next run is armed (the same slot's job when the clock has not moved on)
    assert rollups.check(session) == []


def test_cockpit_rates_are_the_metrics(world: World) -> None:
    """The cockpit's 化解率 and 满意率 over its 30-day window are the metrics of the same days."""
    build_history(world)
    scope = live.resolve_scope(session=world.session, viewer=world.viewer("county"), code=world.tree.county.code)
    data = live.cockpit(session=world.session, scope=scope, now=NOW)
    start = live.local_day_start(live.window_start(NOW)).date()
    end = live.local_day_start(NOW).date()
    for metric, rate in (("resolution_rate", data.resolution), ("satisfaction_rate", data.satisfaction)):
        [row] = service.compute(session=world.session, unit=scope.unit, metric=metric, start=start, end=end)
        assert (row.numerator, row.denominator) == (rate.numerator, rate.denominator)


def test_a_batch_from_a_feed_is_counted(world: World) -> None:
    # Feeds register with Core bulk inserts, which the ORM's flush listener never sees.
    from fengqiao.core.clock import to_local, utcnow
    from fengqiao.events import intake
    from fengqiao.events.kinds import Channel

    news = [
        intake.NewEvent(
            channel=Channel.HOTLINE_12345,
            title="噪音扰民",
            content=f"楼下商铺夜间噪音第{i}次",
            unit_code=world.grid.code,
            source_id=f"feed-{i}",
        )
        for i in range(3)
    ]
    results = intake.register_many(session=world.session, items=news, registering_unit=world.town)
    assert all(r.created for r in results)
    today = to_local(utcnow()).date()
    [row] = service.compute(session=world.session, unit=world.tree.county, metric="intake", start=today, end=today)
    assert row.numerator == 3
