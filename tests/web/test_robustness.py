"""Garbage in, never a 500 out: every endpoint answers odd input with a 2xx or a well-formed 4xx error."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tests.web.helpers import api_client, error_of, populate

GARBAGE: list[str] = [
    "",
    " ",
    "0",
    "-1",
    "1.5",
    "1e308",
    "-1e309",
    "NaN",
    "Infinity",
    "99999999999999999999999999999999",
    "-9223372036854775809",
    "9223372036854775808",
    "2147483648",
    "' OR 1=1 --",
    "'; DROP TABLE units; --",
    '" OR ""="',
    "331081' UNION SELECT * FROM staff --",
    "%",
    "_",
    "%_%",
    "\\",
    "..",
    "../../etc/passwd",
    "a\x00b",
    "\x00",
    "\x1b[31m",
    "\r\nX-Injected: 1",
    "\u202e温岭市",
    "🚀🚀🚀",
    "𡐓",
    "\uffff",
    "\ufeff",
    "ＡＢＣ１２３",
    "温岭市" * 300,
    "x" * 5000,
    "<script>alert(1)</script>",
    "{{7*7}}",
    "${jndi:ldap://127.0.0.1/a}",
    "null",
    "true",
    "[]",
    "{}",
]
# Percent-encodings that do not decode to valid UTF-8 (a lone surrogate, an overlong slash, a stray byte).
RAW_GARBAGE: list[str] = ["%FF", "%ED%A0%80", "%C0%AF", "%E6%B8", "%", "%zz"]

TEMPLATES: list[str] = [
    "/api/v1/units?kind={}",
    "/api/v1/units?parent={}",
    "/api/v1/units?q={}",
    "/api/v1/units?limit={}",
    "/api/v1/units?offset={}",
    "/api/v1/units/{}",
    "/api/v1/units/{}/children",
    "/api/v1/units/331081/children?kind={}",
    "/api/v1/units/{}/boundary",
    "/api/v1/units/{}/children.geojson",
    "/api/v1/units/{}/members",
    "/api/v1/units/331081/members?include_descendants={}",
    "/api/v1/units/331081/members?role={}",
    "/api/v1/units/locate?lon={}&lat=28.31",
    "/api/v1/units/locate?lon=121.31&lat={}",
    "/api/v1/buildings/{}",
    "/api/v1/buildings/{}/rooms",
    "/api/v1/buildings/1/rooms?offset={}",
    "/api/v1/addresses?prefix={}",
    "/api/v1/addresses?prefix=泽国镇&limit={}",
    "/partials/units/{}/overview",
]


@pytest.fixture
def client(db: Session, engine: Engine) -> Iterator[TestClient]:
    populate(db)
    with api_client(db, engine) as test_client:
        yield test_client


@pytest.mark.parametrize("template", TEMPLATES)
def test_garbage_never_causes_a_server_error(client: TestClient, template: str) -> None:
    values = [quote(value, safe="") for value in GARBAGE] + RAW_GARBAGE
    for value in values:
        url = template.format(value)
        response = client.get(url)
        assert response.status_code < 500, (url, response.status_code, response.text[:300])
        if response.status_code >= 400:
            error = error_of(response)
            assert error["code"]
            assert error["message"]
            assert "Traceback" not in response.text


def test_garbage_headers_and_methods(client: TestClient) -> None:
    assert client.get("/api/v1/units", headers={"X-Request-ID": "x" * 10_000}).status_code == 200
    assert client.get("/api/v1/units", headers={"Accept": "text/x-nonsense"}).status_code == 200
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        response = client.request(method, "/api/v1/units/331081", content=b"\x00\xff garbage")
        assert response.status_code == 405
        assert error_of(response)["code"] == "method_not_allowed"
