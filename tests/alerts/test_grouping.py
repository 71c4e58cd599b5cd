"""The grouping state machine and the policy file, without a database (fixed clocks)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from fengqiao.alerts.devices import DeviceInfo
from fengqiao.alerts.grouping import (
    REASON_FLAPPING,
    GroupState,
    Hold,
    Incoming,
    SilenceRule,
    group_key,
    hold_for,
    start,
    step,
    takes,
)
from fengqiao.alerts.kinds import GroupStatus, Signal
from fengqiao.alerts.policy import AlertPolicyError, default_policy, load_policy

T0 = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
POLICY = default_policy()
SMOKE = POLICY.kind("smoke")
DROWNING = POLICY.kind("drowning")
KEY_PERSON = POLICY.kind("key_person")


def seconds(n: float) -> timedelta:
    return timedelta(seconds=n)


def alarm(at: datetime, level: str | None = None) -> Incoming:
    return Incoming(Signal.ALARM, at, level)


def cancel(at: datetime) -> Incoming:
    return Incoming(Signal.CANCEL, at)


def device(**overrides: object) -> DeviceInfo:
    values: dict[str, object] = {
        "id": 7,
        "county_code": "331081",
        "code": "SD-7",
        "kind": "smoke",
        "status": "active",
        "flapping": False,
        "building_id": None,
        "place": None,
        "grid_id": 3,
        "location_path": "331081/331081100/331081100200/331081100200001/",
    }
    values.update(overrides)
    return DeviceInfo(**values)  # type: ignore[arg-type]


def test_smoke_waits_for_the_cancel_window_then_is_due() -> None:
    received = T0 + seconds(2)
    state = start(SMOKE, alarm(T0), received_at=received)
    assert state.status == GroupStatus.PENDING
    assert state.due_at == received + seconds(60)


def test_smoke_cancelled_within_60_seconds_never_becomes_due() -> None:
    state = start(SMOKE, alarm(T0), received_at=T0)
    step(SMOKE, state, cancel(T0 + seconds(45)), received_at=T0 + seconds(45))
    assert state.status == GroupStatus.CANCELLED
    assert state.due_at is None
    assert (state.alarm_count, state.cancel_count, state.flaps) == (1, 1, 1)


def test_a_cancel_after_the_window_does_not_stop_a_late_sweep() -> None:
    state = start(SMOKE, alarm(T0), received_at=T0)
    step(SMOKE, state, cancel(T0 + seconds(75)), received_at=T0 + seconds(75))
    assert state.status == GroupStatus.PENDING
    assert state.due_at == T0 + seconds(60)


def test_an_alarm_again_rearms_a_cancelled_group() -> None:
    state = start(SMOKE, alarm(T0), received_at=T0)
    step(SMOKE, state, cancel(T0 + seconds(10)), received_at=T0 + seconds(10))
    step(SMOKE, state, alarm(T0 + seconds(100)), received_at=T0 + seconds(101))
    assert state.status == GroupStatus.PENDING
    assert state.armed_at == T0 + seconds(100)
    assert state.due_at == T0 + seconds(161)


def test_repeats_update_the_group_and_extend_its_window() -> None:
    state = start(SMOKE, alarm(T0), received_at=T0)
    for n in range(1, 4):
        assert takes(SMOKE, state, T0 + seconds(n * 100))
        step(SMOKE, state, alarm(T0 + seconds(n * 100)), received_at=T0 + seconds(n * 100))
    assert state.alert_count == 4
    assert state.last_at == T0 + seconds(300)
    assert state.window_ends_at == T0 + seconds(300 + SMOKE.window_seconds)
    assert state.due_at == T0 + seconds(60)  # repeats do not postpone the first due moment
    assert not takes(SMOKE, state, state.window_ends_at)


def test_a_flapping_device_is_suppressed_and_flagged() -> None:
    state = start(SMOKE, alarm(T0), received_at=T0)
    at = T0
    for signal in (cancel, alarm, cancel, alarm):
        at += seconds(5)
        step(SMOKE, state, signal(at), received_at=at)
    assert state.flaps == SMOKE.flap_threshold
    assert state.status == GroupStatus.SUPPRESSED
    assert state.reason == REASON_FLAPPING
    assert state.became_flapping
    assert state.due_at is None


def test_drowning_is_due_at_once() -> None:
    state = start(DROWNING, alarm(T0), received_at=T0 + seconds(1))
    assert state.status == GroupStatus.PENDING
    assert state.due_at == T0 + seconds(1)


def test_drowning_ignores_a_cancel() -> None:
    state = start(DROWNING, alarm(T0), received_at=T0)
    step(DROWNING, state, cancel(T0 + seconds(3)), received_at=T0 + seconds(3))
    assert state.status == GroupStatus.PENDING


def test_key_person_is_listed_unless_high_risk() -> None:
    low = start(KEY_PERSON, alarm(T0, "medium"), received_at=T0)
    assert low.status == GroupStatus.LISTED
    assert low.due_at is None
    high = start(KEY_PERSON, alarm(T0, "high"), received_at=T0)
    assert high.status == GroupStatus.PENDING
    assert high.due_at == T0
    # A listed group whose person is then seen at high risk becomes due at once.
    step(KEY_PERSON, low, alarm(T0 + seconds(30), "high"), received_at=T0 + seconds(31))
    assert low.status == GroupStatus.PENDING
    assert low.due_at == T0 + seconds(31)
    assert low.level == "high"


def test_a_hold_keeps_counting_but_never_arms() -> None:
    hold = Hold(GroupStatus.SILENCED, "维护静默期内", silence_id=5)
    state = start(SMOKE, alarm(T0), received_at=T0, hold=hold)
    step(SMOKE, state, alarm(T0 + seconds(5)), received_at=T0 + seconds(5))
    assert state.status == GroupStatus.SILENCED
    assert state.silence_id == 5
    assert state.due_at is None
    assert state.alert_count == 2


def test_a_promoted_group_takes_repeats_until_its_result() -> None:
    state = GroupState(
        status=GroupStatus.PROMOTED,
        last_signal=Signal.ALARM,
        first_at=T0,
        last_at=T0,
        window_ends_at=T0 + seconds(SMOKE.window_seconds),
    )
    later = T0 + seconds(SMOKE.window_seconds + 600)
    assert takes(SMOKE, state, later)
    state.result = "real"
    assert not takes(SMOKE, state, later)


def test_silences_match_device_area_kind_and_period() -> None:
    end = T0 + timedelta(hours=2)
    by_device = SilenceRule(1, 7, None, None, T0, end)
    by_area = SilenceRule(2, None, "331081/331081100/", "smoke", T0, end)
    other_area = SilenceRule(3, None, "331081/331081101/", None, T0, end)
    assert by_device.covers(device(), "smoke", T0)
    assert not by_device.covers(device(id=8), "smoke", T0)
    assert by_area.covers(device(id=8), "smoke", T0 + seconds(10))
    assert not by_area.covers(device(id=8), "drowning", T0)
    assert not by_area.covers(device(id=8), "smoke", end)
    assert not other_area.covers(device(), "smoke", T0)
    assert hold_for(device(), "smoke", [other_area, by_area], T0) == Hold(GroupStatus.SILENCED, "维护静默期内", 2)
    assert hold_for(device(status="maintenance"), "smoke", [], T0) is not None
    assert hold_for(device(flapping=True), "smoke", [], T0) is not None
    assert hold_for(device(), "smoke", [], T0) is None


def test_cameras_group_by_place() -> None:
    one = device(id=1, kind="drowning", place="东湖水库北岸")
    two = device(id=2, kind="drowning", place="东湖水库北岸")
    assert group_key(DROWNING, one) == group_key(DROWNING, two)
    assert group_key(SMOKE, device(id=1, place="x")) != group_key(SMOKE, device(id=2, place="x"))


def test_policy_file_is_checked(tmp_path: Path) -> None:
    text = (Path(__file__).parents[2] / "fengqiao" / "alerts" / "policy.toml").read_text(encoding="utf-8")
    bad = tmp_path / "policy.toml"
    bad.write_text(text.replace("delay_seconds = 60", "delay_seconds = 900"), encoding="utf-8")
    with pytest.raises(AlertPolicyError, match="window_seconds"):
        load_policy(bad)
    missing = tmp_path / "missing.toml"
    missing.write_text(text.split("[kinds.key_person]")[0], encoding="utf-8")
    with pytest.raises(AlertPolicyError, match="key_person"):
        load_policy(missing)
