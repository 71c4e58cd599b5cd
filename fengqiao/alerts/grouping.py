"""Grouping, suppression and the promotion decision — after Prometheus Alertmanager.

Alerts of one device (or one place) and kind within a window form a group; repeats update the group (counts,
last time) instead of making new events. The pure part (:class:`GroupState`, :func:`start`, :func:`step`,
:func:`takes`) decides, from the policy, what each alert does to its group; :func:`group_alerts` applies a whole
intake batch with one read and a few bulk writes.

Statuses: a group starts *pending* with a due moment (at once, or after the policy's delay) unless the policy only
lists it, a silence covers it, or its device is flapping or under maintenance. A cancel within the delay (smoke:
60 s of device time) makes it *cancelled*; an alarm again re-arms it. Alarm/cancel transitions beyond the policy's
threshold make it *suppressed* and flag the device for maintenance. The sweeper (``alerts.promotion``) promotes
pending groups whose due moment has come.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Table, select, text, update
from sqlalchemy.orm import Session

from fengqiao.alerts import moments
from fengqiao.alerts.devices import DeviceInfo, remember_flapping
from fengqiao.alerts.kinds import DeviceStatus, GroupStatus, Signal
from fengqiao.alerts.models import AlertDevice, AlertGroup, AlertSilence
from fengqiao.alerts.periodic import SWEEP
from fengqiao.alerts.policy import AlertPolicy, GroupBy, KindPolicy, Promote
from fengqiao.jobs import service as jobs

LEVEL_RANK = {"low": 0, "medium": 1, "high": 2}

REASON_FLAPPING = "设备频繁报警/消警（抖动），已抑制并列入维修清单"
REASON_FLAPPING_DEVICE = "设备处于抖动状态，待维修后恢复"
REASON_MAINTENANCE = "设备维修中"
REASON_SILENCED = "维护静默期内"
REASON_LISTED = "低风险，列入每日清单"
REASON_CANCELLED = "设备在规定时间内消警"

# Statuses whose groups still react to alarms and cancels; the others only count what arrives.
_LIVE = frozenset({GroupStatus.PENDING, GroupStatus.CANCELLED, GroupStatus.LISTED})


@dataclass(frozen=True)
class Incoming:
    """One stored alarm or cancel, as grouping sees it."""

    signal: Signal
    at: datetime  # device time
    level: str | None = None


@dataclass
class GroupState:
    status: GroupStatus
    last_signal: Signal
    first_at: datetime
    last_at: datetime
    window_ends_at: datetime
    armed_at: datetime | None = None
    due_at: datetime | None = None
    alert_count: int = 0
    alarm_count: int = 0
    cancel_count: int = 0
    flaps: int = 0
    level: str | None = None
    reason: str | None = None
    result: str | None = None
    silence_id: int | None = None
    became_flapping: bool = False  # set by step when the device must be flagged for maintenance


@dataclass(frozen=True)
class Hold:
    """Why a new group may not become an event whatever arrives: a silence, a flapping device, maintenance."""

    status: GroupStatus
    reason: str
    silence_id: int | None = None


def group_key(kp: KindPolicy, device: DeviceInfo) -> str:
    """Devices group alone, unless the kind groups by place and the device names one (or sits in a building)."""
    if kp.group_by == GroupBy.PLACE:
        if device.place:
            return f"{device.county_code}:{device.kind}:p:{device.place}"[:120]
        if device.building_id is not None:
            return f"{device.county_code}:{device.kind}:b:{device.building_id}"
    return f"{device.county_code}:{device.kind}:d:{device.id}"


def takes(kp: KindPolicy, state: GroupState, at: datetime) -> bool:
    """Whether an alert at ``at`` belongs to this open group: within the window since its last alert — or, for a
    group that became an event and awaits its result, within the policy's hold."""
    if state.status == GroupStatus.PROMOTED and state.result is None:
        return at < state.first_at + timedelta(seconds=kp.promoted_hold_seconds)
    return at < state.window_ends_at


def start(kp: KindPolicy, incoming: Incoming, *, received_at: datetime, hold: Hold | None = None) -> GroupState:
    state = GroupState(
        status=hold.status if hold is not None else GroupStatus.PENDING,
        last_signal=incoming.signal,
        first_at=incoming.at,
        last_at=incoming.at,
        window_ends_at=incoming.at + timedelta(seconds=kp.window_seconds),
        reason=hold.reason if hold is not None else None,
        silence_id=hold.silence_id if hold is not None else None,
        level=incoming.level,
    )
    step(kp, state, incoming, received_at=received_at, first=True)
    return state


def _arm(kp: KindPolicy, state: GroupState, at: datetime, received_at: datetime) -> None:
    promote = kp.promote_for(state.level)
    if promote == Promote.LIST:
        state.status = GroupStatus.LISTED
        state.due_at = None
        state.reason = REASON_LISTED
        return
    state.status = GroupStatus.PENDING
    state.reason = None
    if promote == Promote.AT_ONCE:
        state.armed_at = at
        state.due_at = received_at
    else:
        state.armed_at = at
        state.due_at = received_at + timedelta(seconds=kp.delay_for(state.level))


def step(kp: KindPolicy, state: GroupState, incoming: Incoming, *, received_at: datetime, first: bool = False) -> None:
    """Apply one alarm or cancel to its group (mutates ``state``)."""
    previous = None if first else state.last_signal
    state.alert_count += 1
    if incoming.at > state.last_at:
        state.last_at = incoming.at
    if incoming.at < state.first_at:
        state.first_at = incoming.at
    state.window_ends_at = state.last_at + timedelta(seconds=kp.window_seconds)
    raised = incoming.level is not None and LEVEL_RANK.get(incoming.level, -1) > LEVEL_RANK.get(state.level or "", -1)
    if raised:
        state.level = incoming.level
    if previous is not None and incoming.signal != previous:
        state.flaps += 1
    state.last_signal = incoming.signal
    if incoming.signal == Signal.ALARM:
        state.alarm_count += 1
        if state.status in _LIVE:
            fresh = state.status == GroupStatus.PENDING and state.due_at is None
            rearm = state.status == GroupStatus.CANCELLED
            upgraded = state.status == GroupStatus.LISTED and kp.promote_for(state.level) != Promote.LIST
            if fresh or rearm or upgraded:
                _arm(kp, state, incoming.at, received_at)
    else:
        state.cancel_count += 1
        if state.status == GroupStatus.PENDING:
            within = (
                kp.promote_for(state.level) == Promote.AFTER_DELAY
                and state.armed_at is not None
                and incoming.at <= state.armed_at + timedelta(seconds=kp.delay_for(state.level))
            )
            if within or state.alarm_count == 0:
                state.status = GroupStatus.CANCELLED
                state.due_at = None
                state.reason = REASON_CANCELLED
    if kp.flap_threshold and state.flaps >= kp.flap_threshold and not state.became_flapping:
        if state.status in _LIVE:
            state.status = GroupStatus.SUPPRESSED
            state.due_at = None
            state.reason = REASON_FLAPPING
        state.became_flapping = True


def hold_for(device: DeviceInfo, kind: str, silences: Sequence[SilenceRule], at: datetime) -> Hold | None:
    for silence in silences:
        if silence.covers(device, kind, at):
            return Hold(GroupStatus.SILENCED, REASON_SILENCED, silence.id)
    if device.status == DeviceStatus.MAINTENANCE.value:
        return Hold(GroupStatus.SUPPRESSED, REASON_MAINTENANCE)
    if device.flapping:
        return Hold(GroupStatus.SUPPRESSED, REASON_FLAPPING_DEVICE)
    return None


@dataclass(frozen=True)
class SilenceRule:
    id: int
    device_id: int | None
    unit_path: str | None
    kind: str | None
    starts_at: datetime
    ends_at: datetime

    def covers(self, device: DeviceInfo, kind: str, at: datetime) -> bool:
        if not (self.starts_at <= at < self.ends_at):
            return False
        if self.kind is not None and self.kind != kind:
            return False
        if self.device_id is not None:
            return self.device_id == device.id
        return self.unit_path is not None and (device.location_path or "").startswith(self.unit_path)


def active_silences(*, session: Session, county_codes: Sequence[str], now: datetime) -> list[SilenceRule]:
    if not county_codes:
        return []
    rows = session.execute(
        select(
            AlertSilence.id,
            AlertSilence.device_id,
            AlertSilence.unit_path,
            AlertSilence.kind,
            AlertSilence.starts_at,
            AlertSilence.ends_at,
        ).where(
            AlertSilence.county_code.in_(sorted(set(county_codes))),
            AlertSilence.deleted_at.is_(None),
            AlertSilence.ends_at > now,
            AlertSilence.starts_at <= now,
        )
    ).all()
    return [SilenceRule(*row) for row in rows]


# --- applying a batch -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredAlert:
    """An alert intake has just stored (new, not a duplicate), with its device."""

    id: int
    device: DeviceInfo
    kind: str
    incoming: Incoming


@dataclass
class _Slot:
    """One group touched by the batch: an existing open group (``id`` set) or a new one."""

    key: str
    county_code: str
    device: DeviceInfo
    kind: str
    state: GroupState
    id: int | None = None
    alert_ids: list[int] = field(default_factory=list)
    close: bool = False  # an existing group the batch found past its window: closed, a new one takes over
    loaded: dict[str, Any] | None = None  # an existing group's values as read, to write only what changed


_STATE_COLUMNS = (
    "status",
    "last_signal",
    "first_at",
    "last_at",
    "window_ends_at",
    "armed_at",
    "due_at",
    "alert_count",
    "alarm_count",
    "cancel_count",
    "flaps",
    "level",
    "reason",
    "result",
    "silence_id",
)
_COUNTER_COLUMNS = frozenset(
    {"last_signal", "last_at", "window_ends_at", "alert_count", "alarm_count", "cancel_count", "flaps", "level"}
)
_FULL_ONLY = tuple(name for name in _STATE_COLUMNS if name not in _COUNTER_COLUMNS)
_GROUPS: Table = AlertGroup.__table__  # type: ignore[assignment]
_DEVICES: Table = AlertDevice.__table__  # type: ignore[assignment]


# Value → member by dictionary: calling a StrEnum (``GroupStatus(text)``) costs several times as much, and a burst
# reads a thousand groups a batch.
STATUS_OF: dict[str, GroupStatus] = {s.value: s for s in GroupStatus}
SIGNAL_OF: dict[str, Signal] = {s.value: s for s in Signal}


def _state_of(row: Mapping[str, Any]) -> GroupState:
    values = {name: row[name] for name in _STATE_COLUMNS}
    values["status"] = STATUS_OF[values["status"]]
    values["last_signal"] = SIGNAL_OF[values["last_signal"]]
    return GroupState(**values)


def group_alerts(
    *, session: Session, alerts: Sequence[StoredAlert], policy: AlertPolicy, now: datetime
) -> dict[int, int]:
    """Put freshly stored alerts into their groups: one SELECT of the open groups (locked), one of the active
    silences, then bulk updates and inserts of groups. Returns the group id of each alert (by ``StoredAlert.id``).
    Arms the promotion sweep for the groups that became due."""
    if not alerts:
        return {}
    ordered = sorted(alerts, key=lambda a: (a.incoming.at, a.id))
    kinds = {kind: policy.kind(kind) for kind in {a.kind for a in ordered}}
    keys: dict[int, str] = {a.id: group_key(kinds[a.kind], a.device) for a in ordered}
    open_rows = _lock_open(session=session, keys=sorted(set(keys.values())))
    silences = active_silences(session=session, county_codes=[a.device.county_code for a in ordered], now=now)
    device_of_key = {keys[a.id]: a.device for a in reversed(ordered)}
    current: dict[str, _Slot] = {}
    slots: list[_Slot] = []
    for key, row in open_rows.items():
        slot = _Slot(
            key=key,
            county_code=row["county_code"],
            device=device_of_key[key],
            kind=row["kind"],
            state=_state_of(row),
            id=row["id"],
            loaded={name: row[name] for name in _STATE_COLUMNS},
        )
        current[key] = slot
        slots.append(slot)
    touched: set[int] = set()
    for alert in ordered:
        key = keys[alert.id]
        kp = kinds[alert.kind]
        found = current.get(key)
        if found is not None and takes(kp, found.state, alert.incoming.at):
            slot = found
            step(kp, slot.state, alert.incoming, received_at=now)
        else:
            if found is not None:
                found.close = True
            hold = hold_for(alert.device, alert.kind, silences, now)
            slot = _Slot(
                key=key,
                county_code=alert.device.county_code,
                device=alert.device,
                kind=alert.kind,
                state=start(kp, alert.incoming, received_at=now, hold=hold),
            )
            current[key] = slot
            slots.append(slot)
        slot.alert_ids.append(alert.id)
        touched.add(id(slot))
    _write(session=session, slots=[s for s in slots if id(s) in touched or s.close], current=current, now=now)
    flapping = {s.device.id: s.device for s in slots if s.state.became_flapping and not s.device.flapping}
    if flapping:
        session.execute(
            update(_DEVICES)
            .where(_DEVICES.c.id.in_(sorted(flapping)), _DEVICES.c.flapping_since.is_(None))
            .values(flapping_since=now)
        )
        remember_flapping(session=session, devices=flapping.values())
    # Only moments this batch set: a group still pending from an earlier batch had its sweep armed then (each
    # batch's groups otherwise re-armed dozens of earlier buckets, one dedupe look-up each).
    due = sorted(
        {
            s.state.due_at
            for s in slots
            if s.state.due_at is not None
            and s.state.status == GroupStatus.PENDING
            and (s.loaded is None or s.loaded.get("due_at") != s.state.due_at)
        }
    )
    if due:
        arm_sweeps(session=session, due_moments=due, policy=policy)
    return {alert_id: slot.id for slot in slots if slot.id is not None for alert_id in slot.alert_ids}


_MOMENT_COLUMNS = frozenset({"first_at", "last_at", "window_ends_at", "armed_at", "due_at"})


_OPEN_NAMES = ("id", "county_code", "kind", "open_key", *_STATE_COLUMNS)


def _lock_open(*, session: Session, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The open groups of ``keys``, locked (PostgreSQL; SQLite's writer holds the whole database), in id order.

    Straight to the driver: a burst reads about a thousand groups a batch, and SQLAlchemy's statement and row
    handling cost more than the query. Moments arrive as text on SQLite and as datetimes on PostgreSQL."""
    found: dict[str, dict[str, Any]] = {}
    connection = session.connection()
    mark = _placeholder(session)
    lock = " FOR UPDATE" if connection.dialect.name == "postgresql" else ""
    head = f"SELECT {', '.join(_OPEN_NAMES)} FROM {_GROUPS.name} WHERE open_key IN "
    for first in range(0, len(keys), 1000):
        page = keys[first : first + 1000]
        sql = f"{head}({', '.join([mark] * len(page))}) ORDER BY id{lock}"
        for row in connection.exec_driver_sql(sql, tuple(page)).all():
            values = dict(zip(_OPEN_NAMES, row, strict=True))
            for name in _MOMENT_COLUMNS:
                values[name] = moments.read(values[name])
            found[values["open_key"]] = values
    return found


def _placeholder(session: Session) -> str:
    return "%s" if session.get_bind().dialect.name == "postgresql" else "?"


def _values(slot: _Slot) -> dict[str, Any]:
    state = slot.state
    values = {name: getattr(state, name) for name in _STATE_COLUMNS}
    values["status"] = state.status.value
    values["last_signal"] = state.last_signal.value
    return values


_INSERT_COLUMNS = (*_STATE_COLUMNS, "county_code", "group_key", "open_key", "device_id", "kind", "location_path")
_SHORT_COLUMNS = tuple(sorted(_COUNTER_COLUMNS))


def _write(*, session: Session, slots: Sequence[_Slot], current: Mapping[str, _Slot], now: datetime) -> None:
    write = moments.writer(session)
    stamp = write(now)
    connection = session.connection()
    mark = _placeholder(session)
    closing = sorted((s for s in slots if s.id is not None and s.close), key=lambda s: s.id or 0)
    if closing:
        connection.exec_driver_sql(
            f"UPDATE {_GROUPS.name} SET open_key = NULL, closed_at = {mark} WHERE id = {mark}",
            [(stamp, s.id) for s in closing],
        )
    # A group the batch replaced is closed; so is a new group the same batch replaced again (rare: a gap longer
    # than the window inside one batch) — only the last group of a key stays open.
    # Most repeats change only the counters: those groups are written with the short statement. Rows go to the
    # driver as tuples in column order, without SQLAlchemy's per-row parameter handling.
    short: list[tuple[Any, ...]] = []
    full: list[tuple[Any, ...]] = []
    for slot in slots:
        if slot.id is None or not slot.alert_ids:
            continue
        values = _values(slot)
        loaded = slot.loaded
        if loaded is not None and all(loaded[k] == values[k] for k in _FULL_ONLY):
            chosen, columns = short, _SHORT_COLUMNS
        else:
            chosen, columns = full, _STATE_COLUMNS
        row = [write(values[k]) if k in _MOMENT_COLUMNS else values[k] for k in columns]
        row.extend((stamp, slot.id))
        chosen.append(tuple(row))
    # Rows are always written in one order (group id, key) so that concurrent batches cannot deadlock.
    for params, columns in ((short, _SHORT_COLUMNS), (full, _STATE_COLUMNS)):
        if params:
            params.sort(key=lambda p: p[-1])
            assignments = ", ".join(f"{name} = {mark}" for name in (*columns, "updated_at"))
            connection.exec_driver_sql(f"UPDATE {_GROUPS.name} SET {assignments} WHERE id = {mark}", params)
    fresh = sorted((s for s in slots if s.id is None), key=lambda s: (s.key, s.state.first_at))
    if fresh:
        rows = [_fresh_row(s, current.get(s.key) is s, write, stamp) for s in fresh]
        if session.get_bind().dialect.name == "postgresql":
            arrays = dict(zip(_FRESH_COLUMNS, zip(*rows, strict=True), strict=True))
            result: Sequence[Any] = session.execute(
                _INSERT_ARRAYS, {name: list(arrays[name]) for name in _ARRAY_TYPES} | {"g_now": stamp}
            ).all()
        else:
            result = insert_values(
                session=session,
                table=_GROUPS.name,
                columns=_FRESH_COLUMNS,
                rows=rows,
                tail="ON CONFLICT (open_key) DO NOTHING RETURNING id, group_key, first_at",
            )
        # Matched back by (key, first alert time): RETURNING with ordered parameters would make SQLite insert
        # row by row. Two groups of one key in one batch start at different times (the window lies between).
        returned = {(key, moments.read(first_at)): group_id for group_id, key, first_at in result}
        if len(returned) != len(rows):
            # Another writer opened a group under one of our keys in the meantime: rare enough to settle by
            # retrying the batch (the caller's savepoint), see ``intake.ingest``.
            raise GroupRace()
        for slot in fresh:
            slot.id = returned[(slot.key, slot.state.first_at)]


_FRESH_COLUMNS = (*_INSERT_COLUMNS, "closed_at", "created_at", "updated_at")
assert _FRESH_COLUMNS[: len(_STATE_COLUMNS)] == _STATE_COLUMNS


def _fresh_row(slot: _Slot, is_open: bool, write: Callable[[datetime | None], Any], stamp: Any) -> tuple[Any, ...]:
    """A new group's row in ``_FRESH_COLUMNS`` order, built directly (a burst opens hundreds per batch)."""
    st = slot.state
    return (
        st.status.value,
        st.last_signal.value,
        write(st.first_at),
        write(st.last_at),
        write(st.window_ends_at),
        write(st.armed_at),
        write(st.due_at),
        st.alert_count,
        st.alarm_count,
        st.cancel_count,
        st.flaps,
        st.level,
        st.reason,
        st.result,
        st.silence_id,
        slot.county_code,
        slot.key,
        slot.key if is_open else None,
        slot.device.id,
        slot.kind,
        slot.device.location_path,
        None if is_open else stamp,
        stamp,
        stamp,
    )


def insert_values(
    *, session: Session, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]], tail: str
) -> list[Any]:
    """SQLite: a multi-row ``INSERT … VALUES`` straight to the driver, values already in their stored form (text
    moments, JSON text). SQLAlchemy's own bulk path prepares every row's parameters in Python — a third of the cost
    of a batch's inserts. Returns the rows of ``tail``'s RETURNING."""
    per_page = max(1, 30_000 // len(columns))  # SQLite allows 32,766 parameters per statement
    placeholders = "(" + ", ".join("?" * len(columns)) + ")"
    head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
    connection = session.connection()
    returned: list[Any] = []
    for first in range(0, len(rows), per_page):
        page = rows[first : first + per_page]
        flat = [value for row in page for value in row]
        sql = head + ", ".join([placeholders] * len(page)) + " " + tail
        returned.extend(connection.exec_driver_sql(sql, tuple(flat)).all())
    return returned


# PostgreSQL: new groups from one array per column (a short statement the driver prepares once) rather than a
# multi-row VALUES list it would parse again for every batch.
_ARRAY_TYPES = {
    "status": "varchar[]",
    "last_signal": "varchar[]",
    "first_at": "timestamptz[]",
    "last_at": "timestamptz[]",
    "window_ends_at": "timestamptz[]",
    "armed_at": "timestamptz[]",
    "due_at": "timestamptz[]",
    "alert_count": "integer[]",
    "alarm_count": "integer[]",
    "cancel_count": "integer[]",
    "flaps": "integer[]",
    "level": "varchar[]",
    "reason": "varchar[]",
    "result": "varchar[]",
    "silence_id": "integer[]",
    "county_code": "varchar[]",
    "group_key": "varchar[]",
    "open_key": "varchar[]",
    "device_id": "integer[]",
    "kind": "varchar[]",
    "location_path": "text[]",
    "closed_at": "timestamptz[]",
}
assert set(_ARRAY_TYPES) == {*_INSERT_COLUMNS, "closed_at"}
_INSERT_ARRAYS = text(
    f"INSERT INTO {_GROUPS.name} ({', '.join(_ARRAY_TYPES)}, created_at, updated_at) "
    f"SELECT u.*, CAST(:g_now AS timestamptz), CAST(:g_now AS timestamptz) "
    f"FROM unnest({', '.join(f'CAST(:{n} AS {t})' for n, t in _ARRAY_TYPES.items())}) "
    f"AS u({', '.join(_ARRAY_TYPES)}) "
    "ON CONFLICT (open_key) DO NOTHING RETURNING id, group_key, first_at"
)


class GroupRace(Exception):
    """A concurrent writer opened a group with the same key: the batch's grouping is rolled back to its savepoint
    and done again."""


def arm_sweeps(*, session: Session, due_moments: Sequence[datetime], policy: AlertPolicy) -> None:
    """One sweep job per bucket of due moments (dedupe by bucket), so a burst of 200,000 alerts arms a handful."""
    bucket = policy.sweep.bucket_seconds
    armed: set[int] = set()
    for moment in due_moments:
        epoch = int(moment.timestamp())
        slot = -(-epoch // bucket) * bucket  # round up: never sweep before the group is due
        if slot in armed:
            continue
        armed.add(slot)
        run_at = datetime.fromtimestamp(slot, UTC)
        jobs.schedule(
            session=session,
            kind=SWEEP,
            run_at=run_at,
            payload={"reason": "due"},
            dedupe_key=f"alerts:sweep:{run_at.isoformat()}",
        )


def demote(state: GroupState, *, hold: Hold) -> GroupState:
    """A pending group that a silence or a flapping device now covers (checked again at promotion time)."""
    return replace(state, status=hold.status, reason=hold.reason, silence_id=hold.silence_id, due_at=None)
