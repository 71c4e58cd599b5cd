"""Warnings and risk rules through the API: the list is scoped, only the responsible unit acknowledges (stale
versions refused), and the rule set routes validate, dry-run, save and activate for administrators only."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from fengqiao.duty.models import DutyAssignment
from fengqiao.duty.roles import DutyRole
from fengqiao.warnings import issued
from fengqiao.warnings.models import RiskWarning
from fengqiao.warnings.rules import store
from tests import factories
from tests.events.world import World, make_world
from tests.web.helpers import api_client


@pytest.fixture
def world(db: Session) -> World:
    world = make_world(db)
    admin = factories.StaffFactory(username="admin", full_name="管理员")
    db.add(
        DutyAssignment(
            county_code=admin.county_code, staff_id=admin.id, unit_id=world.tree.county.id, role=DutyRole.ADMIN
        )
    )
    world.staff["admin"] = admin
    db.flush()
    return world


@pytest.fixture
def client(db: Session, engine: Engine, world: World) -> Iterator[TestClient]:
    with api_client(db, engine) as test_client:
        yield test_client


def _as(world: World, who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.token(who)}"}


@pytest.fixture
def warning(world: World) -> RiskWarning:
    made = issued.issue(
        session=world.session,
        county_code=world.village.county_code,
        source="rule",
        kind="self_harm",
        level="high",
        title="扬言轻生预警",
        reason="扬言轻生：风险线索：自伤自杀",
        evidence={"event_ids": []},
        unit=world.village,
        dedupe_key="api:1",
    )
    assert made is not None
    world.session.flush()
    return made


def test_warning_list_is_scoped_and_acknowledged_by_the_unit(
    client: TestClient, world: World, warning: RiskWarning
) -> None:
    mine = client.get("/api/v1/warnings?pending=true", headers=_as(world, "village_head")).json()
    assert [w["id"] for w in mine["items"]] == [warning.id]
    item = mine["items"][0]
    assert item["status"] == {"value": "issued", "label": "待签收"}
    assert item["level"]["label"] == "高风险"
    assert item["may_acknowledge"] is True
    assert client.get("/api/v1/warnings", headers=_as(world, "other_town_dispatcher")).json()["total"] == 0
    hidden = client.get(f"/api/v1/warnings/{warning.id}", headers=_as(world, "other_village_head"))
    assert hidden.status_code == 404
    assert hidden.json()["error"]["code"] == "warning_not_found"
    town = client.get(f"/api/v1/warnings/{warning.id}", headers=_as(world, "town_dispatcher")).json()
    assert town["may_acknowledge"] is False
    url = f"/api/v1/warnings/{warning.id}/acknowledge"
    refused = client.post(url, json={"version": item["version"]}, headers=_as(world, "town_dispatcher"))
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "not_responsible_unit"
    stale = client.post(url, json={"version": item["version"] + 1}, headers=_as(world, "village_head"))
    assert stale.status_code == 409
    done = client.post(url, json={"version": item["version"], "note": "已联系"}, headers=_as(world, "village_head"))
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["status"]["label"] == "已签收"
    assert body["acknowledged_by"] == "village_head姓名"
    assert [h["action"] for h in body["history"]] == ["issued", "acknowledged"]


def test_rule_routes_are_for_administrators(client: TestClient, world: World) -> None:
    refused = client.get("/api/v1/risk-rules", headers=_as(world, "town_dispatcher"))
    assert refused.status_code == 403
    listed = client.get("/api/v1/risk-rules", headers=_as(world, "admin")).json()
    assert listed["items"] == []
    assert listed["active_version"] == 1
    assert "civil_to_criminal_family" in listed["builtin_text"]


def test_validate_reports_problems_and_save_refuses_them(client: TestClient, world: World) -> None:
    bad = "rules:\n  - code: x1\n    name: 坏\n    when: {category: [labor]}\n    then: {risk: high}\n"
    checked = client.post("/api/v1/risk-rules/validate", json={"text": bad}, headers=_as(world, "admin")).json()
    assert checked["valid"] is False
    [problem] = checked["problems"]
    assert (problem["rule"], problem["field"], problem["line"]) == ("x1（第1条）", "when.category", 4)
    saved = client.post("/api/v1/risk-rules", json={"text": bad}, headers=_as(world, "admin"))
    assert saved.status_code == 422
    assert saved.json()["error"]["code"] == "invalid_rule_set"
    assert saved.json()["error"]["details"][0]["field"] == "when.category"
    good = client.post(
        "/api/v1/risk-rules/validate", json={"text": store.default_text()}, headers=_as(world, "admin")
    ).json()
    assert good["valid"] is True
    assert good["rules"] >= 5


def test_save_activate_roll_back_and_dry_run(client: TestClient, world: World) -> None:
    text = "rules:\n  - {code: only_labour, name: 劳动, when: {category: [labour]}, then: {risk: medium}}\n"
    created = client.post(
        "/api/v1/risk-rules", json={"text": text, "note": "试行", "activate": True}, headers=_as(world, "admin")
    )
    assert created.status_code == 201, created.text
    assert created.json()["version"] == 2
    listed = client.get("/api/v1/risk-rules", headers=_as(world, "admin")).json()
    assert [(v["version"], v["is_active"]) for v in listed["items"]] == [(2, True), (1, False)]
    assert listed["active_version"] == 2
    first = listed["items"][1]["id"]
    back = client.post(f"/api/v1/risk-rules/{first}/activate", headers=_as(world, "admin"))
    assert back.status_code == 200
    assert client.get("/api/v1/risk-rules", headers=_as(world, "admin")).json()["active_version"] == 1
    report = client.post(
        "/api/v1/risk-rules/dry-run", json={"text": text, "days": 30}, headers=_as(world, "admin")
    ).json()
    assert report["rules"] == [{"code": "only_labour", "name": "劳动", "enabled": True, "count": 0, "examples": []}]
    too_long = client.post("/api/v1/risk-rules/dry-run", json={"text": text, "days": 999}, headers=_as(world, "admin"))
    assert too_long.status_code == 422
