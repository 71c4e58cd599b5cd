"""`fengqiao bench alerts` — a burst of sensor alerts through MQTT and through HTTP, nothing lost, nothing doubled.

A fresh database (a SQLite file under ``var/`` by default; with ``--database-url`` a new database on that PostgreSQL
server, dropped afterwards) with a small demo county and D devices registered in bulk (smoke detectors and video
channels in the seed's proportion, 170,000 : 42,000), a private Mosquitto (password, persistence, no queue limit) and
``fengqiao alerts subscribe`` in a subprocess, then N alerts of mixed kinds (the seed's yearly proportions; smoke
detectors also cancel and test) published by several MQTT connections at QoS 1 as fast as the broker takes them.
Then the same number through the HTTP webhook (``fengqiao serve`` in a subprocess, concurrent clients posting
batches). Each message carries its publish time in ``data.sent_at``; the figures come from the database once every
alert is stored: sustained alerts/second (first publish → last grouped), latency publish → grouped (p50/p99), lost
(published and acknowledged but not stored) and duplicated ((device, alert_id) stored more than once).

Baselines in the same run: the broker and the MQTT client alone (a subscriber that acknowledges without storing),
and a plain ``executemany`` insert of the same rows into the alerts table in batches of the subscriber's size.

The publishers speak MQTT 3.1.1 over plain sockets (CONNECT, PUBLISH QoS 1, PUBACK): the devices are firmware, not
Python, and a lean publisher leaves this machine's two cores to the broker, the subscriber and the database.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import re
import shutil
import socket
import struct
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlalchemy import Engine, delete, func, insert, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from fengqiao.alerts.kinds import AlertKind
from fengqiao.alerts.models import Alert, AlertDevice
from fengqiao.bench.mosquitto import PrivateBroker
from fengqiao.bench.processes import postgres_database, served
from fengqiao.config import get_settings
from fengqiao.core.clock import utcnow
from fengqiao.db import migrate
from fengqiao.db.engine import for_writing, make_engine
from fengqiao.demo.seeding import seed_demo_county, unit_count

console = Console(width=None if sys.stdout.isatty() else 130)

# A year of the seed county: alerts by kind, and 170,000 smoke detectors beside 42,000 video channels.
KIND_WEIGHTS = {
    AlertKind.SMOKE: 191_424,
    AlertKind.DROWNING: 164_711,
    AlertKind.INTRUSION: 24_824,
    AlertKind.KEY_PERSON: 149_234,
}
SMOKE_DEVICE_SHARE = 170_000 / (170_000 + 42_000)
DEVICE_PREFIX = {AlertKind.SMOKE: "SD", AlertKind.DROWNING: "DR", AlertKind.INTRUSION: "IN", AlertKind.KEY_PERSON: "KP"}
CHINA = timezone(timedelta(hours=8))
HTTP_BATCH = 500
_INSERT_CHUNK = 10_000


@dataclass(frozen=True, slots=True)
class Planned:
    device: str
    kind: str
    signal: str
    level: str | None


@dataclass
class Phase:
    label: str
    path: str  # "mqtt", "http" or a baseline
    published: int = 0
    stored: int = 0
    duplicated: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    baseline: bool = False
    note: str = ""

    @property
    def lost(self) -> int:
        return max(self.published - self.stored, 0)

    @property
    def rate(self) -> float:
        return self.stored / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float | None:
        if not self.latencies_ms:
            return None
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# --- the devices and the messages ----------------------------------------------------------------------------------


def device_counts(total: int) -> dict[AlertKind, int]:
    smoke = round(total * SMOKE_DEVICE_SHARE)
    video = total - smoke
    video_weights = {k: w for k, w in KIND_WEIGHTS.items() if k != AlertKind.SMOKE}
    weight_sum = sum(video_weights.values())
    counts = {AlertKind.SMOKE: smoke}
    for kind, weight in video_weights.items():
        counts[kind] = max(1, round(video * weight / weight_sum))
    counts[AlertKind.KEY_PERSON] += total - sum(counts.values())  # rounding
    return counts


def device_codes(county_code: str, counts: dict[AlertKind, int]) -> dict[AlertKind, list[str]]:
    return {kind: [f"{county_code}-{DEVICE_PREFIX[kind]}-{i:06d}" for i in range(n)] for kind, n in counts.items()}


def register_devices(engine: Engine, *, county_code: str, codes: dict[AlertKind, list[str]], seed: int) -> float:
    """Register the devices through the registry's bulk path, each in a building of the demo county (or at a grid's
    centre when there are no buildings); returns seconds taken."""
    from fengqiao.alerts import devices as registry
    from fengqiao.basedata.models import Building
    from fengqiao.jurisdiction.kinds import UnitKind
    from fengqiao.jurisdiction.models import Unit

    rng = random.Random(seed)
    started = time.perf_counter()
    with Session(for_writing(engine)) as session:
        buildings = list(session.scalars(select(Building.id).where(Building.grid_id.is_not(None))))
        points = [
            (lon, lat)
            for lon, lat in session.execute(
                select(Unit.centroid_lon, Unit.centroid_lat).where(
                    Unit.kind == UnitKind.GRID.value, Unit.centroid_lon.is_not(None)
                )
            )
        ]
        rows: list[dict[str, Any]] = []
        for kind, kind_codes in codes.items():
            for code in kind_codes:
                row: dict[str, Any] = {"code": code, "kind": kind.value}
                if buildings:
                    row["building_id"] = rng.choice(buildings)
                elif points:
                    row["lon"], row["lat"] = rng.choice(points)
                rows.append(row)
        result = registry.bulk_register(session=session, rows=rows, county_code=county_code)
        if result.errors:
            index, error = result.errors[0]
            raise RuntimeError(f"{len(result.errors)} devices not registered, e.g. row {index}: {error.message}")
        session.commit()
    return time.perf_counter() - started


def plan(*, count: int, codes: dict[AlertKind, list[str]], seed: int) -> list[Planned]:
    """``count`` messages: kinds by the seed's weights, devices at random within the kind; a smoke detector sometimes
    cancels an alarm it raised (same device, later), and every kind sends the odd test."""
    rng = random.Random(seed)
    kinds = list(KIND_WEIGHTS)
    picks = rng.choices(kinds, weights=[KIND_WEIGHTS[k] for k in kinds], k=count)
    recent_smoke: list[str] = []
    out: list[Planned] = []
    for kind in picks:
        roll = rng.random()
        if kind is AlertKind.SMOKE and roll < 0.10 and recent_smoke:
            out.append(Planned(recent_smoke.pop(rng.randrange(len(recent_smoke))), kind.value, "cancel", None))
            continue
        device = rng.choice(codes[kind])
        signal = "test" if roll > 0.98 else "alarm"
        if kind is AlertKind.KEY_PERSON:
            level: str | None = rng.choices(("high", "medium", "low"), weights=(10, 30, 60))[0]
        else:
            level = "high" if kind in (AlertKind.DROWNING, AlertKind.SMOKE) else None
        if kind is AlertKind.SMOKE and signal == "alarm":
            recent_smoke.append(device)
            if len(recent_smoke) > 500:
                recent_smoke.pop(0)
        out.append(Planned(device, kind.value, signal, level))
    return out


class Encoder:
    """JSON of a planned message with the send time filled in as late as possible (just before the socket write)."""

    def __init__(self, *, run: str, path: str, at: datetime) -> None:
        self._prefix = f"{path}-{run}-"
        self._at = at.astimezone(CHINA).isoformat()

    def head(self, index: int, message: Planned) -> bytes:
        body: dict[str, Any] = {
            "device": message.device,
            "alert_id": f"{self._prefix}{index}",
            "kind": message.kind,
            "signal": message.signal,
            "at": self._at,
        }
        if message.level:
            body["level"] = message.level
        return json.dumps(body, separators=(",", ":")).encode()[:-1] + b',"data":{"sent_at":'

    @staticmethod
    def finish(head: bytes, sent_at: float) -> bytes:
        return head + f"{sent_at:.6f}}}}}".encode()


# --- MQTT over plain sockets ---------------------------------------------------------------------------------------


def _remaining_length(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n % 128, n // 128
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _string(value: str | bytes) -> bytes:
    raw = value.encode() if isinstance(value, str) else value
    return struct.pack("!H", len(raw)) + raw


class RawPublisher:
    """An MQTT 3.1.1 publisher at QoS 1 with up to ``window`` messages in flight; counts the broker's PUBACKs."""

    def __init__(self, *, host: str, port: int, username: str, password: str, client_id: str, window: int = 500):
        self.window = window
        self.acked = 0
        self._sock = socket.create_connection((host, port))
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        body = _string("MQTT") + bytes([4, 0xC2]) + struct.pack("!H", 60)
        body += _string(client_id) + _string(username) + _string(password)
        self._sock.sendall(b"\x10" + _remaining_length(len(body)) + body)
        connack = self._recv_exact(4)
        if connack[0] != 0x20 or connack[3] != 0:
            raise RuntimeError(f"broker refused the publisher: {connack!r}")
        self._pending = b""
        self._inflight = 0
        self._mid = 0

    def _recv_exact(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = self._sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("broker closed the connection")
            data += chunk
        return data

    def _read_acks(self, *, until_at_most: int) -> None:
        while self._inflight > until_at_most:
            chunk = self._sock.recv(65536)
            if not chunk:
                raise ConnectionError("broker closed the connection")
            data = self._pending + chunk
            whole = len(data) // 4 * 4  # every packet the broker sends a publisher here is a 4-byte PUBACK
            self._pending = data[whole:]
            count = whole // 4
            self._inflight -= count
            self.acked += count

    def publish_many(
        self,
        items: Sequence[tuple[bytes, bytes]],
        finish: Callable[[bytes, float], bytes],
        *,
        rate: float = 0.0,
        started: float | None = None,
        offset: int = 0,
    ) -> None:
        """``items``: (topic, payload head); ``finish`` stamps the send time into each payload. With ``rate``
        (messages/second of this connection), message ``offset + i`` leaves no earlier than ``started + i / rate``."""
        chunk = max(1, min(self.window // 4, int(rate / 50) or 1)) if rate else max(1, self.window // 4)
        for start in range(0, len(items), chunk):
            if rate and started is not None:
                delay = started + (offset + start) / rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            self._read_acks(until_at_most=self.window - chunk)
            packets = []
            now = time.time()
            for topic, head in items[start : start + chunk]:
                self._mid = self._mid % 65_535 + 1
                payload = finish(head, now)
                variable = _string(topic) + struct.pack("!H", self._mid)
                packets.append(b"\x32" + _remaining_length(len(variable) + len(payload)) + variable + payload)
            self._sock.sendall(b"".join(packets))
            self._inflight += len(packets)
        self._read_acks(until_at_most=0)

    def close(self) -> None:
        try:
            self._sock.sendall(b"\xe0\x00")
        finally:
            self._sock.close()


def publish_mqtt(
    broker: PrivateBroker,
    *,
    messages: Sequence[Planned],
    encoder: Encoder,
    county_code: str,
    connections: int,
    topic_root: str = "fengqiao",
    rate: float = 0.0,
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Publish through ``connections`` sockets in threads (a device always through the same one, so that its alarm
    and cancel keep their order), all at once or at ``rate`` alerts/second in total; returns how many the broker
    acknowledged."""
    shares: list[list[tuple[bytes, bytes]]] = [[] for _ in range(connections)]
    for index, message in enumerate(messages):
        share = shares[hash(message.device) % connections]
        share.append((f"{topic_root}/{county_code}/alerts/{message.device}".encode(), encoder.head(index, message)))
    publishers = [
        RawPublisher(
            host=broker.host,
            port=broker.port,
            username=broker.username,
            password=broker.password,
            client_id=f"bench-publisher-{uuid.uuid4().hex[:8]}-{n}",
        )
        for n in range(connections)
    ]
    failures: list[BaseException] = []

    started = time.monotonic()

    def work(publisher: RawPublisher, items: list[tuple[bytes, bytes]]) -> None:
        try:
            step = 2_000
            share_rate = rate * len(items) / len(messages) if rate else 0.0
            for start in range(0, len(items), step):
                publisher.publish_many(
                    items[start : start + step], Encoder.finish, rate=share_rate, started=started, offset=start
                )
        except BaseException as exc:  # handed to the caller
            failures.append(exc)

    threads = [
        threading.Thread(target=work, args=(p, s), name=f"bench-publisher-{n}")
        for n, (p, s) in enumerate(zip(publishers, shares, strict=True))
    ]
    for thread in threads:
        thread.start()
    while any(t.is_alive() for t in threads):
        if on_progress is not None:
            on_progress(sum(p.acked for p in publishers))
        time.sleep(0.2)
    for publisher in publishers:
        publisher.close()
    if failures:
        raise failures[0]
    acked = sum(p.acked for p in publishers)
    if on_progress is not None:
        on_progress(acked)
    return acked


# --- processes -------------------------------------------------------------------------------------------------------


@contextmanager
def subscriber_process(
    broker: PrivateBroker,
    *,
    database_url: str | None,
    log_path: Path,
    client_id: str = "fengqiao-alerts",
    topic: str | None = None,
    discard: bool = False,
    batch_size: int | None = None,
    network_process: bool = True,
) -> Iterator[subprocess.Popen[bytes]]:
    """`fengqiao alerts subscribe` in a subprocess, stopped with SIGTERM (it commits and acknowledges, then exits)."""
    env = {**os.environ, **broker.environment(), "FENGQIAO_LOG_LEVEL": "INFO"}
    if database_url:
        env["FENGQIAO_DATABASE_URL"] = database_url
    if topic:
        env["FENGQIAO_MQTT_TOPIC"] = topic
    command = [sys.executable, "-m", "fengqiao", "alerts", "subscribe", "--client-id", client_id]
    command += ["--health-interval", "0.2" if discard else "5"]
    if batch_size:
        command += ["--batch-size", str(batch_size)]
    if discard:
        command.append("--discard")
    elif not network_process:
        command.append("--one-process")
    with log_path.open("ab") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_for_log(process, log_path, "alerts.mqtt.connected")
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


_ACKED = re.compile(rb"acked=(\d+)")


def acked_in_log(log_path: Path) -> int:
    """The acknowledgements the subscriber last reported in its health line."""
    found = _ACKED.findall(log_path.read_bytes()[-4000:])
    return int(found[-1]) if found else 0


def _wait_for_log(process: subprocess.Popen[bytes], log_path: Path, needle: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while needle not in log_path.read_text(encoding="utf-8", errors="replace"):
        if process.poll() is not None:
            tail = log_path.read_text(encoding="utf-8", errors="replace")[-3000:]
            raise RuntimeError(f"subscriber exited with code {process.returncode}:\n{tail}")
        if time.monotonic() > deadline:
            raise RuntimeError("subscriber did not connect")
        time.sleep(0.1)


# --- HTTP ------------------------------------------------------------------------------------------------------------


def issue_integration_token(engine: Engine, *, county_code: str, name: str = "bench") -> tuple[str, str]:
    """A webhook token for the bench; returns (token, the source its alerts are stored under)."""
    from fengqiao.alerts import integrations

    with Session(for_writing(engine)) as session:
        _integration, token = integrations.create_integration(session=session, county_code=county_code, name=name)
        session.commit()
    return token, f"http:{name}"


def post_http(
    base: str,
    *,
    token: str,
    messages: Sequence[Planned],
    encoder: Encoder,
    clients: int,
    batch: int = HTTP_BATCH,
    transport: httpx.AsyncBaseTransport | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """``clients`` concurrent clients posting JSON arrays of ``batch`` messages; returns how many were answered 200."""
    heads = [encoder.head(index, message) for index, message in enumerate(messages)]
    batches = [heads[start : start + batch] for start in range(0, len(heads), batch)]
    done = 0

    async def main() -> None:
        nonlocal done
        queue: asyncio.Queue[list[bytes]] = asyncio.Queue()
        for item in batches:
            queue.put_nowait(item)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=120, transport=transport) as client:

            async def worker() -> None:
                nonlocal done
                while not queue.empty():
                    item = queue.get_nowait()
                    now = time.time()
                    body = b"[" + b",".join(Encoder.finish(head, now) for head in item) + b"]"
                    response = await client.post("/api/v1/alerts/ingest", content=body)
                    if response.status_code != 200:
                        raise RuntimeError(f"webhook answered {response.status_code}: {response.text[:300]}")
                    done += len(item)
                    if on_progress is not None:
                        on_progress(done)

            await asyncio.gather(*(worker() for _ in range(clients)))

    failure: list[BaseException] = []

    def target() -> None:  # a thread of its own: the caller may already run an event loop
        try:
            asyncio.run(main())
        except BaseException as exc:
            failure.append(exc)

    thread = threading.Thread(target=target, name="bench-alerts-http")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return done


# --- measuring in the database ----------------------------------------------------------------------------------------


def last_alert_id(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(select(func.max(Alert.id))) or 0)


def stored_count(engine: Engine, *, prefix: str, after_id: int = 0) -> int:
    """Alerts of the phase stored so far: a range of the primary key (the phase's rows only), not a scan of the
    table — the poll runs on the same two cores as the subscriber it waits for."""
    with engine.connect() as connection:
        return int(
            connection.scalar(
                select(func.count()).select_from(Alert).where(Alert.id > after_id, Alert.alert_id.startswith(prefix))
            )
            or 0
        )


def wait_stored(
    engine: Engine,
    *,
    prefix: str,
    expected: int,
    after_id: int = 0,
    stall_seconds: float = 60,
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Poll until ``expected`` alerts with the prefix are stored, or nothing new arrived for ``stall_seconds``."""
    last, last_change = -1, time.monotonic()
    while True:
        count = stored_count(engine, prefix=prefix, after_id=after_id)
        if on_progress is not None:
            on_progress(count)
        if count >= expected:
            return count
        if count != last:
            last, last_change = count, time.monotonic()
        elif time.monotonic() - last_change > stall_seconds:
            return count
        time.sleep(0.5)


def measure(engine: Engine, phase: Phase, *, prefix: str) -> None:
    """Stored (unique keys), duplicated (rows beyond one per key), sustained rate (first publish → last grouped) and
    latencies of the alerts whose id starts with ``prefix``."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(Alert.device_id, Alert.alert_id, Alert.data, Alert.grouped_at, Alert.received_at).where(
                Alert.alert_id.startswith(prefix)
            )
        ).all()
    keys = Counter((device_id, alert_id) for device_id, alert_id, *_ in rows)
    phase.stored = len(keys)
    phase.duplicated = sum(n - 1 for n in keys.values())
    first_sent, last_done = float("inf"), 0.0
    for _device_id, _alert_id, data, grouped_at, received_at in rows:
        sent = float((data or {}).get("sent_at", 0))
        done_at = (grouped_at or received_at).timestamp()
        first_sent = min(first_sent, sent)
        last_done = max(last_done, done_at)
        phase.latencies_ms.append((done_at - sent) * 1000)
    phase.seconds = max(last_done - first_sent, 1e-9) if rows else 0.0


def executemany_baseline(engine: Engine, *, messages: Sequence[Planned], county_code: str, batch: int) -> Phase:
    """The same rows inserted with a plain ``executemany``, one commit per batch, then deleted."""
    phase = Phase(label="基准 executemany 直接插入", path="baseline-insert", baseline=True)
    with engine.connect() as connection:
        ids = dict(connection.execute(select(AlertDevice.code, AlertDevice.id)).all())
        last_id = connection.scalar(select(func.max(Alert.id))) or 0
    now = utcnow()
    rows = [
        {
            "county_code": county_code,
            "device_id": ids[m.device],
            "alert_id": f"baseline-{i}",
            "kind": m.kind,
            "signal": m.signal,
            "level": m.level,
            "at": now,
            "received_at": now,
            "grouped_at": now,
            "source": "baseline",
            "data": {"sent_at": 0.0},
        }
        for i, m in enumerate(messages)
    ]
    writer = for_writing(engine)
    started = time.perf_counter()
    for start in range(0, len(rows), batch):
        with writer.begin() as connection:
            connection.execute(insert(Alert), rows[start : start + batch])
    phase.seconds = time.perf_counter() - started
    phase.published = phase.stored = len(rows)
    with writer.begin() as connection:
        connection.execute(delete(Alert).where(Alert.id > last_id, Alert.source == "baseline"))
    return phase


def promotion_phase(engine: Engine, *, limit: int) -> Phase:
    """The promotion sweeper (``alerts.promotion``) after the burst, as the worker runs it — one transaction per
    sweep of ``policy.sweep.batch`` groups — until ``limit`` groups are decided or none is due: groups promoted to
    events (registered, dispatched to the grid through the state machine, 三必到 timers) per second, and latency
    publish → event of the promoted groups (which includes the wait for the burst to finish)."""
    from fengqiao.alerts import dispatch
    from fengqiao.alerts.kinds import GroupStatus
    from fengqiao.alerts.models import AlertGroup
    from fengqiao.db.engine import make_session_factory
    from fengqiao.events.models import Event

    phase = Phase(label="告警组 → 事件（巡检转事件）", path="promotion")
    sessions = make_session_factory(for_writing(engine))
    with engine.connect() as connection:
        first_event = int(connection.scalar(select(func.max(Event.id))) or 0)
    now = utcnow() + timedelta(seconds=61)  # smoke's 60 s to cancel have passed for every group of the burst
    decided = 0
    started = time.perf_counter()
    while decided < limit:
        with sessions() as session, session.begin():
            n = dispatch.sweep(session=session, now=now)
        if not n:
            break
        decided += n
    phase.seconds = time.perf_counter() - started
    with engine.connect() as connection:
        promoted = connection.execute(
            select(AlertGroup.id, Event.registered_at)
            .join(Event, Event.id == AlertGroup.event_id)
            .where(AlertGroup.status == GroupStatus.PROMOTED.value, Event.id > first_event)
        ).all()
        registered: dict[int, datetime] = {int(row[0]): row[1] for row in promoted}
        sent: dict[int, float] = {}
        ids = sorted(registered)
        for start in range(0, len(ids), 1000):
            for group_id, data in connection.execute(
                select(Alert.group_id, Alert.data).where(Alert.group_id.in_(ids[start : start + 1000]))
            ):
                at = float((data or {}).get("sent_at", 0)) or None
                if at is not None:
                    sent[group_id] = min(sent.get(group_id, at), at)
    phase.published = phase.stored = len(registered)
    phase.latencies_ms = [(registered[g].timestamp() - sent[g]) * 1000 for g in registered if g in sent]
    phase.note = f"研判 {decided:,} 组，转事件 {len(registered):,} 组（派发网格、三必到计时）"
    return phase


# --- the run ---------------------------------------------------------------------------------------------------------


@contextmanager
def fresh_database(database_url: str | None, *, folder: Path) -> Iterator[str]:
    """A new SQLite file in ``folder``, or a new database on the PostgreSQL server of ``database_url``."""
    if not database_url or make_url(database_url).get_backend_name() == "sqlite":
        path = Path(make_url(database_url).database or "") if database_url else folder / "bench-alerts.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        yield f"sqlite:///{path.resolve()}"
        return
    with postgres_database(database_url, prefix="fengqiao_bench_alerts") as url:
        yield url


def report(phases: list[Phase], *, alerts: int, devices: int, backend: str) -> Table:
    reference = {p.path: p for p in phases if p.baseline}
    table = Table(title=f"bench alerts · {backend} · {alerts:,} 条告警 · {devices:,} 台设备")
    for column in ("路径", "已发布", "已入库", "丢失", "重复", "秒", "条/秒", "×基准", "p50 ms", "p99 ms", "说明"):
        table.add_column(column, justify="left" if column in ("路径", "说明") else "right", no_wrap=column != "说明")
    for p in phases:
        base = (
            None if p.path == "promotion" else reference.get("baseline-mqtt" if p.path == "mqtt" else "baseline-insert")
        )
        ratio = f"{p.rate / base.rate:.2f}" if base is not None and base.rate and not p.baseline else "—"
        p50, p99 = p.percentile(0.50), p.percentile(0.99)
        table.add_row(
            p.label,
            f"{p.published:,}",
            f"{p.stored:,}",
            f"{p.lost:,}",
            f"{p.duplicated:,}",
            f"{p.seconds:.1f}",
            f"{p.rate:,.0f}",
            ratio,
            f"{p50:.0f}" if p50 is not None else "—",
            f"{p99:.0f}" if p99 is not None else "—",
            p.note,
        )
    return table


def run(
    *,
    alerts: int,
    devices: int,
    database_url: str | None,
    seed: int,
    connections: int = 4,
    clients: int = 4,
    http: bool = True,
    baseline: bool = True,
    folder: Path | None = None,
    batch_size: int | None = None,
    rate: float = 0.0,
    promote: int = 2_000,
    network_process: bool = True,
    app_factory: Callable[[str], Any] | None = None,
) -> list[Phase]:
    """The whole benchmark; ``app_factory(database_url)`` serves HTTP in process (tests) instead of `fengqiao serve`."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    settings = get_settings()
    county_code = settings.county_code
    folder = folder or settings.data_dir
    folder.mkdir(parents=True, exist_ok=True)
    run_id = uuid.uuid4().hex[:6]
    phases: list[Phase] = []
    with fresh_database(database_url, folder=folder) as url, PrivateBroker() as broker:
        engine = make_engine(url)
        backend = engine.dialect.name
        with console.status("准备数据库：迁移、演示县、设备注册 / preparing the database"):
            started = time.perf_counter()
            migrate.upgrade(engine)
            if not unit_count(engine):
                seed_demo_county(engine=engine, scale=0.01, seed=7)
            codes = device_codes(county_code, device_counts(devices))
            register_seconds = register_devices(engine, county_code=county_code, codes=codes, seed=seed)
        console.print(
            f"设备 {devices:,} 台（批量注册 {register_seconds:.1f} 秒；准备共 {time.perf_counter() - started:.1f} 秒）"
        )
        messages = plan(count=alerts, codes=codes, seed=seed)
        at = utcnow()
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, console=console, transient=True) as progress:
            if baseline:
                phase = Phase(label="基准 MQTT 空订阅（只确认不入库）", path="baseline-mqtt", baseline=True)
                task = progress.add_task(phase.label, total=alerts)
                discard_log = folder / f"bench-alerts-{run_id}-discard.log"
                with subscriber_process(
                    broker,
                    database_url=None,
                    log_path=discard_log,
                    client_id=f"bench-discard-{run_id}",
                    topic="baseline/+/alerts/#",
                    discard=True,
                    batch_size=batch_size,
                ):
                    started = time.perf_counter()
                    phase.published = publish_mqtt(
                        broker,
                        messages=messages,
                        encoder=Encoder(run=run_id, path="baseline", at=at),
                        county_code=county_code,
                        connections=connections,
                        topic_root="baseline",
                    )
                    deadline = time.monotonic() + 120
                    while (received := acked_in_log(discard_log)) < phase.published and time.monotonic() < deadline:
                        progress.update(task, completed=received)
                        time.sleep(0.05)
                    phase.seconds = time.perf_counter() - started
                    phase.stored = received
                    phase.note = "订阅端只确认"
                discard_log.unlink(missing_ok=True)
                phases.append(phase)

            phase = Phase(label="MQTT → 订阅进程 → 入库分组", path="mqtt")
            prefix = f"mqtt-{run_id}-"
            task = progress.add_task(phase.label + " 发布", total=alerts)
            stored_task = progress.add_task(phase.label + " 入库", total=alerts)
            after_id = last_alert_id(engine)
            with subscriber_process(
                broker,
                database_url=url,
                log_path=folder / f"bench-alerts-{run_id}-subscriber.log",
                batch_size=batch_size,
                network_process=network_process,
            ):
                phase.published = publish_mqtt(
                    broker,
                    messages=messages,
                    encoder=Encoder(run=run_id, path="mqtt", at=at),
                    county_code=county_code,
                    connections=connections,
                    rate=rate,
                    on_progress=lambda n: progress.update(task, completed=n),
                )
                wait_stored(
                    engine,
                    prefix=prefix,
                    expected=phase.published,
                    after_id=after_id,
                    on_progress=lambda n: progress.update(stored_task, completed=n),
                )
            measure(engine, phase, prefix=prefix)
            phase.note = (
                f"{connections} 连接 QoS1"
                + (f" 限速 {rate:,.0f}/秒" if rate else " 突发")
                + ("" if network_process else " 单进程")
            )
            phases.append(phase)

            if http:
                token, _source = issue_integration_token(engine, county_code=county_code, name=f"bench-{run_id}")
                phase = Phase(label="HTTP 接口 → 入库分组", path="http")
                prefix = f"http-{run_id}-"
                task = progress.add_task(phase.label, total=alerts)
                with (
                    nullcontext("http://bench")
                    if app_factory is not None
                    else served(url, log_path=folder / f"bench-alerts-{run_id}-server.log", extra=("--no-mqtt",))
                ) as base:
                    phase.published = post_http(
                        base,
                        token=token,
                        messages=messages,
                        encoder=Encoder(run=run_id, path="http", at=at),
                        clients=clients,
                        transport=httpx.ASGITransport(app=app_factory(url)) if app_factory is not None else None,
                        on_progress=lambda n: progress.update(task, completed=n),
                    )
                measure(engine, phase, prefix=prefix)
                phase.note = f"{clients} 客户端×{HTTP_BATCH}条"
                phases.append(phase)

            if promote:
                with console.status("转为事件：巡检研判到期的告警组 / promoting due groups"):
                    phases.append(promotion_phase(engine, limit=promote))

            shutil.copyfile(broker.log_path, folder / f"bench-alerts-{run_id}-mosquitto.log")
            if baseline:
                phases.append(
                    executemany_baseline(engine, messages=messages, county_code=county_code, batch=batch_size or 500)
                )
        engine.dispose()
    console.print(report(phases, alerts=alerts, devices=devices, backend=backend))
    console.print(
        "×基准：MQTT 对照同一代理的空订阅（只确认不入库）；HTTP 对照 executemany 直接插入同样的行。"
        "延迟 = 告警 data.sent_at（发布时刻）→ grouped_at（入库并归组的事务时刻）；"
        "转事件一行：条/秒为每秒转为事件的告警组数，延迟为发布→事件登记（含等待突发结束的时间）。"
    )
    console.print(f"订阅进程与服务日志：{folder}/bench-alerts-{run_id}-*.log")
    problems = [p.label for p in phases if not p.baseline and (p.lost or p.duplicated)]
    if problems:
        raise RuntimeError(f"alerts lost or duplicated: {problems}")
    return phases


def alerts_command(
    alerts: int = typer.Option(200_000, "--alerts", min=1, max=5_000_000, help="告警条数（每条路径）"),
    devices: int = typer.Option(170_000, "--devices", min=4, max=2_000_000, help="注册设备数"),
    database_url: str | None = typer.Option(
        None,
        "--database-url",
        help="PostgreSQL 服务器（新建临时库，结束后删除）或 SQLite 文件；缺省为 var/ 下的 SQLite",
    ),
    seed: int = typer.Option(20261122, "--seed", help="随机种子"),
    connections: int = typer.Option(4, "--connections", min=1, max=64, help="MQTT 发布连接数"),
    clients: int = typer.Option(4, "--clients", min=1, max=64, help="HTTP 并发客户端数"),
    http: bool = typer.Option(True, "--http/--no-http", help="也测 HTTP 接口"),
    baseline: bool = typer.Option(True, "--baseline/--no-baseline", help="同次测量基准"),
    batch_size: int | None = typer.Option(None, "--batch-size", min=1, help="订阅进程每批条数（默认取配置）"),
    rate: float = typer.Option(0.0, "--rate", min=0, help="MQTT 发布限速（条/秒，合计），0 为不限速的突发"),
    promote: int = typer.Option(2_000, "--promote", min=0, help="突发后巡检转事件的告警组数上限，0 为不测"),
    network_process: bool = typer.Option(
        True, "--network-process/--one-process", help="订阅进程的 MQTT 收发是否在单独进程（对照用）"
    ),
) -> None:
    """告警突发：MQTT 与 HTTP 两条路径的吞吐、发布→分组延迟、丢失与重复，与同次测得的基准对照。"""
    run(
        alerts=alerts,
        devices=devices,
        database_url=database_url,
        seed=seed,
        connections=connections,
        clients=clients,
        http=http,
        baseline=baseline,
        batch_size=batch_size,
        rate=rate,
        promote=promote,
        network_process=network_process,
    )
