"""The bulletins' JSON API: issue, list, read and download, with the screen's rules on who may do what."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tests.events.world import World
from tests.reports.history import build_history
from tests.web.helpers import api_client, error_of


def test_issue_list_read_and_download(db: Session, engine: Engine, world: World, tmp_path: Path) -> None:
    build_history(world)
    with api_client(db, engine, as_staff=world.staff["county"], data_dir=tmp_path) as client:
        issued = client.post("/api/v1/bulletins", json={"unit": "331081", "kind": "monthly", "period": "2026-10"})
        assert issued.status_code == 201, issued.text
        body = issued.json()
        assert body["doc_number"] == "温岭市社会治理中心〔2026〕1号"
        assert body["period"] == "2026-10"
        assert body["figures"]["registered"] == 9
        assert body["figures"]["police_110"] == 2
        again = client.post("/api/v1/bulletins", json={"unit": "331081", "period": "2026-10"}).json()
        assert again["id"] == body["id"]  # the same period keeps its row and number

        listed = client.get("/api/v1/bulletins").json()
        assert [b["id"] for b in listed] == [body["id"]]
        assert client.get(f"/api/v1/bulletins/{body['id']}").json()["figures"] == body["figures"]

        pdf = client.get(f"/api/v1/bulletins/{body['id']}/files/pdf")
        assert pdf.status_code == 200
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF-")
        assert client.get(body["files"][0]["url"]).content.startswith(b"PK")  # the Word file


def test_bad_input_and_scope(db: Session, engine: Engine, world: World, tmp_path: Path) -> None:
    build_history(world)
    town0, town1 = world.tree.towns[0], world.tree.towns[1]
    with api_client(db, engine, as_staff=world.staff["county"], data_dir=tmp_path) as client:
        other = client.post("/api/v1/bulletins", json={"unit": town1.code, "period": "2026-10"}).json()
    with api_client(db, engine, as_staff=world.staff["town_dispatcher"], data_dir=tmp_path) as client:
        bad = client.post("/api/v1/bulletins", json={"unit": town0.code, "period": "2026-13"})
        assert bad.status_code == 422
        assert "月份" in error_of(bad)["message"]
        refused = client.post("/api/v1/bulletins", json={"unit": town1.code, "period": "2026-10"})
        assert refused.status_code == 403
        assert error_of(refused)["code"] == "permission_denied"
        assert client.get(f"/api/v1/bulletins/{other['id']}").status_code == 404
        assert client.get(f"/api/v1/bulletins/{other['id']}/files/pdf").status_code == 404
        own = client.post("/api/v1/bulletins", json={"unit": town0.code, "period": "2026-10"})
        assert own.status_code == 201
        assert [b["id"] for b in client.get("/api/v1/bulletins").json()] == [own.json()["id"]]
