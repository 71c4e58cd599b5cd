"""Every new event passes through triage; a dispatcher's correction is recorded for the next training run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from fengqiao.accounts import service as accounts
from fengqiao.jobs.models import Job
from fengqiao.triage.classify.models import ClassificationCorrection
from tests.events.world import World, make_world
from tests.web.helpers import api_client


@pytest.fixture
def world(db: Session) -> World:
    return make_world(db)


@pytest.fixture
def client(db: Session, engine: Engine, world: World) -> Iterator[TestClient]:
    with api_client(db, engine) as test_client:
        yield test_client


def _key(world: World, channel: str) -> str:
    _, raw = accounts.create_api_key(
        session=world.session, county_code="331081", channel=channel, name=channel, unit_id=world.tree.county.id
    )
    return raw


def test_a_police_call_is_classified_suggested_and_queued_for_dual_dispatch(client: TestClient, world: World) -> None:
    call = {
        "incident_no": "110-20261122-0042",
        "call_time": "2026-11-22T21:15:00",
        "alarm_type": "200200",
        "summary": "报警人称邻居家装修噪音持续到深夜，双方在楼道争吵，未动手，要求处理。",
        "lon": 121.31,
        "lat": 28.31,
    }
    response = client.post("/api/v1/intake/police_110", json=call, headers={"X-API-Key": _key(world, "police_110")})
    assert response.status_code == 201, response.text
    event_id = response.json()["event"]["id"]
    detail = client.get(f"/api/v1/events/{event_id}", headers={"Authorization": f"Bearer {world.token('county')}"})
    assert detail.json()["category"] is not None
    from fengqiao.events.models import Event

    event = world.session.get(Event, event_id)
    assert event is not None
    assert event.triage is not None
    suggestion = event.triage["suggestion"]
    assert (suggestion["primary"], suggestion["joint"], suggestion["auto"]) == (world.town.code, "331081PS01", True)
    jobs = world.session.scalars(select(Job).where(Job.kind == "triage.auto_dispatch")).all()
    assert [j.payload["event_id"] for j in jobs] == [event_id]


def test_a_correction_is_recorded_with_the_prediction(client: TestClient, world: World) -> None:
    response = client.post(
        "/api/v1/events",
        json={
            "intake_type": "complaint_report",
            "title": "工地拖欠工资",
            "content": "某工地老板拖欠40名工人三个月工资",
        },
        headers={"Authorization": f"Bearer {world.token('town_dispatcher')}"},
    )
    assert response.status_code == 201, response.text
    event = response.json()
    corrected = client.post(
        f"/api/v1/events/{event['id']}/reclassify",
        json={"version": event["version"], "subcategory": "debt_contract.build_contract", "note": "工程款纠纷"},
        headers={"Authorization": f"Bearer {world.token('town_dispatcher')}"},
    )
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["category"] == "debt_contract"
    correction = world.session.scalars(select(ClassificationCorrection)).one()
    assert correction.corrected_subcategory == "debt_contract.build_contract"
    assert correction.predicted_category == event["category"]
    refused = client.post(
        f"/api/v1/events/{event['id']}/reclassify",
        json={"version": corrected.json()["version"], "subcategory": "labour.wage_arrears"},
        headers={"Authorization": f"Bearer {world.token('grid_worker')}"},
    )
    assert refused.status_code in (403, 404)
