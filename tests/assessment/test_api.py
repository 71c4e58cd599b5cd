"""GET /api/v1/assessment: the towns' ranking for every post of the county, a town's villages only for those who
cover the town; the same figures as the service (checked by hand in test_scoring)."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tests.events.world import World
from tests.reports.history import build_history
from tests.web.helpers import api_client, error_of


def test_towns_ranking_with_breakdown(db: Session, engine: Engine, world: World) -> None:
    build_history(world)
    with api_client(db, engine, as_staff=world.staff["village_head"]) as client:
        response = client.get("/api/v1/assessment", params={"month": "2026-10"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["start"], body["end"], body["level"]) == ("2026-10-01", "2026-10-31", "town")
    assert [(u["rank"], u["unit_name"], u["score"]) for u in body["units"]] == [
        (1, "大溪镇", 75.79),
        (2, "泽国镇", 68.95),
    ]
    zeguo = body["units"][1]
    assert zeguo["metrics"][0] == {
        "metric": "resolution_rate",
        "label": zeguo["metrics"][0]["label"],
        "rate": {"numerator": 2, "denominator": 4, "rate": 0.5},
        "target": 0.95,
        "points_max": 30.0,
        "points": 15.79,
    }
    assert [(p["level"], p["count"], p["points"]) for p in zeguo["penalties"] if p["count"]] == [("yellow", 1, 5.0)]


def test_villages_only_of_a_covered_town(db: Session, engine: Engine, world: World) -> None:
    build_history(world)
    town0, town1 = world.tree.towns[0], world.tree.towns[1]
    with api_client(db, engine, as_staff=world.staff["town_dispatcher"]) as client:
        own = client.get("/api/v1/assessment", params={"month": "2026-10", "level": "village", "town": town0.code})
        assert own.status_code == 200, own.text
        assert {u["unit_code"] for u in own.json()["units"]} >= {world.tree.villages[0].code}
        other = client.get("/api/v1/assessment", params={"month": "2026-10", "level": "village", "town": town1.code})
        assert other.status_code == 404
        assert error_of(other)["code"] == "unit_not_found"
        bad = client.get("/api/v1/assessment", params={"month": "October"})
        assert bad.status_code == 422
        assert error_of(bad)["message"]
