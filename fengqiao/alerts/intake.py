"""The one intake of sensor alerts, for MQTT and HTTP alike: validate, store idempotently, group.

At-least-once delivery becomes exactly-once in effect through the unique (device, alert id): a redelivered message
is inserted with ``ON CONFLICT DO NOTHING`` and counted as a duplicate. Everything is set-based per batch — one
device look-up (cached), one bulk insert of alerts, one of dead letters, the grouping's one read and few writes —
so a batch of 1,000 costs a handful of statements, not thousands.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import Table, bindparam, text, update
from sqlalchemy.orm import Session

from fengqiao.alerts import devices as registry
from fengqiao.alerts import moments
from fengqiao.alerts.devices import DeviceInfo
from fengqiao.alerts.grouping import SIGNAL_OF, GroupRace, Incoming, StoredAlert, group_alerts, insert_values
from fengqiao.alerts.kinds import AlertKind, DeviceStatus, Signal
from fengqiao.alerts.models import Alert, AlertDeadLetter
from fengqiao.alerts.policy import AlertPolicy, default_policy
from fengqiao.core.clock import utcnow

MAX_PAYLOAD_CHARS = 64_000
LEVELS = frozenset({"high", "medium", "low"})
_KINDS = frozenset(k.value for k in AlertKind)
_SIGNALS = frozenset(s.value for s in Signal)
_TEST = Signal.TEST.value
_HEARTBEAT = Signal.HEARTBEAT.value
_ALERTS: Table = Alert.__table__  # type: ignore[assignment]
_DEAD: Table = AlertDeadLetter.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class IngestResult:
    accepted: int  # new alerts stored (alarm, cancel, test)
    duplicates: int  # (device, alert_id) already stored, or twice in the batch
    dead_letters: int  # rejected, stored in the dead-letter table with the reason
    heartbeats: int  # heartbeat signals applied


class _Reject(Exception):
    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass
class _Message:
    device: str
    alert_id: str | None
    kind: str
    signal: str
    at: datetime
    level: str | None
    data: dict[str, Any] | None
    raw: bytes | str | Mapping[str, Any]


def _raw_text(raw: bytes | str | Mapping[str, Any]) -> str:
    if isinstance(raw, bytes):
        text = raw.decode("utf-8", errors="replace")
    elif isinstance(raw, str):
        text = raw
    else:
        text = json.dumps(raw, ensure_ascii=False, default=str)
    return text[:MAX_PAYLOAD_CHARS]


def _parse_time(value: Any) -> datetime:
    if not isinstance(value, str) or not value:
        raise _Reject("invalid_time", "时间（at）缺失或格式不正确")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _Reject("invalid_time", f"时间（at）格式不正确：{value[:40]}") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise _Reject("naive_time", "时间（at）缺少时区")
    return moment


def _parse(raw: bytes | str | Mapping[str, Any], *, latest: datetime) -> _Message:
    if isinstance(raw, Mapping):
        body: Any = raw
    elif not isinstance(raw, bytes | str):
        raise _Reject("not_an_object", "消息应为JSON对象")  # e.g. a number inside a posted array
    else:
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise _Reject("bad_json", "消息不是合法的JSON") from None
    if not isinstance(body, dict):
        raise _Reject("not_an_object", "消息应为JSON对象")
    device = body.get("device")
    if not isinstance(device, str) or not device.strip():
        raise _Reject("missing_device", "缺少设备编号（device）")
    device = device.strip()
    if len(device) > 64:
        raise _Reject("invalid_device", "设备编号过长")
    kind = body.get("kind")
    if kind not in _KINDS:
        raise _Reject("invalid_kind", f"告警类型（kind）无效：{str(kind)[:20]}")
    signal = body.get("signal")
    if signal not in _SIGNALS:
        raise _Reject("invalid_signal", f"信号（signal）无效：{str(signal)[:20]}")
    alert_id = body.get("alert_id")
    if isinstance(alert_id, int) and not isinstance(alert_id, bool):
        alert_id = str(alert_id)
    if alert_id is not None and (not isinstance(alert_id, str) or not alert_id.strip() or len(alert_id) > 128):
        raise _Reject("invalid_alert_id", "告警编号（alert_id）格式不正确")
    if alert_id is None and signal != _HEARTBEAT:
        raise _Reject("missing_alert_id", "缺少告警编号（alert_id）")
    at = _parse_time(body.get("at"))
    if at > latest:
        raise _Reject("time_in_future", "告警时间晚于服务器时间过多，设备时钟可能有误")
    level = body.get("level")
    if level is not None and level not in LEVELS:
        raise _Reject("invalid_level", f"等级（level）无效：{str(level)[:20]}")
    data = body.get("data")
    if data is not None and not isinstance(data, dict):
        raise _Reject("invalid_data", "扩展数据（data）应为JSON对象")
    return _Message(
        device=device,
        alert_id=alert_id.strip() if isinstance(alert_id, str) else None,
        kind=kind,
        signal=signal,
        at=at,
        level=level,
        data=data,
        raw=raw,
    )


def ingest(
    *,
    session: Session,
    payloads: Sequence[bytes | str | Mapping[str, Any]],
    source: str,
    county_code: str | None = None,
    received_at: datetime | None = None,
    policy: AlertPolicy | None = None,
    seen_buffer: SeenBuffer | None = None,
) -> IngestResult:
    """Validate, store idempotently, group. Does NOT commit: the caller commits, then acks (MQTT) or answers (HTTP).

    ``source`` is e.g. ``"mqtt"`` or ``"http:<integration>"``; ``county_code`` restricts which devices are accepted
    (the integration's county, or the MQTT topic's). Bad messages go to ``alert_dead_letters`` with the reason.
    With ``seen_buffer`` the devices' last-seen moments are held there for the caller to write later (see
    :class:`SeenBuffer`) instead of in this transaction."""
    policy = policy or default_policy()
    now = received_at or utcnow()
    latest = now + timedelta(seconds=policy.intake.max_future_seconds)
    source = source[:64]
    dead: list[dict[str, Any]] = []
    parsed: list[_Message] = []
    for raw in payloads:
        try:
            parsed.append(_parse(raw, latest=latest))
        except _Reject as exc:
            dead.append(_dead(raw, exc, county_code=county_code, source=source, now=now))
    found = registry.lookup(session=session, codes=[m.device for m in parsed], county_code=county_code)
    seen: dict[int, tuple[datetime, bool]] = {}
    heartbeats = 0
    rows: list[dict[str, Any]] = []
    devices_of_rows: list[DeviceInfo] = []
    keys: set[tuple[int, str]] = set()
    duplicates = 0
    for message in parsed:
        device = found.get(message.device, "unknown")
        problem = _device_problem(device, message)
        if problem is not None:
            dead.append(_dead(message.raw, problem, county_code=county_code, source=source, now=now, message=message))
            continue
        assert isinstance(device, DeviceInfo)
        beat = message.signal == _HEARTBEAT
        previous = seen.get(device.id)
        seen[device.id] = (now, beat or (previous is not None and previous[1]))
        if beat:
            heartbeats += 1
            continue
        assert message.alert_id is not None
        key = (device.id, message.alert_id)
        if key in keys:
            duplicates += 1
            continue
        keys.add(key)
        rows.append(
            {
                "county_code": device.county_code,
                "device_id": device.id,
                "alert_id": message.alert_id,
                "kind": message.kind,
                "signal": message.signal,
                "level": message.level,
                "at": message.at,
                "received_at": now,
                "grouped_at": now,
                "group_id": None,
                "source": source,
                "data": message.data,
            }
        )
        devices_of_rows.append(device)
    accepted, batch_duplicates = _store(session=session, rows=rows, devices=devices_of_rows, policy=policy, now=now)
    duplicates += batch_duplicates
    if dead:
        session.execute(_DEAD.insert(), dead)
    due = _due_for_writing(session, seen, policy)
    if seen_buffer is not None:
        seen_buffer.add(due)
    else:
        registry.touch_seen(session=session, seen=due)
    return IngestResult(accepted=accepted, duplicates=duplicates, dead_letters=len(dead), heartbeats=heartbeats)


def _device_problem(device: DeviceInfo | str, message: _Message) -> _Reject | None:
    if device == "unknown":
        return _Reject("unknown_device", f"设备未登记：{message.device}")
    if device == "ambiguous":
        return _Reject("ambiguous_device", f"设备编号在多个县区登记，无法确定：{message.device}")
    assert isinstance(device, DeviceInfo)
    if device.status == DeviceStatus.RETIRED.value:
        return _Reject("device_retired", f"设备已停用：{message.device}")
    if device.kind != message.kind:
        return _Reject("kind_mismatch", f"告警类型{message.kind}与设备类型{device.kind}不符")
    return None


def _dead(
    raw: bytes | str | Mapping[str, Any],
    problem: _Reject,
    *,
    county_code: str | None,
    source: str,
    now: datetime,
    message: _Message | None = None,
) -> dict[str, Any]:
    device_code = message.device if message is not None else None
    alert_id = message.alert_id if message is not None else None
    if message is None and isinstance(raw, Mapping):
        device_code = str(raw.get("device") or "")[:64] or None
        alert_id = str(raw.get("alert_id") or "")[:128] or None
    return {
        "county_code": county_code,
        "source": source,
        "reason_code": problem.code,
        "reason": problem.reason[:300],
        "device_code": device_code,
        "alert_id": alert_id,
        "payload": _raw_text(raw),
        "received_at": now,
    }


def _store(
    *, session: Session, rows: list[dict[str, Any]], devices: list[DeviceInfo], policy: AlertPolicy, now: datetime
) -> tuple[int, int]:
    """Store and group the batch: (accepted, duplicates).

    First optimistically, as if nothing were a duplicate: group, then insert the alerts with their group in one
    statement (``ON CONFLICT DO NOTHING``). If the insert skipped a row — a redelivery, or a concurrent writer
    storing the same alert — the savepoint is rolled back and the batch is done the careful way: insert first, so
    the unique (device, alert id) decides what is new, then group only that. Either way a duplicate never counts in
    a group."""
    fresh = [_stored(i, row, device) for i, (row, device) in enumerate(zip(rows, devices, strict=True))]
    savepoint = session.begin_nested()
    try:
        groups = group_alerts(session=session, alerts=[a for a in fresh if a is not None], policy=policy, now=now)
        inserted = _insert(session=session, values=[{**row, "group_id": groups.get(i)} for i, row in enumerate(rows)])
    except GroupRace:
        inserted = {}
    if len(inserted) == len(rows):
        savepoint.commit()
        return len(rows), 0
    savepoint.rollback()
    inserted = _insert(session=session, values=rows)
    known = [
        StoredAlert(
            id=inserted[(a_row["device_id"], a_row["alert_id"])], device=a.device, kind=a.kind, incoming=a.incoming
        )
        for a, a_row in zip(fresh, rows, strict=True)
        if a is not None and (a_row["device_id"], a_row["alert_id"]) in inserted
    ]
    for attempt in range(3):
        savepoint = session.begin_nested()
        try:
            by_alert = group_alerts(session=session, alerts=known, policy=policy, now=now)
            if by_alert:
                session.execute(
                    update(_ALERTS).where(_ALERTS.c.id == bindparam("a_id")).values(group_id=bindparam("a_group")),
                    [{"a_id": alert_id, "a_group": group_id} for alert_id, group_id in by_alert.items()],
                )
        except GroupRace:
            # A concurrent writer opened one of the batch's groups: group again, joining the winner's group.
            savepoint.rollback()
            if attempt == 2:
                raise
            continue
        savepoint.commit()
        break
    return len(inserted), len(rows) - len(inserted)


def _stored(index: int, row: dict[str, Any], device: DeviceInfo) -> StoredAlert | None:
    """The alert as grouping sees it (numbered by its row); tests take no part in groups."""
    if row["signal"] == _TEST:
        return None
    return StoredAlert(
        id=index,
        device=device,
        kind=row["kind"],
        incoming=Incoming(signal=SIGNAL_OF[row["signal"]], at=row["at"], level=row["level"]),
    )


_ALERT_COLUMNS = (
    "county_code",
    "device_id",
    "alert_id",
    "kind",
    "signal",
    "level",
    "at",
    "received_at",
    "grouped_at",
    "group_id",
    "source",
    "data",
)


def _insert(*, session: Session, values: list[dict[str, Any]]) -> dict[tuple[int, str], int]:
    """Insert, skipping (device, alert id) pairs already stored; the id of each pair actually inserted."""
    if not values:
        return {}
    write = moments.writer(session)
    received = write(values[0]["received_at"])
    # In key order, so that concurrent batches overlapping on keys wait for each other instead of deadlocking.
    ordered = sorted(values, key=lambda v: (v["device_id"], v["alert_id"]))
    if session.get_bind().dialect.name == "postgresql":
        return _insert_arrays(session=session, values=ordered, received=received, write=write)
    rows = [
        (
            v["county_code"],
            v["device_id"],
            v["alert_id"],
            v["kind"],
            v["signal"],
            v["level"],
            write(v["at"]),
            received,
            received,
            v["group_id"],
            v["source"],
            _json_text(v["data"]),
        )
        for v in ordered
    ]
    returned = insert_values(
        session=session,
        table=_ALERTS.name,
        columns=_ALERT_COLUMNS,
        rows=rows,
        tail="ON CONFLICT (device_id, alert_id) DO NOTHING RETURNING id, device_id, alert_id",
    )
    return {(device_id, alert_id): pk for pk, device_id, alert_id in returned}


# PostgreSQL: one array per column instead of a multi-row VALUES list. The driver parses and caches only short
# statements; a page of 1,000 rows × 12 placeholders was parsed anew every time (half of the insert's cost).
_ARRAY_TYPES = {
    "county_code": "varchar[]",
    "device_id": "integer[]",
    "alert_id": "varchar[]",
    "kind": "varchar[]",
    "signal": "varchar[]",
    "level": "varchar[]",
    "at": "timestamptz[]",
    "group_id": "integer[]",
    "source": "varchar[]",
    "data": "text[]",  # JSON text, cast per row: the same document SQLAlchemy's JSON type would store
}
_ARRAY_SELECT = {
    "received_at": "CAST(:received_at AS timestamptz)",
    "grouped_at": "CAST(:received_at AS timestamptz)",
    "data": "CAST(u.data AS json)",
}
_INSERT_ARRAYS = text(
    f"INSERT INTO {_ALERTS.name} ({', '.join(_ALERT_COLUMNS)}) "
    f"SELECT {', '.join(_ARRAY_SELECT.get(n, 'u.' + n) for n in _ALERT_COLUMNS)} "
    f"FROM unnest({', '.join(f'CAST(:{n} AS {t})' for n, t in _ARRAY_TYPES.items())}) "
    f"AS u({', '.join(_ARRAY_TYPES)}) "
    "ON CONFLICT (device_id, alert_id) DO NOTHING RETURNING id, device_id, alert_id"
)


def _insert_arrays(
    *, session: Session, values: list[dict[str, Any]], received: Any, write: Callable[[datetime | None], Any]
) -> dict[tuple[int, str], int]:
    params: dict[str, Any] = {name: [v[name] for v in values] for name in _ARRAY_TYPES}
    params["at"] = [write(moment) for moment in params["at"]]
    params["data"] = [_json_text(data) for data in params["data"]]
    params["received_at"] = received
    return {(device_id, alert_id): pk for pk, device_id, alert_id in session.execute(_INSERT_ARRAYS, params)}


def _json_text(data: dict[str, Any] | None) -> str:
    """The alert's extra data as JSON text (``null`` when absent, as the JSON column stores it). orjson is several
    times faster; the standard library takes what it refuses (integers beyond 64 bits from an HTTP body)."""
    try:
        return orjson.dumps(data).decode()
    except TypeError:
        return json.dumps(data)


# Per process: when each device's last_seen_at was last written, so 170,000 heartbeating detectors cost one write
# per device per ``seen_write_seconds`` rather than one per message.
_written: dict[tuple[str, int], datetime] = {}


def _due_for_writing(
    session: Session, seen: Mapping[int, tuple[datetime, bool]], policy: AlertPolicy
) -> dict[int, tuple[datetime, bool]]:
    url = registry._engine_key(session)
    every = timedelta(seconds=policy.intake.seen_write_seconds)
    due: dict[int, tuple[datetime, bool]] = {}
    for device_id, (at, beat) in seen.items():
        last = _written.get((url, device_id))
        if last is None or at - last >= every or at < last:
            due[device_id] = (at, beat)
            _written[(url, device_id)] = at
    if len(_written) > 2_000_000:
        _written.clear()
    return due


class SeenBuffer:
    """Last-seen moments held back by a long-running intake (the MQTT subscriber) and written for many batches at
    once, every ``every`` seconds (with a batch, or on their own when idle).

    A burst touches devices at random: 1,000 devices per batch dirty about 1,000 pages of ``alert_devices`` and of its
    ``last_seen_at`` index, every batch. Written every few seconds, a page holding several touched devices is
    written once — on SQLite the update and its share of the WAL were a fifth of a batch's cost. What is lost
    if the process dies: at most ``every`` seconds of last-seen moments, which only the heartbeat check reads, with a
    grace of at least two heartbeat intervals (minutes)."""

    def __init__(self, every: float = 5.0) -> None:
        self.every = every
        self._pending: dict[int, tuple[datetime, bool]] = {}
        self._written_at = time.monotonic()

    def __len__(self) -> int:
        return len(self._pending)

    def add(self, seen: Mapping[int, tuple[datetime, bool]]) -> None:
        pending = self._pending
        for device_id, (at, beat) in seen.items():
            previous = pending.get(device_id)
            if previous is not None:
                at, beat = max(at, previous[0]), beat or previous[1]
            pending[device_id] = (at, beat)

    def due(self) -> bool:
        return bool(self._pending) and time.monotonic() - self._written_at >= self.every

    def take(self) -> dict[int, tuple[datetime, bool]]:
        """What to write now; hand it back with :meth:`restore` if the transaction fails."""
        taken, self._pending = self._pending, {}
        self._written_at = time.monotonic()
        return taken

    def restore(self, taken: Mapping[int, tuple[datetime, bool]]) -> None:
        self.add(taken)


def write_seen(*, session: Session, seen: Mapping[int, tuple[datetime, bool]]) -> None:
    """Write what :meth:`SeenBuffer.take` gave (in the caller's transaction)."""
    registry.touch_seen(session=session, seen=seen)


def clear_caches() -> None:
    """For tests: forget cached devices and last-seen writes."""
    registry.clear_cache()
    _written.clear()
