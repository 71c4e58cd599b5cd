"""A small run of `fengqiao bench link`: a few hundred events with planted groups, linked and scored, the single
event path and the sample baselines — on the test database backend."""

from __future__ import annotations

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from fengqiao.bench import link
from fengqiao.events.models import Event
from fengqiao.linking.models import PartyLink, TextSignature


def test_bench_link_smoke(isolated_engine: Engine) -> None:
    url = isolated_engine.url.render_as_string(hide_password=False)
    report = link.run(events=400, sample=80, singles=4, batch=150, database_url=url)

    with Session(isolated_engine) as session:
        assert session.scalar(select(func.count()).select_from(Event)) == 400 + 4
        linked = session.scalar(select(func.count()).select_from(PartyLink)) or 0
        banded = session.scalar(select(func.count(func.distinct(TextSignature.event_id)))) or 0
    assert report.result is not None
    assert linked == report.parties + 2 * report.single_count  # each new event: a reporter and a party
    assert report.result.parties == report.parties
    assert banded == 400 + 4
    assert report.people is not None
    assert report.people.true_pairs > 0
    # The planted links the rules can see are found, and families and namesakes mostly kept apart.
    assert report.people.recall > 0.8
    assert report.people.precision > 0.9
    assert report.matters_checked > 0
    assert report.matters_recall > 0.5
    assert report.places_checked > 0
    assert report.places_found == report.places_checked
    naive, blocked = report.sample
    assert naive.items == blocked.items > 0
    exact, lsh = report.samples_texts
    assert exact.score.recall == 1.0
    assert lsh.score.precision == 1.0  # every LSH candidate is checked on its exact similarity


def test_pair_score_counts_pairs() -> None:
    # Truth: {1,2,3} one person, {4} another. Predicted: {1,2} and {3,4}.
    score = link.pair_score([(1, 10), (1, 10), (1, 20), (2, 20)])
    assert (score.true_pairs, score.found_pairs, score.correct_pairs) == (3, 2, 1)
    assert score.precision == 0.5
    assert round(score.recall, 3) == 0.333
