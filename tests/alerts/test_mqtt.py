"""The MQTT subscriber against a real Mosquitto started by the test: stored, dead-lettered, deduplicated, and
nothing lost or doubled across reconnects and a subscriber killed in the middle of a burst."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from fengqiao.alerts import devices
from fengqiao.alerts.kinds import GroupStatus
from fengqiao.alerts.models import Alert, AlertDeadLetter, AlertGroup
from fengqiao.alerts.mqtt import Subscriber, SubscriberConfig, county_of
from fengqiao.bench.mosquitto import PrivateBroker
from fengqiao.core.clock import utcnow
from fengqiao.db import migrate
from fengqiao.events.kinds import Channel
from fengqiao.events.models import Event
from fengqiao.jobs.worker import Worker
from tests import factories
from tests.alerts.conftest import make_alert_world
from tests.alerts.mosquitto import private_broker, publish, require_mosquitto, wait_for

COUNTY = "331081"
CHINA = timezone(timedelta(hours=8))
SMOKE = "SD-1"
DROWNING = "DR-1"
BURST_DEVICES = [f"SD-B{n:04d}" for n in range(500)]


@dataclass
class Setup:
    engine: Engine
    url: str


@pytest.fixture
def mosquitto() -> Iterator[PrivateBroker]:
    yield from private_broker()


@pytest.fixture
def alerts_engine(isolated_engine: Engine) -> Setup:
    """A database of the test's own (the subscriber writes from another thread or process): the alerts world (a
    station, a building, devices SD-1, DR-1, …) and 500 more smoke detectors for bursts."""
    migrate.upgrade(isolated_engine)
    with Session(isolated_engine) as session:
        factories.bind(session)
        world = make_alert_world(session)
        rows = [{"code": code, "kind": "smoke", "building_id": world.building.id} for code in BURST_DEVICES]
        result = devices.bulk_register(session=session, rows=rows, county_code=COUNTY)
        assert not result.errors, result.errors
        session.commit()
    factories.bind(None)
    return Setup(isolated_engine, isolated_engine.url.render_as_string(hide_password=False))


def message(device: str, alert_id: str, *, kind: str = "smoke", signal_: str = "alarm", **extra: Any) -> dict[str, Any]:
    return {
        "device": device,
        "alert_id": alert_id,
        "kind": kind,
        "signal": signal_,
        "at": datetime.now(UTC).astimezone(CHINA).isoformat(),  # a device's clock, not the server's
        "level": "high",
        **extra,
    }


def config_for(broker: PrivateBroker, **overrides: Any) -> SubscriberConfig:
    values: dict[str, Any] = {
        "host": broker.host,
        "port": broker.port,
        "username": broker.username,
        "password": broker.password,
        "client_id": "fengqiao-alerts-test",
        "batch_ms": 20,
        "backoff_min": 0.1,
        "backoff_max": 0.5,
        "health_interval": 1.0,
    }
    values.update(overrides)
    return SubscriberConfig(**values)


@contextmanager
def running(subscriber: Subscriber) -> Iterator[Subscriber]:
    failure: list[BaseException] = []

    def target() -> None:
        try:
            subscriber.run()
        except BaseException as exc:  # handed to the test
            failure.append(exc)

    thread = threading.Thread(target=target, name="test-subscriber")
    thread.start()
    try:
        assert subscriber.wait_connected(10), subscriber.last_error
        yield subscriber
    finally:
        subscriber.stop()
        thread.join(timeout=30)
        assert not thread.is_alive()
    if failure:
        raise failure[0]


def alert_count(engine: Engine, device: str | None = None) -> int:
    with Session(engine) as session:
        statement = select(func.count()).select_from(Alert)
        if device is not None:
            device_ids = select(devices.AlertDevice.id).where(devices.AlertDevice.code == device).scalar_subquery()
            statement = statement.where(Alert.device_id == device_ids)
        return int(session.scalar(statement) or 0)


def test_county_comes_from_the_topic() -> None:
    assert county_of("fengqiao/331081/alerts/331081-SD-000001") == "331081"
    assert county_of("fengqiao/331081/alerts/a/b") == "331081"
    assert county_of("other/331081/alerts/x") is None
    assert county_of("fengqiao//alerts/x") is None


def test_published_drowning_alert_is_stored_grouped_and_becomes_an_event(
    alerts_engine: Setup, mosquitto: PrivateBroker
) -> None:
    subscriber = Subscriber(alerts_engine.engine, config_for(mosquitto))
    with running(subscriber):
        publish(mosquitto, [message(DROWNING, "v-1", kind="drowning", data={"camera": "CH-3", "score": 0.93})])
        wait_for(lambda: subscriber.stats.acked >= 1)
    assert subscriber.stats.accepted == 1
    with Session(alerts_engine.engine) as session:
        alert = session.scalars(select(Alert)).one()
        assert (alert.kind, alert.signal, alert.source, alert.county_code) == ("drowning", "alarm", "mqtt", COUNTY)
        assert alert.data == {"camera": "CH-3", "score": 0.93}
        assert alert.grouped_at is not None
        assert alert.group_id is not None
        group = session.get(AlertGroup, alert.group_id)
        assert group is not None
        assert group.alert_count == 1

    # Drowning is an event at once: the worker's sweep job (armed by intake) promotes the group. The job waits for
    # its bucket of due moments, so the worker looks a little ahead.
    worker = Worker(alerts_engine.engine, clock=lambda: utcnow() + timedelta(minutes=5))
    assert worker.run_once().done >= 1
    with Session(alerts_engine.engine) as session:
        group = session.get(AlertGroup, alert.group_id)
        assert group is not None
        assert group.status == GroupStatus.PROMOTED.value
        event = session.scalars(select(Event)).one()
        assert event.id == group.event_id
        assert event.channel == Channel.SENSOR.value


def test_bad_messages_go_to_dead_letters(alerts_engine: Setup, mosquitto: PrivateBroker) -> None:
    subscriber = Subscriber(alerts_engine.engine, config_for(mosquitto))
    with running(subscriber):
        publish(
            mosquitto,
            [
                (f"fengqiao/{COUNTY}/alerts/{SMOKE}", b"{not json"),
                message("331081-SD-999999", "x-1"),  # not registered
                message(SMOKE, "x-2", kind="drowning"),  # a smoke detector does not report drowning
                (f"fengqiao/330000/alerts/{SMOKE}", json.dumps(message(SMOKE, "x-3")).encode()),  # another county
                message(SMOKE, "ok-1"),
            ],
        )
        wait_for(lambda: subscriber.stats.acked >= 5)
    assert (subscriber.stats.accepted, subscriber.stats.dead_letters) == (1, 4)
    with Session(alerts_engine.engine) as session:
        dead = session.execute(select(AlertDeadLetter.reason_code, AlertDeadLetter.payload, AlertDeadLetter.source))
        rows = {reason: (payload, source) for reason, payload, source in dead}
    assert rows["bad_json"] == ("{not json", "mqtt")
    assert {"bad_json", "unknown_device", "kind_mismatch"} <= set(rows)
    assert len(rows) >= 3
    assert alert_count(alerts_engine.engine) == 1


def test_the_same_alert_id_twice_is_stored_once(alerts_engine: Setup, mosquitto: PrivateBroker) -> None:
    subscriber = Subscriber(alerts_engine.engine, config_for(mosquitto))
    with running(subscriber):
        publish(mosquitto, [message(SMOKE, "dup-1")])
        wait_for(lambda: subscriber.stats.acked >= 1)
        publish(mosquitto, [message(SMOKE, "dup-1"), message(SMOKE, "dup-2")], client_id="second-publisher")
        wait_for(lambda: subscriber.stats.acked >= 3)
    assert (subscriber.stats.accepted, subscriber.stats.duplicates) == (2, 1)
    assert alert_count(alerts_engine.engine) == 2
    with Session(alerts_engine.engine) as session:
        assert session.scalar(select(func.sum(AlertGroup.alert_count))) == 2


def assert_refused(subscriber: Subscriber, reason: str) -> None:
    """The subscriber keeps trying and never connects; its last error names ``reason``."""
    thread = threading.Thread(target=subscriber.run)
    thread.start()
    try:
        wait_for(lambda: subscriber.last_error is not None and reason in subscriber.last_error, timeout=15)
        assert not subscriber.wait_connected(0.2)
    finally:
        subscriber.stop()
        thread.join(timeout=15)


def test_wrong_password_is_refused(alerts_engine: Setup, mosquitto: PrivateBroker) -> None:
    assert_refused(Subscriber(alerts_engine.engine, config_for(mosquitto, password="wrong")), "connack")


class _CrashAfterCommit(Subscriber):
    """Commits every batch, then 'dies' before any acknowledgement reaches the broker."""

    def _send_acks(self, client: Any) -> None:
        self._acks.clear()


def test_committed_but_unacknowledged_messages_come_again_and_change_nothing(
    alerts_engine: Setup, mosquitto: PrivateBroker
) -> None:
    burst = [message(code, f"c-{n}") for n, code in enumerate(BURST_DEVICES[:200])]
    crashed = _CrashAfterCommit(alerts_engine.engine, config_for(mosquitto, batch_size=50))
    with running(crashed):
        publish(mosquitto, burst)
        wait_for(lambda: crashed.stats.messages >= len(burst))
    assert crashed.stats.accepted == len(burst)
    assert crashed.stats.acked == 0

    restarted = Subscriber(alerts_engine.engine, config_for(mosquitto, batch_size=50))
    with running(restarted):  # same client id: the broker resends what was never acknowledged
        wait_for(lambda: restarted.stats.acked >= len(burst))
    assert (restarted.stats.accepted, restarted.stats.duplicates) == (0, len(burst))
    assert alert_count(alerts_engine.engine) == len(burst)
    with Session(alerts_engine.engine) as session:
        assert session.scalar(select(func.sum(AlertGroup.alert_count))) == len(burst)


def test_acknowledgements_of_a_lost_connection_are_not_sent(mosquitto: PrivateBroker) -> None:
    """Packet ids are per connection: an ack meant for the old one could acknowledge another message."""
    subscriber = Subscriber(None, config_for(mosquitto), discard=True)
    sent: list[int] = []

    class Client:
        def ack(self, mid: int, qos: int) -> None:
            sent.append(mid)

    subscriber._online = True
    subscriber._acks.append((0, [1, 2]))
    subscriber._generation = 1  # the connection of generation 0 was lost meanwhile
    subscriber._acks.append((1, [3]))
    subscriber._send_acks(Client())  # type: ignore[arg-type]
    assert sent == [3]
    assert (subscriber.stats.acked, subscriber.stats.stale_acks) == (1, 2)


def test_broker_restart_keeps_the_session(alerts_engine: Setup, mosquitto: PrivateBroker) -> None:
    subscriber = Subscriber(alerts_engine.engine, config_for(mosquitto))
    with running(subscriber):
        publish(mosquitto, [message(SMOKE, "before")])
        wait_for(lambda: subscriber.stats.acked >= 1)
        mosquitto.stop()
        mosquitto.start()
        # Published while the subscriber is still reconnecting: the persisted session queues it.
        publish(mosquitto, [message(SMOKE, "after-1"), message(SMOKE, "after-2")])
        wait_for(lambda: subscriber.stats.connects >= 2 and subscriber.stats.accepted >= 3, timeout=30)
    assert subscriber.stats.connection_losses >= 1
    assert alert_count(alerts_engine.engine) == 3


def _start_cli(setup: Setup, broker: PrivateBroker, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        **broker.environment(),
        "FENGQIAO_DATABASE_URL": setup.url,
        "FENGQIAO_MQTT_CLIENT_ID": "fengqiao-alerts-burst",
        "FENGQIAO_LOG_LEVEL": "INFO",
    }
    command = [sys.executable, "-m", "fengqiao", "alerts", "subscribe", "--batch-size", "200", "--batch-ms", "20"]
    with log.open("ab") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    wait_for(lambda: "alerts.mqtt.connected" in log.read_text(errors="replace") or process.poll() is not None)
    assert process.poll() is None, log.read_text(errors="replace")[-3000:]
    return process


@pytest.mark.slow
def test_subscriber_killed_during_a_burst_loses_and_doubles_nothing(
    alerts_engine: Setup, mosquitto: PrivateBroker, tmp_path: Path
) -> None:
    total = 5_000
    burst = [message(BURST_DEVICES[n % len(BURST_DEVICES)], f"burst-{n}") for n in range(total)]
    first = _start_cli(alerts_engine, mosquitto, tmp_path / "first.log")
    publisher = threading.Thread(target=publish, args=(mosquitto, burst))
    publisher.start()
    try:
        wait_for(lambda: alert_count(alerts_engine.engine) >= 600, timeout=120)
        os.kill(first.pid, signal.SIGKILL)  # no goodbye: the batch in hand is neither committed nor acknowledged
        first.wait(timeout=10)
        stored_at_kill = alert_count(alerts_engine.engine)
    finally:
        publisher.join(timeout=120)
    assert not publisher.is_alive()  # the broker acknowledged all 5,000: from here they are its to deliver
    assert stored_at_kill < total, "the subscriber finished before it was killed: the test proves nothing"

    log = tmp_path / "second.log"
    second = _start_cli(alerts_engine, mosquitto, log)
    try:
        wait_for(lambda: alert_count(alerts_engine.engine) >= total, timeout=180)
    finally:
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=30) == 0
    with Session(alerts_engine.engine) as session:
        stored = session.scalar(select(func.count()).select_from(Alert))
        unique = session.scalar(select(func.count(func.distinct(Alert.alert_id))))
        grouped = session.scalar(select(func.sum(AlertGroup.alert_count)))
    assert (stored, unique, grouped) == (total, total, total)
    assert "alerts.mqtt.stopped" in log.read_text(errors="replace")  # SIGTERM: committed, acknowledged, said so


def test_a_message_that_breaks_intake_is_isolated_and_dead_lettered(
    alerts_engine: Setup, mosquitto: PrivateBroker
) -> None:
    """Intake dead-letters bad input itself; this is the safety net for a message that makes it raise (a bug):
    the batch is split until that message stands alone, the others are stored and acknowledged."""
    from fengqiao.alerts.intake import ingest

    def breaks_on_poison(**kwargs: Any) -> Any:
        if any(b"poison" in payload for payload in kwargs["payloads"]):
            raise RuntimeError("intake bug")
        return ingest(**kwargs)

    batch = [message(code, f"p-{n}") for n, code in enumerate(BURST_DEVICES[:20])]
    batch[13]["data"] = {"note": "poison"}
    subscriber = Subscriber(
        alerts_engine.engine,
        config_for(mosquitto, batch_size=20, batch_ms=500, backoff_min=0.001),
        ingest=breaks_on_poison,
    )
    with running(subscriber):
        publish(mosquitto, batch)
        wait_for(lambda: subscriber.stats.acked >= 20)
    assert (subscriber.stats.accepted, subscriber.stats.dead_letters) == (19, 1)
    with Session(alerts_engine.engine) as session:
        reason, payload = session.execute(select(AlertDeadLetter.reason_code, AlertDeadLetter.payload)).one()
    assert reason == "intake_error"
    assert "poison" in payload
    assert alert_count(alerts_engine.engine) == 19


def test_network_in_a_process_of_its_own_stores_acknowledges_and_deduplicates(
    alerts_engine: Setup, mosquitto: PrivateBroker
) -> None:
    subscriber = Subscriber(alerts_engine.engine, config_for(mosquitto, batch_size=50), network_process=True)
    burst = [message(code, f"np-{n}") for n, code in enumerate(BURST_DEVICES[:300])]
    with running(subscriber):
        publish(mosquitto, burst)
        wait_for(lambda: subscriber.stats.acked >= len(burst))
        publish(mosquitto, [burst[0], message(SMOKE, "np-last")], client_id="second-publisher")
        wait_for(lambda: subscriber.stats.acked >= len(burst) + 2)
    # The child's counters (received, acknowledged) reach the parent's stats beside the parent's own.
    assert subscriber.stats.received == subscriber.stats.acked == len(burst) + 2
    assert (subscriber.stats.accepted, subscriber.stats.duplicates) == (len(burst) + 1, 1)
    assert alert_count(alerts_engine.engine) == len(burst) + 1


def test_when_the_network_process_dies_the_subscriber_stops_with_an_error(
    alerts_engine: Setup, mosquitto: PrivateBroker
) -> None:
    subscriber = Subscriber(alerts_engine.engine, config_for(mosquitto), network_process=True)
    failure: list[BaseException] = []

    def target() -> None:
        try:
            subscriber.run()
        except BaseException as exc:
            failure.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    try:
        assert subscriber.wait_connected(10), subscriber.last_error
        publish(mosquitto, [message(SMOKE, "before-death")])
        wait_for(lambda: subscriber.stats.acked >= 1)
        link = subscriber._link
        assert link is not None
        assert link._process is not None
        assert link._process.pid is not None
        os.kill(link._process.pid, signal.SIGKILL)
        thread.join(timeout=15)  # stops by itself: a supervisor restarts it, the broker keeps what was not acked
        assert not thread.is_alive()
    finally:
        subscriber.stop()
        thread.join(timeout=15)
    assert len(failure) == 1
    assert "network process died" in str(failure[0])
    assert not subscriber.wait_connected(0)
    assert alert_count(alerts_engine.engine) == 1


def test_an_idle_subscriber_writes_held_back_last_seen_moments(alerts_engine: Setup, mosquitto: PrivateBroker) -> None:
    subscriber = Subscriber(alerts_engine.engine, config_for(mosquitto), seen_flush_seconds=0.2)

    def seen() -> datetime | None:
        with Session(alerts_engine.engine) as session:
            return session.scalar(select(devices.AlertDevice.last_seen_at).where(devices.AlertDevice.code == SMOKE))

    with running(subscriber):
        publish(mosquitto, [message(SMOKE, "seen-1")])
        wait_for(lambda: subscriber.stats.acked >= 1)
        wait_for(lambda: seen() is not None, timeout=5)  # written while running, with no further message to carry it


def _certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A test CA and a server certificate for 127.0.0.1 signed by it: (ca, cert, key)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    folder.mkdir(parents=True, exist_ok=True)
    ca_key, ca, key, request, cert, san = (
        folder / name for name in ("ca.key", "ca.crt", "server.key", "server.csr", "server.crt", "san.cnf")
    )
    san.write_text("subjectAltName=IP:127.0.0.1\n", encoding="utf-8")
    new_key = ["-newkey", "rsa:2048", "-nodes", "-keyout"]
    for command in (
        ["req", "-x509", *new_key, ca_key, "-out", ca, "-days", "2", "-subj", "/CN=fengqiao-test-ca"],
        ["req", *new_key, key, "-out", request, "-subj", "/CN=127.0.0.1"],
        ["x509", "-req", "-in", request, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-out", cert, "-days", "2"],
    ):
        extra = ["-extfile", san] if command[0] == "x509" else []
        subprocess.run([openssl, *map(str, [*command, *extra])], check=True, capture_output=True)
    key.chmod(0o644)  # mosquitto may run as another user
    return ca, cert, key


def test_the_subscriber_speaks_tls_and_checks_the_broker_certificate(alerts_engine: Setup, tmp_path: Path) -> None:
    require_mosquitto()
    ca, cert, key = _certificates(tmp_path / "broker")
    other_ca, _, _ = _certificates(tmp_path / "impostor")
    with PrivateBroker(tls_cert=cert, tls_key=key) as broker:
        assert broker.tls_port is not None
        subscriber = Subscriber(
            alerts_engine.engine, config_for(broker, port=broker.tls_port, tls=True, ca_file=ca), network_process=True
        )
        with running(subscriber):
            publish(broker, [message(SMOKE, "over-tls")])  # devices may publish on either listener
            wait_for(lambda: subscriber.stats.acked >= 1)
        assert alert_count(alerts_engine.engine) == 1

        # A broker whose certificate the configured CA did not sign is refused: no alert goes to an impostor's peer.
        impostor = config_for(broker, port=broker.tls_port, tls=True, ca_file=other_ca, client_id="fengqiao-other")
        assert_refused(Subscriber(alerts_engine.engine, impostor), "certificate")
