"""A citizen's QR report reaches the right grid's inbox (after the worker's auto-dispatch), and the cockpit's counts
move by themselves when events arrive."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from playwright.sync_api import Page, expect
from sqlalchemy import select

from fengqiao.citizen import places
from fengqiao.duty.roles import DutyRole
from fengqiao.events.models import Event
from tests.browser.conftest import SCREEN, LiveSite, horizontal_overflow, login, screenshot

# The form refuses submissions faster than a person can type (abuse guard); the test waits like a person.
MIN_FILL_SECONDS = 3.2


def test_a_citizen_qr_report_lands_in_that_grids_inbox(live_site: LiveSite, new_page: Callable[..., Page]) -> None:
    grid = live_site.unit_of(DutyRole.GRID_WORKER)
    other = live_site.other_grid(grid)
    with live_site.session() as session:
        token = places.code_for(session=session, grid=grid).token
        session.commit()

    citizen = new_page(phone=True)
    citizen.goto(live_site.url(f"/q/{token}"))
    expect(citizen.get_by_test_id("place-name")).to_contain_text(grid.name)
    text = "小区东门口的路灯坏了一个多星期，晚上出行很不方便，请尽快维修。"
    citizen.get_by_label("反映内容").fill(text)
    citizen.get_by_label("联系电话").fill("13857612345")
    assert horizontal_overflow(citizen) == 0
    screenshot(citizen, "citizen-report-phone")
    time.sleep(MIN_FILL_SECONDS)
    citizen.get_by_test_id("report-submit").click()
    code = citizen.get_by_test_id("dispute-code")
    expect(code).to_have_text(re.compile(r"WL"))
    assert horizontal_overflow(citizen) == 0
    screenshot(citizen, "citizen-answer-phone")

    live_site.run_jobs()  # the worker's auto-dispatch of a low-risk citizen report to its grid

    worker = new_page(phone=True)
    login(worker, live_site, DutyRole.GRID_WORKER)
    card = worker.get_by_test_id("event-card").filter(has_text="路灯")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("待签收")

    # It is placed in that grid, not the next one (the demo has one grid-worker login, so ask the database).
    with live_site.session() as session:
        event = session.scalars(select(Event).where(Event.content == text)).one()
        assert event.location_path.startswith(grid.path)
        assert not event.location_path.startswith(other.path)
        assert event.channel == "citizen_qr"


def _number(page: Page, testid: str) -> int:
    text = page.get_by_test_id(testid).inner_text()
    digits = re.sub(r"\D", "", text)
    return int(digits or 0)


def test_the_cockpit_counts_change_after_new_events_arrive(live_site: LiveSite, new_page: Callable[..., Page]) -> None:
    town = live_site.unit_of(DutyRole.COMMAND_DISPATCHER)
    grid = live_site.unit_of(DutyRole.GRID_WORKER)
    page = new_page(viewport=SCREEN)
    login(page, live_site, DutyRole.COMMAND_DISPATCHER)
    page.goto(live_site.url(f"/cockpit/{town.code}"))
    expect(page.get_by_test_id("cockpit-title")).to_contain_text(town.name)
    before_today = _number(page, "kpi-today")
    before_open = _number(page, "kpi-open")
    first_update = page.get_by_test_id("updated-at").inner_text()

    for title in ("两户因宅基地边界发生争执", "饭店油烟扰民多次协商未果"):
        live_site.register(grid=grid, title=title)

    # No reload: the page polls and redraws.
    expect(page.get_by_test_id("kpi-today")).not_to_have_text(str(before_today), timeout=30_000)
    assert _number(page, "kpi-today") == before_today + 2
    assert _number(page, "kpi-open") == before_open + 2
    assert page.get_by_test_id("updated-at").inner_text() != first_update
    assert horizontal_overflow(page) == 0
    screenshot(page, "cockpit-town-1920")

    # Clicking a village drills down.
    village_code = grid.path.strip("/").split("/")[2]
    page.get_by_test_id(f"child-{village_code}").get_by_role("link").first.click()
    page.wait_for_url(f"**/cockpit/{village_code}")
    expect(page.get_by_test_id("cockpit-title")).to_be_visible()
    assert _number(page, "kpi-today") >= 2
    screenshot(page, "cockpit-village-1920")
