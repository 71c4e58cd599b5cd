"""Who is on duty in a unit: roles with their Chinese titles, active staff only, optionally the whole subtree."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tests.web.helpers import County, api_client, centre_staff, error_of, populate

GRID = "331081100200001"


@pytest.fixture
def county(db: Session) -> County:
    return populate(db)


@pytest.fixture
def client(db: Session, engine: Engine, county: County) -> Iterator[TestClient]:
    with api_client(db, engine, as_staff=centre_staff(db, county)) as test_client:
        yield test_client


def test_members_of_a_grid_leader_first(client: TestClient, county: County) -> None:
    body = client.get(f"/api/v1/units/{GRID}/members").json()
    assert body["unit"]["name"] == "泽国东村第1网格"
    assert body["include_descendants"] is False
    assert body["total"] == 2  # the inactive member is left out
    leader, worker = body["items"]
    assert leader == {
        "staff_id": county.staff["grid-leader"].id,
        "full_name": "李强",
        "phone": county.staff["grid-leader"].phone,
        "role": "grid_leader",
        "role_title": "网格长",
        "unit": {"code": GRID, "name": "泽国东村第1网格", "kind": "grid", "kind_label": "网格"},
    }
    assert (worker["full_name"], worker["role_title"]) == ("王芳", "专职网格员")


def test_members_of_a_town_alone_and_with_its_subtree(client: TestClient) -> None:
    own = client.get("/api/v1/units/331081100/members").json()
    assert [(m["full_name"], m["role_title"]) for m in own["items"]] == [("张伟", "指挥室主任")]
    everyone = client.get("/api/v1/units/331081100/members", params={"include_descendants": "true"}).json()
    assert everyone["total"] == 4
    assert [m["full_name"] for m in everyone["items"]] == ["张伟", "陈国平", "李强", "王芳"]
    assert [m["unit"]["kind"] for m in everyone["items"]] == ["town", "village", "grid", "grid"]
    assert "周敏" not in {m["full_name"] for m in everyone["items"]}  # 大溪镇 is another subtree


def test_members_filtered_by_role_and_paginated(client: TestClient) -> None:
    workers = client.get("/api/v1/units/331081/members", params={"include_descendants": True, "role": "grid_worker"})
    assert [m["full_name"] for m in workers.json()["items"]] == ["王芳", "周敏"]
    page = client.get("/api/v1/units/331081/members", params={"include_descendants": True, "limit": 2, "offset": 4})
    assert page.json()["total"] == 6  # five on duty below the county, and the centre's own member
    assert len(page.json()["items"]) == 2


def test_members_with_bad_parameters(client: TestClient) -> None:
    response = client.get(f"/api/v1/units/{GRID}/members", params={"include_descendants": "也许"})
    assert response.status_code == 422
    assert "include_descendants 应为 true 或 false" in error_of(response)["message"]
    response = client.get(f"/api/v1/units/{GRID}/members", params={"role": "boss"})
    assert response.status_code == 422
    assert "role 应为以下之一：grid_leader" in error_of(response)["message"]
    response = client.get("/api/v1/units/nope/members")
    assert response.status_code == 404
    assert error_of(response)["message"] == "未找到代码为“nope”的单位"


def test_members_outside_the_callers_territory_are_not_listed(db: Session, engine: Engine, county: County) -> None:
    with api_client(db, engine, as_staff=county.staff["daxi-worker"]) as daxi:
        own = daxi.get(f"/api/v1/units/{county.tree.grids[4].code}/members")
        assert own.status_code == 200
        other = daxi.get(f"/api/v1/units/{GRID}/members")
        assert other.status_code == 404
        assert error_of(other)["code"] == "unit_not_found"
        assert "王芳" not in other.text
    with api_client(db, engine) as anonymous:
        assert anonymous.get(f"/api/v1/units/{GRID}/members").status_code == 401
