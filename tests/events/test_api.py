"""Events through the HTTP API: a 12345 ticket from arrival to callback, idempotency, conflicts, masking, progress."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from fengqiao.accounts import service as accounts
from fengqiao.audit.models import AuditEntry
from fengqiao.events.models import Event
from tests.events.world import World, make_world
from tests.web.helpers import api_client

TICKET = {
    "ticket_no": "WL12345-20261101-0007",
    "title": "小区楼下烧烤油烟扰民",
    "content": "市民反映泽国镇某小区楼下烧烤摊每晚油烟和噪音扰民，要求处理。",
    "caller_name": "林晓红",
    "caller_phone": "13857612345",
    "hotline_category": "城乡建设",
}


@pytest.fixture
def world(db: Session) -> World:
    return make_world(db)


@pytest.fixture
def client(db: Session, engine: Engine, world: World) -> Iterator[TestClient]:
    with api_client(db, engine) as test_client:
        yield test_client


@pytest.fixture
def hotline_key(world: World) -> str:
    _, raw = accounts.create_api_key(
        session=world.session,
        county_code="331081",
        channel="hotline_12345",
        name="12345平台",
        unit_id=world.tree.county.id,
    )
    return raw


def _as(world: World, who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.token(who)}"}


def _act(client: TestClient, world: World, who: str, event: dict[str, Any], action: str, **body: Any) -> Any:
    response = client.post(
        f"/api/v1/events/{event['id']}/actions/{action}",
        json={"version": event["version"], **body},
        headers=_as(world, who),
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_a_12345_ticket_from_arrival_to_callback(client: TestClient, world: World, hotline_key: str) -> None:
    ticket = {**TICKET, "lon": 121.31, "lat": 28.31}  # inside the first grid of the test county
    arrived = client.post("/api/v1/intake/hotline_12345", json=ticket, headers={"X-API-Key": hotline_key})
    assert arrived.status_code == 201, arrived.text
    summary = arrived.json()["event"]
    assert summary["status"]["label"] == "已受理"
    assert summary["location_unit_code"] == world.grid.code
    event = client.get(f"/api/v1/events/{summary['id']}", headers=_as(world, "county")).json()
    event = _act(client, world, "county", event, "dispatch", target_unit_code=world.grid.code)
    assert event["status"]["value"] == "dispatched"
    inbox = client.get("/api/v1/inbox", headers=_as(world, "grid_worker")).json()
    assert [(i["reason"], i["event"]["id"]) for i in inbox["items"]] == [("待签收", event["id"])]
    event = _act(client, world, "grid_worker", event, "accept")
    event = _act(client, world, "grid_worker", event, "handle", note="现场劝导摊主，加装油烟净化设备")
    event = _act(client, world, "grid_worker", event, "report_back", note="已整改，摊主承诺22点后停止营业")
    event = _act(client, world, "county", event, "review_pass")
    event = _act(client, world, "county", event, "close")
    assert event["status"]["label"] == "已办结"
    inbox = client.get("/api/v1/inbox", headers=_as(world, "county")).json()
    assert [(i["reason"], i["event"]["id"]) for i in inbox["items"]] == [("待回访", event["id"])]
    event = _act(client, world, "county", event, "callback", satisfaction="satisfied", note="群众表示满意")
    assert event["callbacks"][0]["satisfaction"]["label"] == "满意"
    timeline = client.get(f"/api/v1/events/{event['id']}/timeline", headers=_as(world, "county")).json()
    assert [(t["action"]["label"], t["actor_name"]) for t in timeline] == [
        ("受理登记", "系统"),
        ("流转交办", "county姓名"),
        ("签收", "grid_worker姓名"),
        ("处置", "grid_worker姓名"),
        ("反馈", "grid_worker姓名"),
        ("审核通过", "county姓名"),
        ("销号办结", "county姓名"),
        ("回访", "county姓名"),
    ]
    progress = client.get(
        "/api/v1/public/progress", params={"code": event["dispute_code"].lower(), "phone_last4": "2345"}
    )
    assert progress.status_code == 200
    assert progress.json()["status"]["label"] == "已办结"
    assert "已办结" in [s["label"] for s in progress.json()["steps"]]


def test_redelivery_of_a_ticket_changes_nothing(client: TestClient, world: World, hotline_key: str) -> None:
    first = client.post("/api/v1/intake/hotline_12345", json=TICKET, headers={"X-API-Key": hotline_key})
    again = client.post("/api/v1/intake/hotline_12345", json=TICKET, headers={"X-API-Key": hotline_key})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["created"] is False
    assert again.json()["event"]["id"] == first.json()["event"]["id"]
    assert world.session.scalar(select(func.count()).select_from(Event)) == 1


def test_intake_errors_are_clear(client: TestClient, world: World, hotline_key: str) -> None:
    no_key = client.post("/api/v1/intake/hotline_12345", json=TICKET)
    assert no_key.status_code == 401
    assert no_key.json()["error"]["code"] == "invalid_api_key"
    wrong_channel = client.post("/api/v1/intake/police_110", json=TICKET, headers={"X-API-Key": hotline_key})
    assert wrong_channel.json()["error"]["code"] == "api_key_wrong_channel"
    bad = client.post("/api/v1/intake/hotline_12345", json={"ticket_no": "x"}, headers={"X-API-Key": hotline_key})
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "invalid_input"
    bad_phone = client.post(
        "/api/v1/intake/hotline_12345", json={**TICKET, "caller_phone": "12"}, headers={"X-API-Key": hotline_key}
    )
    assert bad_phone.status_code == 422
    assert bad_phone.json()["error"]["code"] == "invalid_phone"
    assert "电话号码" in bad_phone.json()["error"]["message"]
    assert world.session.scalar(select(func.count()).select_from(Event)) == 0


def test_batch_intake_reports_each_item(client: TestClient, hotline_key: str) -> None:
    items = [TICKET, TICKET, {**TICKET, "ticket_no": "T-2"}, {"ticket_no": "T-3"}]
    response = client.post("/api/v1/intake/hotline_12345/batch", json=items, headers={"X-API-Key": hotline_key})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["created"], body["existing"], body["failed"]) == (2, 1, 1)
    assert body["results"][1]["event_id"] == body["results"][0]["event_id"]
    assert body["results"][3]["error"]["code"] == "invalid_input"


def test_stale_version_gets_409(client: TestClient, world: World, hotline_key: str) -> None:
    created = client.post("/api/v1/intake/hotline_12345", json=TICKET, headers={"X-API-Key": hotline_key}).json()
    event = client.get(f"/api/v1/events/{created['event']['id']}", headers=_as(world, "county")).json()
    _act(client, world, "county", event, "dispatch", target_unit_code=world.grid.code)
    stale = client.post(
        f"/api/v1/events/{event['id']}/actions/recall", json={"version": event["version"]}, headers=_as(world, "leader")
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "version_conflict"


def _front_desk_event(client: TestClient, world: World) -> dict[str, Any]:
    response = client.post(
        "/api/v1/events",
        json={
            "intake_type": "mediation",
            "title": "夫妻因抚养问题争吵",
            "content": "前夫砸坏房门，双方因孩子抚养问题发生冲突",
            "is_dispute": True,
            "is_sensitive": True,
            "unit_code": world.grid.code,
            "reporter_name": "颜丽萍",
            "reporter_phone": "13906561234",
            "parties": [
                {"role": "applicant", "name": "颜丽萍", "phone": "13906561234", "id_number": "11010519491231002X"},
                {"role": "respondent", "name": "王建军"},
            ],
        },
        headers=_as(world, "town_dispatcher"),
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_personal_data_is_masked_and_unmasking_is_audited(client: TestClient, world: World) -> None:
    event = _front_desk_event(client, world)
    assert event["masked"] is True
    assert event["reporter_phone"] == "139****1234"
    assert event["parties"][0]["id_number"] == "110105********002X"
    assert event["content"] == "【涉敏事项，内容已隐藏】"
    listed = client.get("/api/v1/events", headers=_as(world, "grid_worker")).json()
    assert listed["items"][0]["title"] == "【涉敏事项，内容已隐藏】"
    refused = client.post(f"/api/v1/events/{event['id']}/unmask", headers=_as(world, "part_timer"))
    assert refused.status_code == 403
    shown = client.post(f"/api/v1/events/{event['id']}/unmask", headers=_as(world, "village_head"))
    assert shown.status_code == 200
    assert shown.json()["reporter_phone"] == "13906561234"
    assert shown.json()["parties"][0]["id_number"] == "11010519491231002X"
    assert "砸坏房门" in shown.json()["content"]
    assert shown.json()["title"] == "夫妻因抚养问题争吵"
    entries = world.session.scalars(select(AuditEntry).where(AuditEntry.action == "unmask")).all()
    assert [(e.actor_id, e.entity_id) for e in entries] == [(world.staff["village_head"].id, event["id"])]
    log = client.get(f"/api/v1/events/{event['id']}/access-log", headers=_as(world, "town_inspector")).json()
    assert [entry["actor_id"] for entry in log] == [world.staff["village_head"].id]


INSIDE = {
    "county",
    "leader",
    "town_dispatcher",
    "town_inspector",
    "village_head",
    "grid_worker",
    "part_timer",
    "police",
}
OUTSIDE = {
    "other_town_dispatcher",
    "other_village_head",
    "other_grid_worker",
    "other_town_grid_worker",
    "department_handler",
}


def test_roles_by_jurisdiction_matrix(client: TestClient, world: World) -> None:
    """Nobody reads or changes what lies outside their scope: 404 (never data); inside, rights decide (403)."""
    event = _front_desk_event(client, world)
    supervisors = {"county", "leader", "town_inspector"}
    for who in sorted(INSIDE | OUTSIDE):
        detail = client.get(f"/api/v1/events/{event['id']}", headers=_as(world, who))
        listed = client.get("/api/v1/events", headers=_as(world, who)).json()["items"]
        timeline = client.get(f"/api/v1/events/{event['id']}/timeline", headers=_as(world, who))
        version = client.get(f"/api/v1/events/{event['id']}", headers=_as(world, "county")).json()["version"]
        act = client.post(
            f"/api/v1/events/{event['id']}/actions/supervise",
            json={"version": version, "note": "请加快办理"},
            headers=_as(world, who),
        )
        if who in INSIDE:
            assert detail.status_code == 200, who
            assert [e["id"] for e in listed] == [event["id"]], who
            assert timeline.status_code == 200, who
            assert act.status_code == (200 if who in supervisors else 403), (who, act.text)
        else:
            assert detail.status_code == 404, who
            assert detail.json()["error"]["code"] == "event_not_found"
            assert "夫妻" not in detail.text
            assert listed == [], who
            assert timeline.status_code == 404, who
            assert act.status_code == 404, who
    timeline = client.get(f"/api/v1/events/{event['id']}/timeline", headers=_as(world, "county")).json()
    supervised_by = sorted(t["actor_name"] for t in timeline if t["action"]["value"] == "supervise")
    assert supervised_by == sorted(f"{who}姓名" for who in supervisors)


def test_department_sees_only_what_is_dispatched_to_it(client: TestClient, world: World) -> None:
    event = _front_desk_event(client, world)
    assert client.get(f"/api/v1/events/{event['id']}", headers=_as(world, "department_handler")).status_code == 404
    _act(client, world, "town_dispatcher", event, "dispatch", target_unit_code=world.department.code)
    assert client.get(f"/api/v1/events/{event['id']}", headers=_as(world, "department_handler")).status_code == 200


def test_login_lockout_and_logout(client: TestClient, world: World) -> None:
    accounts.set_password(session=world.session, staff=world.staff["grid_worker"], password="wangge-2026")
    ok = client.post("/api/v1/auth/login", json={"username": "grid_worker", "password": "wangge-2026"})
    assert ok.status_code == 200, ok.text
    token = ok.json()["token"]
    assert ok.json()["user"]["assignments"][0]["role_label"] == "专职网格员"
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"})
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    for _ in range(5):
        wrong = client.post("/api/v1/auth/login", json={"username": "grid_worker", "password": "guess-guess"})
        assert wrong.status_code == 401
        assert wrong.json()["error"]["message"] == "用户名或密码错误"
    locked = client.post("/api/v1/auth/login", json={"username": "grid_worker", "password": "wangge-2026"})
    assert locked.status_code == 423
    assert locked.json()["error"]["code"] == "account_locked"


def test_progress_needs_the_right_phone_digits(client: TestClient, world: World) -> None:
    event = _front_desk_event(client, world)
    wrong = client.get("/api/v1/public/progress", params={"code": event["dispute_code"], "phone_last4": "0000"})
    assert wrong.status_code == 404
    assert wrong.json()["error"]["code"] == "progress_not_found"
    garbage = client.get("/api/v1/public/progress", params={"code": "not-a-code", "phone_last4": "1234"})
    assert garbage.status_code == 404
    right = client.get("/api/v1/public/progress", params={"code": event["dispute_code"], "phone_last4": "1234"})
    assert right.status_code == 200
    assert "颜" not in right.text
    assert "砸" not in right.text


def test_unauthenticated_requests_are_refused(client: TestClient) -> None:
    response = client.get("/api/v1/events")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_attachments_are_stored_sniffed_and_scoped(
    client: TestClient, world: World, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = _front_desk_event(client, world)
    client.app.state.settings.data_dir = tmp_path  # type: ignore[attr-defined]
    uploaded = client.post(
        f"/api/v1/events/{event['id']}/attachments",
        files={"file": ("现场照片.png", PNG, "application/octet-stream")},
        headers=_as(world, "grid_worker"),
    )
    assert uploaded.status_code == 201, uploaded.text
    assert uploaded.json()["content_type"] == "image/png"
    fake = client.post(
        f"/api/v1/events/{event['id']}/attachments",
        files={"file": ("evil.png", b"MZ\x90\x00 not an image", "image/png")},
        headers=_as(world, "grid_worker"),
    )
    assert fake.status_code == 422
    assert fake.json()["error"]["code"] == "unsupported_file_type"
    listed = client.get(f"/api/v1/events/{event['id']}/attachments", headers=_as(world, "village_head")).json()
    assert [a["filename"] for a in listed] == ["现场照片.png"]
    download = client.get(f"/api/v1/attachments/{listed[0]['id']}", headers=_as(world, "village_head"))
    assert download.content == PNG
    outside = client.get(f"/api/v1/attachments/{listed[0]['id']}", headers=_as(world, "other_grid_worker"))
    assert outside.status_code == 404
    assert outside.json()["error"]["code"] == "attachment_not_found"


def test_dispute_code_prints_as_a_qr_code(client: TestClient, world: World) -> None:
    event = _front_desk_event(client, world)
    response = client.get(f"/api/v1/events/{event['id']}/dispute-code.svg", headers=_as(world, "town_dispatcher"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert response.content.lstrip().startswith(b"<?xml") or b"<svg" in response.content[:200]


def test_progress_lookups_are_rate_limited(client: TestClient, world: World) -> None:
    event = _front_desk_event(client, world)
    answers = [
        client.get("/api/v1/public/progress", params={"code": event["dispute_code"], "phone_last4": f"{n:04d}"})
        for n in range(31)
    ]
    assert {a.status_code for a in answers[:30]} == {404}
    assert answers[30].status_code == 429
    assert answers[30].json()["error"]["code"] == "too_many_requests"
