"""GET /api/v1/route and POST /api/v1/route/batch over the small test county (squares; 泽国东村 has stations)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from fengqiao.accounts import service as accounts
from fengqiao.triage import api as triage_api
from fengqiao.triage.geo.coords import wgs84_to_gcj02
from tests.web.helpers import County, centre_staff, error_of, make_app, populate

ZEGUO_EAST_GRID_1 = "331081100200001"


@pytest.fixture
def county(db: Session) -> County:
    return populate(db)


@pytest.fixture
def anonymous(db: Session, engine: Engine) -> Iterator[TestClient]:
    app = make_app(db, engine)
    # Until the router is mounted in fengqiao.web.app, the tests mount it themselves.
    if not any(getattr(route, "path", "") == "/api/v1/route" for route in app.routes):
        app.include_router(triage_api.router, prefix="/api/v1")
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def client(db: Session, anonymous: TestClient, county: County) -> TestClient:
    token = accounts.issue_token(session=db, staff=centre_staff(db, county))
    anonymous.headers["Authorization"] = f"Bearer {token}"
    return anonymous


def test_route_a_point_to_grid_village_town_and_stations(client: TestClient) -> None:
    response = client.get("/api/v1/route", params={"lon": 121.31, "lat": 28.31})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["point"] == {"lon": 121.31, "lat": 28.31}
    assert body["grid"] == {"code": ZEGUO_EAST_GRID_1, "name": "泽国东村第1网格", "kind": "grid", "kind_label": "网格"}
    assert (body["village"]["name"], body["town"]["name"]) == ("泽国东村", "泽国镇")
    assert body["joint_station"] == {
        "code": "331081J01",
        "name": "泽国联勤工作站",
        "kind": "joint_station",
        "kind_label": "联勤工作站",
    }
    assert body["police_station"]["name"] == "泽国派出所"


def test_gcj02_input_is_shifted_back_before_routing(client: TestClient) -> None:
    (gcj_lon,), (gcj_lat,) = wgs84_to_gcj02([121.31], [28.31])
    body = client.get("/api/v1/route", params={"lon": gcj_lon, "lat": gcj_lat, "crs": "gcj02"}).json()
    assert body["grid"]["code"] == ZEGUO_EAST_GRID_1
    assert body["point"]["lon"] == pytest.approx(121.31, abs=1e-8)
    assert body["point"]["lat"] == pytest.approx(28.31, abs=1e-8)


def test_route_a_building(client: TestClient, county: County) -> None:
    body = client.get("/api/v1/route", params={"building_id": county.shop_building.id}).json()
    assert body["town"]["name"] == "大溪镇"
    assert body["grid"]["code"] == county.tree.grids[4].code
    assert body["point"] == {"lon": 121.35, "lat": 28.31}
    missing = client.get("/api/v1/route", params={"building_id": 2_000_000_000})
    assert missing.status_code == 404
    assert error_of(missing)["code"] == "building_not_found"


def test_outside_the_county_is_404_outside_county(client: TestClient) -> None:
    response = client.get("/api/v1/route", params={"lon": 120.0, "lat": 28.0})
    assert response.status_code == 404
    error = error_of(response)
    assert error["code"] == "outside_county"
    assert "不在温岭市辖区范围内" in error["message"]


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"lon": "nan", "lat": 28.31}, "invalid_input"),
        ({"lon": 121.31, "lat": "inf"}, "invalid_input"),
        ({"lon": 181, "lat": 28.31}, "invalid_input"),
        ({"lon": 121.31, "lat": -90.5}, "invalid_input"),
        ({"lon": "东经121", "lat": 28.31}, "invalid_input"),
        ({"lon": 121.31, "lat": 28.31, "crs": "bd09"}, "invalid_input"),
        ({"lon": 121.31}, "invalid_route_query"),
        ({}, "invalid_route_query"),
        ({"lon": 121.31, "lat": 28.31, "building_id": 1}, "invalid_route_query"),
    ],
)
def test_bad_parameters_are_422(client: TestClient, params: dict[str, object], code: str) -> None:
    response = client.get("/api/v1/route", params=params)
    assert response.status_code == 422, response.text
    error = error_of(response)
    assert error["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"])  # a Chinese message


def test_batch_equals_single_and_marks_points_outside(client: TestClient) -> None:
    points = [{"lon": 121.31, "lat": 28.31}, {"lon": 120.0, "lat": 28.0}, {"lon": 121.35, "lat": 28.31}]
    response = client.post("/api/v1/route/batch", json={"points": points})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["crs"], body["routed"], body["outside"]) == ("wgs84", 2, 1)
    assert [item["status"] for item in body["items"]] == ["routed", "outside_county", "routed"]
    assert body["items"][1]["route"] is None
    for item, point in zip(body["items"], points, strict=True):
        if item["route"] is not None:
            assert item["route"] == client.get("/api/v1/route", params=point).json()


def test_batch_rejects_bad_points_and_oversized_batches(client: TestClient) -> None:
    nan = client.post(
        "/api/v1/route/batch",
        content=b'{"points": [{"lon": NaN, "lat": 28.31}]}',
        headers={"Content-Type": "application/json"},
    )
    assert nan.status_code == 422
    assert error_of(nan)["code"] == "invalid_input"
    too_many = client.post("/api/v1/route/batch", json={"points": [{"lon": 121.31, "lat": 28.31}] * 10_001})
    assert too_many.status_code == 422
    assert client.post("/api/v1/route/batch", json={"points": []}).status_code == 422
    assert client.post("/api/v1/route/batch", json={"points": [{"lon": 121.3}]}).status_code == 422


def test_a_full_batch_of_ten_thousand_points(client: TestClient) -> None:
    points = [{"lon": 121.30 + (i % 100) * 0.0008, "lat": 28.30 + (i // 100) * 0.0008} for i in range(10_000)]
    response = client.post("/api/v1/route/batch", json={"crs": "wgs84", "points": points})
    assert response.status_code == 200
    assert response.json()["routed"] == 10_000


def test_login_is_required(anonymous: TestClient, county: County) -> None:
    for response in (
        anonymous.get("/api/v1/route", params={"lon": 121.31, "lat": 28.31}),
        anonymous.post("/api/v1/route/batch", json={"points": [{"lon": 121.31, "lat": 28.31}]}),
    ):
        assert response.status_code == 401
        assert error_of(response)["code"] == "not_authenticated"
