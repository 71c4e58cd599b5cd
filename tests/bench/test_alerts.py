"""A small run of `fengqiao bench alerts`: 2,000 alerts through a private Mosquitto and the subscriber process, and
through the webhook in process — nothing lost, nothing duplicated (no timing assertions)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fengqiao.bench import alerts
from fengqiao.db.engine import make_engine
from fengqiao.web.app import create_app
from tests.alerts.mosquitto import require_mosquitto
from tests.conftest import TEST_DATABASE_URL
from tests.web.helpers import make_settings


def test_message_mix_follows_the_seed() -> None:
    counts = alerts.device_counts(1_000)
    assert sum(counts.values()) == 1_000
    assert counts[alerts.AlertKind.SMOKE] == 802  # 170,000 of 212,000
    codes = alerts.device_codes("331081", counts)
    planned = alerts.plan(count=5_000, codes=codes, seed=1)
    kinds = {kind: sum(1 for m in planned if m.kind == kind.value) for kind in alerts.AlertKind}
    assert kinds[alerts.AlertKind.SMOKE] > kinds[alerts.AlertKind.DROWNING] > kinds[alerts.AlertKind.INTRUSION]
    cancels = [m for m in planned if m.signal == "cancel"]
    assert cancels
    assert all(m.kind == "smoke" for m in cancels)


@pytest.mark.slow
def test_bench_alerts_small_run_loses_and_doubles_nothing(tmp_path: Path) -> None:
    require_mosquitto()
    server = TEST_DATABASE_URL if TEST_DATABASE_URL.startswith("postgresql") else None
    engines = []

    def app(url: str) -> object:
        engine = make_engine(url)
        engines.append(engine)
        return create_app(settings=make_settings(), engine=engine)

    try:
        phases = alerts.run(
            alerts=2_000,
            devices=1_500,
            database_url=server,
            seed=7,
            connections=2,
            clients=2,
            folder=tmp_path,
            promote=100,
            app_factory=app,
        )
    finally:
        for engine in engines:
            engine.dispose()
    paths = {p.path: p for p in phases}
    assert set(paths) == {"baseline-mqtt", "mqtt", "http", "baseline-insert", "promotion"}
    promoted = paths["promotion"]
    # The burst leaves drowning, intrusion and high key-person groups due at once: the sweeper makes them events.
    assert promoted.stored > 0
    assert promoted.lost == 0
    assert len(promoted.latencies_ms) == promoted.stored
    for path in ("mqtt", "http"):
        phase = paths[path]
        assert (phase.published, phase.stored, phase.lost, phase.duplicated) == (2_000, 2_000, 0, 0), path
        assert len(phase.latencies_ms) == 2_000
    assert paths["baseline-mqtt"].stored == 2_000
