"""The simulator drives the demo county through the real services: events with timelines, deterministic for a
seed, resumable without duplicates, and the level split of the seed figures."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, selectinload
from typer.testing import CliRunner

from fengqiao.cli import app
from fengqiao.config import get_settings
from fengqiao.core.clock import CHINA_TZ, utcnow
from fengqiao.demo.simulation.behaviour import plan_for
from fengqiao.demo.simulation.driver import (
    SETTLING_DAYS,
    Simulation,
    SimulationReport,
    dispute_figures,
    event_digest,
    level_split,
    source_prefix,
)
from fengqiao.demo.simulation.phrases import CORES
from fengqiao.demo.simulation.texts import Details, compose
from fengqiao.demo.simulation.volumes import LEVEL_SPLIT
from fengqiao.events.kinds import Channel, EventStatus
from fengqiao.events.lifecycle import Action
from fengqiao.events.models import Event
from fengqiao.jobs.models import Job, JobStatus
from fengqiao.jurisdiction.kinds import UnitKind
from fengqiao.jurisdiction.models import Unit
from fengqiao.triage.classify.corpus import SEED_PHRASES_FILE
from fengqiao.triage.taxonomy import default_taxonomy
from fengqiao.triage.taxonomy.schema import load_yaml
from fengqiao.warnings.jobs import ANALYSE

SEED = 7
SCALE = 0.05
FIRST = date(2025, 6, 2)  # a Monday
LAST = date(2025, 6, 13)  # a Friday
UNTIL = datetime.combine(LAST, time(18, 0), tzinfo=CHINA_TZ)


@pytest.fixture
def sim_db(seeded_engine: Engine) -> Iterator[Session]:
    """A session on the seeded county inside a transaction rolled back afterwards (the county stays as seeded)."""
    connection = seeded_engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()
        transaction.rollback()
        connection.close()


def _run(session: Session, *, seed: int = SEED, last: date = LAST, until: datetime = UNTIL) -> SimulationReport:
    return Simulation(session=session, seed=seed, scale=SCALE).run(first_day=FIRST, last_day=last, until=until)


def _simulated(session: Session, seed: int = SEED) -> list[Event]:
    return list(
        session.scalars(
            select(Event)
            .where(Event.source_id.like(f"{source_prefix(seed)}%"))
            .options(selectinload(Event.actions), selectinload(Event.tasks))
            .order_by(Event.source_id)
        )
    )


def test_events_go_through_intake_triage_and_the_closed_loop(sim_db: Session) -> None:
    report = _run(sim_db)
    events = _simulated(sim_db)
    assert report.registered == len(events) > 20
    assert report.refused == 0
    assert {e.channel for e in events} >= {Channel.GRID_PATROL.value, Channel.POLICE_110.value}
    for event in events:
        assert event.actions[0].action == Action.REGISTER.value
        assert event.triage is not None
        assert event.category is not None
        for earlier, later in zip(event.actions, event.actions[1:], strict=False):
            assert earlier.at <= later.at
    in_grids = [e for e in events if len([c for c in e.location_path.split("/") if c]) == 4]
    assert len(in_grids) >= 0.95 * len(events)  # placed at real buildings (by id, point or address)
    closed = [e for e in events if e.status == EventStatus.CLOSED.value]
    assert closed
    for event in closed:
        done = [a.action for a in event.actions]
        for action in (Action.DISPATCH, Action.ACCEPT, Action.REPORT_BACK, Action.REVIEW_PASS, Action.CLOSE):
            assert action.value in done
        people = [a for a in event.actions if a.action in (Action.ACCEPT.value, Action.REPORT_BACK.value)]
        assert all(a.actor_id is not None for a in people)  # real staff, through their viewers
    # What a grid worker finds on patrol is registered by one of that grid's team; the offices' feeds by nobody.
    patrol = [e for e in events if e.channel == Channel.GRID_PATROL.value]
    assert patrol
    for event in patrol:
        assert event.created_by_id is not None
        assert event.actions[0].actor_id == event.created_by_id
    assert all(e.created_by_id is None for e in events if e.channel == Channel.POLICE_110.value)
    # Early warning ran at the simulated moments, not left to a later worker: every intake's analysis is done.
    analyses = Counter(sim_db.scalars(select(Job.status).where(Job.kind == ANALYSE)))
    assert analyses[JobStatus.DONE.value] > 0
    assert analyses[JobStatus.PENDING.value] == 0
    # The last days stay partly open, so inboxes have work in them.
    assert any(e.status != EventStatus.CLOSED.value for e in events)
    assert any(a.action == Action.CALLBACK.value for e in closed for a in e.actions)


def test_the_same_seed_gives_the_same_history(seeded_engine: Engine) -> None:
    digests = []
    for seed in (SEED, SEED, SEED + 1):
        with seeded_engine.connect() as connection:
            transaction = connection.begin()
            session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
            _run(session, seed=seed, last=FIRST + timedelta(days=4))
            digests.append(event_digest(session, seed=seed))
            session.close()
            transaction.rollback()
    assert digests[0] == digests[1]
    assert digests[0] != digests[2]


def test_a_rerun_continues_without_duplicates(sim_db: Session) -> None:
    halfway = FIRST + timedelta(days=5)
    _run(sim_db, last=halfway, until=datetime.combine(halfway, time(14, 30), tzinfo=CHINA_TZ))
    first_part = len(_simulated(sim_db))
    _run(sim_db)  # resumes from the day the first run stopped in
    resumed = _simulated(sim_db)
    assert len(resumed) > first_part
    assert len({e.source_id for e in resumed}) == len(resumed)
    digest = event_digest(sim_db, seed=SEED)
    again = _run(sim_db)  # nothing new: the window is done
    assert again.registered == 0
    assert sim_db.scalar(
        select(func.count()).select_from(Event).where(Event.source_id.like(f"{source_prefix(SEED)}%"))
    ) == len(resumed)
    assert event_digest(sim_db, seed=SEED) == digest


def test_escalated_disputes_were_mediated_in_the_village_first(sim_db: Session) -> None:
    _run(sim_db, seed=SEED + 2)
    kinds = {row[0]: row[1] for row in sim_db.execute(select(Unit.id, Unit.kind))}
    escalated = [
        e
        for e in _simulated(sim_db, SEED + 2)
        if e.is_dispute and any(a.action == Action.ESCALATE.value for a in e.actions)
    ]
    assert escalated
    for event in escalated:
        first_escalation = next(i for i, a in enumerate(event.actions) if a.action == Action.ESCALATE.value)
        mediated = [
            a
            for a in event.actions[:first_escalation]
            if a.action == Action.MEDIATE.value
            and kinds.get(a.actor_unit_id or 0) in (UnitKind.VILLAGE.value, UnitKind.GRID.value)
        ]
        assert mediated
    split = level_split(sim_db, seed=SEED + 2)
    assert split.total > 0
    assert split.village > split.town


def test_six_weeks_reproduce_the_proportions_of_the_seed_figures(sim_db: Session) -> None:
    """Volume, level split, local resolution and resolution rate of a small county's six weeks, within what chance
    allows at that size (the full year is `fengqiao demo simulate --days 365 --scale 1.0`, run by hand)."""
    seed, scale = SEED + 5, 0.1
    first, last = date(2025, 3, 3), date(2025, 4, 13)
    assert (last - first).days > SETTLING_DAYS
    simulation = Simulation(session=sim_db, seed=seed, scale=scale)
    simulation.run(first_day=first, last_day=last, until=datetime.combine(last, time(23, 59), tzinfo=CHINA_TZ))
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    expected = sum(simulation.expected_disputes(day) for day in days)
    generated = sum(1 for day in days for a in simulation.arrivals(day) if a.is_dispute)
    assert abs(generated - expected) <= 4 * expected**0.5  # Poisson arrivals around the yearly volume
    figures = dispute_figures(sim_db, seed=seed)
    # Marked as disputes after intake: the generated ones, give or take what the classifier reads otherwise, plus
    # citizens' repeated complaints.
    assert abs(figures.disputes - generated) <= 0.15 * generated
    split = figures.split
    assert split.total > 150
    village = LEVEL_SPLIT["village"]
    assert abs(split.share("village") - village) <= 4 * (village * (1 - village) / split.total) ** 0.5
    assert split.county <= 2  # 0.1 %: a county-level resolution is rare at this size, never routine
    assert figures.local_rate >= 0.99
    # Disputes registered more than SETTLING_DAYS before the end are settled, bar the few that never are (0.08 %).
    assert figures.settled > 50
    assert figures.resolution_rate >= 0.98
    # Each closed dispute was resolved at the level its plan chose: the split comes from the plans, not from chance
    # routes (a report the address matcher could not place still goes down to its village, not kept at the county).
    rank = {"grid": 0, "village": 0, "town": 1, "county": 2}
    for event in _simulated(sim_db, seed):
        if event.is_dispute and event.status == EventStatus.CLOSED.value:
            assert event.source_id is not None
            plan = plan_for(seed=seed, source_id=event.source_id, is_dispute=True)
            assert rank[event.level or ""] == plan.target, event.source_id


def test_plans_reproduce_the_level_split_of_the_seed_figures() -> None:
    plans = [plan_for(seed=SEED, source_id=f"x{i}", is_dispute=True) for i in range(40_000)]
    counts = Counter(p.target for p in plans)
    assert abs(counts[0] / len(plans) - LEVEL_SPLIT["village"]) < 0.01
    assert abs(counts[1] / len(plans) - LEVEL_SPLIT["town"]) < 0.01
    assert 0 < counts[2] < 0.003 * len(plans)
    assert sum(p.unresolved for p in plans) < 0.003 * len(plans)
    assert all(p.target == -1 for p in (plan_for(seed=SEED, source_id=f"y{i}", is_dispute=False) for i in range(50)))


def test_every_subcategory_has_many_phrasings_none_from_the_classifier_corpus() -> None:
    taxonomy = default_taxonomy()
    assert set(CORES) == set(taxonomy.subcategories)
    seed_phrases = {phrase for phrases in load_yaml(SEED_PHRASES_FILE).values() for phrase in phrases}
    details = Details(
        a="陈明", b="林芳", place="华阳社区", ent="温岭市某鞋业有限公司", town="泽国镇", village="华阳社区"
    )
    for code, sub in taxonomy.subcategories.items():
        texts = set()
        for i in range(12):
            rng = random.Random(f"{code}{i}")
            channel = list(Channel)[i % 8]
            title, content = compose(
                subcategory=code,
                subcategory_name=sub.name,
                channel=channel,
                is_dispute=sub.is_dispute,
                rng=rng,
                details=details,
            )
            assert "{" not in content
            assert "{" not in title
            assert title
            assert content
            texts.add(content)
        assert len(texts) >= 8, code
        assert not any(core in seed_phrases for core in CORES[code].split("|")), code


@pytest.fixture
def configured_database(database_factory: Callable[[], str], monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = database_factory()
    monkeypatch.setenv("FENGQIAO_DATABASE_URL", url)
    monkeypatch.setenv("FENGQIAO_DEMO_SCALE", "0.001")
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_simulate_command_then_ensure_leaves_the_history_alone(configured_database: str) -> None:
    runner = CliRunner()
    refused = runner.invoke(app, ["demo", "simulate", "--days", "2"])
    assert refused.exit_code == 1  # no county yet
    assert runner.invoke(app, ["demo", "seed", "--scale", "0.001", "--seed", "3"]).exit_code == 0
    args = ["demo", "simulate", "--days", "3", "--scale", "0.05", "--until", "2025-06-11"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "事件摘要" in first.output
    again = runner.invoke(app, args)
    assert again.exit_code == 0, again.output
    digest = first.output.split("event digest")[1].split()[0]
    assert len(digest) == 16
    assert again.output.split("event digest")[1].split()[0] == digest  # a rerun adds nothing
    ensured = runner.invoke(app, ["demo", "ensure"])
    assert ensured.exit_code == 0, ensured.output
    assert "不再模拟" in ensured.output


def test_bad_until_is_refused(configured_database: str) -> None:
    result = CliRunner().invoke(app, ["demo", "simulate", "--until", "2025-13-01"])
    assert result.exit_code != 0
    assert utcnow()  # the real clock is back after every simulation
