"""A small run of `fengqiao bench metrics` on the test database backend: events inserted, rollups rebuilt and
consistent, every cockpit query answered the same from the rollups as by the plain GROUP BY."""

from __future__ import annotations

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from fengqiao.bench import metrics
from fengqiao.events.models import Event
from fengqiao.metrics import rollups


def test_bench_metrics_smoke(isolated_engine: Engine) -> None:
    url = isolated_engine.url.render_as_string(hide_password=False)
    report = metrics.run(events=3000, repeat=2, baseline_repeat=1, database_url=url)

    with Session(isolated_engine) as session:
        assert session.scalar(select(func.count()).select_from(Event)) == 3000
        assert rollups.check(session) == []
    assert report.facts >= 3000
    assert report.rollup_rows > 0
    assert len(report.queries) == 6
    assert all(q.same for q in report.queries), [q.name for q in report.queries if not q.same]
    assert all(q.p99_ms >= q.p50_ms > 0 for q in report.queries)
