"""Responsibility lists: edited by the county centre, the narrowest rule wins."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from fengqiao.triage.responsibility.service import add_rule, owner_for
from tests import factories
from tests.events.world import World, make_world
from tests.web.helpers import api_client


@pytest.fixture
def world(db: Session) -> World:
    return make_world(db)


@pytest.fixture
def client(db: Session, engine: Engine, world: World) -> Iterator[TestClient]:
    with api_client(db, engine, as_staff=world.staff["county"]) as test_client:
        yield test_client


def test_the_centre_maintains_the_list(client: TestClient, world: World) -> None:
    body = {"category": "labour", "scope_code": "331081", "department_code": world.department.code}
    created = client.post("/api/v1/responsibilities", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["department_name"] == "市人力社保局"
    assert client.post("/api/v1/responsibilities", json=body).status_code == 409
    unknown = client.post("/api/v1/responsibilities", json={**body, "category": "astrology"})
    assert unknown.json()["error"]["code"] == "unknown_category"
    not_department = client.post("/api/v1/responsibilities", json={**body, "department_code": world.town.code})
    assert not_department.json()["error"]["code"] == "not_a_department"
    listed = client.get("/api/v1/responsibilities").json()
    assert [r["category"] for r in listed] == ["labour"]
    grid_worker = {"Authorization": f"Bearer {world.token('grid_worker')}"}
    assert client.post("/api/v1/responsibilities", json=body, headers=grid_worker).status_code == 403
    assert client.delete(f"/api/v1/responsibilities/{listed[0]['id']}").status_code == 204
    assert client.get("/api/v1/responsibilities").json() == []


def test_the_narrowest_scope_and_the_subcategory_win(world: World) -> None:
    session = world.session
    second = factories.UnitFactory(
        code="331081D02",
        name="市住建局",
        kind="department",
        level=1,
        parent_id=world.tree.county.id,
        path="331081/331081D02/",
    )
    add_rule(session=session, category="labour", scope_code="331081", department_code=world.department.code)
    add_rule(session=session, category="labour", scope_code=world.town.code, department_code=second.code)
    add_rule(
        session=session, category="labour.wage_arrears", scope_code="331081", department_code=world.department.code
    )
    in_town = owner_for(session=session, category="labour", subcategory=None, location_path=world.grid.path)
    assert in_town is not None
    assert in_town.code == second.code
    elsewhere = owner_for(
        session=session, category="labour", subcategory=None, location_path=world.other_town_grid.path
    )
    assert elsewhere is not None
    assert elsewhere.code == world.department.code
    assert owner_for(session=session, category="neighbour", subcategory=None, location_path=world.grid.path) is None
