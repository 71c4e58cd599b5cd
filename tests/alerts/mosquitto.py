"""A private Mosquitto for the MQTT tests: started by the test setup on a free port (password required, persistence
on), never the system's broker. Skips with the reason only where the binary is missing; `make test` installs it
(tools/install-system-packages mosquitto)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode

from fengqiao.bench.mosquitto import PrivateBroker, find_binary


def require_mosquitto() -> None:
    if find_binary("mosquitto") is None or find_binary("mosquitto_passwd") is None:
        pytest.skip("mosquitto is not installed: run `tools/install-system-packages mosquitto` (make test does)")


def private_broker() -> Iterator[PrivateBroker]:
    """Body of a test module's broker fixture: a broker of the test's own (its queues and sessions must not leak
    into other tests). ``yield from private_broker()``."""
    require_mosquitto()
    with PrivateBroker() as broker:
        yield broker


def topic_for(message: dict[str, Any], county_code: str = "331081") -> str:
    return f"fengqiao/{county_code}/alerts/{message['device']}"


def publish(
    broker: PrivateBroker,
    messages: Sequence[dict[str, Any] | tuple[str, bytes]],
    *,
    county_code: str = "331081",
    client_id: str = "test-publisher",
    timeout: float = 60.0,
) -> None:
    """Publish at QoS 1 and return once the broker acknowledged every message (it then owns them). A message is a
    dict (JSON-encoded, topic from its device) or (topic, raw payload)."""
    client = paho.Client(callback_api_version=CallbackAPIVersion.VERSION2, client_id=client_id)
    client.username_pw_set(broker.username, broker.password)
    client.max_inflight_messages_set(500)
    client.max_queued_messages_set(0)
    client.connect(broker.host, broker.port)
    client.loop_start()
    try:
        infos = []
        for message in messages:
            if isinstance(message, tuple):
                topic, payload = message
            else:
                topic, payload = topic_for(message, county_code), json.dumps(message).encode()
            info = client.publish(topic, payload, qos=1)
            if info.rc != MQTTErrorCode.MQTT_ERR_SUCCESS:
                raise RuntimeError(f"publish failed: {paho.error_string(info.rc)}")
            infos.append(info)
        deadline = time.monotonic() + timeout
        for info in infos:
            info.wait_for_publish(timeout=max(deadline - time.monotonic(), 0.1))
            if not info.is_published():
                raise RuntimeError("the broker did not acknowledge every message in time")
    finally:
        client.disconnect()
        client.loop_stop()


def wait_for(condition: Callable[[], bool], *, timeout: float = 60.0, interval: float = 0.05) -> None:
    """Poll until ``condition()`` holds; fail the test after ``timeout`` seconds (a hang guard, not a timing test)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(interval)
