"""GET /api/v1/metrics and /api/v1/metrics/{metric}: definitions, figures, breakdowns, scoping, bad requests."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from fengqiao.metrics.definitions import METRICS
from tests.events.world import World
from tests.metrics.ledger import build_ledger
from tests.web.helpers import api_client, error_of

URL = "/api/v1/metrics"
MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


def test_definitions(db: Session, engine: Engine, world: World) -> None:
    with api_client(db, engine, as_staff=world.staff["county"]) as client:
        response = client.get(URL)
    assert response.status_code == 200, response.text
    body = response.json()
    assert [m["code"] for m in body] == list(METRICS)
    rate = next(m for m in body if m["code"] == "resolution_rate")
    assert rate["name"] == "化解率"
    assert (rate["numerator"], rate["denominator"], rate["unit"]) == ("closed", "counted", "rate")
    assert rate["time_basis"]


def test_county_by_town(db: Session, engine: Engine, world: World) -> None:
    build_ledger(world)
    town0, town1 = world.tree.towns
    with api_client(db, engine, as_staff=world.staff["county"]) as client:
        total = client.get(f"{URL}/resolution_rate", params=MARCH).json()
        by_town = client.get(f"{URL}/resolution_rate", params={**MARCH, "by": "unit,month"}).json()
    assert total["unit"]["code"] == world.tree.county.code
    assert total["rows"] == [{"group": {}, "labels": {}, "numerator": 5, "denominator": 6, "value": 5 / 6}]
    assert by_town["by"] == ["unit", "month"]
    assert [(r["group"], r["labels"], r["numerator"], r["denominator"]) for r in by_town["rows"]] == [
        ({"unit": town0.code, "month": "2026-03"}, {"unit": town0.name, "month": "2026-03"}, 4, 4),
        ({"unit": town1.code, "month": "2026-03"}, {"unit": town1.name, "month": "2026-03"}, 1, 2),
    ]


def test_town_by_channel_and_labels(db: Session, engine: Engine, world: World) -> None:
    build_ledger(world)
    with api_client(db, engine, as_staff=world.staff["town_dispatcher"]) as client:
        body = client.get(f"{URL}/intake", params={**MARCH, "by": ["channel"]}).json()
    assert body["unit"]["code"] == world.town.code  # the viewer's own unit by default
    labels = {r["labels"]["channel"]: r["numerator"] for r in body["rows"]}
    # town0: a1 a7 by patrol, a2 a8 by 12345, a3 by 110, a6 by the QR code.
    assert labels == {"网格排查": 2, "12345热线": 2, "110纠纷类警情": 1, "市域共治码": 1}
    assert all(r["denominator"] is None for r in body["rows"])


def test_scoped_to_the_viewer(db: Session, engine: Engine, world: World) -> None:
    with api_client(db, engine, as_staff=world.staff["town_dispatcher"]) as client:
        response = client.get(f"{URL}/resolution_rate", params={"unit": world.tree.towns[1].code})
        assert response.status_code == 404
        assert error_of(response)["code"] == "unit_not_found"
        assert client.get(f"{URL}/resolution_rate", params={"unit": world.tree.county.code}).status_code == 404
    with api_client(db, engine) as client:
        assert client.get(f"{URL}/resolution_rate").status_code == 401


def test_bad_requests(db: Session, engine: Engine, world: World) -> None:
    with api_client(db, engine, as_staff=world.staff["county"]) as client:
        unknown = client.get(f"{URL}/happiness")
        assert unknown.status_code == 404
        assert error_of(unknown)["code"] == "metric_not_found"
        both = client.get(f"{URL}/intake", params={"by": "category,channel"})
        assert both.status_code == 422
        assert error_of(both)["code"] == "invalid_breakdown"
        backwards = client.get(f"{URL}/intake", params={"from": "2026-03-31", "to": "2026-03-01"})
        assert error_of(backwards)["code"] == "invalid_period"
        assert client.get(f"{URL}/intake", params={"from": "yesterday"}).status_code == 422
        # The cockpit's routes are not taken for metrics.
        assert client.get(f"{URL}/cockpit").status_code == 200
