"""Demo sensor devices (感知设备): smoke detectors in buildings and video channels watching water, no-entry zones and
key spots, scaled like the rest of the demo county (scale 1.0: 170,000 smoke detectors and 42,000 video channels);
and a demo integration whose bearer token is known, so a person trying `make run` can post alerts; and the demo
sensor feed, a worker job that keeps the devices alive with heartbeats and now and then raises an alert.

Devices are registered through the alerts registry (``alerts.devices.bulk_register``), each in a building (and
therefore a grid) of the demo county. The same (scale, seed) always yields the same devices."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine, func, select, update
from sqlalchemy.orm import Session, aliased

from fengqiao.alerts import devices as registry
from fengqiao.alerts import intake
from fengqiao.alerts.integrations import token_hash
from fengqiao.alerts.kinds import AlertKind, DeviceStatus
from fengqiao.alerts.models import AlertDevice, AlertIntegration
from fengqiao.alerts.periodic import FEED_WINDOW_SECONDS
from fengqiao.alerts.policy import AlertPolicy, default_policy
from fengqiao.basedata.models import Building
from fengqiao.core.clock import utcnow
from fengqiao.demo.towns import COUNTY_CODE
from fengqiao.jurisdiction.models import Unit

SMOKE_DETECTORS = 170_000
VIDEO_CHANNELS = 42_000
# How the county's video channels split between what they watch.
VIDEO_SHARES: dict[AlertKind, float] = {
    AlertKind.DROWNING: 0.45,
    AlertKind.INTRUSION: 0.35,
    AlertKind.KEY_PERSON: 0.20,
}
CODE_LETTERS: dict[AlertKind, str] = {
    AlertKind.SMOKE: "SD",
    AlertKind.DROWNING: "DR",
    AlertKind.INTRUSION: "IN",
    AlertKind.KEY_PERSON: "KP",
}
# Named spots the cameras watch, after the village's name (several cameras of a village may share one).
SPOTS: dict[AlertKind, tuple[str, ...]] = {
    AlertKind.DROWNING: ("水库", "山塘", "河道", "池塘", "溪滩"),
    AlertKind.INTRUSION: ("变电站", "施工工地", "铁路护栏", "危化品仓库"),
    AlertKind.KEY_PERSON: ("汽车站", "商场出入口", "治安卡口", "农贸市场"),
}
VENDORS: dict[AlertKind, tuple[str, str]] = {
    AlertKind.SMOKE: ("NB-IoT独立式烟感", "海曼科技"),
    AlertKind.DROWNING: ("智能球机", "海康威视"),
    AlertKind.INTRUSION: ("枪机（越界侦测）", "大华股份"),
    AlertKind.KEY_PERSON: ("人脸抓拍机", "宇视科技"),
}
OFFLINE_SHARE = 0.015  # devices whose heartbeat has stopped, for the maintenance list
FLAPPING_SHARE = 0.004
# A spawn key of the demo's random streams beyond ``demo.rng.Stage`` (never renumber: part of what a seed means).
_DEVICES_STREAM = 40

# Demo only: printed by `fengqiao demo ensure` and written in the README. Never use it in a real deployment.
DEMO_INTEGRATION = "演示接入平台"
DEMO_ALERT_TOKEN = "fqa_demo-wenling-sensor-alerts"


@dataclass(frozen=True)
class DemoDevices:
    created: int
    by_kind: dict[str, int]


def device_counts(scale: float) -> dict[AlertKind, int]:
    counts = {AlertKind.SMOKE: max(1, round(SMOKE_DETECTORS * scale))}
    video = max(len(VIDEO_SHARES), round(VIDEO_CHANNELS * scale))
    for kind, share in VIDEO_SHARES.items():
        counts[kind] = max(1, round(video * share))
    return counts


def device_rows(session: Session, *, county_code: str, scale: float, seed: int) -> list[dict[str, Any]]:
    """The registry rows of the demo's devices: smoke detectors weighted by floors (a tall building has more),
    cameras spread over buildings and named after the village's spot they watch."""
    grid = aliased(Unit)
    village = aliased(Unit)
    buildings = session.execute(
        select(Building.id, Building.floors, Building.standard_address, village.name.label("village"))
        .join(grid, grid.id == Building.grid_id)
        .join(village, village.id == grid.parent_id)
        .where(Building.county_code == county_code)
        .order_by(Building.id)
    ).all()
    if not buildings:
        return []
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(_DEVICES_STREAM,)))
    floors = np.array([max(1, int(b.floors)) for b in buildings], dtype=np.float64)
    rows: list[dict[str, Any]] = []
    for kind, count in device_counts(scale).items():
        letters = CODE_LETTERS[kind]
        model, vendor = VENDORS[kind]
        if kind is AlertKind.SMOKE:
            picks = rng.choice(len(buildings), size=count, p=floors / floors.sum())
        else:
            picks = rng.choice(len(buildings), size=count)
        spot_draws = rng.integers(0, 1 << 16, size=count)
        floor_draws = rng.random(size=count)
        for serial, (index, spot, level) in enumerate(zip(picks, spot_draws, floor_draws, strict=True), start=1):
            building = buildings[int(index)]
            row: dict[str, Any] = {
                "code": f"{county_code}-{letters}-{serial:06d}",
                "kind": kind.value,
                "building_id": building.id,
                "model": model,
                "vendor": vendor,
                "address": building.standard_address,
            }
            if kind is AlertKind.SMOKE:
                row["name"] = f"{1 + int(level * int(building.floors))}楼烟感"
            else:
                spots = SPOTS[kind]
                place = f"{building.village}{spots[int(spot) % len(spots)]}"[:64]
                row["place"] = place
                row["name"] = f"{place}{int(spot) % 3 + 1}号通道"[:64]
            rows.append(row)
    return rows


def seed_demo_devices(*, session: Session, scale: float, seed: int, now: datetime | None = None) -> DemoDevices:
    """Register the demo's devices and mark a few offline or flapping (what the maintenance list shows). Does not
    commit."""
    now = now or utcnow()
    rows = device_rows(session, county_code=COUNTY_CODE, scale=scale, seed=seed)
    result = registry.bulk_register(session=session, rows=rows, county_code=COUNTY_CODE, now=now)
    if result.errors:
        index, error = result.errors[0]
        raise RuntimeError(f"demo device {rows[index]['code']} refused: {error.message}")
    # Every device was heard from lately; a few have gone silent, a few keep flapping.
    session.execute(
        update(AlertDevice)
        .where(AlertDevice.county_code == COUNTY_CODE)
        .values(last_seen_at=now - timedelta(minutes=5), last_heartbeat_at=now - timedelta(minutes=5))
    )
    offline, flapping = _troubled(seed, [row["code"] for row in rows])
    for chosen, values in (
        (offline, {"offline_since": now - timedelta(hours=6), "last_seen_at": now - timedelta(days=2)}),
        (flapping, {"flapping_since": now - timedelta(hours=3)}),
    ):
        for start in range(0, len(chosen), 1000):
            session.execute(
                update(AlertDevice)
                .where(AlertDevice.county_code == COUNTY_CODE, AlertDevice.code.in_(chosen[start : start + 1000]))
                .values(**values)
            )
    by_kind: dict[str, int] = {}
    for row in rows:
        by_kind[row["kind"]] = by_kind.get(row["kind"], 0) + 1
    registry.clear_cache()
    return DemoDevices(created=result.created, by_kind=by_kind)


def _troubled(seed: int, codes: list[str]) -> tuple[list[str], list[str]]:
    """The devices the demo shows as gone silent and as flapping (``codes`` in registration order)."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(_DEVICES_STREAM, 1)))
    chosen: list[list[str]] = []
    for share in (OFFLINE_SHARE, FLAPPING_SHARE):
        picks = rng.choice(len(codes), size=max(1, round(len(codes) * share)))
        chosen.append(sorted(str(codes[i]) for i in picks))
    return chosen[0], chosen[1]


def enable_demo_integration(*, session: Session, county_code: str = COUNTY_CODE) -> str:
    """The demo integration with its known token (created once); returns the token to print. Does not commit."""
    digest = token_hash(DEMO_ALERT_TOKEN)
    found = session.scalar(select(AlertIntegration).where(AlertIntegration.token_hash == digest))
    if found is None:
        session.add(
            AlertIntegration(
                county_code=county_code,
                name=DEMO_INTEGRATION,
                prefix=DEMO_ALERT_TOKEN[:12],
                token_hash=digest,
                created_at=utcnow(),
            )
        )
        session.flush()
    elif found.revoked_at is not None:
        found.revoked_at = None
        session.flush()
    return DEMO_ALERT_TOKEN


def seed_into(connection: Connection, *, scale: float, seed: int) -> DemoDevices:
    """Seed the devices and the demo integration inside the caller's transaction (the demo county's load)."""
    with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
        made = seed_demo_devices(session=session, scale=scale, seed=seed)
        enable_demo_integration(session=session)
        session.commit()
    return made


def ensure_demo_devices(*, engine: Engine, scale: float, seed: int) -> DemoDevices | None:
    """For a demo county loaded before devices existed: seed them once (a county with devices is left alone)."""
    with engine.connect() as connection, connection.begin():
        has_units = connection.scalar(select(func.count()).select_from(Unit).where(Unit.code == COUNTY_CODE))
        has_devices = connection.scalar(select(func.count()).select_from(AlertDevice))
        if not has_units or has_devices:
            return None
        return seed_into(connection, scale=scale, seed=seed)


# --- the demo sensor feed ------------------------------------------------------------------------------------------

FEED_SOURCE = "demo-feed"
# Per window of FEED_WINDOW_SECONDS: smoke alarms cancelled within seconds (cooking, steam) are the everyday case;
# a smoke alarm that stands and a drowning alert are rare, and become events dispatched to the grid.
CANCELLED_SMOKE_PER_WINDOW = 1.5
REAL_SMOKE_CHANCE = 0.03
DROWNING_CHANCE = 0.01
_FEED_STREAM = 2  # below _DEVICES_STREAM: the feed's random draws per window


@dataclass(frozen=True)
class FeedWindow:
    heartbeats: int
    alerts: int
    result: intake.IngestResult


def demo_loaded(session: Session) -> bool:
    """The demo county is loaded: its integration (with the known token) exists."""
    found = select(AlertIntegration.id).where(AlertIntegration.token_hash == token_hash(DEMO_ALERT_TOKEN))
    return session.scalar(found) is not None


def feed_payloads(
    *, devices: list[tuple[str, str]], window_end: datetime, seed: int, policy: AlertPolicy | None = None
) -> tuple[list[dict[str, Any]], int]:
    """The messages of the window ending at ``window_end``: (payloads, how many are heartbeats). ``devices`` are
    (code, kind) in registration order. Each device beats once per its kind's heartbeat interval, in a slot fixed by
    its code; the devices the demo shows as gone silent never do. The same (seed, window) gives the same messages."""
    policy = policy or default_policy()
    window = int(window_end.timestamp()) // FEED_WINDOW_SECONDS
    silent = set(_troubled(seed, [code for code, _ in devices])[0]) if devices else set()
    at = window_end.isoformat()
    payloads: list[dict[str, Any]] = []
    for code, kind in devices:
        if code in silent:
            continue
        slots = max(1, policy.kind(kind).heartbeat_seconds // FEED_WINDOW_SECONDS)
        if zlib.crc32(code.encode()) % slots == window % slots:
            payloads.append({"device": code, "kind": kind, "signal": "heartbeat", "at": at})
    heartbeats = len(payloads)
    smoke = [code for code, kind in devices if kind == AlertKind.SMOKE.value and code not in silent]
    water = [code for code, kind in devices if kind == AlertKind.DROWNING.value and code not in silent]
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(_DEVICES_STREAM, _FEED_STREAM, window)))

    def moment(seconds_before_end: float) -> str:
        return (window_end - timedelta(seconds=seconds_before_end)).isoformat()

    def alert(code: str, kind: AlertKind, signal: str, n: int, before: float, level: str | None = None) -> None:
        payload: dict[str, Any] = {
            "device": code,
            "kind": kind.value,
            "signal": signal,
            "alert_id": f"demo-{window}-{n}",
            "at": moment(before),
        }
        if level:
            payload["level"] = level
        payloads.append(payload)

    n = 0
    if smoke:
        for _ in range(int(rng.poisson(CANCELLED_SMOKE_PER_WINDOW))):
            code = smoke[int(rng.integers(len(smoke)))]
            raised = float(rng.uniform(90, FEED_WINDOW_SECONDS))
            alert(code, AlertKind.SMOKE, "alarm", n, raised, "high")
            alert(code, AlertKind.SMOKE, "cancel", n + 1, raised - float(rng.uniform(5, 40)))
            n += 2
        if rng.random() < REAL_SMOKE_CHANCE:
            alert(smoke[int(rng.integers(len(smoke)))], AlertKind.SMOKE, "alarm", n, float(rng.uniform(0, 60)), "high")
            n += 1
    if water and rng.random() < DROWNING_CHANCE:
        alert(water[int(rng.integers(len(water)))], AlertKind.DROWNING, "alarm", n, float(rng.uniform(0, 60)), "high")
    return payloads, heartbeats


def feed_window(*, session: Session, window_end: datetime, seed: int, now: datetime | None = None) -> FeedWindow:
    """Send one window of the demo's sensor traffic through the alerts intake, as a device platform would (source
    ``demo-feed``): heartbeats keep the devices off the offline list, alerts group, cancel and promote like any
    other. Does not commit; a rerun of the same window stores nothing twice (alert ids are per window)."""
    rows = session.execute(
        select(AlertDevice.code, AlertDevice.kind).where(
            AlertDevice.county_code == COUNTY_CODE, AlertDevice.status != DeviceStatus.RETIRED.value
        )
    ).all()
    order = {kind.value: index for index, kind in enumerate(CODE_LETTERS)}
    devices = sorted(((code, kind) for code, kind in rows), key=lambda d: (order.get(d[1], 9), d[0]))
    payloads, heartbeats = feed_payloads(devices=devices, window_end=window_end, seed=seed)
    result = intake.ingest(
        session=session, payloads=payloads, source=FEED_SOURCE, county_code=COUNTY_CODE, received_at=now or utcnow()
    )
    return FeedWindow(heartbeats=heartbeats, alerts=len(payloads) - heartbeats, result=result)
