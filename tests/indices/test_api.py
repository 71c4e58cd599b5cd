"""GET /api/v1/indices…: definitions, rankings, drill-down and history as JSON, scoped to the viewer's jurisdiction;
and the work screens that show them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from fengqiao.core.clock import overridden
from fengqiao.indices import service
from fengqiao.reports import period as periods
from tests.events.world import World
from tests.indices.history import build_grid_work
from tests.reports.history import NOW
from tests.web.helpers import api_client, error_of
from tests.web.work.conftest import login_as

URL = "/api/v1/indices"


@pytest.fixture
def client(db: Session, engine: Engine, world: World) -> Iterator[TestClient]:
    build_grid_work(world)
    with overridden(lambda: NOW), api_client(db, engine) as test_client:
        yield test_client


def _as(client: TestClient, world: World, name: str) -> TestClient:
    client.headers["Authorization"] = f"Bearer {world.token(name)}"
    return client


def test_definitions(client: TestClient, world: World) -> None:
    body = _as(client, world, "county").get(URL).json()
    assert [i["code"] for i in body] == ["governance", "grid_worker_health", "grid_team"]
    governance = body[0]
    assert [d["label"] for d in governance["tree"]["children"]] == ["社会管理", "政社共治", "社会自治", "科技支撑"]


def test_ranking_and_drill_down(client: TestClient, world: World) -> None:
    _as(client, world, "county")
    towns = client.get(f"{URL}/governance/town", params={"month": "2026-10"}).json()
    assert towns["live"] is True
    assert towns["month_label"] == "2026年10月"
    assert towns["dimensions"] == ["社会管理", "政社共治", "社会自治", "科技支撑"]
    assert {r["name"] for r in towns["rows"]} == {"泽国镇", "大溪镇"}
    assert [r["rank"] for r in towns["rows"]] == sorted(r["rank"] for r in towns["rows"])
    town = world.town.code
    detail = client.get(f"{URL}/governance/town/{town}", params={"month": "2026-10"}).json()
    assert detail["score"]["subject"] == town
    resolution = detail["tree"]["children"][0]["children"][0]["children"][0]
    assert resolution["source"] == "metric:resolution_rate"
    assert resolution["source_label"] == "化解率"
    # 泽国镇 in October: e1 e2 closed of e1 e2 e3 e7 and the two patrol reports.
    assert (resolution["raw"]["numerator"], resolution["raw"]["denominator"]) == (2, 6)
    leaves = [
        leaf
        for dim in detail["tree"]["children"]
        for group in dim["children"]
        for leaf in (group["children"] or [group])
    ]
    total = sum(leaf["contribution"] for leaf in leaves)
    assert total == pytest.approx(detail["score"]["score"], abs=0.05)
    # The worker's own score, and a history ending with the month asked for.
    me = f"w{world.staff['grid_worker'].id}"
    worker = client.get(f"{URL}/grid_worker_health/worker/{me}", params={"month": "2026-10"}).json()
    assert worker["score"]["name"] == "grid_worker姓名"
    history = client.get(f"{URL}/grid_worker_health/worker/{me}/history").json()
    assert history["points"][-1]["month"] == "2026-11"


def test_history_reads_stored_months(client: TestClient, world: World, db: Session) -> None:
    service.compute_month(
        session=db, county_code=world.tree.county.code, period=periods.month(2026, 10), now=NOW, indices=["grid_team"]
    )
    _as(client, world, "county")
    ranking = client.get(f"{URL}/grid_team/grid", params={"month": "2026-10"}).json()
    assert ranking["live"] is False
    assert len(ranking["rows"]) == 8
    history = client.get(f"{URL}/grid_team/grid/{world.grid.code}/history", params={"months": 3}).json()
    assert [p["month"] for p in history["points"]] == ["2026-10", "2026-11"]
    assert history["points"][0]["final"] is True
    assert history["points"][1]["final"] is False


def test_scoped_to_the_jurisdiction(client: TestClient, world: World) -> None:
    other_town = world.tree.towns[1].code
    _as(client, world, "town_dispatcher")
    # The towns' ranking is the county's public comparison …
    towns = client.get(f"{URL}/governance/town").json()
    assert len(towns["rows"]) == 2
    # … but another town's drill-down, villages and workers are not this town's to see.
    response = client.get(f"{URL}/governance/town/{other_town}")
    assert response.status_code == 404
    assert error_of(response)["code"] == "unit_not_found"
    villages = client.get(f"{URL}/governance/village").json()
    assert {r["subject"] for r in villages["rows"]} == {v.code for v in world.tree.villages[:2]}
    workers = client.get(f"{URL}/grid_worker_health/worker").json()
    assert {r["name"] for r in workers["rows"]} == {"grid_worker姓名", "other_grid_worker姓名"}
    stranger = f"w{world.staff['other_town_grid_worker'].id}"
    assert client.get(f"{URL}/grid_worker_health/worker/{stranger}").status_code == 404
    assert client.get(f"{URL}/governance/county/{world.tree.county.code}").status_code == 404
    assert client.get(f"{URL}/governance/village", params={"within": other_town}).status_code == 404
    # A grid worker sees their own grid's team and themselves, nobody else's.
    _as(client, world, "grid_worker")
    grids = client.get(f"{URL}/grid_team/grid").json()
    assert [r["subject"] for r in grids["rows"]] == [world.grid.code]


def test_bad_requests(client: TestClient, world: World) -> None:
    _as(client, world, "county")
    assert error_of(client.get(f"{URL}/happiness/town"))["code"] == "index_not_found"
    assert error_of(client.get(f"{URL}/governance/worker"))["code"] == "invalid_index_level"
    assert error_of(client.get(f"{URL}/governance/town", params={"month": "2027-01"}))["code"] == "invalid_period"
    assert client.get(f"{URL}/governance/town", params={"month": "soon"}).status_code == 422
    del client.headers["Authorization"]
    assert client.get(f"{URL}/governance/town").status_code == 401


def test_screens(client: TestClient, world: World) -> None:
    login_as(client, world, "county")
    page = client.get("/work/indices", params={"month": "2026-10"})
    assert page.status_code == 200, page.text
    assert 'data-testid="nav-indices"' in page.text
    assert page.text.count('data-testid="indices-row"') == 2
    assert "echarts.min.js" in page.text
    assert 'id="indices-data"' in page.text
    villages = client.get("/work/indices", params={"index": "grid_team", "level": "village", "month": "2026-10"})
    assert villages.text.count('data-testid="indices-row"') == 4
    detail = client.get(f"/work/indices/governance/town/{world.town.code}", params={"month": "2026-10"})
    assert detail.status_code == 200, detail.text
    assert "化解率" in detail.text
    assert "2 / 6" in detail.text
    assert 'id="index-trend-data"' in detail.text
    me = f"w{world.staff['grid_worker'].id}"
    worker = client.get(f"/work/indices/grid_worker_health/worker/{me}", params={"month": "2026-10"})
    assert worker.status_code == 200
    assert "grid_worker姓名" in worker.text
    bad = client.get("/work/indices", params={"level": "worker"})
    assert bad.status_code == 422
    assert 'data-testid="indices-error"' in bad.text
    login_as(client, world, "town_dispatcher")
    hidden = client.get(f"/work/indices/governance/town/{world.tree.towns[1].code}")
    assert hidden.status_code == 404
    mine = client.get("/work/indices")  # opens on the town's villages
    assert mine.text.count('data-testid="indices-row"') == 2
