"""The Chinese home page: title, county, map wiring, vendor scripts, and the table of towns with their counts."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tests.web.helpers import County, api_client, populate


class _Tables(HTMLParser):
    """Collects the text of each table row's cells, and every script and stylesheet URL."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.assets: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "script" and attributes.get("src"):
            self.assets.append(str(attributes["src"]))
        elif tag == "link" and attributes.get("rel") == "stylesheet":
            self.assets.append(str(attributes["href"]))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def parse(html: str) -> _Tables:
    parser = _Tables()
    parser.feed(html)
    return parser


@pytest.fixture
def county(db: Session) -> County:
    return populate(db)


@pytest.fixture
def client(db: Session, engine: Engine, county: County) -> Iterator[TestClient]:
    with api_client(db, engine) as test_client:
        yield test_client


def test_home_page_is_chinese_with_vendor_scripts(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert '<html lang="zh-CN">' in html
    assert "<title>温岭市 · 枫桥·基层社会治理平台</title>" in html
    assert "枫桥·基层社会治理平台" in html
    assert "温岭市社会治理中心" in html
    assert 'data-county-code="331081"' in html
    assert 'data-tile-url=""' in html  # no base map unless one is configured
    assets = parse(html).assets
    for url in (
        "/static/vendor/htmx.org/dist/htmx.min.js",
        "/static/vendor/leaflet/dist/leaflet.js",
        "/static/vendor/leaflet/dist/leaflet.css",
        "/static/app/app.css",
        "/static/app/map.js",
    ):
        assert url in assets
    assert all(url.startswith("/static/") for url in assets), assets  # nothing from the internet


def test_home_page_table_of_towns_with_counts(client: TestClient) -> None:
    rows = parse(client.get("/").text).rows
    assert rows == [
        ["名称", "村(社区)", "网格", "楼栋", "实有人口"],
        ["泽国镇", "2", "4", "1", "3"],
        ["大溪镇", "2", "4", "1", "1"],
        ["合计", "4", "8", "2", "4"],
    ]


def test_home_page_summary_figures(client: TestClient) -> None:
    html = client.get("/").text
    for label, figure in (("镇(街道)", "2"), ("村(社区)", "4"), ("网格", "8"), ("楼栋", "2"), ("实有人口", "4")):
        assert f"<dt>{label}</dt><dd>{figure}</dd>" in html


def test_overview_partial_of_a_town_lists_its_villages(client: TestClient) -> None:
    response = client.get("/partials/units/331081100/overview")
    assert response.status_code == 200
    assert "<html" not in response.text  # a fragment for htmx to swap in
    assert "泽国镇各村(社区)" in response.text
    assert parse(response.text).rows == [
        ["名称", "网格", "楼栋", "实有人口"],
        ["泽国东村", "2", "1", "3"],
        ["泽国西村", "2", "0", "0"],
        ["合计", "4", "1", "3"],
    ]


def test_overview_partial_of_a_village_lists_grids_without_links(client: TestClient) -> None:
    html = client.get("/partials/units/331081100200/overview").text
    assert parse(html).rows[1] == ["泽国东村第1网格", "1", "3"]
    assert 'href="#331081100200001"' not in html  # grids are leaves: nothing to drill into


def test_overview_partial_of_unknown_unit_is_404(client: TestClient) -> None:
    assert client.get("/partials/units/404404/overview").status_code == 404


def test_configured_tiles_reach_the_map(db: Session, engine: Engine, county: County) -> None:
    with api_client(db, engine, tile_url="http://gis.local/{z}/{x}/{y}.png", tile_attribution="温岭市自然资源局") as c:
        html = c.get("/").text
    assert 'data-tile-url="http://gis.local/{z}/{x}/{y}.png"' in html
    assert 'data-tile-attribution="温岭市自然资源局"' in html


def test_home_page_without_data_explains_what_to_do(db: Session, engine: Engine) -> None:
    with api_client(db, engine) as client:
        response = client.get("/")
    assert response.status_code == 200
    assert "尚未载入辖区数据" in response.text
    assert "fengqiao demo seed" in response.text
    assert "/static/vendor/leaflet/dist/leaflet.js" not in response.text
