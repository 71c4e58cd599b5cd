"""Buildings and rooms: detail with the jurisdiction chain and counts, rooms page by page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tests.web.helpers import County, api_client, centre_staff, error_of, populate


@pytest.fixture
def county(db: Session) -> County:
    return populate(db)


@pytest.fixture
def client(db: Session, engine: Engine, county: County) -> Iterator[TestClient]:
    with api_client(db, engine, as_staff=centre_staff(db, county)) as test_client:
        yield test_client


def test_building_detail(client: TestClient, county: County) -> None:
    building = county.estate_building
    body = client.get(f"/api/v1/buildings/{building.id}").json()
    assert body["standard_address"] == "泽国镇文昌路88号锦绣花园3幢"
    assert (body["kind"], body["kind_label"]) == ("estate", "小区住宅")
    assert body["estate"] == "锦绣花园"
    assert body["building_no"] == 3
    assert body["floors"] == 6
    assert body["location"] == {"lon": 121.31, "lat": 28.31}
    assert body["grid"]["name"] == "泽国东村第1网格"
    assert body["village"]["name"] == "泽国东村"
    assert body["town"] == {"code": "331081100", "name": "泽国镇", "kind": "town", "kind_label": "镇(街道)"}
    assert body["room_count"] == 3
    assert body["rental_room_count"] == 1
    assert body["resident_count"] == 3
    assert county.enterprise is not None
    assert body["enterprises"] == [
        {
            "id": county.enterprise.id,
            "name": "温岭市锦绣机电有限公司",
            "credit_code": county.enterprise.credit_code,
            "industry": "泵与电机制造",
            "employee_count": 30,
        }
    ]
    # No personal data of residents, nor of the enterprise's legal representative.
    assert "居民" not in str(body)
    assert "陈建国" not in str(body)


def test_building_without_rooms(client: TestClient, db: Session, county: County) -> None:
    body = client.get(f"/api/v1/buildings/{county.shop_building.id}").json()
    assert (body["kind_label"], body["town"]["name"], body["room_count"], body["enterprises"]) == (
        "沿街商铺",
        "大溪镇",
        1,
        [],
    )


def test_rooms_of_a_building_in_order_with_resident_counts(client: TestClient, county: County) -> None:
    body = client.get(f"/api/v1/buildings/{county.estate_building.id}/rooms").json()
    assert body["building_id"] == county.estate_building.id
    assert body["total"] == 3
    assert [(r["unit_no"], r["floor"], r["room_no"]) for r in body["items"]] == [
        (1, 1, "101"),
        (2, 3, "301"),
        (2, 3, "302"),
    ]
    room_302 = body["items"][2]
    assert room_302["standard_address"] == "泽国镇文昌路88号锦绣花园3幢2单元302室"
    assert room_302["is_rental"] is True
    assert room_302["resident_count"] == 2
    page = client.get(f"/api/v1/buildings/{county.estate_building.id}/rooms", params={"limit": 1, "offset": 1}).json()
    assert (page["total"], [r["room_no"] for r in page["items"]]) == (3, ["301"])


@pytest.mark.parametrize("suffix", ["", "/rooms"])
def test_unknown_building_is_404(client: TestClient, suffix: str) -> None:
    response = client.get(f"/api/v1/buildings/987654{suffix}")
    assert response.status_code == 404
    assert error_of(response) == {
        "code": "building_not_found",
        "message": "未找到编号为 987654 的楼栋",
        "details": {"building_id": 987654},
    }


@pytest.mark.parametrize(
    ("building_id", "fragment"),
    [
        ("abc", "应为整数"),
        ("0", "不能小于 1"),
        ("-5", "不能小于 1"),
        (str(2**63), "不能大于 2147483647"),
        ("1.5", "应为整数"),
    ],
)
def test_bad_building_id_is_422(client: TestClient, building_id: str, fragment: str) -> None:
    response = client.get(f"/api/v1/buildings/{building_id}")
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "invalid_input"
    assert f"building_id {fragment}" in error["message"]


def test_buildings_outside_the_callers_territory_are_hidden(db: Session, engine: Engine, county: County) -> None:
    building = county.estate_building
    with api_client(db, engine, as_staff=county.staff["daxi-worker"]) as daxi:
        hidden = daxi.get(f"/api/v1/buildings/{building.id}")
        assert hidden.status_code == 404
        assert error_of(hidden)["code"] == "building_not_found"
        assert daxi.get(f"/api/v1/buildings/{building.id}/rooms").status_code == 404
        found = daxi.get("/api/v1/addresses", params={"prefix": building.standard_address[:4]}).json()
        assert found["items"] == []
    with api_client(db, engine, as_staff=county.staff["grid-worker"]) as own:
        assert own.get(f"/api/v1/buildings/{building.id}").status_code == 200
