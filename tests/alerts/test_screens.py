"""The alerts screens' other tabs: the daily list of listed (not promoted) groups by day, scoped to the viewer's
territory, and the dead letters for the county centre with their filters."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from fengqiao.alerts import intake
from tests.alerts.conftest import T0, AlertWorld
from tests.web.helpers import api_client
from tests.web.work.conftest import login_as


@pytest.fixture
def client(db: Session, engine: Engine, aw: AlertWorld) -> Iterator[TestClient]:
    with api_client(db, engine) as test_client:
        yield test_client


def _sighting(aw: AlertWorld, alert_id: str, level: str = "low") -> None:
    body = {
        "device": "KP-1",
        "alert_id": alert_id,
        "kind": "key_person",
        "signal": "alarm",
        "level": level,
        "at": T0.isoformat(),  # 16:00 China time, 2026-11-22: pinned, whatever the wall clock says
    }
    assert intake.ingest(session=aw.session, payloads=[body], source="mqtt", county_code="331081").accepted == 1


def test_the_daily_list_shows_todays_listed_sightings_in_the_viewers_area(client: TestClient, aw: AlertWorld) -> None:
    _sighting(aw, "kp-1")
    login_as(client, aw.world, "town_dispatcher")
    page = client.get("/work/alerts/daily?day=2026-11-22")
    assert page.status_code == 200
    assert 'data-testid="alert-tab-daily"' in page.text
    assert 'aria-current="page"' in page.text
    assert page.text.count('data-testid="daily-row"') == 1
    assert "重点人员识别 1 组" in page.text
    # Another day lists nothing; a malformed date is refused.
    assert 'data-testid="daily-row"' not in client.get("/work/alerts/daily?day=2026-11-21").text
    assert client.get("/work/alerts/daily?day=tomorrow").status_code == 422
    # Another town's dispatcher does not see it; the command room links the tab.
    login_as(client, aw.world, "other_town_dispatcher")
    assert 'data-testid="daily-row"' not in client.get("/work/alerts/daily?day=2026-11-22").text
    assert 'href="/work/alerts/daily"' in client.get("/work/alerts").text


def test_dead_letters_are_listed_with_reason_and_filtered_for_the_county_only(
    client: TestClient, aw: AlertWorld
) -> None:
    result = intake.ingest(
        session=aw.session,
        payloads=[b"{not json", b'{"device": "NOPE-1", "alert_id": "x", "kind": "smoke", "signal": "alarm"}'],
        source="mqtt",
        county_code="331081",
    )
    assert result.dead_letters == 2
    intake.ingest(
        session=aw.session,
        payloads=[{"device": "NOPE-2", "alert_id": "y", "kind": "smoke", "signal": "alarm", "at": "x"}],
        source="http:厂商平台",
        county_code="331081",
    )
    login_as(client, aw.world, "county")
    page = client.get("/work/alerts/dead-letters")
    assert page.status_code == 200
    assert page.text.count('data-testid="dead-letter-row"') == 3
    assert "不是合法的JSON" in page.text
    assert "HTTP 接口（厂商平台）" in page.text
    assert "MQTT 订阅" in page.text
    assert "{not json" in page.text
    assert 'href="/work/alerts/dead-letters"' in client.get("/work/alerts").text
    only_json = client.get("/work/alerts/dead-letters?reason=bad_json")
    assert only_json.text.count('data-testid="dead-letter-row"') == 1
    only_http = client.get("/work/alerts/dead-letters?channel=http")
    assert only_http.text.count('data-testid="dead-letter-row"') == 1
    assert client.get("/work/alerts/dead-letters?channel=fax").status_code == 422
    # Town staff neither get the page nor see its tab.
    login_as(client, aw.world, "town_dispatcher")
    refused = client.get("/work/alerts/dead-letters")
    assert refused.status_code == 403
    assert "仅县级社会治理中心可查看死信" in refused.text
    assert 'href="/work/alerts/dead-letters"' not in client.get("/work/alerts").text
