"""The MQTT subscriber: sensor alerts from the broker (Mosquitto, EMQX) into ``intake.ingest``, exactly once in effect.

Delivery is at least once and the database makes it exactly once:

- A persistent session (MQTT 5, fixed client id, ``clean_start`` false, a session expiry of days) and QoS 1: while
  the subscriber is down the broker keeps its messages (the broker must not cap the queue: Mosquitto's default
  ``max_queued_messages 1000`` drops the rest — see ``fengqiao/bench/mosquitto.py`` for the settings).
- Manual acknowledgements: a message is acknowledged (PUBACK) only after the transaction that stored it committed.
  A crash before the commit loses nothing (the broker sends the message again); a crash after the commit but before
  the acknowledgement makes the broker send it again too, and ``ingest`` recognises (device, alert_id) and counts a
  duplicate: nothing is stored twice.
- The broker keeps messages only for a session that has subscribed: start the subscriber once before devices
  publish (a session is then kept for ``session_expiry`` seconds, across restarts of either side).
- Batches: up to ``batch_size`` messages or ``batch_ms`` milliseconds, one ``ingest`` call per county and one commit;
  under load batches fill by themselves, when idle an alert waits at most ``batch_ms``. At most ``receive_maximum``
  messages wait unacknowledged in memory: announced to the broker (MQTT 5 Receive Maximum) and enforced here too
  (Mosquitto 2.0 stops honouring it once acknowledgements flow) by not reading the socket while the inbox is full,
  so that a backlog of hours stays with the broker, and the next batch arrives while the previous one commits.
- A batch that keeps failing is retried with backoff, unacknowledged; after a few failures it is split to isolate a
  message that breaks intake (a bug: intake dead-letters bad input itself), which then goes to the dead letters.

Threads. paho's client is not built for two threads driving one connection, so one thread (the network thread)
owns the client: it connects, reconnects with backoff, reads (``on_message`` appends to the inbox) and writes. The
calling thread (the database thread) takes batches from the inbox, ingests, commits, and hands the acknowledgements
back through a queue that the network thread sends. Every delivery carries the generation of the connection it came
on; the generation changes as soon as the network thread sees the connection lost, so an acknowledgement meant for
a previous connection is never sent on a new one (packet ids are per connection: it could acknowledge another
message). The broker sends those messages again on the new connection, and they are acknowledged then.
"""

from __future__ import annotations

import signal
import socket
import ssl
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, Protocol

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode, MQTTProtocolVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode
from sqlalchemy import Engine, insert

from fengqiao.alerts.intake import SeenBuffer, write_seen
from fengqiao.config import Settings
from fengqiao.core.clock import utcnow
from fengqiao.core.logging import get_logger
from fengqiao.db.checkpoints import Checkpointer
from fengqiao.db.engine import for_writing, make_session_factory

if TYPE_CHECKING:
    from fengqiao.alerts.mqtt_process import ProcessLink

SOURCE = "mqtt"
_MAX_RECEIVE = 65_535  # MQTT 5 Receive Maximum is a two-byte integer
_LOOP_TIMEOUT = 0.02  # how long the network thread may sleep before it sends queued acknowledgements
_SPLIT_AFTER = 3  # failures of a batch before it is split to find the message that breaks intake


class IngestOutcome(Protocol):
    accepted: int
    duplicates: int
    dead_letters: int
    heartbeats: int


class IngestFunction(Protocol):
    def __call__(
        self,
        *,
        session: Any,
        payloads: Sequence[bytes | str | Mapping[str, Any]],
        source: str,
        county_code: str | None = None,
        received_at: datetime | None = None,
    ) -> IngestOutcome: ...


@dataclass(frozen=True)
class SubscriberConfig:
    host: str
    port: int = 1883
    username: str | None = None
    password: str | None = None
    tls: bool = False
    ca_file: Path | None = None
    client_id: str = "fengqiao-alerts"
    topic: str = "fengqiao/+/alerts/#"
    shared_group: str | None = None
    batch_size: int = 1000
    batch_ms: int = 50
    session_expiry: int = 7 * 24 * 3600
    # MQTT keep-alive off, TCP keep-alive on (see ``_keep_alive``): paho pings every ``keepalive`` seconds even while
    # it acknowledges (PUBACKs do not count as traffic for it), and closes the connection when the PINGRESP is late —
    # which it always is when the broker queues it behind a backlog of alerts. A healthy, busy connection would be
    # dropped every few minutes of a burst.
    keepalive: int = 0
    tcp_keepalive_idle: int = 30
    receive_maximum: int | None = None  # default: four batches, so that one commits while the next arrives
    health_interval: float = 30.0
    backoff_min: float = 0.5
    backoff_max: float = 30.0

    def __post_init__(self) -> None:
        if self.batch_size < 1 or self.batch_ms < 0:
            raise ValueError("batch_size must be positive and batch_ms not negative")

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> SubscriberConfig:
        if not settings.mqtt_host and not overrides.get("host"):
            raise ValueError("no MQTT broker configured (FENGQIAO_MQTT_HOST)")
        values: dict[str, Any] = {
            "host": settings.mqtt_host,
            "port": settings.mqtt_port,
            "username": settings.mqtt_username,
            "password": settings.mqtt_password.get_secret_value() if settings.mqtt_password else None,
            "tls": settings.mqtt_tls,
            "ca_file": settings.mqtt_ca_file,
            "client_id": settings.mqtt_client_id,
            "topic": settings.mqtt_topic,
            "shared_group": settings.mqtt_shared_group,
            "batch_size": settings.mqtt_batch_size,
            "batch_ms": settings.mqtt_batch_ms,
            "session_expiry": settings.mqtt_session_expiry,
        }
        values.update({key: value for key, value in overrides.items() if value is not None})
        return cls(**values)

    @property
    def subscription(self) -> str:
        return f"$share/{self.shared_group}/{self.topic}" if self.shared_group else self.topic

    @property
    def inflight(self) -> int:
        return min(self.receive_maximum or 4 * self.batch_size, _MAX_RECEIVE)


@dataclass
class Stats:
    """Counters since the start; read from any thread (each is written by one thread only)."""

    received: int = 0  # network thread
    connects: int = 0
    connection_losses: int = 0
    acked: int = 0
    stale_acks: int = 0  # acknowledgements dropped: their connection is gone, the broker sends those again
    batches: int = 0  # database thread
    messages: int = 0
    accepted: int = 0
    duplicates: int = 0
    dead_letters: int = 0
    heartbeats: int = 0
    stale_skipped: int = 0  # deliveries of a lost connection left to their redelivery
    failures: int = 0
    last_batch_ms: float = 0.0
    store_seconds: float = 0.0  # time inside ingest + commit: against wall time, how busy the database thread is


@dataclass(frozen=True, slots=True)
class _Delivery:
    generation: int
    mid: int
    county_code: str | None
    payload: bytes
    arrived: float  # monotonic


def county_of(topic: str) -> str | None:
    """``fengqiao/<county>/alerts/<device>`` → county; None for a topic of another shape (no county restriction)."""
    parts = topic.split("/")
    if len(parts) >= 3 and parts[0] == "fengqiao" and parts[2] == "alerts" and parts[1]:
        return parts[1]
    return None


def _default_ingest() -> IngestFunction:
    from fengqiao.alerts.intake import ingest

    return ingest  # type: ignore[return-value]


@dataclass
class Subscriber:
    """``Subscriber(engine, config).run()`` blocks until :meth:`stop` (or SIGTERM/SIGINT once
    :meth:`install_signal_handlers` was called); ``stats`` counts what happened."""

    engine: Engine | None
    config: SubscriberConfig
    ingest: IngestFunction | None = None  # None: ``fengqiao.alerts.intake.ingest``; ``discard`` for the baseline
    clock: Callable[[], datetime] = utcnow
    discard: bool = False  # acknowledge without storing: the broker-and-client baseline of `fengqiao bench alerts`
    stats: Stats = field(default_factory=Stats)
    # The long-running process (`fengqiao alerts subscribe`) turns these on; an embedded subscriber (tests) leaves
    # the engine's settings and the last-seen writes as they are. See ``db/checkpoints.py`` and ``intake.SeenBuffer``.
    own_checkpoints: bool = False
    seen_flush_seconds: float | None = None
    # paho in a process of its own (see ``mqtt_process.py``), so that reading the broker and writing the database
    # each have a core instead of taking turns on one interpreter; the long-running command turns it on.
    network_process: bool = False

    def __post_init__(self) -> None:
        if self.engine is None and not self.discard:
            raise ValueError("a database engine is needed unless discard=True")
        self._sessions = make_session_factory(for_writing(self.engine)) if self.engine is not None else None
        self._ingest = self.ingest or (None if self.discard else _default_ingest())
        self._log = get_logger("fengqiao.alerts.mqtt").bind(client_id=self.config.client_id)
        self._inbox: deque[_Delivery] = deque()
        self._inbox_ready = threading.Condition()
        self._acks: deque[tuple[int, list[int]]] = deque()
        self._generation = 0
        self._online = False  # a connection acknowledged by the broker (network thread only)
        self._session_present = False
        self._connected = threading.Event()  # online and subscribed
        self._stop = threading.Event()  # the database thread: finish the batch in hand, then leave
        self._closing = threading.Event()  # the network thread: send the last acknowledgements, disconnect
        self._network: threading.Thread | None = None
        self._link: ProcessLink | None = None
        self.last_error: str | None = None
        self._checkpointer: Checkpointer | None = None
        if self.own_checkpoints and self._sessions is not None and Checkpointer.applies(self.engine):
            assert self.engine is not None
            self._checkpointer = Checkpointer(self.engine)
        self._seen: SeenBuffer | None = None
        if self.seen_flush_seconds is not None and self._sessions is not None and self.ingest is None:
            self._seen = SeenBuffer(self.seen_flush_seconds)

    # -- public ---------------------------------------------------------------------------------------------------

    def run(self) -> Stats:
        self._log.info(
            "alerts.mqtt.starting",
            broker=f"{self.config.host}:{self.config.port}",
            topic=self.config.subscription,
            batch_size=self.config.batch_size,
            batch_ms=self.config.batch_ms,
            receive_maximum=self.config.inflight,
            tls=self.config.tls,
        )
        if self._checkpointer is not None:
            self._checkpointer.start()
        if self.network_process:
            from fengqiao.alerts.mqtt_process import ProcessLink

            self._link = ProcessLink(self)
            self._link.start()
        else:
            self._network = threading.Thread(target=self._network_main, name="mqtt-network", daemon=True)
            self._network.start()
        try:
            self._database_main()
        finally:
            self._closing.set()
            self._flush_seen(force=True)
            if self._link is not None:
                self._link.close(timeout=10)
            elif self._network is not None:
                self._network.join(timeout=10)
            if self._checkpointer is not None:
                self._checkpointer.stop()
            self._log_health(final=True)
        return self.stats

    def stop(self) -> None:
        self._stop.set()
        with self._inbox_ready:
            self._inbox_ready.notify_all()

    def wait_connected(self, timeout: float) -> bool:
        return self._connected.wait(timeout)

    def install_signal_handlers(self) -> None:
        """First SIGTERM/SIGINT: commit and acknowledge the batch in hand, disconnect, exit. Second: abort."""
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._on_signal)

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        if self._stop.is_set():
            raise KeyboardInterrupt
        self._log.info(
            "alerts.mqtt.stopping", signal=signal.Signals(signum).name, message="收到退出信号，提交当前批次后退出"
        )
        self.stop()

    # -- the network thread ---------------------------------------------------------------------------------------

    def _client(self) -> paho.Client:
        client = paho.Client(
            callback_api_version=CallbackAPIVersion.VERSION2,
            client_id=self.config.client_id,
            protocol=MQTTProtocolVersion.MQTTv5,
            manual_ack=True,
            reconnect_on_failure=False,  # reconnection is ours, with backoff and a new generation
        )
        if self.config.username:
            client.username_pw_set(self.config.username, self.config.password)
        if self.config.tls:
            client.tls_set(
                ca_certs=str(self.config.ca_file) if self.config.ca_file else None,
                cert_reqs=ssl.CERT_REQUIRED,
            )
        client.on_connect = self._on_connect
        client.on_subscribe = self._on_subscribe
        client.on_message = self._on_message
        return client

    def _connect_properties(self) -> Properties:
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = self.config.session_expiry
        properties.ReceiveMaximum = self.config.inflight
        return properties

    def _network_main(self) -> None:
        client = self._client()
        backoff = self.config.backoff_min
        started = False  # connect() once, reconnect() after: both keep the session (clean_start is False)
        need_connect = True
        next_health = time.monotonic() + self.config.health_interval
        while True:
            if need_connect:
                if self._closing.is_set():
                    break
                try:
                    if started:
                        client.reconnect()
                    else:
                        client.connect(
                            self.config.host,
                            self.config.port,
                            keepalive=self.config.keepalive,
                            clean_start=False,
                            properties=self._connect_properties(),
                        )
                        started = True
                    need_connect = False
                    self._keep_alive(client)
                except OSError as exc:
                    self.last_error = f"connect: {exc}"
                    self._log.warning(
                        "alerts.mqtt.connect_failed",
                        error=str(exc),
                        retry_in=backoff,
                        message="无法连接消息服务器，稍后重试",
                    )
                    self._closing.wait(backoff)
                    backoff = min(backoff * 2, self.config.backoff_max)
                    continue
            if self._online and self._backlog() >= self.config.inflight:
                # Flow control of our own: Mosquitto 2.0 stops honouring Receive Maximum once acknowledgements
                # flow, and would push a whole backlog into memory. Not reading lets TCP hold the broker back;
                # acknowledgements and keep-alive still go out.
                rc = client.loop_misc()
                if rc == MQTTErrorCode.MQTT_ERR_SUCCESS and client.want_write():
                    rc = client.loop_write()
                if rc == MQTTErrorCode.MQTT_ERR_SUCCESS:
                    self._closing.wait(_LOOP_TIMEOUT)
            else:
                rc = client.loop(timeout=_LOOP_TIMEOUT)
            if rc == MQTTErrorCode.MQTT_ERR_SUCCESS:
                if self._online:
                    backoff = self.config.backoff_min
                self._send_acks(client)
                if self._closing.is_set():
                    self._disconnect(client)
                    break
            else:
                self._lost(rc)
                need_connect = True  # reconnect() closes what is left of the old socket first
                self._closing.wait(backoff)
                backoff = min(backoff * 2, self.config.backoff_max)
            now = time.monotonic()
            if now >= next_health:
                next_health = now + self.config.health_interval
                self._log_health()

    def _keep_alive(self, client: paho.Client) -> None:
        """TCP keep-alive probes: a broker host that vanished without closing the connection is noticed in about
        ``tcp_keepalive_idle`` × 2 seconds even when no alert flows (a dead subscriber is noticed by the broker the
        same way, or replaced when it reconnects with the same client id)."""
        sock = client.socket()
        if not isinstance(sock, socket.socket) or not self.config.tcp_keepalive_idle:  # ssl.SSLSocket is one too
            return
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        for option, value in (
            ("TCP_KEEPIDLE", self.config.tcp_keepalive_idle),
            ("TCP_KEEPINTVL", max(1, self.config.tcp_keepalive_idle // 3)),
            ("TCP_KEEPCNT", 3),
        ):
            if hasattr(socket, option):  # Linux; other systems keep their defaults
                sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, option), value)

    def _on_connect(
        self,
        client: paho.Client,
        _userdata: Any,
        flags: paho.ConnectFlags,
        reason: ReasonCode,
        _properties: Properties | None,
    ) -> None:
        if reason.is_failure:
            self.last_error = f"connack: {reason}"
            self._log.error(
                "alerts.mqtt.refused", reason=str(reason), message="消息服务器拒绝连接（检查用户名、密码与权限）"
            )
            return
        self.stats.connects += 1
        self.last_error = None
        self._online = True
        self._session_present = flags.session_present
        # Subscribing again on a kept session is harmless, and covers a broker that lost the session.
        client.subscribe(self.config.subscription, qos=1)

    def _on_subscribe(
        self,
        _client: paho.Client,
        _userdata: Any,
        _mid: int,
        reasons: list[ReasonCode],
        _properties: Properties | None,
    ) -> None:
        if any(reason.is_failure for reason in reasons):
            self.last_error = f"suback: {', '.join(str(r) for r in reasons)}"
            self._log.error(
                "alerts.mqtt.subscribe_refused",
                topic=self.config.subscription,
                reasons=[str(r) for r in reasons],
                message="消息服务器拒绝订阅（检查主题权限）",
            )
            return
        # Only now is the subscription in place: from here the broker keeps every alert for us, even while we are
        # offline (before the first subscription, messages without a subscriber are discarded by the broker).
        self._connected.set()
        self._log.info(
            "alerts.mqtt.connected",
            session_present=self._session_present,
            generation=self._generation,
            topic=self.config.subscription,
        )

    def _on_message(self, _client: paho.Client, _userdata: Any, message: paho.MQTTMessage) -> None:
        payload = message.payload
        delivery = _Delivery(
            generation=self._generation,
            mid=message.mid if message.qos else 0,
            county_code=county_of(message.topic),
            payload=payload if isinstance(payload, bytes) else bytes(payload),
            arrived=time.monotonic(),
        )
        self.stats.received += 1
        with self._inbox_ready:
            self._inbox.append(delivery)
            size = len(self._inbox)
            if size == 1 or size == self.config.batch_size:
                self._inbox_ready.notify()

    def _send_acks(self, client: paho.Client) -> None:
        while self._acks:
            generation, mids = self._acks.popleft()
            if generation != self._generation or not self._online:
                self.stats.stale_acks += len(mids)
                continue
            for mid in mids:
                client.ack(mid, 1)
            self.stats.acked += len(mids)

    def _lost(self, rc: MQTTErrorCode) -> None:
        # The new generation first: from here no acknowledgement of the old connection is sent.
        self._generation += 1
        was_online = self._online
        self._online = False
        self._connected.clear()
        if was_online:
            self.stats.connection_losses += 1
            self._log.warning(
                "alerts.mqtt.connection_lost", rc=paho.error_string(rc), message="与消息服务器的连接中断，正在重连"
            )
        stale = sum(len(mids) for _generation, mids in self._acks)
        self._acks.clear()
        self.stats.stale_acks += stale
        with self._inbox_ready:  # not yet stored: the broker sends them again on the new connection
            self.stats.stale_skipped += len(self._inbox)
            self._inbox.clear()

    def _disconnect(self, client: paho.Client) -> None:
        """Send the last acknowledgements, then a DISCONNECT (the session stays: it expires after days)."""
        client.disconnect()
        deadline = time.monotonic() + 5
        while client.socket() is not None and time.monotonic() < deadline:
            if client.loop(timeout=0.05) != MQTTErrorCode.MQTT_ERR_SUCCESS:
                break
        self._online = False
        self._connected.clear()
        self._generation += 1

    # -- the database thread --------------------------------------------------------------------------------------

    def _backlog(self) -> int:
        """Messages received and not yet acknowledged or dropped, as far as this side knows."""
        return len(self._inbox)

    def _database_main(self) -> None:
        while not self._stop.is_set():
            batch = self._next_batch()
            if batch:
                self._process(batch)
            elif self._seen is not None and self._seen.due():
                self._flush_seen()
            if self._stop.is_set():
                break
            if self._link is not None:
                if not self._link.alive():
                    raise RuntimeError("MQTT network process died")
                self._link.tick()
            elif self._network is not None and not self._network.is_alive():
                raise RuntimeError("MQTT network thread died")

    def _next_batch(self) -> list[_Delivery]:
        size = self.config.batch_size
        wait = self.config.batch_ms / 1000
        with self._inbox_ready:
            while not self._stop.is_set():
                if len(self._inbox) >= size:
                    break
                if self._inbox:
                    remaining = self._inbox[0].arrived + wait - time.monotonic()
                    if remaining <= 0:
                        break
                    self._inbox_ready.wait(remaining)
                else:
                    self._inbox_ready.wait(0.5)
                    if not self._inbox:
                        return []  # idle: the caller writes held-back last-seen moments and checks the network
            if self._stop.is_set():
                return []  # left unacknowledged: the broker sends them again to the next subscriber
            return [self._inbox.popleft() for _ in range(min(size, len(self._inbox)))]

    def _process(self, batch: list[_Delivery]) -> None:
        """Store and acknowledge a batch. A failing batch is retried with backoff; after ``_SPLIT_AFTER`` failures it
        is split in halves, so that one message that breaks intake (a bug, not bad input: intake dead-letters bad
        input itself) cannot hold up the rest. That message alone, with the database answering, goes to the dead
        letters with the error; while the database is down, everything waits and retries, unacknowledged."""
        parts: deque[list[_Delivery]] = deque([batch])
        while parts:
            part = parts.popleft()
            failures = 0
            while True:
                current = self._generation
                live = [d for d in part if d.generation == current]
                self.stats.stale_skipped += len(part) - len(live)
                part = live
                if not part:
                    break
                try:
                    started = time.perf_counter()
                    self._store(part)
                    elapsed = time.perf_counter() - started
                    self.stats.last_batch_ms = elapsed * 1000
                    self.stats.store_seconds += elapsed
                except Exception as exc:
                    failures += 1
                    self.stats.failures += 1
                    self.last_error = f"ingest: {exc}"
                    delay = min(self.config.backoff_min * 2**failures, self.config.backoff_max)
                    self._log.exception(
                        "alerts.mqtt.batch_failed",
                        messages=len(part),
                        attempt=failures,
                        retry_in=delay,
                        message="告警批次写入失败，未确认，稍后重试",
                    )
                    if failures >= _SPLIT_AFTER:
                        if len(part) > 1:
                            half = len(part) // 2
                            parts.extendleft([part[half:], part[:half]])  # the first half first: order kept
                            break
                        if self._quarantine(part[0], exc):
                            self._done(part)
                            break
                    if self._stop.wait(delay):
                        return  # not acknowledged: redelivered after the restart
                    continue
                self._done(part)
                break

    def _done(self, deliveries: list[_Delivery]) -> None:
        """Committed: count, and hand the acknowledgements to the network thread."""
        self.stats.batches += 1
        self.stats.messages += len(deliveries)
        by_generation: dict[int, list[int]] = {}
        for delivery in deliveries:
            if delivery.mid:
                by_generation.setdefault(delivery.generation, []).append(delivery.mid)
        for generation, mids in by_generation.items():
            if self._link is not None:
                self._link.ack(generation, mids)
            else:
                self._acks.append((generation, mids))

    def _quarantine(self, delivery: _Delivery, error: Exception) -> bool:
        """Keep a message intake keeps failing on as a dead letter (with the error), if the database answers."""
        if self._sessions is None:
            return False
        from fengqiao.alerts.models import AlertDeadLetter

        try:
            with self._sessions() as session, session.begin():
                session.execute(
                    insert(AlertDeadLetter),
                    {
                        "county_code": delivery.county_code,
                        "source": SOURCE,
                        "reason_code": "intake_error",
                        "reason": f"入库时出错，已转入死信：{type(error).__name__}: {error}"[:300],
                        "payload": delivery.payload.decode("utf-8", errors="replace")[:64_000],
                        "received_at": self.clock(),
                    },
                )
        except Exception:
            self._log.exception("alerts.mqtt.quarantine_failed", message="数据库不可用，消息保留待重试")
            return False
        self.stats.dead_letters += 1
        self._log.error("alerts.mqtt.quarantined", county_code=delivery.county_code, message="告警入库出错，已转入死信")
        return True

    def _store(self, deliveries: list[_Delivery]) -> None:
        if self._ingest is None:
            return
        assert self._sessions is not None
        by_county: dict[str | None, list[bytes]] = {}
        for delivery in deliveries:
            by_county.setdefault(delivery.county_code, []).append(delivery.payload)
        received_at = self.clock()
        extra: dict[str, Any] = {} if self._seen is None else {"seen_buffer": self._seen}
        taken = self._seen.take() if self._seen is not None and self._seen.due() else None
        try:
            with self._sessions() as session, session.begin():
                results = [
                    self._ingest(
                        session=session,
                        payloads=payloads,
                        source=SOURCE,
                        county_code=county,
                        received_at=received_at,
                        **extra,
                    )
                    for county, payloads in by_county.items()
                ]
                if taken:
                    write_seen(session=session, seen=taken)
        except BaseException:
            if taken and self._seen is not None:
                self._seen.restore(taken)
            raise
        if self._checkpointer is not None:
            self._checkpointer.committed()
        for result in results:  # counted once committed
            self.stats.accepted += result.accepted
            self.stats.duplicates += result.duplicates
            self.stats.dead_letters += result.dead_letters
            self.stats.heartbeats += result.heartbeats

    def _flush_seen(self, *, force: bool = False) -> None:
        """Write the held-back last-seen moments in a transaction of their own (idle, or stopping)."""
        if self._seen is None or self._sessions is None or not len(self._seen):
            return
        if not force and not self._seen.due():
            return
        taken = self._seen.take()
        try:
            with self._sessions() as session, session.begin():
                write_seen(session=session, seen=taken)
        except Exception:
            self._seen.restore(taken)
            self._log.exception("alerts.mqtt.seen_failed", devices=len(taken), message="设备在线时间写入失败，稍后重试")

    # -- health -----------------------------------------------------------------------------------------------------

    def _log_health(self, *, final: bool = False) -> None:
        s = self.stats
        self._log.info(
            "alerts.mqtt.stopped" if final else "alerts.mqtt.health",
            connected=self._connected.is_set(),
            received=s.received,
            stored_batches=s.batches,
            messages=s.messages,
            accepted=s.accepted,
            duplicates=s.duplicates,
            dead_letters=s.dead_letters,
            heartbeats=s.heartbeats,
            acked=s.acked,
            stale_acks=s.stale_acks,
            inbox=len(self._inbox),
            connects=s.connects,
            connection_losses=s.connection_losses,
            failures=s.failures,
            last_batch_ms=round(s.last_batch_ms, 1),
            store_seconds=round(s.store_seconds, 2),
            last_error=self.last_error,
        )
