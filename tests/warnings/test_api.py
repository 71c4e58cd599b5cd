"""Early warning through the API: events registered at the front desk are analysed by the job the intake scheduled,
the pattern appears to those whose jurisdiction it touches, and staff decide on it and correct identities."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from fengqiao.basedata.identifiers import make_resident_id
from fengqiao.jobs.models import Job, JobStatus
from fengqiao.linking.models import PartyLink
from fengqiao.warnings.jobs import ANALYSE, analyse_job
from tests.events.world import World, make_world
from tests.web.helpers import api_client

LIN = make_resident_id(region_code="331081", birth_date=date(1996, 5, 17), sequence=21, female=False)


@pytest.fixture
def world(db: Session) -> World:
    return make_world(db)


@pytest.fixture
def client(db: Session, engine: Engine, world: World) -> Iterator[TestClient]:
    with api_client(db, engine) as test_client:
        yield test_client


def _as(world: World, who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.token(who)}"}


def _register(client: TestClient, world: World, content: str, **extra: Any) -> dict[str, Any]:
    body = {
        "intake_type": "mediation",
        "title": content[:14],
        "content": content,
        "unit_code": world.grid.code,
        "parties": [{"role": "respondent", "name": "林国强", "id_number": LIN, "phone": "13905761234"}],
        **extra,
    }
    response = client.post("/api/v1/events", json=body, headers=_as(world, "town_dispatcher"))
    assert response.status_code == 201, response.text
    return dict(response.json())


def _run_analysis(world: World) -> int:
    """What the worker does: run the analysis jobs the intake stored."""
    jobs = world.session.scalars(select(Job).where(Job.kind == ANALYSE, Job.status == JobStatus.PENDING)).all()
    for job in jobs:
        analyse_job(world.session, job)
        job.status = JobStatus.DONE
    world.session.flush()
    return len(jobs)


TEXTS = ["林国强占用楼道堆放建材", "林国强家装修噪音扰民", "林国强拖欠邻居借款两万元不还"]


@pytest.fixture
def pattern(client: TestClient, world: World) -> dict[str, Any]:
    for text in TEXTS:
        _register(client, world, text)
    assert _run_analysis(world) == 3
    listed = client.get("/api/v1/patterns", headers=_as(world, "town_dispatcher")).json()
    assert listed["total"] == 1
    return dict(listed["items"][0])


def test_intake_schedules_the_analysis_and_the_pattern_appears(pattern: dict[str, Any]) -> None:
    assert pattern["kind"] == {"value": "repeat_person", "label": "一人多事"}
    assert pattern["status"]["label"] == "待研判"
    assert pattern["member_count"] == 3
    assert pattern["subject"] == "林国强"


def test_patterns_are_scoped_to_jurisdiction(client: TestClient, world: World, pattern: dict[str, Any]) -> None:
    other = client.get("/api/v1/patterns", headers=_as(world, "other_town_dispatcher")).json()
    assert other["total"] == 0
    refused = client.get(f"/api/v1/patterns/{pattern['id']}", headers=_as(world, "other_town_dispatcher"))
    assert refused.status_code == 404
    assert refused.json()["error"]["code"] == "pattern_not_found"
    detail = client.get(f"/api/v1/patterns/{pattern['id']}", headers=_as(world, "grid_worker")).json()
    assert len(detail["events"]) == 3
    assert detail["hidden_count"] == 0


def test_decision_with_version_permission_and_stale_refusal(
    client: TestClient, world: World, pattern: dict[str, Any]
) -> None:
    url = f"/api/v1/patterns/{pattern['id']}/decision"
    body = {"status": "confirmed", "version": pattern["version"], "note": "同一人反复反映，列入重点关注"}
    refused = client.post(url, json=body, headers=_as(world, "grid_worker"))
    assert refused.status_code == 403
    confirmed = client.post(url, json=body, headers=_as(world, "town_dispatcher"))
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"]["label"] == "已确认"
    stale = client.post(url, json={**body, "status": "dismissed"}, headers=_as(world, "town_dispatcher"))
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "stale_pattern"
    bad = client.post(url, json={**body, "status": "merged"}, headers=_as(world, "town_dispatcher"))
    assert bad.status_code == 422


def test_similar_events_through_the_api(client: TestClient, world: World) -> None:
    wages = "温岭市鑫达机械有限公司拖欠四十余名工人三个月工资共计约八十万元，工人多次讨要未果，情绪激动，要求尽快支付。"
    again = "工人反映温岭市鑫达机械有限公司拖欠四十余名工人三个月工资约八十万元，多次讨要未果，情绪激动，要求尽快支付。"
    first = _register(client, world, wages, parties=[])
    second = _register(client, world, again, parties=[])
    _run_analysis(world)
    found = client.get(f"/api/v1/events/{second['id']}/similar", headers=_as(world, "town_dispatcher")).json()
    assert [f["event"]["id"] for f in found] == [first["id"]]
    assert found[0]["similarity"] >= 0.5
    refused = client.get(f"/api/v1/events/{second['id']}/similar", headers=_as(world, "other_town_dispatcher"))
    assert refused.status_code == 404


def test_identity_split_and_refused_remerge(client: TestClient, world: World, pattern: dict[str, Any]) -> None:
    detail = client.get(f"/api/v1/patterns/{pattern['id']}", headers=_as(world, "town_dispatcher")).json()
    event_id = detail["events"][0]["id"]
    link = world.session.scalars(select(PartyLink).where(PartyLink.event_id == event_id)).one()
    original, slot = link.identity_id, link.slot
    identity = client.get(f"/api/v1/identities/{original}", headers=_as(world, "town_dispatcher")).json()
    assert len(identity["links"]) == 3
    assert identity["links"][-1]["method"] == "new"

    outside = client.get(f"/api/v1/identities/{original}", headers=_as(world, "other_town_dispatcher"))
    assert outside.status_code == 404

    split = client.post(
        f"/api/v1/identities/{original}/split",
        json={"links": [{"event_id": event_id, "slot": slot}], "note": "同名不同人"},
        headers=_as(world, "town_dispatcher"),
    )
    assert split.status_code == 200, split.text
    new = split.json()
    assert [entry["event_id"] for entry in new["links"]] == [event_id]
    assert new["links"][0]["method"] == "staff"

    merge = client.post(
        f"/api/v1/identities/{original}/merge",
        json={"other_id": new["id"]},
        headers=_as(world, "town_dispatcher"),
    )
    assert merge.status_code == 422
    assert merge.json()["error"]["code"] == "merge_separated"
