"""The demo sensor feed: heartbeats that keep the demo's devices alive (except the few it shows as gone silent), now
and then an alert, through the real intake; the same for the same seed and window; armed only with the demo."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from fengqiao.alerts.jobs import arm_alert_jobs
from fengqiao.alerts.models import Alert, AlertDevice
from fengqiao.alerts.periodic import DEMO_FEED, FEED_WINDOW_SECONDS
from fengqiao.demo import devices as demo_devices
from fengqiao.jobs.models import Job
from tests.alerts.conftest import AlertWorld
from tests.conftest import SEEDED_SEED

# Windows end on a multiple of the window length; a fixed one, nothing depends on the wall clock.
END = datetime.fromtimestamp(1_795_000_000 // FEED_WINDOW_SECONDS * FEED_WINDOW_SECONDS, UTC)
DEVICES = [(f"331081-SD-{i:06d}", "smoke") for i in range(1, 301)] + [
    (f"331081-DR-{i:06d}", "drowning") for i in range(1, 61)
]


def test_each_device_beats_once_per_heartbeat_interval_and_the_silent_never() -> None:
    silent = set(demo_devices._troubled(SEEDED_SEED, [code for code, _ in DEVICES])[0])
    beats: Counter[str] = Counter()
    for n in range(6):  # an hour: the cameras' interval
        window_end = END + timedelta(seconds=n * FEED_WINDOW_SECONDS)
        payloads, heartbeats = demo_devices.feed_payloads(devices=DEVICES, window_end=window_end, seed=SEEDED_SEED)
        assert heartbeats == sum(1 for p in payloads if p["signal"] == "heartbeat")
        beats.update(p["device"] for p in payloads if p["signal"] == "heartbeat")
    cameras = {code for code, kind in DEVICES if kind == "drowning"} - silent
    assert {code for code in cameras if beats[code] == 1} == cameras
    assert not silent & set(beats)
    assert all(beats[code] <= 1 for code, kind in DEVICES if kind == "smoke")  # once a day


def test_the_same_seed_and_window_give_the_same_messages() -> None:
    first = demo_devices.feed_payloads(devices=DEVICES, window_end=END, seed=SEEDED_SEED)
    assert demo_devices.feed_payloads(devices=DEVICES, window_end=END, seed=SEEDED_SEED) == first
    alerts = [
        p
        for n in range(200)
        for p in demo_devices.feed_payloads(
            devices=DEVICES, window_end=END + timedelta(seconds=n * FEED_WINDOW_SECONDS), seed=SEEDED_SEED
        )[0]
        if p["signal"] != "heartbeat"
    ]
    kinds = Counter((p["kind"], p["signal"]) for p in alerts)
    # Mostly smoke alarms cancelled within seconds; standing smoke alarms and drowning alerts are rare.
    assert kinds[("smoke", "cancel")] > 100
    assert kinds[("smoke", "alarm")] - kinds[("smoke", "cancel")] < kinds[("smoke", "cancel")] / 10
    assert kinds[("drowning", "alarm")] < 10
    assert all(datetime.fromisoformat(p["at"]) <= END + timedelta(seconds=200 * FEED_WINDOW_SECONDS) for p in alerts)


def test_a_window_goes_through_intake_and_a_rerun_stores_nothing_twice(seeded_engine: Engine) -> None:
    with seeded_engine.connect() as connection:
        transaction = connection.begin()
        try:
            with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
                now = END + timedelta(seconds=30)
                for n in range(3):
                    window_end = END - timedelta(seconds=n * FEED_WINDOW_SECONDS)
                    fed = demo_devices.feed_window(session=session, window_end=window_end, seed=SEEDED_SEED, now=now)
                    assert fed.result.dead_letters == 0
                    assert fed.result.heartbeats == fed.heartbeats
                assert fed.heartbeats > 0
                seen = session.scalar(
                    select(func.count()).select_from(AlertDevice).where(AlertDevice.last_heartbeat_at == now)
                )
                assert seen
                assert seen > 0
                stored = session.scalar(select(func.count()).select_from(Alert).where(Alert.source == "demo-feed"))
                again = demo_devices.feed_window(session=session, window_end=END, seed=SEEDED_SEED, now=now)
                assert again.result.accepted == 0
                assert again.result.duplicates == again.alerts
                assert (
                    session.scalar(select(func.count()).select_from(Alert).where(Alert.source == "demo-feed")) == stored
                )
        finally:
            transaction.rollback()


def test_the_worker_arms_the_feed_only_where_the_demo_is_loaded(aw: AlertWorld, seeded_engine: Engine) -> None:
    arm_alert_jobs(aw.session)
    assert aw.session.scalar(select(func.count()).select_from(Job).where(Job.kind == DEMO_FEED)) == 0
    with seeded_engine.connect() as connection:
        transaction = connection.begin()
        try:
            with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
                arm_alert_jobs(session)
                job = session.scalars(select(Job).where(Job.kind == DEMO_FEED)).one()
                assert job.payload["seed"] == SEEDED_SEED
                assert int(job.run_at.timestamp()) % FEED_WINDOW_SECONDS == 0
        finally:
            transaction.rollback()
