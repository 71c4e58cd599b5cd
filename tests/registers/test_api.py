"""The key-register API: create, read, update with versions, progress, task force, visits, linked events — scoped to
the caller's jurisdiction, with Chinese errors and masked persons."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from fengqiao.registers import links
from tests.events.world import World
from tests.registers.conftest import BUILDER, LIN, builder_party, lin_party, register_event
from tests.web.helpers import api_client, error_of


@pytest.fixture
def client(db: Session, engine: Engine, world: World) -> Iterator[TestClient]:
    with api_client(db, engine) as test_client:
        yield test_client


def as_(client: TestClient, world: World, name: str) -> TestClient:
    client.headers["Authorization"] = f"Bearer {world.token(name)}"
    return client


def _project(client: TestClient, world: World, **extra: object) -> dict[str, object]:
    body = {
        "subclass_code": "0201",
        "name": "城西玖都荟项目工地欠薪",
        "unit_id": world.village.id,
        "risk_level": "high",
        "parties": [{"kind": "organisation", "role": "建设单位", "name": "城西置业", "credit_code": BUILDER}],
        **extra,
    }
    response = as_(client, world, "town_dispatcher").post("/api/v1/key-projects", json=body)
    assert response.status_code == 201, response.text
    result: dict[str, object] = response.json()
    return result


def test_taxonomy_lists_eight_classes(client: TestClient, world: World) -> None:
    body = as_(client, world, "grid_worker").get("/api/v1/key-registers/taxonomy").json()
    assert len(body["classes"]) == 8
    assert sum(len(c["subclasses"]) for c in body["classes"]) == 25


def test_project_lifecycle(client: TestClient, world: World) -> None:
    project = _project(client, world)
    assert project["code"] == "331081-0201-0001"
    assert project["subclass"] == {"value": "0201", "label": "房建工地欠薪"}
    pid = project["id"]
    members = project["members"]
    assert isinstance(members, list)
    seat = members[0]["id"]
    staff_id = world.staff["department_handler"].id
    assigned = client.put(f"/api/v1/key-projects/{pid}/members/{seat}", json={"staff_id": staff_id})
    assert assigned.status_code == 200, assigned.text
    assert assigned.json()["staff_name"] == "department_handler姓名"
    progress = client.post(
        f"/api/v1/key-projects/{pid}/progress", json={"percent": 40, "stage": "主体施工", "note": "已发放两个月工资"}
    )
    assert progress.status_code == 201, progress.text
    detail = progress.json()
    assert detail["progress_percent"] == 40
    assert detail["progress"][0]["by_name"] == "town_dispatcher姓名"
    stale = client.patch(f"/api/v1/key-projects/{pid}", json={"version": project["version"], "risk_level": "low"})
    assert stale.status_code == 409
    assert error_of(stale)["code"] == "stale_version"
    fresh = client.patch(f"/api/v1/key-projects/{pid}", json={"version": detail["version"], "aliases": ["玖都荟"]})
    assert fresh.status_code == 200, fresh.text
    assert fresh.json()["aliases"] == ["玖都荟"]
    listed = client.get("/api/v1/key-projects", params={"class_code": "02", "risk": "high"}).json()
    assert [p["id"] for p in listed["items"]] == [pid]
    assert client.get("/api/v1/key-projects", params={"class_code": "01"}).json()["total"] == 0


def test_linked_events_of_a_project(client: TestClient, world: World, db: Session) -> None:
    project = _project(client, world)
    event = register_event(world, content="工地拖欠工资", parties=[builder_party()])
    links.link_events(session=db, event_ids=[event.id])
    body = as_(client, world, "village_head").get(f"/api/v1/key-projects/{project['id']}/events").json()
    assert [i["event"]["id"] for i in body["items"]] == [event.id]
    assert body["items"][0]["reason"]["label"] == "当事人命中"
    assert body["items"][0]["risk_after"] == "high"


def test_outside_the_jurisdiction_a_project_does_not_exist(client: TestClient, world: World) -> None:
    project = _project(client, world)
    response = as_(client, world, "other_town_dispatcher").get(f"/api/v1/key-projects/{project['id']}")
    assert response.status_code == 404
    assert error_of(response)["code"] == "key_project_not_found"
    assert client.get("/api/v1/key-projects").json()["total"] == 0
    refused = client.post(
        "/api/v1/key-projects", json={"subclass_code": "0201", "name": "跨镇登记", "unit_id": world.village.id}
    )
    assert refused.status_code == 404


def test_a_grid_worker_may_not_keep_the_register(client: TestClient, world: World) -> None:
    response = as_(client, world, "grid_worker").post(
        "/api/v1/key-projects", json={"subclass_code": "0201", "name": "网格员登记", "unit_id": world.village.id}
    )
    assert response.status_code == 403
    assert "不能维护" in error_of(response)["message"]


def test_unknown_subclass_is_refused_in_chinese(client: TestClient, world: World) -> None:
    response = as_(client, world, "town_dispatcher").post(
        "/api/v1/key-projects", json={"subclass_code": "0999", "name": "不存在的小类", "unit_id": world.village.id}
    )
    assert response.status_code == 422
    assert error_of(response)["code"] == "unknown_subclass"


def test_key_person_is_masked_and_visits_are_logged(client: TestClient, world: World, db: Session) -> None:
    created = as_(client, world, "town_dispatcher").post(
        "/api/v1/key-persons",
        json={"name": "林国强", "id_number": LIN, "category": "petitioner", "unit_id": world.grid.id},
    )
    assert created.status_code == 201, created.text
    person = created.json()
    assert person["name"] == "林**"
    assert LIN not in created.text
    assert person["level"]["value"] == "medium"
    visit = as_(client, world, "grid_worker").post(
        f"/api/v1/key-persons/{person['id']}/visits", json={"outcome": "stable", "note": "情绪平稳"}
    )
    assert visit.status_code == 201, visit.text
    assert visit.json()["visits"][0]["by_name"] == "grid_worker姓名"
    again = as_(client, world, "town_dispatcher").post(
        "/api/v1/key-persons",
        json={"name": "林国强", "id_number": LIN, "category": "petitioner", "unit_id": world.grid.id},
    )
    assert again.status_code == 409
    event = register_event(world, parties=[lin_party()])
    links.link_events(session=db, event_ids=[event.id])
    events = client.get(f"/api/v1/key-persons/{person['id']}/events").json()
    assert [i["event"]["id"] for i in events["items"]] == [event.id]
    assert as_(client, world, "other_town_dispatcher").get(f"/api/v1/key-persons/{person['id']}").status_code == 404


def test_restricted_category_keeps_no_diagnosis(client: TestClient, world: World) -> None:
    response = as_(client, world, "town_dispatcher").post(
        "/api/v1/key-persons",
        json={
            "name": "林国强",
            "id_number": LIN,
            "category": "mental_health",
            "unit_id": world.village.id,
            "note": "精神分裂症，服药不规律",
        },
    )
    assert response.status_code == 422
    assert error_of(response)["code"] == "restricted_note"
    ok = client.post(
        "/api/v1/key-persons",
        json={"name": "林国强", "id_number": LIN, "category": "mental_health", "unit_id": world.village.id},
    )
    assert ok.status_code == 201
    assert ok.json()["restricted"] is True
    assert ok.json()["category"]["label"] == "严重精神障碍患者"


def test_key_place_crud(client: TestClient, world: World) -> None:
    created = as_(client, world, "town_dispatcher").post(
        "/api/v1/key-places",
        json={"name": "东辉路群租房", "category": "group_rental", "unit_id": world.grid.id, "aliases": ["东辉路群租"]},
    )
    assert created.status_code == 201, created.text
    place = created.json()
    assert place["level"]["value"] == "medium"
    updated = client.patch(f"/api/v1/key-places/{place['id']}", json={"version": place["version"], "level": "high"})
    assert updated.status_code == 200
    assert updated.json()["level"]["label"] == "高"
    unlocated = client.post(
        "/api/v1/key-places", json={"name": "无处可寻", "category": "group_rental", "unit_id": world.grid.id}
    )
    assert unlocated.status_code == 422
    assert error_of(unlocated)["code"] == "place_unlocated"
    assert as_(client, world, "other_grid_worker").get(f"/api/v1/key-places/{place['id']}").status_code == 404
