"""Sensor alerts in a real browser: a drowning alert posted to the webhook with the demo integration token is promoted
by the worker's job into an event for the grid; the grid worker, on a 375 px phone, sees the 三必到 card at the top of
the inbox, acknowledges, arrives and records 误报; the town's command room (1920 px) sees the group resolved and the
maintenance list shows the device's false-alarm rate."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
from playwright.sync_api import Page, expect
from sqlalchemy import select

from fengqiao.alerts import devices
from fengqiao.alerts.models import AlertDevice, AlertDispatch, AlertGroup
from fengqiao.basedata.models import Building
from fengqiao.core.clock import utcnow
from fengqiao.demo.devices import DEMO_ALERT_TOKEN
from fengqiao.duty.roles import DutyRole
from fengqiao.jurisdiction.models import Unit
from tests.browser.conftest import SCREEN, LiveSite, horizontal_overflow, login, screenshot

CODE = "331081-DR-990001"
PLACE = "东湖水库北岸"


def _camera(site: LiveSite, grid: Unit) -> AlertDevice:
    """A water-area camera at a building of the grid worker's grid (registered as an import would)."""
    with site.session() as session:
        building = session.scalars(select(Building).where(Building.grid_id == grid.id).order_by(Building.id)).first()
        assert building is not None
        result = devices.bulk_register(
            session=session,
            county_code="331081",
            rows=[{"code": CODE, "kind": "drowning", "building_id": building.id, "place": PLACE, "name": "1号球机"}],
        )
        assert not result.errors
        session.commit()
        return session.scalars(select(AlertDevice).where(AlertDevice.code == CODE)).one()


def _promoted(site: LiveSite, device: AlertDevice) -> AlertDispatch:
    """Run the worker until the sweep job (armed for the next 5-second bucket) has promoted the group."""
    deadline = time.monotonic() + 30
    while True:
        site.run_jobs()
        with site.session() as session:
            found = session.scalars(select(AlertDispatch).where(AlertDispatch.device_id == device.id)).first()
            if found is not None:
                return found
        if time.monotonic() > deadline:
            raise AssertionError("the worker did not promote the drowning alert")
        time.sleep(0.5)


def test_a_drowning_alert_reaches_the_grid_worker_and_its_false_alarm_the_maintenance_list(
    live_site: LiveSite, new_page: Callable[..., Page]
) -> None:
    grid = live_site.unit_of(DutyRole.GRID_WORKER)
    device = _camera(live_site, grid)
    message = {
        "device": CODE,
        "alert_id": "hik-20261122-0001",
        "kind": "drowning",
        "signal": "alarm",
        "at": utcnow().isoformat(),
        "data": {"confidence": 0.93},
    }
    url = live_site.url("/api/v1/alerts/ingest")
    refused = httpx.post(url, json=message, headers={"Authorization": "Bearer fqa_wrong"})
    assert refused.status_code == 401
    answer = httpx.post(url, json=message, headers={"Authorization": f"Bearer {DEMO_ALERT_TOKEN}"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["accepted"] == 1
    again = httpx.post(url, json=[message], headers={"Authorization": f"Bearer {DEMO_ALERT_TOKEN}"})
    assert again.json()["duplicates"] == 1
    sent = _promoted(live_site, device)
    assert sent.grid_id == grid.id

    # The grid worker on a phone: the 三必到 card heads the inbox, with the place and the countdown.
    phone = new_page(phone=True)
    login(phone, live_site, DutyRole.GRID_WORKER)
    section = phone.get_by_test_id("inbox-alerts")
    expect(section).to_be_visible()
    card = phone.get_by_test_id("alert-card").filter(has_text=PLACE)
    expect(card).to_be_visible()
    expect(card).to_contain_text("溺水")
    expect(card.get_by_test_id("alert-deadline")).to_contain_text("前到场")
    expect(card.locator(".ac-countdown")).to_contain_text("剩余")
    top = phone.evaluate(
        "[document.querySelector('[data-testid=inbox-alerts]').getBoundingClientRect().top,"
        " (document.querySelector('[data-testid=event-card]') || document.body).getBoundingClientRect().top]"
    )
    assert top[0] <= top[1]  # above the inbox's events
    assert horizontal_overflow(phone) == 0
    screenshot(phone, "alerts-inbox-card-375")

    card.get_by_test_id("alert-ack").click()
    card = phone.get_by_test_id("alert-card").filter(has_text=PLACE)
    expect(card.get_by_test_id("alert-arrive")).to_be_visible()
    card.get_by_test_id("alert-arrive").click()
    card = phone.get_by_test_id("alert-card").filter(has_text=PLACE)
    expect(card.get_by_test_id("alert-result-false_alarm")).to_be_visible()
    expect(card).to_contain_text("到场")
    assert horizontal_overflow(phone) == 0
    screenshot(phone, "alerts-card-arrived-375")
    card.get_by_label("处置说明").fill("水面漂浮物触发，现场无人落水")
    card.get_by_test_id("alert-result-false_alarm").click()
    expect(phone.get_by_test_id("alert-card").filter(has_text=PLACE)).to_have_count(0)
    phone.goto(live_site.url("/work/alerts/duty"))
    expect(phone.get_by_test_id("alerts-none")).to_be_visible()
    # The grid's devices on the phone: the camera is listed (the registry is scoped to the grid).
    phone.goto(live_site.url("/work/devices"))
    expect(phone.get_by_test_id("device-row").filter(has_text=CODE)).to_be_visible()
    assert horizontal_overflow(phone) == 0
    screenshot(phone, "alerts-devices-375")
    with live_site.session() as session:
        done = session.get_one(AlertDispatch, sent.id)
        assert (done.result, done.arrived_late) == ("false_alarm", False)
        assert session.get_one(AlertGroup, done.group_id).status == "resolved"

    # The town's command room on a wide screen: the group resolved, linked to its event.
    desk = new_page(viewport=SCREEN)
    login(desk, live_site, DutyRole.COMMAND_DISPATCHER)
    desk.goto(live_site.url("/work/alerts"))
    row = desk.get_by_test_id("group-row").filter(has_text=PLACE)
    expect(row.get_by_test_id("group-status")).to_have_text("已处置")
    expect(row.get_by_test_id("group-event")).to_have_attribute("href", f"/work/events/{sent.event_id}")
    assert horizontal_overflow(desk) == 0
    screenshot(desk, "alerts-command-room-1920")

    desk.goto(live_site.url("/work/devices/maintenance"))
    rate = desk.get_by_test_id("rate-device-row").filter(has_text=CODE)
    expect(rate.get_by_test_id("rate-device-value")).to_have_text("100%")
    expect(desk.locator("#rate-chart svg")).to_be_visible()
    expect(desk.get_by_test_id("maintenance-row").first).to_be_visible()  # the demo's offline/flapping devices
    assert horizontal_overflow(desk) == 0
    screenshot(desk, "alerts-maintenance-1920")

    desk.goto(live_site.url(f"/work/devices?code={CODE}"))
    desk.get_by_test_id("device-row").get_by_role("link").click()
    expect(desk.get_by_test_id("device-rate")).to_contain_text("100%")
    screenshot(desk, "alerts-device-1920")
