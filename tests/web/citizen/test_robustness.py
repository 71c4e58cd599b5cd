"""Garbage in, never a 500 out, on the pages anyone can reach without an account."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from fengqiao.citizen import places
from tests.events.world import make_world
from tests.web.helpers import api_client
from tests.web.test_robustness import GARBAGE, RAW_GARBAGE


@pytest.fixture
def client(db: Session, engine: Engine, tmp_path: Path) -> Iterator[TestClient]:
    world = make_world(db)
    token = places.code_for(session=db, grid=world.grid).token
    with api_client(db, engine, data_dir=tmp_path) as test_client:
        test_client.headers["X-Test-Token"] = token
        yield test_client


@pytest.mark.parametrize("template", ["/q/{}", "/progress?code={}", "/work/qr-sheet.pdf?unit={}"])
def test_garbage_in_urls(client: TestClient, template: str) -> None:
    for value in [quote(v, safe="") for v in GARBAGE] + RAW_GARBAGE:
        response = client.get(template.format(value), follow_redirects=False)
        assert response.status_code < 500, (value, response.status_code, response.text[:300])
        assert "Traceback" not in response.text


def test_garbage_in_forms(client: TestClient) -> None:
    token = client.headers["X-Test-Token"]
    for value in GARBAGE:
        fields = {"content": value, "phone": value, "name": value, "form_token": value, "website": ""}
        for path in (f"/q/{token}", "/progress"):
            response = client.post(path, data={**fields, "code": value, "last4": value})
            assert response.status_code < 500, (path, value, response.status_code, response.text[:300])
            assert response.status_code >= 400
    for body, content_type in [
        (b"\x00\xff garbage", "application/octet-stream"),
        (b"--x\r\nnot multipart", "multipart/form-data; boundary=x"),
        (b"{}", "application/json"),
    ]:
        for path in (f"/q/{token}", "/progress"):
            response = client.post(path, content=body, headers={"Content-Type": content_type})
            assert response.status_code < 500, (path, body, response.status_code, response.text[:300])
