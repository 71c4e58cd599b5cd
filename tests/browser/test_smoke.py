"""The browser setup itself: the site serves, a person logs in, the inbox renders in Chinese."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from fengqiao.duty.roles import DutyRole
from tests.browser.conftest import LiveSite, horizontal_overflow, login, screenshot


def test_dispatcher_logs_in_and_sees_the_inbox(live_site: LiveSite, new_page: Callable[..., Page]) -> None:
    page = new_page()
    login(page, live_site, DutyRole.COMMAND_DISPATCHER)
    expect(page.get_by_role("link", name="我的待办")).to_be_visible()
    screenshot(page, "inbox-desk")
    assert horizontal_overflow(page) == 0
