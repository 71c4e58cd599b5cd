"""Jurisdiction holds in the browser too: a URL typed or shared does not open what the viewer may not see."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from fengqiao.duty.roles import DutyRole
from tests.browser.conftest import LiveSite, login, screenshot


def test_grid_worker_cannot_open_another_grids_event_from_its_url(
    live_site: LiveSite, new_page: Callable[..., Page]
) -> None:
    own_grid = live_site.unit_of(DutyRole.GRID_WORKER)
    own = live_site.register(grid=own_grid, title="本网格楼道堆物纠纷")
    foreign = live_site.register(grid=live_site.other_grid(own_grid), title="外镇宅基地边界纠纷")

    page = new_page(phone=True)
    login(page, live_site, DutyRole.GRID_WORKER)

    response = page.goto(live_site.url(f"/work/events/{foreign.id}"))
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", name="未找到")).to_be_visible()
    expect(page.get_by_text("外镇宅基地边界纠纷")).to_have_count(0)
    screenshot(page, "scope-refused-phone")

    # The same person opens an event of the own grid: the refusal above was about the place, not the page.
    response = page.goto(live_site.url(f"/work/events/{own.id}"))
    assert response is not None
    assert response.status == 200
    expect(page.get_by_text("本网格楼道堆物纠纷").first).to_be_visible()
