"""Every main screen at a phone's width and at a big screen's: it renders in Chinese, nothing overflows sideways, and
a screenshot is written to var/screenshots/ for a person to look at."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page
from sqlalchemy import select

from fengqiao.basedata.models import Building
from fengqiao.citizen import places
from fengqiao.duty.roles import DutyRole
from tests.browser.conftest import PHONE, SCREEN, LiveSite, horizontal_overflow, login, screenshot

WIDTHS = {"375": PHONE, "1920": SCREEN}
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _visit(page: Page, site: LiveSite, path: str, name: str, width: str) -> None:
    response = page.goto(site.url(path))
    assert response is not None
    assert response.status == 200, f"{path}: {response.status}"
    page.wait_for_load_state("networkidle")
    body = page.locator("body").inner_text()
    assert CHINESE.search(body), f"{path} shows no Chinese text"
    assert "Internal Server Error" not in body
    overflow = horizontal_overflow(page)
    screenshot(page, f"{name}-{width}")
    assert overflow == 0, f"{path} at {width}px overflows by {overflow}px"


@pytest.mark.parametrize("width", WIDTHS)
def test_staff_screens(live_site: LiveSite, new_page: Callable[..., Page], width: str) -> None:
    grid = live_site.unit_of(DutyRole.GRID_WORKER)
    town = live_site.unit_of(DutyRole.COMMAND_DISPATCHER)
    event = live_site.register(grid=grid, title="楼道堆放杂物影响通行")
    with live_site.session() as session:
        building = session.scalars(select(Building).where(Building.grid_id == grid.id).limit(1)).one()

    dispatcher = new_page(viewport=WIDTHS[width], phone=width == "375")
    login(dispatcher, live_site, DutyRole.COMMAND_DISPATCHER)
    for path, name in (
        ("/work", "inbox"),
        ("/work/events", "events"),
        (f"/work/events/{event.id}", "detail"),
        ("/work/register", "register"),
        (f"/work/buildings/{building.id}", "building"),
        (f"/work/units/{grid.code}", "grid"),
        (f"/work/units/{town.code}", "town"),
        ("/work/responsibility", "responsibility"),
        ("/work/patterns", "patterns"),
        ("/work/warnings", "warnings"),
        ("/work/registers", "registers"),
        ("/work/registers/persons", "key-persons"),
        ("/work/registers/places", "key-places"),
        ("/work/qr-codes", "qr-codes"),
    ):
        _visit(dispatcher, live_site, path, name, width)

    worker = new_page(viewport=WIDTHS[width], phone=width == "375")
    login(worker, live_site, DutyRole.GRID_WORKER)
    _visit(worker, live_site, "/work/patrol", "patrol", width)

    admin = new_page(viewport=WIDTHS[width], phone=width == "375")
    login(admin, live_site, DutyRole.ADMIN)
    _visit(admin, live_site, "/work/rules", "rules", width)


@pytest.mark.parametrize("width", WIDTHS)
def test_public_screens(live_site: LiveSite, new_page: Callable[..., Page], width: str) -> None:
    grid = live_site.unit_of(DutyRole.GRID_WORKER)
    with live_site.session() as session:
        token = places.code_for(session=session, grid=grid).token
        session.commit()
    page = new_page(viewport=WIDTHS[width], phone=width == "375")
    screens = (("/", "home"), ("/login", "login"), (f"/q/{token}", "citizen-report"), ("/progress", "progress"))
    for path, name in screens:
        _visit(page, live_site, path, name, width)


def test_cockpit_screens(live_site: LiveSite, new_page: Callable[..., Page]) -> None:
    page = new_page(viewport=SCREEN)
    login(page, live_site, DutyRole.COUNTY_LEADER)
    _visit(page, live_site, "/cockpit", "cockpit-county", "1920")
    assert page.locator("[data-testid=cockpit-map] .leaflet-overlay-pane canvas").count() >= 1  # boundaries drawn
    assert page.locator("[data-testid^=child-]").count() >= 16  # one row per town
    assert page.locator("[data-testid=chart-intake] canvas").count() == 1  # ECharts drew
