"""The jurisdiction read API over the small test county (2 towns × 2 villages × 2 grids, squares)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from shapely.geometry import box, shape
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from fengqiao.jurisdiction.geometry import boundary_columns
from tests.web.helpers import County, api_client, centre_staff, error_of, populate

ZEGUO = "331081100"
ZEGUO_EAST = "331081100200"
ZEGUO_EAST_GRID_1 = "331081100200001"


@pytest.fixture
def county(db: Session) -> County:
    return populate(db)


@pytest.fixture
def client(db: Session, engine: Engine, county: County) -> Iterator[TestClient]:
    with api_client(db, engine, as_staff=centre_staff(db, county)) as test_client:
        yield test_client


def test_list_units_filters_by_kind_and_counts_all(client: TestClient) -> None:
    body = client.get("/api/v1/units", params={"kind": "village"}).json()
    assert body["total"] == 4
    assert [u["name"] for u in body["items"]] == ["泽国东村", "泽国西村", "大溪东村", "大溪西村"]
    first = body["items"][0]
    assert first["code"] == ZEGUO_EAST
    assert first["kind_label"] == "村(社区)"
    assert first["level"] == 2
    assert first["parent_code"] == ZEGUO
    assert first["area_km2"] == pytest.approx(17.34, abs=0.01)
    assert first["centroid"] == {"lon": 121.32, "lat": 28.32}


def test_list_units_by_parent_and_name(client: TestClient) -> None:
    by_parent = client.get("/api/v1/units", params={"parent": ZEGUO}).json()
    assert [u["code"] for u in by_parent["items"]] == [ZEGUO_EAST, "331081100201"]
    by_name = client.get("/api/v1/units", params={"q": "大溪东"}).json()
    assert by_name["total"] == 3  # the village and its two grids
    assert {u["kind"] for u in by_name["items"]} == {"village", "grid"}
    # Wildcards are literal characters, not patterns.
    assert client.get("/api/v1/units", params={"q": "%"}).json()["total"] == 0
    assert client.get("/api/v1/units", params={"q": "_"}).json()["total"] == 0


def test_list_units_paginates(client: TestClient) -> None:
    everything = client.get("/api/v1/units").json()
    assert everything["total"] == 17  # 1 + 2 + 4 + 8 + the two stations
    page = client.get("/api/v1/units", params={"limit": 5, "offset": 5}).json()
    assert page["total"] == 17
    assert (page["limit"], page["offset"]) == (5, 5)
    assert [u["code"] for u in page["items"]] == [u["code"] for u in everything["items"][5:10]]
    assert client.get("/api/v1/units", params={"offset": 100}).json()["items"] == []


def test_list_units_with_unknown_parent_is_404(client: TestClient) -> None:
    response = client.get("/api/v1/units", params={"parent": "999"})
    assert response.status_code == 404
    assert error_of(response)["code"] == "unit_not_found"


@pytest.mark.parametrize(
    ("params", "field", "fragment"),
    [
        ({"limit": 0}, "limit", "不能小于 1"),
        ({"limit": 5000}, "limit", "不能大于 1000"),
        ({"limit": "十"}, "limit", "应为整数"),
        ({"offset": -1}, "offset", "不能小于 0"),
        ({"offset": 10**30}, "offset", "不能大于"),
        ({"kind": "province"}, "kind", "应为以下之一：county、town"),
        ({"q": "长" * 65}, "q", "不能超过 64 个字符"),
        ({"q": "a\x00b"}, "q", "不能包含控制字符"),
    ],
)
def test_bad_list_parameters_are_422_in_chinese(
    client: TestClient, params: dict[str, object], field: str, fragment: str
) -> None:
    response = client.get("/api/v1/units", params=params)
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "invalid_input"
    assert error["message"].startswith("请求参数有误：")
    assert field in error["message"]
    assert fragment in error["message"]
    assert error["details"][0]["field"] == field


def test_unit_detail_of_a_village(client: TestClient) -> None:
    body = client.get(f"/api/v1/units/{ZEGUO_EAST}").json()
    assert body["name"] == "泽国东村"
    assert body["kind"] == "village"
    assert body["kind_label"] == "村(社区)"
    assert [u["name"] for u in body["breadcrumb"]] == ["温岭市", "泽国镇"]
    assert body["breadcrumb"][1] == {"code": ZEGUO, "name": "泽国镇", "kind": "town", "kind_label": "镇(街道)"}
    assert body["parent_code"] == ZEGUO
    assert body["children_count"] == 2
    assert body["descendant_counts"] == [{"kind": "grid", "kind_label": "网格", "count": 2}]
    assert body["joint_station"]["name"] == "泽国联勤工作站"
    assert body["joint_station"]["kind_label"] == "联勤工作站"
    assert body["police_station"]["name"] == "泽国派出所"
    assert body["bbox"] == pytest.approx([121.30, 28.30, 121.34, 28.34])
    assert body["centroid"] == {"lon": 121.32, "lat": 28.32}
    assert body["has_boundary"] is True


def test_unit_detail_of_the_county_counts_everything_below(client: TestClient) -> None:
    body = client.get("/api/v1/units/331081").json()
    assert body["breadcrumb"] == []
    assert body["parent_code"] is None
    counts = {c["kind"]: c["count"] for c in body["descendant_counts"]}
    assert counts == {"town": 2, "village": 4, "grid": 8, "joint_station": 1, "police_station": 1}
    assert [c["kind"] for c in body["descendant_counts"]][:3] == ["town", "village", "grid"]
    assert body["area_km2"] == pytest.approx(69.34, abs=0.01)


def test_a_grid_is_served_by_its_villages_stations(client: TestClient) -> None:
    body = client.get(f"/api/v1/units/{ZEGUO_EAST_GRID_1}").json()
    assert [u["code"] for u in body["breadcrumb"]] == ["331081", ZEGUO, ZEGUO_EAST]
    assert body["joint_station"]["code"] == "331081J01"
    assert body["police_station"]["code"] == "331081P01"
    assert body["children_count"] == 0


def test_unknown_unit_is_404_naming_the_code(client: TestClient) -> None:
    for path in ("", "/children", "/boundary", "/children.geojson", "/members"):
        response = client.get(f"/api/v1/units/331081999{path}")
        assert response.status_code == 404, path
        error = error_of(response)
        assert error["code"] == "unit_not_found"
        assert error["message"] == "未找到代码为“331081999”的单位"
        assert error["details"] == {"code": "331081999"}


def test_children_of_a_town(client: TestClient) -> None:
    body = client.get(f"/api/v1/units/{ZEGUO}/children").json()
    assert body["total"] == 2
    assert [u["name"] for u in body["items"]] == ["泽国东村", "泽国西村"]
    stations = client.get("/api/v1/units/331081/children", params={"kind": "police_station"}).json()
    assert [u["name"] for u in stations["items"]] == ["泽国派出所"]


def test_boundary_is_a_geojson_feature(client: TestClient) -> None:
    response = client.get(f"/api/v1/units/{ZEGUO}/boundary")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/geo+json")
    feature = response.json()
    assert feature["type"] == "Feature"
    assert feature["id"] == ZEGUO
    assert feature["properties"]["name"] == "泽国镇"
    assert feature["properties"]["kind_label"] == "镇(街道)"
    assert shape(feature["geometry"]).bounds == pytest.approx((121.30, 28.30, 121.34, 28.38))


def test_unit_without_boundary_has_no_boundary_feature(client: TestClient) -> None:
    response = client.get("/api/v1/units/331081P01/boundary")
    assert response.status_code == 404
    error = error_of(response)
    assert error["code"] == "boundary_not_found"
    assert "泽国派出所" in error["message"]


def test_children_geojson_is_a_feature_collection_for_maps(client: TestClient) -> None:
    response = client.get("/api/v1/units/331081/children.geojson")
    assert response.headers["content-type"].startswith("application/geo+json")
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    # The stations have no territory and are left out.
    assert [f["properties"]["name"] for f in collection["features"]] == ["泽国镇", "大溪镇"]
    assert collection["bbox"] == pytest.approx([121.30, 28.30, 121.38, 28.38])
    properties = collection["features"][1]["properties"]
    assert properties == {
        "code": "331081101",
        "name": "大溪镇",
        "kind": "town",
        "kind_label": "镇(街道)",
        "area_km2": pytest.approx(34.67, abs=0.01),
        "label_lon": 121.36,
        "label_lat": 28.34,
    }
    assert shape(collection["features"][1]["geometry"]).area == pytest.approx(0.04 * 0.08)
    grids = client.get(f"/api/v1/units/{ZEGUO_EAST}/children.geojson").json()
    assert [f["id"] for f in grids["features"]] == [ZEGUO_EAST_GRID_1, "331081100200002"]
    assert client.get(f"/api/v1/units/{ZEGUO_EAST_GRID_1}/children.geojson").json()["features"] == []


def test_children_geojson_leaves_station_service_areas_out_unless_asked(
    client: TestClient, db: Session, county: County
) -> None:
    # As in the demo county: a station under its town, with a service area overlapping the villages.
    station = county.joint_station
    station.parent_id = county.tree.towns[0].id
    for column, value in boundary_columns(box(121.30, 28.30, 121.34, 28.36)).items():
        setattr(station, column, value)
    db.flush()
    default = client.get(f"/api/v1/units/{ZEGUO}/children.geojson").json()
    assert [f["properties"]["kind"] for f in default["features"]] == ["village", "village"]
    stations = client.get(f"/api/v1/units/{ZEGUO}/children.geojson", params={"kind": "joint_station"}).json()
    assert [f["properties"]["name"] for f in stations["features"]] == ["泽国联勤工作站"]
    bad = client.get(f"/api/v1/units/{ZEGUO}/children.geojson", params={"kind": "sea"})
    assert bad.status_code == 422


def test_locate_returns_the_grid_village_town_chain(client: TestClient) -> None:
    body = client.get("/api/v1/units/locate", params={"lon": 121.31, "lat": 28.31}).json()
    assert body["county"]["name"] == "温岭市"
    assert body["town"]["name"] == "泽国镇"
    assert body["village"]["name"] == "泽国东村"
    assert body["grid"] == {"code": ZEGUO_EAST_GRID_1, "name": "泽国东村第1网格", "kind": "grid", "kind_label": "网格"}
    assert [u["kind"] for u in body["chain"]] == ["county", "town", "village", "grid"]
    other = client.get("/api/v1/units/locate", params={"lon": 121.375, "lat": 28.375}).json()
    assert other["grid"]["code"] == "331081101201002"
    assert other["town"]["name"] == "大溪镇"


def test_locate_on_a_shared_edge_is_stable(client: TestClient) -> None:
    # 121.32 is the edge between the two grids of 泽国东村: the lower code wins.
    body = client.get("/api/v1/units/locate", params={"lon": 121.32, "lat": 28.31}).json()
    assert body["grid"]["code"] == ZEGUO_EAST_GRID_1


@pytest.mark.parametrize(("lon", "lat"), [(121.50, 28.31), (121.31, 28.50), (0.0, 0.0), (-179.9, -89.9)])
def test_locate_outside_the_county(client: TestClient, lon: float, lat: float) -> None:
    response = client.get("/api/v1/units/locate", params={"lon": lon, "lat": lat})
    assert response.status_code == 404
    error = error_of(response)
    assert error["code"] == "outside_county"
    assert "不在温岭市辖区范围内" in error["message"]
    assert error["details"]["lon"] == lon


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"lon": 121.3}, "lat 为必填项"),
        ({}, "lon 为必填项；lat 为必填项"),
        ({"lon": "东经121度", "lat": 28.3}, "lon 应为数字"),
        ({"lon": 200, "lat": 28.3}, "lon 不能大于 180"),
        ({"lon": 121.3, "lat": -91}, "lat 不能小于 -90"),
        ({"lon": "nan", "lat": 28.3}, "lon 应为有限的数字"),
        ({"lon": "inf", "lat": 28.3}, "lon 应为有限的数字"),
    ],
)
def test_locate_with_bad_coordinates_is_422(client: TestClient, params: dict[str, object], fragment: str) -> None:
    response = client.get("/api/v1/units/locate", params=params)
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "invalid_input"
    assert fragment in error["message"]
