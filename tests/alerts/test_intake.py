"""Intake: validation into dead letters, idempotency on (device, alert id), heartbeats, grouping in the database."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fengqiao.alerts import devices, silences
from fengqiao.alerts.intake import IngestResult, ingest
from fengqiao.alerts.kinds import DeviceStatus, GroupStatus
from fengqiao.alerts.models import Alert, AlertDeadLetter, AlertDevice, AlertGroup
from fengqiao.core.clock import overridden
from fengqiao.jobs.models import Job
from tests.alerts.conftest import T0, AlertWorld, message


def run(db: Session, payloads: Sequence[object], *, seconds: float = 1, county: str | None = "331081") -> IngestResult:
    return ingest(
        session=db,
        payloads=payloads,  # type: ignore[arg-type]  # bad payloads on purpose
        source="test",
        county_code=county,
        received_at=T0 + timedelta(seconds=seconds),
    )


def count(db: Session, model: type[object]) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_the_same_alert_twice_is_stored_once(aw: AlertWorld, db: Session) -> None:
    first = run(db, [message("SD-1", "a-1"), json.dumps(message("SD-1", "a-1"))])
    assert first == IngestResult(accepted=1, duplicates=1, dead_letters=0, heartbeats=0)
    again = run(db, [json.dumps(message("SD-1", "a-1")).encode()], seconds=5)
    assert again == IngestResult(accepted=0, duplicates=1, dead_letters=0, heartbeats=0)
    assert count(db, Alert) == 1
    group = db.scalars(select(AlertGroup)).one()
    assert group.alert_count == 1  # a redelivery changes nothing
    alert = db.scalars(select(Alert)).one()
    assert alert.group_id == group.id
    assert alert.received_at == T0 + timedelta(seconds=1)
    assert alert.grouped_at is not None
    # The same vendor id on another device is another alert.
    assert run(db, [message("SD-2", "a-1")]).accepted == 1


def test_bad_messages_go_to_dead_letters_with_reasons(aw: AlertWorld, db: Session) -> None:
    aw.device["SD-2"].status = DeviceStatus.RETIRED.value
    db.flush()
    payloads: list[object] = [
        b"{not json",
        "[1, 2]",
        message("NOPE-1", "x"),
        {"device": "SD-1", "kind": "smoke", "signal": "alarm", "at": T0.isoformat()},
        message("SD-1", "x", kind="drowning"),
        message("SD-1", "x", at=T0 + timedelta(hours=1)),
        {"device": "SD-1", "alert_id": "x", "kind": "smoke", "signal": "alarm", "at": "2026-11-22T08:00:00"},
        message("SD-1", "x", signal="explode"),
        message("SD-2", "x"),
        {**message("SD-1", "x"), "level": "extreme"},
        {**message("SD-1", "x"), "data": [1]},
        message("SD-1", "good"),
    ]
    result = run(db, payloads)
    assert result == IngestResult(accepted=1, duplicates=0, dead_letters=11, heartbeats=0)
    reasons = db.scalars(select(AlertDeadLetter.reason_code)).all()
    assert sorted(reasons) == sorted(
        [
            "bad_json",
            "not_an_object",
            "unknown_device",
            "missing_alert_id",
            "kind_mismatch",
            "time_in_future",
            "naive_time",
            "invalid_signal",
            "device_retired",
            "invalid_level",
            "invalid_data",
        ]
    )
    letter = db.scalars(select(AlertDeadLetter).where(AlertDeadLetter.reason_code == "bad_json")).one()
    assert letter.payload == "{not json"
    assert letter.source == "test"
    assert letter.county_code == "331081"
    unknown = db.scalars(select(AlertDeadLetter).where(AlertDeadLetter.reason_code == "unknown_device")).one()
    assert unknown.device_code == "NOPE-1"
    assert "未登记" in unknown.reason


def test_devices_of_another_county_are_unknown_to_its_integration(aw: AlertWorld, db: Session) -> None:
    devices.bulk_register(session=db, county_code="331082", rows=[{"code": "SD-1", "kind": "smoke"}])
    assert run(db, [message("SD-1", "a")], county="331099").dead_letters == 1
    # Without a county the code is ambiguous between two counties: refused rather than guessed.
    ambiguous = run(db, [message("SD-1", "b")], county=None)
    assert ambiguous.dead_letters == 1
    assert db.scalars(select(AlertDeadLetter.reason_code).order_by(AlertDeadLetter.id.desc())).first() == (
        "ambiguous_device"
    )
    assert run(db, [message("SD-1", "c")]).accepted == 1


def test_heartbeats_touch_the_device_and_are_not_stored(aw: AlertWorld, db: Session) -> None:
    device = aw.device["SD-1"]
    device.offline_since = T0 - timedelta(days=1)
    db.flush()
    result = run(db, [message("SD-1", None, signal="heartbeat"), message("SD-1", "hb-2", signal="heartbeat")])
    assert result == IngestResult(accepted=0, duplicates=0, dead_letters=0, heartbeats=2)
    db.expire_all()
    assert device.last_heartbeat_at == T0 + timedelta(seconds=1)
    assert device.last_seen_at == T0 + timedelta(seconds=1)
    assert device.offline_since is None
    assert count(db, Alert) == 0


def test_repeats_update_one_group(aw: AlertWorld, db: Session) -> None:
    run(db, [message("SD-1", "a-1"), message("SD-1", "a-2", at=T0 + timedelta(seconds=20))])
    run(db, [message("SD-1", "a-3", at=T0 + timedelta(seconds=40))], seconds=41)
    group = db.scalars(select(AlertGroup)).one()
    assert (group.alert_count, group.alarm_count, group.status) == (3, 3, GroupStatus.PENDING.value)
    assert group.last_at == T0 + timedelta(seconds=40)
    assert group.due_at == T0 + timedelta(seconds=61)
    assert group.open_key is not None
    # The promotion sweep is armed for the due moment (rounded up to the bucket), once.
    sweeps = db.scalars(
        select(Job).where(Job.kind == "alerts.promotion", Job.dedupe_key.not_like("alerts:sweep:periodic:%"))
    ).all()
    assert [j.run_at for j in sweeps] == [T0 + timedelta(seconds=65)]
    # After the window a new group opens and the old one is closed.
    later = T0 + timedelta(seconds=40 + 600)
    run(db, [message("SD-1", "a-4", at=later)], seconds=641)
    db.expire_all()
    groups = db.scalars(select(AlertGroup).order_by(AlertGroup.id)).all()
    assert len(groups) == 2
    assert groups[0].open_key is None
    assert groups[0].closed_at is not None
    assert groups[1].open_key == groups[0].group_key


def test_cameras_on_one_place_share_a_group(aw: AlertWorld, db: Session) -> None:
    run(db, [message("DR-1", "d-1", kind="drowning"), message("DR-2", "d-2", kind="drowning")])
    group = db.scalars(select(AlertGroup)).one()
    assert group.alert_count == 2
    assert group.due_at == T0 + timedelta(seconds=1)


def test_a_cancel_within_the_window_cancels_the_group_and_flapping_flags_the_device(
    aw: AlertWorld, db: Session
) -> None:
    run(db, [message("SD-1", "a-1"), message("SD-1", "c-1", signal="cancel", at=T0 + timedelta(seconds=30))])
    group = db.scalars(select(AlertGroup)).one()
    assert group.status == GroupStatus.CANCELLED.value
    assert group.due_at is None
    batch = []
    for n in range(2, 5):
        batch.append(message("SD-1", f"a-{n}", at=T0 + timedelta(seconds=30 + n * 10)))
        batch.append(message("SD-1", f"c-{n}", signal="cancel", at=T0 + timedelta(seconds=35 + n * 10)))
    run(db, batch, seconds=90)
    db.refresh(group)
    assert group.status == GroupStatus.SUPPRESSED.value
    device = db.get(AlertDevice, aw.device["SD-1"].id)
    assert device is not None
    db.refresh(device)
    assert device.flapping_since == T0 + timedelta(seconds=90)
    # Its next group is suppressed from the start, until maintenance clears the flag.
    run(db, [message("SD-1", "a-9", at=T0 + timedelta(hours=2))], seconds=7201)
    latest = db.scalars(select(AlertGroup).order_by(AlertGroup.id.desc())).first()
    assert latest is not None
    assert latest.status == GroupStatus.SUPPRESSED.value


def test_a_silence_keeps_alerts_but_holds_the_group(aw: AlertWorld, db: Session) -> None:
    viewer = aw.world.viewer("town_dispatcher")
    with overridden(lambda: T0 - timedelta(minutes=5)):
        area = silences.create_silence(
            session=db,
            viewer=viewer,
            reason="消防设施检修",
            unit_code=aw.world.grid.code,
            ends_at=T0 + timedelta(hours=1),
        )
    result = run(db, [message("SD-1", "a-1"), message("DR-1", "d-1", kind="drowning")])
    assert result.accepted == 2
    smoke = db.scalars(select(AlertGroup).where(AlertGroup.kind == "smoke")).one()
    drowning = db.scalars(select(AlertGroup).where(AlertGroup.kind == "drowning")).one()
    assert (smoke.status, smoke.silence_id, smoke.due_at) == (GroupStatus.SILENCED.value, area.id, None)
    assert drowning.status == GroupStatus.PENDING.value  # another grid: not covered


def test_test_signals_are_stored_without_a_group(aw: AlertWorld, db: Session) -> None:
    assert run(db, [message("SD-1", "t-1", signal="test")]).accepted == 1
    alert = db.scalars(select(Alert)).one()
    assert alert.group_id is None
    assert alert.grouped_at is not None
    assert count(db, AlertGroup) == 0


def test_stored_values_read_back_as_sent(aw: AlertWorld, db: Session) -> None:
    """The bulk inserts write moments and JSON themselves (arrays on PostgreSQL, raw VALUES on SQLite): what the
    models read back must be what was sent."""
    china = T0.astimezone(timezone(timedelta(hours=8)))
    data = {"温度": 61.5, "zone": [1, 2], "serial": 2**70}  # an integer beyond 64 bits, as an HTTP body may carry
    with_data = {**message("SD-1", "d-1", at=china, level="high"), "data": data}
    assert run(db, [with_data, message("SD-2", "d-2")]).accepted == 2
    db.expire_all()
    alerts = {a.alert_id: a for a in db.scalars(select(Alert))}
    assert alerts["d-1"].data == data
    assert alerts["d-1"].at == T0
    assert alerts["d-1"].level == "high"
    assert alerts["d-2"].data is None
    assert alerts["d-2"].level is None
    assert alerts["d-2"].received_at == alerts["d-2"].grouped_at == T0 + timedelta(seconds=1)
    group = db.get(AlertGroup, alerts["d-1"].group_id)
    assert group is not None
    assert group.first_at == group.last_at == T0
    assert group.created_at == group.updated_at == T0 + timedelta(seconds=1)
    assert group.open_key == group.group_key
    assert group.closed_at is None
