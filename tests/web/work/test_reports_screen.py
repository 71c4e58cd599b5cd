"""The bulletin and assessment screens: issue a bulletin from the form, open it, download its files; the ranking with
its breakdown; who may use them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from fengqiao.core.clock import overridden
from tests.events.world import World
from tests.reports.history import NOW, build_history
from tests.web.helpers import api_client
from tests.web.work.conftest import login_as


@pytest.fixture
def client(db: Session, engine: Engine, world: World, tmp_path: Path) -> Iterator[TestClient]:
    build_history(world)
    with overridden(lambda: NOW), api_client(db, engine, data_dir=tmp_path) as test_client:
        yield test_client


def test_issue_open_and_download(client: TestClient, world: World) -> None:
    login_as(client, world, "county")
    page = client.get("/work/reports")
    assert page.status_code == 200
    assert 'data-testid="nav-reports"' in page.text
    assert 'value="2026-10"' in page.text  # last month, proposed

    issued = client.post(
        "/work/reports",
        data={"unit": world.tree.county.code, "kind": "monthly", "month": "2026-10", "week": ""},
        follow_redirects=False,
    )
    assert issued.status_code == 303
    url = issued.headers["location"]
    detail = client.get(url)
    assert detail.status_code == 200
    assert "温岭市社会治理中心〔2026〕1号" in detail.text
    assert "关于2026年10月全市矛盾纠纷调处化解工作情况的通报" in detail.text
    assert re.search(r"受理事项</th><td>9 件", detail.text)

    pdf = client.get(f"{url}/pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert "filename*=UTF-8''" in pdf.headers["content-disposition"]
    assert client.get(f"{url}/docx").content.startswith(b"PK")
    assert client.get(f"{url}/xlsx").content.startswith(b"PK")
    assert client.get(f"{url}/odt").status_code == 422

    listing = client.get("/work/reports")
    assert listing.text.count('data-testid="report-row"') == 1


def test_bad_period_and_foreign_unit_are_explained(client: TestClient, world: World) -> None:
    login_as(client, world, "town_dispatcher")
    page = client.get("/work/reports")
    assert world.tree.towns[0].code in page.text
    assert f'value="{world.tree.county.code}"' not in page.text  # a town issues only its own bulletin

    bad = client.post("/work/reports", data={"unit": world.tree.towns[0].code, "kind": "monthly", "month": "2026-13"})
    assert bad.status_code == 422
    assert "月份" in bad.text
    foreign = client.post(
        "/work/reports", data={"unit": world.tree.towns[1].code, "kind": "monthly", "month": "2026-10"}
    )
    assert foreign.status_code == 422
    assert "不能生成" in foreign.text


def test_posts_without_the_screen(client: TestClient, world: World) -> None:
    login_as(client, world, "grid_worker")
    assert 'data-testid="nav-reports"' not in client.get("/work").text
    assert client.get("/work/reports").status_code == 403
    assert client.get("/work/assessment").status_code == 403


def test_assessment_ranking_and_breakdown(client: TestClient, world: World) -> None:
    login_as(client, world, "county")
    page = client.get("/work/assessment", params={"month": "2026-10"})
    assert page.status_code == 200
    rows = re.findall(r'data-testid="assessment-row" data-unit="(\d+)"', page.text)
    assert rows == [world.tree.towns[1].code, world.tree.towns[0].code]
    assert re.findall(r'data-testid="assessment-score">([\d.]+)<', page.text) == ["75.79", "68.95"]
    assert "黄牌督办扣分" in page.text
    assert "红牌督办：每件扣 10 分" in page.text

    villages = client.get(
        "/work/assessment", params={"month": "2026-10", "level": "village", "town": world.tree.towns[0].code}
    )
    assert villages.status_code == 200
    assert villages.text.count('data-testid="assessment-row"') == 2

    login_as(client, world, "town_dispatcher")
    other = client.get(
        "/work/assessment", params={"month": "2026-10", "level": "village", "town": world.tree.towns[1].code}
    )
    assert other.status_code == 422  # not their town
