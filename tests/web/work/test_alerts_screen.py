"""The sensor-alert screens: the grid worker's 三必到 cards (inbox and their own page) with acknowledge, arrive and
result; scoping of cards and devices to the viewer's territory; the command room's live groups and maintenance
silences; the device list, detail, import (with per-row Chinese errors) and the maintenance list."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from fengqiao.alerts import dispatch, intake
from fengqiao.alerts.kinds import AlertResult
from fengqiao.alerts.models import AlertDevice, AlertDispatch, AlertGroup, AlertSilence
from fengqiao.core.clock import CHINA_TZ, utcnow
from fengqiao.events.models import Event
from tests.alerts.conftest import AlertWorld, make_alert_world
from tests.events.world import World
from tests.web.work.conftest import login_as


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    # Devices are cached per process by database URL; rolled-back rows must not leak between tests.
    intake.clear_caches()
    yield
    intake.clear_caches()


@pytest.fixture
def aw(db: Session) -> AlertWorld:
    return make_alert_world(db)


@pytest.fixture
def world(aw: AlertWorld) -> World:
    return aw.world


def _alarm(aw: AlertWorld, code: str, kind: str, alert_id: str) -> AlertDispatch:
    """An alarm of ``code`` now, promoted by the sweeper (after smoke's cancel window) into a dispatch."""
    now = utcnow()
    body = {"device": code, "alert_id": alert_id, "kind": kind, "signal": "alarm", "at": now.isoformat()}
    result = intake.ingest(session=aw.session, payloads=[body], source="test", county_code="331081")
    assert result.accepted == 1
    dispatch.sweep(session=aw.session, now=now + timedelta(seconds=90))
    group = aw.session.scalars(select(AlertGroup).where(AlertGroup.device_id == aw.device[code].id)).one()
    return aw.session.scalars(select(AlertDispatch).where(AlertDispatch.group_id == group.id)).one()


@pytest.fixture
def smoke(aw: AlertWorld) -> AlertDispatch:
    return _alarm(aw, "SD-1", "smoke", "a-1")


def test_the_grid_worker_acts_on_a_card_from_the_inbox(
    client: TestClient, aw: AlertWorld, smoke: AlertDispatch, db: Session
) -> None:
    login_as(client, aw.world, "grid_worker")
    inbox = client.get("/work").text
    assert 'data-testid="inbox-alerts"' in inbox
    assert 'data-testid="nav-alert_duty"' in inbox
    assert 'data-testid="nav-alerts"' not in inbox
    assert "泽国镇文昌路88号" in inbox  # where to go: the device's address
    assert 'data-testid="alert-ack"' in inbox
    assert "三必到" in inbox

    answer = client.post(
        f"/work/alerts/dispatches/{smoke.id}/acknowledge",
        data={"version": str(smoke.version), "back": "/work"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/work"
    db.refresh(smoke)
    assert smoke.acknowledged_at is not None
    page = client.get("/work/alerts/duty").text
    assert 'data-testid="alert-arrive"' in page

    answer = client.post(f"/work/alerts/dispatches/{smoke.id}/arrive", data={"back": "/work/alerts/duty"})
    assert answer.status_code == 200  # followed to the 三必到 page
    db.refresh(smoke)
    assert smoke.arrived_at is not None
    assert smoke.arrived_late is False
    assert 'data-testid="alert-result-false_alarm"' in answer.text

    answer = client.post(
        f"/work/alerts/dispatches/{smoke.id}/result",
        data={"result": "false_alarm", "note": "厨房油烟误触发", "back": "/work/alerts/duty"},
    )
    assert answer.status_code == 200
    assert 'data-testid="alerts-none"' in answer.text
    db.refresh(smoke)
    assert smoke.result == AlertResult.FALSE_ALARM.value
    assert smoke.result_note == "厨房油烟误触发"
    event = db.get(Event, smoke.event_id)
    assert event is not None
    assert any("误报" in (a.note or "") for a in event.actions)
    assert 'data-testid="inbox-alerts"' not in client.get("/work").text

    # A second result is refused with a Chinese message, not an error page of the server.
    again = client.post(f"/work/alerts/dispatches/{smoke.id}/result", data={"result": "real"})
    assert again.status_code in (404, 409)

    login_as(client, aw.world, "town_dispatcher")
    maintenance = client.get("/work/devices/maintenance").text
    assert 'data-testid="rate-device-row" data-device-code="SD-1"' in maintenance
    assert "100%" in maintenance
    assert 'id="rate-chart"' in maintenance
    detail = client.get(f"/work/devices/{aw.device['SD-1'].id}").text
    assert "误报1" in detail


def test_a_bad_result_is_a_chinese_message(client: TestClient, aw: AlertWorld, smoke: AlertDispatch) -> None:
    login_as(client, aw.world, "grid_worker")
    answer = client.post(f"/work/alerts/dispatches/{smoke.id}/result", data={"result": "maybe"})
    assert answer.status_code == 409
    assert "处置结果应为真实警情、误报或测试" in answer.text


def test_cards_and_devices_are_scoped_to_the_viewers_grid(
    client: TestClient, aw: AlertWorld, smoke: AlertDispatch, db: Session
) -> None:
    login_as(client, aw.world, "other_grid_worker")
    assert 'data-testid="inbox-alerts"' not in client.get("/work").text
    assert 'data-testid="alerts-none"' in client.get("/work/alerts/duty").text
    refused = client.post(f"/work/alerts/dispatches/{smoke.id}/acknowledge", data={})
    assert refused.status_code == 404
    db.refresh(smoke)
    assert smoke.acknowledged_at is None
    assert 'data-testid="device-row"' not in client.get("/work/devices").text
    assert client.get(f"/work/devices/{aw.device['SD-1'].id}").status_code == 404

    login_as(client, aw.world, "grid_worker")
    listing = client.get("/work/devices").text
    shown = {code for code in aw.device if f'data-device-code="{code}"' in listing}
    in_grid = {c for c, d in aw.device.items() if d.grid_id == aw.world.grid.id}
    assert shown == in_grid
    assert {"SD-1", "SD-2"} <= shown
    assert "DR-1" not in shown  # the reservoir camera belongs to the neighbouring grid
    assert client.get(f"/work/devices/{aw.device['DR-1'].id}").status_code == 404
    # Grid workers read the registry but do not import into it nor silence alerts.
    assert client.get("/work/devices/import").status_code == 403
    assert client.post("/work/alerts/silences", data={"reason": "x"}).status_code == 403

    login_as(client, aw.world, "town_dispatcher")
    town = client.get("/work/devices").text
    assert all(f'data-device-code="{code}"' in town for code in aw.device)
    assert client.get("/work/devices?kind=drowning").text.count('data-testid="device-row"') == 2
    assert client.get("/work/devices?code=SD").text.count('data-testid="device-row"') == 2


def test_the_command_room_shows_groups_live_and_links_the_event(
    client: TestClient, aw: AlertWorld, smoke: AlertDispatch
) -> None:
    login_as(client, aw.world, "town_dispatcher")
    page = client.get("/work/alerts")
    assert page.status_code == 200
    assert 'data-testid="nav-alerts"' in page.text
    assert 'data-testid="nav-devices"' in page.text
    assert 'hx-trigger="every 10s"' in page.text
    assert f'href="/work/events/{smoke.event_id}"' in page.text
    assert "已转事件" in page.text
    live = client.get("/work/alerts/groups?kind=smoke", headers={"HX-Request": "true"})
    assert live.status_code == 200
    assert live.text.lstrip().startswith('<section class="card" id="alert-groups"')
    assert 'data-testid="group-row"' in live.text
    assert 'data-testid="group-row"' not in client.get("/work/alerts/groups?kind=drowning").text
    assert 'data-testid="tally-promoted">1<' in live.text


def test_silences_are_set_listed_and_ended(client: TestClient, aw: AlertWorld, db: Session) -> None:
    login_as(client, aw.world, "town_dispatcher")
    ends = (utcnow() + timedelta(hours=2)).astimezone(CHINA_TZ).strftime("%Y-%m-%dT%H:%M")
    answer = client.post(
        "/work/alerts/silences",
        data={"target": "device", "device_code": "SD-2", "ends_at": ends, "reason": "设备检修", "kind": "smoke"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    answer = client.post(
        "/work/alerts/silences",
        data={"target": "unit", "unit_code": aw.world.village.code, "ends_at": ends, "reason": "消防演练"},
    )
    assert answer.status_code == 200
    assert "已设置维护静默" in answer.text
    assert answer.text.count('data-testid="silence-row"') == 2
    assert "设备 SD-2" in answer.text
    assert f"区域 {aw.world.village.name}" in answer.text
    device_silence = db.scalars(select(AlertSilence).where(AlertSilence.device_id == aw.device["SD-2"].id)).one()
    assert device_silence.ends_at.astimezone(CHINA_TZ).strftime("%Y-%m-%dT%H:%M") == ends

    # Bad input comes back as a Chinese message with the form kept.
    bad = client.post("/work/alerts/silences", data={"target": "device", "device_code": "SD-2", "ends_at": ends})
    assert bad.status_code == 422
    assert "请填写静默原因" in bad.text
    unknown = client.post(
        "/work/alerts/silences", data={"target": "device", "device_code": "NOPE", "ends_at": ends, "reason": "x"}
    )
    assert unknown.status_code == 422
    assert "辖区内未找到设备“NOPE”" in unknown.text
    past = (utcnow() - timedelta(hours=1)).astimezone(CHINA_TZ).strftime("%Y-%m-%dT%H:%M")
    late = client.post(
        "/work/alerts/silences", data={"target": "device", "device_code": "SD-2", "ends_at": past, "reason": "x"}
    )
    assert "结束时间须晚于开始时间和当前时间" in late.text

    # The other town's dispatcher neither sees nor ends them.
    login_as(client, aw.world, "other_town_dispatcher")
    assert 'data-testid="silence-row"' not in client.get("/work/alerts").text
    assert client.post(f"/work/alerts/silences/{device_silence.id}/delete").status_code == 404

    login_as(client, aw.world, "town_dispatcher")
    ended = client.post(f"/work/alerts/silences/{device_silence.id}/delete")
    assert "已结束维护静默" in ended.text
    assert ended.text.count('data-testid="silence-row"') == 1
    db.refresh(device_silence)
    assert device_silence.deleted_at is not None


def test_import_reports_rows_with_errors_and_registers_the_rest(
    client: TestClient, aw: AlertWorld, db: Session
) -> None:
    login_as(client, aw.world, "town_dispatcher")
    page = client.get("/work/devices/import")
    assert page.status_code == 200
    assert 'href="/work/devices/import/template.xlsx"' in page.text
    template = client.get("/work/devices/import/template.csv")
    assert template.content.startswith("\ufeff设备编号,设备类型".encode())
    workbook = load_workbook(io.BytesIO(client.get("/work/devices/import/template.xlsx").content))
    assert [c.value for c in workbook.active[1]][:2] == ["设备编号", "设备类型"]  # type: ignore[index]

    csv_text = (
        "设备编号,设备类型,设备名称,楼栋/地址\n"
        "SD-100,烟感,1楼大厅烟感,泽国镇文昌路88号\n"
        "SD-101,烟雾,2楼烟感,泽国镇文昌路88号\n"
        ",烟感,无编号,\n"
        "SD-1,烟感,3楼走廊烟感（更新）,泽国镇文昌路88号\n"
    )
    answer = client.post("/work/devices/import", files={"file": ("设备.csv", csv_text.encode("utf-8"), "text/csv")})
    assert answer.status_code == 200
    text = answer.text
    assert 'data-testid="import-created">1<' in text
    assert 'data-testid="import-updated">1<' in text
    assert 'data-testid="import-errors">2<' in text
    # Each bad row with its spreadsheet row number (the header is row 1) and the reason in Chinese.
    assert re.search(r"第3行</td><td[^>]*>设备类型“烟雾”无法识别", text)
    assert re.search(r"第4行</td><td[^>]*>设备编号不能为空", text)
    added = db.scalars(select(AlertDevice).where(AlertDevice.code == "SD-100")).one()
    assert added.grid_id == aw.world.grid.id

    wrong = client.post("/work/devices/import", files={"file": ("设备.pdf", b"%PDF", "application/pdf")})
    assert wrong.status_code == 422
    assert "仅支持CSV或Excel" in wrong.text


def test_the_device_detail_shows_heartbeat_and_recent_alerts(
    client: TestClient, aw: AlertWorld, smoke: AlertDispatch, db: Session
) -> None:
    device = aw.device["SD-1"]
    device.last_heartbeat_at = datetime(2026, 11, 22, 7, 30, 5, tzinfo=UTC)
    db.flush()
    login_as(client, aw.world, "town_dispatcher")
    page = client.get(f"/work/devices/{device.id}").text
    assert "3楼走廊烟感" in page
    assert 'data-testid="device-group"' in page
    assert "报警" in page
    assert 'data-testid="device-heartbeat">2026-11-22 15:30:05<' in page
    answer = client.post(f"/work/devices/{device.id}/status", data={"status": "maintenance"})
    assert answer.status_code == 200
    db.refresh(device)
    assert device.status == "maintenance"
    maintenance = client.get("/work/devices/maintenance").text
    assert 'data-testid="maintenance-row" data-device-code="SD-1"' in maintenance
    assert "维修中" in maintenance
