"""The cockpit pages: who lands where, what each level shows, drill-down and breadcrumb links, scoping."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from fengqiao.core.clock import utcnow
from fengqiao.events.kinds import RiskLevel
from tests.events.world import World, make_world
from tests.metrics.history import add_event
from tests.web.helpers import api_client
from tests.web.work.conftest import login_as


@pytest.fixture
def world(db: Session) -> World:
    return make_world(db)


@pytest.fixture
def client(db: Session, engine: Engine, world: World) -> Iterator[TestClient]:
    with api_client(db, engine) as test_client:
        yield test_client


def _kpi(html: str, name: str) -> str:
    match = re.search(rf'data-testid="kpi-{name}">([^<]*)<', html)
    assert match, name
    return match.group(1)


def _history(world: World) -> None:
    now = utcnow()
    add_event(world, world.grid, registered_at=now - timedelta(minutes=1), risk=RiskLevel.HIGH, title="拖欠工资")
    add_event(world, world.other_grid, registered_at=now - timedelta(days=1))
    add_event(world, world.other_town_grid, registered_at=now - timedelta(days=1))


def test_login_required(client: TestClient) -> None:
    response = client.get("/cockpit/331081", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize(
    ("who", "lands_on"),
    [("county", "331081"), ("town_dispatcher", "331081100"), ("village_head", "331081100200")],
)
def test_own_cockpit(client: TestClient, world: World, who: str, lands_on: str) -> None:
    login_as(client, world, who)
    response = client.get("/cockpit", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/cockpit/{lands_on}"


def test_county_page(client: TestClient, world: World) -> None:
    _history(world)
    login_as(client, world, "county")
    response = client.get("/cockpit/331081")
    assert response.status_code == 200
    html = response.text
    assert "温岭市社会治理指挥大屏" in html
    assert _kpi(html, "open") == "3"
    assert _kpi(html, "overdue") == "0"
    assert _kpi(html, "high-risk") == "1"
    assert _kpi(html, "resolution") == "0.0%"
    assert _kpi(html, "satisfaction") == "—"
    assert 'data-testid="updated-at"' in html
    for town in world.tree.towns:
        assert f'data-testid="child-{town.code}"' in html
        assert f'href="/cockpit/{town.code}"' in html
    assert "拖欠工资" in html  # 重大风险事件
    # The embedded figures are the API's, ready for the script's charts.
    data = json.loads(re.search(r'id="cockpit-data">(.*?)</script>', html, re.S).group(1))  # type: ignore[union-attr]
    assert data["kpis"]["open"] == 3


def test_town_page_drills_down_and_up(client: TestClient, world: World) -> None:
    _history(world)
    login_as(client, world, "town_dispatcher")
    html = client.get(f"/cockpit/{world.town.code}").text
    assert "泽国镇社会治理指挥大屏" in html
    assert _kpi(html, "open") == "2"
    for village in world.tree.villages[:2]:
        assert f'data-testid="child-{village.code}"' in html
    assert 'data-testid="crumb-331081"' in html  # the breadcrumb names the county (the API answers 404 there)

    village = client.get(f"/cockpit/{world.village.code}").text
    assert _kpi(village, "open") == "1"
    assert f'href="/cockpit/{world.town.code}"' in village
    for grid in world.tree.grids[:2]:
        assert f'data-testid="child-{grid.code}"' in village


def test_village_page(client: TestClient, world: World) -> None:
    _history(world)
    login_as(client, world, "village_head")
    response = client.get(f"/cockpit/{world.village.code}")
    assert response.status_code == 200
    assert _kpi(response.text, "open") == "1"


def test_other_town_is_not_found(client: TestClient, world: World) -> None:
    login_as(client, world, "town_dispatcher")
    response = client.get(f"/cockpit/{world.tree.towns[1].code}")
    assert response.status_code == 404
    assert "不在您的辖区内" in response.text
    assert client.get("/cockpit/not-a-code").status_code == 422


def test_counts_change_after_new_events(client: TestClient, world: World) -> None:
    login_as(client, world, "county")
    assert _kpi(client.get("/cockpit/331081").text, "open") == "0"
    _history(world)
    assert _kpi(client.get("/cockpit/331081").text, "open") == "3"


def test_titles_cannot_break_out_of_the_embedded_json(client: TestClient, world: World) -> None:
    add_event(world, world.grid, registered_at=utcnow(), risk=RiskLevel.HIGH, title="</script><b>x</b>")
    login_as(client, world, "county")
    html = client.get("/cockpit/331081").text
    assert "</script><b>x" not in html
