"""The subscriber's network side in a process of its own: ``Subscriber(network_process=True)``.

In one process, paho's reading of the broker (about 50 µs of interpreter time per message) and the database
thread's batches take turns on one interpreter lock, so a burst is stored at the speed of their sum on one core while
the machine's other core idles. Here a child process owns the MQTT connection — everything ``mqtt.py`` says about
the network thread holds there unchanged — and hands what it receives to the parent over a pipe; the parent stores
batches as before and sends back the acknowledgements of what it committed, which the child sends to the broker.

Nothing changes for delivery: a message is acknowledged only after its batch committed. If the parent dies, the
child sees the pipe close and disconnects without acknowledging more; if the child dies, the parent stops with an
error (its supervisor restarts it) and the broker sends again whatever was not acknowledged. The child ignores
SIGINT and SIGTERM: the parent decides when to stop, and tells the child after its last commit.

Messages on the pipe, child → parent: ``("batch", [(generation, mid, county, payload), …])``, ``("state", {…})``
(the network counters, the connection state and the last error, a few times a second). Parent → child:
``("ack", generation, mids)`` and ``("close",)``.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import threading
import time
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from fengqiao.alerts.mqtt import Subscriber, SubscriberConfig, _Delivery

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

_STATE_EVERY = 0.1  # seconds between the child's reports of its counters and connection state
_NETWORK_STATS = ("received", "connects", "connection_losses", "acked", "stale_acks")


class ProcessLink:
    """The parent's end: starts the child, feeds the subscriber's inbox, carries acknowledgements back."""

    def __init__(self, subscriber: Subscriber) -> None:
        self._subscriber = subscriber
        self._connection: Connection | None = None
        self._process: BaseProcess | None = None
        self._reader: threading.Thread | None = None
        self._send_lock = threading.Lock()
        self._next_health = time.monotonic() + subscriber.config.health_interval
        self._closing = False

    def start(self) -> None:
        from fengqiao.config import get_settings

        settings = get_settings()
        context = multiprocessing.get_context("spawn")  # never fork a process that already runs threads
        parent_end, child_end = context.Pipe(duplex=True)
        self._connection = parent_end
        self._process = context.Process(
            target=child_main,
            args=(self._subscriber.config, child_end, settings.log_level, settings.log_json),
            name="fengqiao-mqtt-network",
            daemon=True,
        )
        self._process.start()
        child_end.close()
        self._reader = threading.Thread(target=self._read, name="mqtt-link", daemon=True)
        self._reader.start()

    def alive(self) -> bool:
        return self._reader is not None and self._reader.is_alive()

    def ack(self, generation: int, mids: list[int]) -> None:
        self._send(("ack", generation, mids))

    def tick(self) -> None:
        """From the database thread between batches: the health line (the child's counters included)."""
        now = time.monotonic()
        if now >= self._next_health:
            self._next_health = now + self._subscriber.config.health_interval
            self._subscriber._log_health()

    def close(self, *, timeout: float) -> None:
        """After the last commit: the child sends the last acknowledgements, disconnects and exits."""
        self._closing = True
        with contextlib.suppress(OSError):  # the child may be gone already
            self._send(("close",))
        if self._reader is not None:
            self._reader.join(timeout)
        if self._process is not None:
            self._process.join(timeout)
            if self._process.is_alive():
                self._process.terminate()
                self._process.join(5)
        if self._connection is not None:
            self._connection.close()

    def _send(self, message: tuple[Any, ...]) -> None:
        assert self._connection is not None
        with self._send_lock:
            self._connection.send(message)

    def _read(self) -> None:
        subscriber = self._subscriber
        assert self._connection is not None
        batch_size = subscriber.config.batch_size
        while True:
            try:
                message = self._connection.recv()
            except (EOFError, OSError):
                if not self._closing:
                    subscriber.last_error = "MQTT network process exited"
                    subscriber._log.error("alerts.mqtt.network_process_exited", message="MQTT 网络进程意外退出")
                subscriber._connected.clear()
                with subscriber._inbox_ready:
                    subscriber._inbox_ready.notify_all()
                return
            if message[0] == "batch":
                arrived = time.monotonic()
                deliveries = [_Delivery(g, mid, county, payload, arrived) for g, mid, county, payload in message[1]]
                with subscriber._inbox_ready:
                    newest = max(d.generation for d in deliveries)
                    if newest > subscriber._generation:
                        subscriber._generation = newest  # older deliveries still waiting are left to redelivery
                    was = len(subscriber._inbox)
                    subscriber._inbox.extend(deliveries)
                    if was == 0 or len(subscriber._inbox) >= batch_size > was:
                        subscriber._inbox_ready.notify()
            elif message[0] == "state":
                state = message[1]
                for name in _NETWORK_STATS:
                    setattr(subscriber.stats, name, state[name])
                subscriber.last_error = state["last_error"] or subscriber.last_error
                if state["connected"]:
                    subscriber._connected.set()
                else:
                    subscriber._connected.clear()


class _Forwarder(Subscriber):
    """The child's subscriber: the network thread as in one process; instead of storing, the main thread forwards
    what arrives to the parent, and acknowledges what the parent committed."""

    def __init__(self, config: SubscriberConfig, connection: Connection) -> None:
        super().__init__(None, config, discard=True)
        self._pipe = connection
        self._forwarded = 0  # sent to the parent on the current connection and not yet acknowledged

    def _backlog(self) -> int:
        return len(self._inbox) + self._forwarded

    def _lost(self, rc: Any) -> None:
        super()._lost(rc)
        with self._inbox_ready:
            self._forwarded = 0  # the parent's acknowledgements of that connection will be dropped as stale

    def forward(self) -> None:
        network = threading.Thread(target=self._network_main, name="mqtt-network", daemon=True)
        network.start()
        acks = threading.Thread(target=self._read_acks, name="mqtt-acks", daemon=True)
        acks.start()
        next_state = 0.0
        try:
            while network.is_alive():
                with self._inbox_ready:
                    if not self._inbox:
                        self._inbox_ready.wait(_STATE_EVERY)
                    batch = list(self._inbox)
                    self._inbox.clear()
                    self._forwarded += len(batch)
                if batch:
                    self._pipe.send(("batch", [(d.generation, d.mid, d.county_code, d.payload) for d in batch]))
                now = time.monotonic()
                if now >= next_state:
                    next_state = now + _STATE_EVERY
                    self._send_state()
            self._send_state()
        except (BrokenPipeError, EOFError, OSError):
            self._closing.set()  # the parent is gone: acknowledge nothing more, disconnect
            network.join(10)

    def _send_state(self) -> None:
        state: dict[str, Any] = {name: getattr(self.stats, name) for name in _NETWORK_STATS}
        state["connected"] = self._connected.is_set()
        state["last_error"] = self.last_error
        self._pipe.send(("state", state))

    def _read_acks(self) -> None:
        try:
            while True:
                message = self._pipe.recv()
                if message[0] == "close":
                    break
                _, generation, mids = message
                with self._inbox_ready:
                    if generation == self._generation:
                        self._forwarded -= len(mids)
                self._acks.append((generation, mids))
        except (EOFError, OSError):
            pass  # the parent died: what it did not acknowledge, the broker sends again
        self._closing.set()
        with self._inbox_ready:
            self._inbox_ready.notify_all()

    def _log_health(self, *, final: bool = False) -> None:
        """The parent logs the health line, with these counters in it."""


def child_main(config: SubscriberConfig, connection: Connection, log_level: str, log_json: bool) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    from fengqiao.core.logging import configure_logging

    configure_logging(level=log_level, json=log_json)
    try:
        _Forwarder(config, connection).forward()
    finally:
        connection.close()
