"""The device registry: registering devices (one or 170,000 at a time), the intake's cached device look-up, status
changes, and reading devices as a viewer."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, cast

import numpy as np
from sqlalchemy import ColumnElement, Engine, Table, bindparam, false, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import InstrumentedAttribute, Session

from fengqiao.accounts.scope import Viewer
from fengqiao.alerts.kinds import ALERT_KIND_LABELS, AlertKind, DeviceStatus
from fengqiao.alerts.models import AlertDevice
from fengqiao.alerts.periodic import arm_periodic
from fengqiao.basedata.identifiers import validate_phone
from fengqiao.basedata.models import Building, Room
from fengqiao.core.clock import utcnow
from fengqiao.core.errors import FengqiaoError, InvalidInput, NotFound
from fengqiao.jurisdiction.locator import NOT_FOUND, grid_locator
from fengqiao.jurisdiction.models import Unit
from fengqiao.jurisdiction.paths import under_path

CHUNK = 1000
# Columns an import or a re-registration may change; status, heartbeats and flags belong to the running system.
_REGISTRY_COLUMNS = (
    "kind",
    "name",
    "place",
    "model",
    "vendor",
    "building_id",
    "room_id",
    "address",
    "lon",
    "lat",
    "grid_id",
    "location_path",
    "owner_name",
    "owner_phone",
    "heartbeat_seconds",
)


class DeviceInfo(NamedTuple):
    """What intake and grouping need of a device, cached per process (see :func:`lookup`);
    a named tuple, because a burst builds 170,000 of them at once."""

    id: int
    county_code: str
    code: str
    kind: str
    status: str
    flapping: bool
    building_id: int | None
    place: str | None
    grid_id: int | None
    location_path: str | None


@dataclass(frozen=True)
class RegisterResult:
    created: int
    updated: int
    errors: list[tuple[int, FengqiaoError]]  # (row index, why)


# --- the intake's cache -----------------------------------------------------------------------------------------

# Entries live this long: a device retired or put under maintenance by another process is seen within it. Changes
# made through this module invalidate the entry at once in this process.
CACHE_TTL_SECONDS = 300.0
_cache: dict[tuple[str, str, str], tuple[float, DeviceInfo | None]] = {}
_cache_lock = threading.Lock()


def _engine_key(session: Session) -> str:
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    return str(engine.url)


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()
        _warmed.clear()


def forget(*, session: Session, county_code: str, codes: Iterable[str]) -> None:
    """Drop cached entries of these codes (registration, status changes)."""
    url = _engine_key(session)
    with _cache_lock:
        for code in codes:
            _cache.pop((url, county_code, code), None)
            _cache.pop((url, "*", code), None)


def remember_flapping(*, session: Session, devices: Iterable[DeviceInfo]) -> None:
    url = _engine_key(session)
    now = time.monotonic()
    with _cache_lock:
        for info in devices:
            flagged = info._replace(flapping=True)
            for county in (info.county_code, "*"):
                if (url, county, info.code) in _cache:
                    _cache[(url, county, info.code)] = (now, flagged)


_INFO_COLUMNS = (
    AlertDevice.id,
    AlertDevice.county_code,
    AlertDevice.code,
    AlertDevice.kind,
    AlertDevice.status,
    AlertDevice.flapping_since,
    AlertDevice.building_id,
    AlertDevice.place,
    AlertDevice.grid_id,
    AlertDevice.location_path,
)


# A batch that misses this many devices loads the whole county's (or every county's) registry into the cache in one
# read instead: a burst touches devices at random, and 1,000 look-ups by code per batch cost more than a 170,000-row
# scan once per ``CACHE_TTL_SECONDS``.
WARM_MISSES = 200
_warmed: dict[tuple[str, str], float] = {}


def device_info(row: Any) -> DeviceInfo:
    """What grouping and intake need of a device, from its row (or its ORM object: the same attribute names)."""
    return DeviceInfo(
        id=row.id,
        county_code=row.county_code,
        code=row.code,
        kind=row.kind,
        status=row.status,
        flapping=row.flapping_since is not None,
        building_id=row.building_id,
        place=row.place,
        grid_id=row.grid_id,
        location_path=row.location_path,
    )


def lookup(*, session: Session, codes: Iterable[str], county_code: str | None) -> dict[str, DeviceInfo | str]:
    """Device per code: a :class:`DeviceInfo`, or ``"unknown"`` / ``"ambiguous"`` (the same code in two counties
    when no county is given). One query per 1,000 codes not cached (or one read of the whole registry when a batch
    misses many); cached entries cost no query."""
    url = _engine_key(session)
    scope = county_code or "*"
    now = time.monotonic()
    found: dict[str, DeviceInfo | str] = {}
    missing: list[str] = []
    unique = set(codes)
    with _cache_lock:
        for code in unique:
            entry = _cache.get((url, scope, code))
            if entry is not None and now - entry[0] < CACHE_TTL_SECONDS and entry[1] is not None:
                found[code] = entry[1]
            else:
                missing.append(code)
    if len(missing) >= WARM_MISSES and now - _warmed.get((url, scope), -CACHE_TTL_SECONDS) >= CACHE_TTL_SECONDS:
        _warm(session=session, url=url, scope=scope, county_code=county_code, now=now)
        with _cache_lock:
            still: list[str] = []
            for code in missing:
                entry = _cache.get((url, scope, code))
                if entry is not None and entry[1] is not None:
                    found[code] = entry[1]
                else:
                    still.append(code)
        missing = still
    fetched: dict[str, list[DeviceInfo]] = {}
    for start in range(0, len(missing), CHUNK):
        statement = select(*_INFO_COLUMNS).where(AlertDevice.code.in_(missing[start : start + CHUNK]))
        if county_code is not None:
            statement = statement.where(AlertDevice.county_code == county_code)
        for row in session.execute(statement):
            fetched.setdefault(row.code, []).append(device_info(row))
    with _cache_lock:
        for code in missing:
            infos = fetched.get(code, [])
            if len(infos) == 1:
                found[code] = infos[0]
                _cache[(url, scope, code)] = (now, infos[0])
            else:
                # Unknown codes are not cached: a device registered a moment later must be found.
                found[code] = "ambiguous" if infos else "unknown"
    return found


def _warm(*, session: Session, url: str, scope: str, county_code: str | None, now: float) -> None:
    # Plain columns straight from the driver (the flag as 0/1, not the timestamp): 170,000 rows in a fraction of
    # what the ORM's per-value processing costs.
    table = _DEVICES
    statement = select(
        table.c.id,
        table.c.county_code,
        table.c.code,
        table.c.kind,
        table.c.status,
        table.c.flapping_since.is_not(None),
        table.c.building_id,
        table.c.place,
        table.c.grid_id,
        table.c.location_path,
    )
    # Every row, filtered here: the index on the county would make SQLite visit the table row by row.
    by_code: dict[str, DeviceInfo | None] = {}
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute(str(statement.compile(dialect=session.get_bind().dialect)))
        rows = cursor.fetchall()
    finally:
        cursor.close()
    for row in rows:
        if county_code is not None and row[1] != county_code:
            continue
        code = row[2]
        # A code registered in two counties stays uncached: looked up (and found ambiguous) each time.
        by_code[code] = None if code in by_code else DeviceInfo._make((*row[:5], bool(row[5]), *row[6:]))
    with _cache_lock:
        for code, info in by_code.items():
            if info is not None:
                _cache[(url, scope, code)] = (now, info)
        _warmed[(url, scope)] = now


# --- registering ------------------------------------------------------------------------------------------------


def _text(row: Mapping[str, Any], key: str, limit: int) -> str | None:
    value = row.get(key)
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    if len(text) > limit:
        raise InvalidInput(f"{_FIELD_LABELS.get(key, key)}过长（最多{limit}个字符）", code="value_too_long")
    return text


_FIELD_LABELS = {
    "code": "设备编号",
    "kind": "设备类型",
    "name": "设备名称",
    "place": "点位",
    "model": "型号",
    "vendor": "厂商",
    "address": "安装地址",
    "owner_name": "责任人",
    "owner_phone": "联系电话",
}


def _clean(row: Mapping[str, Any]) -> dict[str, Any]:
    code = _text(row, "code", 64)
    if not code:
        raise InvalidInput("设备编号不能为空", code="device_code_required")
    raw_kind = str(row.get("kind") or "").strip()
    try:
        kind = AlertKind(raw_kind)
    except ValueError:
        raise InvalidInput(f"设备类型“{raw_kind}”无效", code="invalid_device_kind") from None
    lon, lat = row.get("lon"), row.get("lat")
    if (lon is None) != (lat is None):
        raise InvalidInput("经度和纬度须同时填写", code="incomplete_coordinates")
    if lon is not None and lat is not None:
        lon, lat = float(lon), float(lat)
        if not (73.0 <= lon <= 136.0 and 3.0 <= lat <= 54.0):
            raise InvalidInput("经纬度不在国内范围", code="coordinates_out_of_range")
    phone = _text(row, "owner_phone", 20)
    heartbeat = row.get("heartbeat_seconds")
    return {
        "code": code,
        "kind": kind.value,
        "name": _text(row, "name", 64),
        "place": _text(row, "place", 64),
        "model": _text(row, "model", 64),
        "vendor": _text(row, "vendor", 64),
        "building_id": int(row["building_id"]) if row.get("building_id") is not None else None,
        "room_id": int(row["room_id"]) if row.get("room_id") is not None else None,
        "address": _text(row, "address", 200),
        "lon": lon,
        "lat": lat,
        "owner_name": _text(row, "owner_name", 32),
        "owner_phone": validate_phone(phone) if phone else None,
        "heartbeat_seconds": int(heartbeat) if heartbeat is not None else None,
    }


def bulk_register(
    *,
    session: Session,
    rows: Sequence[Mapping[str, Any]],
    county_code: str,
    now: datetime | None = None,
    scope: Sequence[str] | None = None,
) -> RegisterResult:
    """Register or update devices with Core bulk statements (170,000 in seconds). Each row: ``code``, ``kind`` and
    optionally ``name``, ``place``, ``model``, ``vendor``, ``building_id``, ``room_id``, ``address``, ``lon``,
    ``lat``, ``owner_name``, ``owner_phone``, ``heartbeat_seconds``. The grid comes from the building, else from the
    point. A bad row is reported with its index and the others still land. ``scope`` (path prefixes; None: the
    whole county) refuses devices placed outside it, or not placed at all. Does not commit."""
    now = now or utcnow()
    errors: list[tuple[int, FengqiaoError]] = []
    cleaned: list[tuple[int, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    for index, row in enumerate(rows):
        try:
            values = _clean(row)
        except FengqiaoError as exc:
            errors.append((index, exc))
            continue
        except (TypeError, ValueError):
            errors.append((index, InvalidInput("数值格式不正确", code="invalid_number")))
            continue
        if values["code"] in seen:
            errors.append((index, InvalidInput(f"设备编号{values['code']}重复", code="duplicate_device_code")))
            continue
        seen[values["code"]] = index
        cleaned.append((index, values))
    placed = _place(session=session, items=cleaned)
    good: list[dict[str, Any]] = []
    for (index, values), placement in zip(cleaned, placed, strict=True):
        if isinstance(placement, FengqiaoError):
            errors.append((index, placement))
            continue
        grid_id, path = placement
        if scope is not None and not (path is not None and any(path.startswith(p) for p in scope)):
            errors.append((index, InvalidInput("设备位置不在您的辖区内", code="device_out_of_scope")))
            continue
        good.append(
            {**values, "county_code": county_code, "grid_id": grid_id, "location_path": path, "updated_at": now}
        )
    existing: set[str] = set()
    codes = [v["code"] for v in good]
    for start in range(0, len(codes), CHUNK):
        existing.update(
            session.scalars(
                select(AlertDevice.code).where(
                    AlertDevice.county_code == county_code, AlertDevice.code.in_(codes[start : start + CHUNK])
                )
            )
        )
    fresh = [{**v, "status": DeviceStatus.ACTIVE.value, "created_at": now} for v in good if v["code"] not in existing]
    changed = [v for v in good if v["code"] in existing]
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    for start in range(0, len(fresh), CHUNK):
        statement = insert(AlertDevice).on_conflict_do_nothing(index_elements=["county_code", "code"])
        session.execute(statement, fresh[start : start + CHUNK])
    for start in range(0, len(changed), CHUNK):
        statement = insert(AlertDevice)
        statement = statement.on_conflict_do_update(
            index_elements=["county_code", "code"],
            set_={name: statement.excluded[name] for name in (*_REGISTRY_COLUMNS, "updated_at")},
        )
        session.execute(
            statement,
            [{**v, "status": DeviceStatus.ACTIVE.value, "created_at": now} for v in changed[start : start + CHUNK]],
        )
    forget(session=session, county_code=county_code, codes=codes)
    if fresh:
        arm_periodic(session=session, now=now)
    return RegisterResult(created=len(fresh), updated=len(changed), errors=sorted(errors, key=lambda e: e[0]))


def _place(
    *, session: Session, items: Sequence[tuple[int, dict[str, Any]]]
) -> list[tuple[int | None, str | None] | FengqiaoError]:
    """Grid of each device: its building's (a room must be in it), else its point's; neither → no grid yet."""
    building_ids = sorted({v["building_id"] for _, v in items if v["building_id"] is not None})
    grids: dict[int, tuple[int, str]] = {}
    for start in range(0, len(building_ids), CHUNK):
        for building_id, unit_id, path in session.execute(
            select(Building.id, Unit.id, Unit.path)
            .join(Unit, Unit.id == Building.grid_id)
            .where(Building.id.in_(building_ids[start : start + CHUNK]))
        ):
            grids[building_id] = (unit_id, path)
    room_ids = sorted({v["room_id"] for _, v in items if v["room_id"] is not None})
    rooms: dict[int, int] = {}
    for start in range(0, len(room_ids), CHUNK):
        rooms.update(
            session.execute(select(Room.id, Room.building_id).where(Room.id.in_(room_ids[start : start + CHUNK]))).all()
        )
    pointed = [i for i, (_, v) in enumerate(items) if v["building_id"] is None and v["lon"] is not None]
    by_point: dict[int, int] = {}
    if pointed:
        located = grid_locator(session).locate_many(
            np.array([items[i][1]["lon"] for i in pointed], dtype=np.float64),
            np.array([items[i][1]["lat"] for i in pointed], dtype=np.float64),
        )
        by_point = {i: int(g) for i, g in zip(pointed, located, strict=True) if g != NOT_FOUND}
    paths: dict[int, str] = {}
    wanted = sorted(set(by_point.values()))
    for start in range(0, len(wanted), CHUNK):
        paths.update(
            session.execute(select(Unit.id, Unit.path).where(Unit.id.in_(wanted[start : start + CHUNK]))).all()
        )
    placements: list[tuple[int | None, str | None] | FengqiaoError] = []
    for i, (_, values) in enumerate(items):
        building_id, room_id = values["building_id"], values["room_id"]
        if room_id is not None and (building_id is None or rooms.get(room_id) != building_id):
            placements.append(InvalidInput(f"户室{room_id}不属于所填楼栋", code="room_not_in_building"))
        elif building_id is not None:
            grid = grids.get(building_id)
            placements.append(
                grid if grid is not None else NotFound(f"未找到楼栋{building_id}", code="building_not_found")
            )
        elif i in by_point:
            placements.append((by_point[i], paths[by_point[i]]))
        elif values["lon"] is not None:
            placements.append(InvalidInput("坐标不在任何网格内", code="point_outside_grids"))
        else:
            placements.append((None, None))
    return placements


def set_status(*, session: Session, viewer: Viewer, device_id: int, status: DeviceStatus) -> AlertDevice:
    """Put a device into service, under maintenance (its alerts stay but never become events) or retire it.
    Returning it to service also clears a flapping flag: maintenance is what clears it."""
    device = get_device(session=session, viewer=viewer, device_id=device_id)
    device.status = status.value
    if status == DeviceStatus.ACTIVE:
        device.flapping_since = None
    device.updated_at = utcnow()
    session.flush()
    forget(session=session, county_code=device.county_code, codes=[device.code])
    return device


def clear_flapping(*, session: Session, viewer: Viewer, device_id: int) -> AlertDevice:
    device = get_device(session=session, viewer=viewer, device_id=device_id)
    device.flapping_since = None
    device.updated_at = utcnow()
    session.flush()
    forget(session=session, county_code=device.county_code, codes=[device.code])
    return device


# --- reading as a viewer ----------------------------------------------------------------------------------------


def under(column: InstrumentedAttribute[str | None], path: str) -> ColumnElement[bool]:
    """``under_path`` for a nullable path column (devices not yet placed have none and match no prefix)."""
    return under_path(cast(InstrumentedAttribute[str], column), path)


def visible_device(viewer: Viewer) -> ColumnElement[bool]:
    """Devices in the viewer's territory; the county centre sees every device of the county (also unplaced ones)."""
    if viewer.is_county_wide:
        return AlertDevice.county_code == viewer.county_code
    conditions = [under(AlertDevice.location_path, p) for p in viewer.territorial_paths]
    return or_(*conditions) if conditions else false()


def get_device(*, session: Session, viewer: Viewer, device_id: int) -> AlertDevice:
    device = session.scalars(
        select(AlertDevice).where(AlertDevice.id == device_id, visible_device(viewer))
    ).one_or_none()
    if device is None:
        raise NotFound(f"未找到设备{device_id}", code="device_not_found")
    return device


def list_devices(
    *,
    session: Session,
    viewer: Viewer,
    kind: AlertKind | None = None,
    status: DeviceStatus | None = None,
    offline_only: bool = False,
    code_prefix: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[AlertDevice], int]:
    conditions: list[ColumnElement[bool]] = [visible_device(viewer)]
    if kind is not None:
        conditions.append(AlertDevice.kind == kind.value)
    if status is not None:
        conditions.append(AlertDevice.status == status.value)
    if offline_only:
        conditions.append(AlertDevice.offline_since.is_not(None))
    if code_prefix:
        conditions.append(AlertDevice.code.startswith(code_prefix, autoescape=True))
    total = session.scalar(select(func.count()).select_from(AlertDevice).where(*conditions)) or 0
    rows = session.scalars(
        select(AlertDevice).where(*conditions).order_by(AlertDevice.code, AlertDevice.id).limit(limit).offset(offset)
    ).all()
    return list(rows), total


def kind_label(kind: str) -> str:
    try:
        return ALERT_KIND_LABELS[AlertKind(kind)]
    except ValueError:
        return kind


def touch_seen(*, session: Session, seen: Mapping[int, tuple[datetime, bool]]) -> None:
    """Record that devices were heard from: ``seen`` maps device id → (server time, whether it was a heartbeat).
    Clears the offline flag: any message proves the device is back."""
    if not seen:
        return
    if session.get_bind().dialect.name == "sqlite":
        _touch_seen_by_moment(session=session, seen=seen)
        return
    # In id order, so that concurrent batches touching the same devices cannot deadlock.
    ordered = sorted(seen.items())
    heartbeats = [{"b_id": i, "b_at": at} for i, (at, beat) in ordered if beat]
    others = [{"b_id": i, "b_at": at} for i, (at, beat) in ordered if not beat]
    table = _DEVICES
    if heartbeats:
        session.execute(
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(last_seen_at=bindparam("b_at"), last_heartbeat_at=bindparam("b_at"), offline_since=None),
            heartbeats,
        )
    if others:
        session.execute(
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(last_seen_at=bindparam("b_at"), offline_since=None),
            others,
        )


def _touch_seen_by_moment(*, session: Session, seen: Mapping[int, tuple[datetime, bool]]) -> None:
    """SQLite locks the whole database for a writer, so row order cannot deadlock: the devices of one moment (a
    batch shares its server time) are updated by one statement per 1,000 ids instead of one execution per device."""
    table = _DEVICES
    by_moment: dict[tuple[datetime, bool], list[int]] = {}
    for device_id, (at, beat) in seen.items():
        by_moment.setdefault((at, beat), []).append(device_id)
    for (at, beat), ids in by_moment.items():
        values: dict[str, Any] = {"last_seen_at": at, "offline_since": None}
        if beat:
            values["last_heartbeat_at"] = at
        ids.sort()
        for first in range(0, len(ids), 1000):
            session.execute(update(table).where(table.c.id.in_(ids[first : first + 1000])).values(**values))


# The Core table, for executemany updates (the ORM would treat a list of parameters as a bulk update by key).
_DEVICES: Table = AlertDevice.__table__  # type: ignore[assignment]
