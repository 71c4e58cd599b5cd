"""The shared work layout on a phone: navigation by permission, one menu button, stable selectors on cards and
action buttons. (Whether anything overflows at 375 px is the browser tests' job.)"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from fengqiao.events.actions import ActionRequest, perform
from fengqiao.events.lifecycle import Action
from fengqiao.events.models import Event
from fengqiao.web.work.nav import nav_links
from tests.events.world import World
from tests.web.work.conftest import login_as, register

# Every post sees the key registers and the warnings of its own jurisdiction.
SHARED = ["registers", "warnings"]
COMMAND = ["qr_codes", "reports", "assessment", "cockpit"]
# Sensor alerts: grid posts get their 三必到 cards, dispatching and command posts the alert board and devices.
DUTY = ["alert_duty"]
ALERTS = ["alerts", "devices"]
# Posts with a territory see its governance indices (the towns' ranking is public within the county).
INDICES = ["indices"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("grid_worker", ["inbox", "events", "register", "patrol", *SHARED, *DUTY, *INDICES]),
        ("part_timer", ["inbox", "events", "register", "patrol", *SHARED, *DUTY, *INDICES]),
        (
            "village_head",
            ["inbox", "events", "register", "responsibility", "patterns", *SHARED, *ALERTS, "qr_codes", *INDICES],
        ),
        (
            "town_dispatcher",
            ["inbox", "events", "register", "responsibility", "patterns", *SHARED, *ALERTS, *COMMAND, *INDICES],
        ),
        (
            "town_inspector",
            ["inbox", "events", "patterns", *SHARED, *ALERTS, "reports", "assessment", "cockpit", *INDICES],
        ),
        ("county", ["inbox", "events", "register", "responsibility", "patterns", *SHARED, *ALERTS, *COMMAND, *INDICES]),
        ("department_handler", ["inbox", "events", *SHARED]),
        ("police", ["inbox", "events", *SHARED, *INDICES]),
    ],
)
def test_navigation_follows_the_viewers_permissions(world: World, name: str, expected: list[str]) -> None:
    assert [link.name for link in nav_links(world.viewer(name))] == expected


def _nav(html: str) -> list[str]:
    return re.findall(r'data-testid="nav-([a-z_]+)"', html)


def test_the_grid_workers_pages_show_its_navigation_with_the_current_page(client: TestClient, world: World) -> None:
    login_as(client, world, "grid_worker")
    page = client.get("/work/patrol").text
    assert _nav(page) == ["menu", "inbox", "events", "register", "patrol", *SHARED, *DUTY, *INDICES, "logout"]
    assert re.search(r'data-testid="nav-patrol"\s+aria-current="page"', page)
    assert '菜单<span class="worknav-current">· 网格巡查</span>' in page
    assert 'href="/work/patrol"' in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert 'capture="environment"' in page
    assert 'accept="image/*"' in page
    assert "/static/app/patrol.js" in page

    login_as(client, world, "county")
    page = client.get("/work/responsibility").text
    assert _nav(page) == [
        "menu",
        "inbox",
        "events",
        "register",
        "responsibility",
        "patterns",
        *SHARED,
        *ALERTS,
        *COMMAND,
        *INDICES,
        "logout",
    ]
    assert re.search(r'data-testid="nav-responsibility"\s+aria-current="page"', page)


def test_every_work_page_keeps_the_inbox_and_list_links(client: TestClient, world: World) -> None:
    login_as(client, world, "department_handler")
    for url in ("/work", "/work/events", "/work/responsibility"):
        nav = _nav(client.get(url).text)
        assert nav[:3] == ["menu", "inbox", "events"], url
        assert "patrol" not in nav
        assert "responsibility" not in nav


def _dispatched(world: World) -> Event:
    event = register(world, title="楼道堆放杂物")
    return perform(
        session=world.session,
        viewer=world.viewer("town_dispatcher"),
        event_id=event.id,
        request=ActionRequest(Action.DISPATCH, expected_version=event.version, target_unit_code=world.grid.code),
    )


def test_cards_and_action_buttons_carry_stable_selectors(client: TestClient, world: World) -> None:
    event = _dispatched(world)
    login_as(client, world, "grid_worker")
    inbox = client.get("/work").text
    assert inbox.count('data-testid="event-card"') == 1
    events = client.get("/work/events").text
    assert events.count('data-testid="event-card"') == 1
    detail = client.get(f"/work/events/{event.id}").text
    assert 'data-testid="action-accept"' in detail
    assert 'data-testid="action-accept-submit"' in detail
    assert 'data-testid="action-report_back"' not in detail  # not before it is accepted
    assert f'hx-get="/work/events/{event.id}/photos"' in detail
    accepted = client.post(
        f"/work/events/{event.id}/actions/accept",
        data={"version": str(event.version)},
        follow_redirects=True,
    )
    assert accepted.status_code == 200
    assert 'data-testid="action-report_back"' in accepted.text
    assert 'data-testid="action-report_back-submit"' in accepted.text
    assert 'data-testid="action-report_back-photos"' in accepted.text


def test_a_grid_worker_cannot_open_another_grids_event_or_its_photos(client: TestClient, world: World) -> None:
    event = _dispatched(world)
    login_as(client, world, "other_grid_worker")
    for url in (f"/work/events/{event.id}", f"/work/events/{event.id}/photos"):
        page = client.get(url)
        assert page.status_code == 404, url
        assert "未找到事件" in page.text
