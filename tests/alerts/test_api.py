"""The alert routes: the vendor webhook with its token, and the staff routes with their scope and permissions."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from fengqiao.alerts import dispatch
from fengqiao.alerts.integrations import create_integration
from fengqiao.alerts.models import Alert, AlertDeadLetter, AlertDispatch, AlertSilence
from fengqiao.core.clock import overridden, utcnow
from tests.alerts.conftest import AlertWorld, message
from tests.web.helpers import api_client, error_of


def now_message(device: str, alert_id: str, **kwargs: object) -> dict[str, object]:
    return message(device, alert_id, at=utcnow() - timedelta(seconds=5), **kwargs)  # type: ignore[arg-type]


def test_ingest_needs_a_valid_token(aw: AlertWorld, db: Session, engine: Engine) -> None:
    with api_client(db, engine) as client:
        response = client.post("/api/v1/alerts/ingest", json=now_message("SD-1", "a"))
        assert response.status_code == 401
        assert error_of(response)["code"] == "invalid_integration_token"
        assert error_of(response)["message"] == "接入令牌无效或已停用"
        wrong = client.post(
            "/api/v1/alerts/ingest", json=now_message("SD-1", "a"), headers={"Authorization": "Bearer fqa_nope"}
        )
        assert wrong.status_code == 401
        # A staff login token is not an integration token.
        staff_token = aw.world.token("county")
        assert (
            client.post(
                "/api/v1/alerts/ingest", json=[], headers={"Authorization": f"Bearer {staff_token}"}
            ).status_code
            == 401
        )
    assert db.scalar(select(func.count()).select_from(Alert)) == 0


def test_ingest_one_or_a_batch(aw: AlertWorld, db: Session, engine: Engine) -> None:
    _, token = create_integration(session=db, county_code="331081", name="海康平台")
    headers = {"Authorization": f"Bearer {token}"}
    with api_client(db, engine) as client:
        one = client.post("/api/v1/alerts/ingest", json=now_message("SD-1", "a-1"), headers=headers)
        assert one.status_code == 200, one.text
        assert one.json() == {"accepted": 1, "duplicates": 0, "dead_letters": 0, "heartbeats": 0}
        batch = [
            now_message("SD-1", "a-1"),
            now_message("SD-2", "a-2"),
            now_message("SD-2", None, signal="heartbeat"),  # type: ignore[arg-type]
            {"device": "SD-2"},
            now_message("NOPE", "x"),
            42,
        ]
        many = client.post("/api/v1/alerts/ingest", content=json.dumps(batch), headers=headers)
        assert many.json() == {"accepted": 1, "duplicates": 1, "dead_letters": 3, "heartbeats": 1}
        garbage = client.post("/api/v1/alerts/ingest", content=b"\xff\xfe not json", headers=headers)
        assert garbage.json()["dead_letters"] == 1
        too_many = client.post("/api/v1/alerts/ingest", json=[{}] * 1001, headers=headers)
        assert too_many.status_code == 422
        assert error_of(too_many)["code"] == "batch_too_large"
    sources = set(db.scalars(select(Alert.source)))
    assert sources == {"http:海康平台"}
    reasons = sorted(db.scalars(select(AlertDeadLetter.reason_code)))
    assert reasons == ["bad_json", "invalid_kind", "not_an_object", "unknown_device"]
    with api_client(db, engine, as_staff=aw.world.staff["county"]) as client:
        letters = client.get("/api/v1/alerts/dead-letters", params={"reason": "unknown_device"}).json()
        assert letters["total"] == 1
        assert letters["items"][0]["device_code"] == "NOPE"
        assert letters["items"][0]["source"] == "http:海康平台"
    with api_client(db, engine, as_staff=aw.world.staff["grid_worker"]) as client:
        assert client.get("/api/v1/alerts/dead-letters").status_code == 403


def test_staff_see_devices_and_groups_of_their_territory(aw: AlertWorld, db: Session, engine: Engine) -> None:
    _, token = create_integration(session=db, county_code="331081", name="平台")
    with api_client(db, engine) as client:
        client.post(
            "/api/v1/alerts/ingest", json=now_message("SD-1", "a-1"), headers={"Authorization": f"Bearer {token}"}
        )
    with api_client(db, engine, as_staff=aw.world.staff["grid_worker"]) as client:
        listed = client.get("/api/v1/alerts/devices").json()
        assert {d["code"] for d in listed["items"]} == {"SD-1", "SD-2", "IN-1", "KP-1"}  # DR-* lie in grid 2
        sd1 = next(d for d in listed["items"] if d["code"] == "SD-1")
        assert sd1["kind"] == {"value": "smoke", "label": "烟感报警"}
        assert sd1["owner_name"] == "陈海燕"
        dr1 = aw.device["DR-1"].id
        assert client.get(f"/api/v1/alerts/devices/{dr1}").status_code == 404
        groups = client.get("/api/v1/alerts/groups").json()
        assert groups["total"] == 1
        detail = client.get(f"/api/v1/alerts/groups/{groups['items'][0]['id']}").json()
        assert [a["alert_id"] for a in detail["alerts"]] == ["a-1"]
        assert detail["status"]["label"] == "待研判"
    with api_client(db, engine, as_staff=aw.world.staff["other_town_grid_worker"]) as client:
        assert client.get("/api/v1/alerts/devices").json()["total"] == 0
        assert client.get("/api/v1/alerts/groups").json()["total"] == 0


def test_silences_need_the_dispatch_permission(aw: AlertWorld, db: Session, engine: Engine) -> None:
    body = {
        "reason": "消防检修",
        "unit_code": aw.world.grid.code,
        "ends_at": (utcnow() + timedelta(hours=2)).isoformat(),
    }
    with api_client(db, engine, as_staff=aw.world.staff["grid_worker"]) as client:
        assert client.post("/api/v1/alerts/silences", json=body).status_code == 403
    with api_client(db, engine, as_staff=aw.world.staff["town_dispatcher"]) as client:
        created = client.post("/api/v1/alerts/silences", json=body)
        assert created.status_code == 201, created.text
        silence_id = created.json()["id"]
        assert client.get("/api/v1/alerts/silences").json()["total"] == 1
        bad = client.post("/api/v1/alerts/silences", json={**body, "ends_at": "2020-01-01T00:00:00+08:00"})
        assert error_of(bad)["code"] == "invalid_silence_period"
        assert client.delete(f"/api/v1/alerts/silences/{silence_id}").status_code == 204
        assert client.get("/api/v1/alerts/silences").json()["total"] == 0
    assert db.get(AlertSilence, silence_id) is not None  # kept for the record


def test_acknowledge_arrive_and_result_over_http(aw: AlertWorld, db: Session, engine: Engine) -> None:
    _, token = create_integration(session=db, county_code="331081", name="平台")
    with api_client(db, engine) as client:
        client.post(
            "/api/v1/alerts/ingest",
            json=now_message("DR-1", "d-1", kind="drowning"),
            headers={"Authorization": f"Bearer {token}"},
        )
    moment = utcnow() + timedelta(seconds=5)
    with overridden(lambda: moment):
        dispatch.sweep(session=db)
    sent = db.scalars(select(AlertDispatch)).one()
    # Grid 2 has nobody on duty: the county centre sees it, but only a unit holding a task may act.
    with api_client(db, engine, as_staff=aw.world.staff["county"]) as client:
        assert client.get(f"/api/v1/alerts/dispatches/{sent.id}").json()["kind"]["label"] == "防溺水告警"
        refused = client.post(f"/api/v1/alerts/dispatches/{sent.id}/acknowledge", json={})
        assert refused.status_code == 403
    with overridden(lambda: sent.ack_deadline + timedelta(seconds=1)):
        dispatch.escalate_due(session=db, dispatch_id=sent.id, deadline=sent.ack_deadline.isoformat())
    with api_client(db, engine, as_staff=aw.world.staff["station_member"]) as client:
        mine = client.get("/api/v1/alerts/dispatches").json()
        assert [d["id"] for d in mine] == [sent.id]
        version = mine[0]["version"]
        acked = client.post(f"/api/v1/alerts/dispatches/{sent.id}/acknowledge", json={"version": version})
        assert acked.status_code == 200, acked.text
        stale = client.post(f"/api/v1/alerts/dispatches/{sent.id}/arrive", json={"version": version})
        assert error_of(stale)["code"] == "stale_alert_dispatch"
        arrived = client.post(f"/api/v1/alerts/dispatches/{sent.id}/arrive", json={"note": "已到水库北岸"})
        assert arrived.status_code == 200, arrived.text
        assert arrived.json()["arrived_at"] is not None
        done = client.post(f"/api/v1/alerts/dispatches/{sent.id}/result", json={"result": "real", "note": "已劝离"})
        assert done.json()["result"] == {"value": "real", "label": "真实警情"}
        assert client.get("/api/v1/alerts/dispatches").json() == []
    with api_client(db, engine, as_staff=aw.world.staff["county"]) as client:
        rates = client.get("/api/v1/alerts/false-alarm-rates").json()
        assert rates == [
            {"key": "drowning", "label": "防溺水告警", "results": 1, "false_alarms": 0, "tests": 0, "rate": 0.0}
        ]
        assert client.get("/api/v1/alerts/maintenance").json() == []


def test_import_over_http(aw: AlertWorld, db: Session, engine: Engine) -> None:
    content = "设备编号,设备类型,经度,纬度\nH-1,烟感,121.31,28.31\nH-2,烟感,121.35,28.31\n".encode()
    with api_client(db, engine, as_staff=aw.world.staff["village_head"]) as client:
        response = client.post("/api/v1/alerts/devices/import", files={"file": ("设备.csv", content, "text/csv")})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["created"] == 1
        assert body["errors"] == [{"row": 3, "message": "设备位置不在您的辖区内"}]
    with api_client(db, engine, as_staff=aw.world.staff["grid_worker"]) as client:
        forbidden = client.post("/api/v1/alerts/devices/import", files={"file": ("设备.csv", content, "text/csv")})
        assert forbidden.status_code == 403
