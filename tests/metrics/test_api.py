"""GET /api/v1/metrics/cockpit: shape, scoping, the version tag and 304."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from fengqiao.core.clock import overridden, utcnow
from fengqiao.events.kinds import Channel, RiskLevel
from tests.events.world import World
from tests.metrics.history import add_event
from tests.web.helpers import api_client, error_of

URL = "/api/v1/metrics/cockpit"


def _recent_history(world: World) -> None:
    now = utcnow()
    add_event(world, world.grid, registered_at=now - timedelta(minutes=5), risk=RiskLevel.HIGH, title="拖欠工资")
    add_event(world, world.other_grid, registered_at=now - timedelta(days=2), channel=Channel.HOTLINE_12345)
    add_event(world, world.other_town_grid, registered_at=now - timedelta(days=3), sensitive=True, title="家暴求助")


def test_county_json(db: Session, engine: Engine, world: World) -> None:
    _recent_history(world)
    with api_client(db, engine, as_staff=world.staff["county"]) as client:
        response = client.get(URL)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["unit"] == {"code": "331081", "name": "温岭市", "kind": "county", "kind_label": "县(市)"}
    assert body["breadcrumb"] == []
    assert body["kpis"]["open"] == 3
    assert body["kpis"]["high_risk"] == 1
    assert body["kpis"]["resolution"] == {"numerator": 0, "denominator": 3, "rate": 0.0}
    assert body["kpis"]["satisfaction"] == {"numerator": 0, "denominator": 0, "rate": None}
    assert [c["code"] for c in body["children"]] == [t.code for t in world.tree.towns]
    assert sum(c["open"] for c in body["children"]) == body["kpis"]["open"]
    assert len(body["intake_today"]) == len(Channel)
    assert [r["label"] for r in body["risk"]] == ["高风险", "中风险", "低风险"]
    assert [r["label"] for r in body["levels"]] == ["网格", "村(社区)", "镇(街道)", "县(市)", "未派单"]
    assert body["heat"]["units"][0]["name"] == "泽国镇"
    assert sum(n for _, _, n in body["heat"]["cells"]) == 3
    assert [e["title"] for e in body["top_risks"]] == ["拖欠工资"]
    # The sensitive event's title stays hidden on the map as in every list.
    assert "家暴求助" not in response.text
    assert response.headers["etag"] == f'"{body["version"]}"'


def test_town_breadcrumb_and_children(db: Session, engine: Engine, world: World) -> None:
    _recent_history(world)
    with api_client(db, engine, as_staff=world.staff["town_dispatcher"]) as client:
        body = client.get(URL).json()
    assert body["unit"]["code"] == world.town.code
    assert [u["code"] for u in body["breadcrumb"]] == [world.tree.county.code]
    assert [c["code"] for c in body["children"]] == [v.code for v in world.tree.villages[:2]]
    assert body["kpis"]["open"] == 2


def test_other_town_is_refused(db: Session, engine: Engine, world: World) -> None:
    with api_client(db, engine, as_staff=world.staff["town_dispatcher"]) as client:
        response = client.get(URL, params={"unit": world.tree.towns[1].code})
        assert response.status_code == 404
        assert error_of(response)["code"] == "unit_not_found"
        assert client.get(URL, params={"unit": world.tree.county.code}).status_code == 404
        assert client.get(URL, params={"unit": "33\x001"}).status_code == 422


def test_login_required(db: Session, engine: Engine, world: World) -> None:
    with api_client(db, engine) as client:
        assert client.get(URL).status_code == 401


def test_department_without_territory(db: Session, engine: Engine, world: World) -> None:
    with api_client(db, engine, as_staff=world.staff["department_handler"]) as client:
        response = client.get(URL)
    assert response.status_code == 403
    assert error_of(response)["code"] == "no_territory"


def test_polling_answers_304_until_something_changes(db: Session, engine: Engine, world: World) -> None:
    _recent_history(world)
    held = utcnow()  # the tag includes the minute: held still, a minute turning mid-test cannot change it
    with overridden(lambda: held), api_client(db, engine, as_staff=world.staff["county"]) as client:
        first = client.get(URL)
        tag = first.headers["etag"]
        unchanged = client.get(URL, headers={"If-None-Match": tag})
        assert unchanged.status_code == 304
        assert unchanged.content == b""
        version = client.get(f"{URL}/version").json()
        assert f'"{version["version"]}"' == tag
        add_event(world, world.grid, registered_at=utcnow())
        changed = client.get(URL, headers={"If-None-Match": tag})
        assert changed.status_code == 200
        assert changed.json()["kpis"]["open"] == first.json()["kpis"]["open"] + 1
        assert changed.headers["etag"] != tag
