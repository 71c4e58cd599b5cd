"""The closed loop in a real browser: a front-desk registration with address autocomplete, dispatch to a grid, the
grid worker accepting and reporting back on a phone, review and closure, and the citizen reading 已办结 by dispute
code and the last four digits of the phone."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect
from sqlalchemy import select

from fengqiao.basedata.models import Building
from fengqiao.duty.roles import DutyRole
from tests.browser.conftest import LiveSite, horizontal_overflow, login, screenshot

PHONE = "13905761234"


def _building_in(site: LiveSite, grid_id: int) -> Building:
    with site.session() as session:
        return session.scalars(select(Building).where(Building.grid_id == grid_id).order_by(Building.id).limit(1)).one()


def _act(page: Page, action: str, note: str | None = None) -> None:
    page.get_by_test_id(f"action-{action}").click()
    form = page.locator("form").filter(has=page.get_by_test_id(f"action-{action}-submit"))
    if note is not None:
        form.locator("textarea[name=note]").fill(note)
    form.get_by_test_id(f"action-{action}-submit").click()


def test_registration_dispatch_phone_handling_review_close_and_citizen_progress(
    live_site: LiveSite, new_page: Callable[..., Page]
) -> None:
    grid = live_site.unit_of(DutyRole.GRID_WORKER)
    building = _building_in(live_site, grid.id)

    # The front desk of the town's command room registers a visit.
    desk = new_page()
    login(desk, live_site, DutyRole.COMMAND_DISPATCHER)
    desk.get_by_test_id("nav-register").click()
    desk.get_by_label("受理类型").select_option("mediation")
    desk.get_by_label("事项标题").fill("楼上卫生间漏水引发邻里纠纷")
    desk.get_by_label("事项内容").fill("楼上卫生间漏水至楼下天花板，双方协商赔偿未果，楼下住户来中心请求调解。")
    desk.locator("#party-0-name").fill("陈海燕")
    desk.locator("#party-0-phone").fill(PHONE)
    desk.get_by_label("事发地址").fill(building.standard_address[:-2])
    suggestion = desk.get_by_test_id("address-suggestion").filter(has_text=building.standard_address).first
    suggestion.click()
    expect(desk.get_by_test_id("address-picked")).to_contain_text(grid.name)
    expect(desk.get_by_label("事发地址")).to_have_value(building.standard_address)
    screenshot(desk, "register-desk")
    desk.get_by_test_id("register-submit").click()
    desk.wait_for_url("**/work/events/*")
    code = desk.get_by_test_id("event-dispute-code").inner_text().strip()
    assert code.startswith("WL")
    expect(desk.get_by_text("楼上卫生间漏水引发邻里纠纷").first).to_be_visible()
    event_url = desk.url

    # Dispatch to the building's grid.
    desk.get_by_test_id("action-dispatch").click()
    dispatch = desk.locator("form").filter(has=desk.get_by_test_id("action-dispatch-submit"))
    dispatch.locator("input[name=other_unit_code]").fill(grid.code)
    dispatch.get_by_test_id("action-dispatch-submit").click()
    expect(desk.locator("#event-detail")).to_contain_text("待签收")
    screenshot(desk, "detail-desk")

    # The grid worker, outdoors on a phone: the inbox card, accept, report back.
    phone = new_page(phone=True)
    login(phone, live_site, DutyRole.GRID_WORKER)
    card = phone.get_by_test_id("event-card").filter(has_text="楼上卫生间漏水引发邻里纠纷")
    expect(card).to_be_visible()
    assert horizontal_overflow(phone) == 0
    screenshot(phone, "inbox-phone")
    card.get_by_role("link").first.click()
    phone.wait_for_url(event_url)
    _act(phone, "accept")
    expect(phone.get_by_test_id("action-accept")).to_have_count(0)
    _act(phone, "report_back", note="已上门查看，楼上已修复防水层，双方达成赔偿协议。")
    expect(phone.locator("#event-detail")).to_contain_text("已上门查看")
    assert horizontal_overflow(phone) == 0
    screenshot(phone, "detail-phone-reported")

    # The command room reviews and closes.
    desk.goto(event_url)
    _act(desk, "review_pass")
    _act(desk, "close")
    expect(desk.locator("#event-detail")).to_contain_text("已办结")

    # The citizen, with no account, follows the matter by dispute code.
    citizen = new_page(phone=True)
    citizen.goto(live_site.url("/progress"))
    citizen.get_by_label("解纷码").fill(code)
    citizen.get_by_label("手机号后四位").fill(PHONE[-4:])
    citizen.get_by_test_id("progress-submit").click()
    expect(citizen.get_by_test_id("progress-status")).to_have_text("已办结")
    assert horizontal_overflow(citizen) == 0
    screenshot(citizen, "progress-phone")
