"""The grid worker's patrol report and event photos: placed by the phone's point (WGS84 or GCJ-02) or the chosen
grid, refused outside the worker's grids, photos checked by their bytes, idempotent on a second tap."""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from fengqiao.events.actions import ActionRequest, perform
from fengqiao.events.kinds import Channel, EventStatus
from fengqiao.events.lifecycle import Action
from fengqiao.events.models import Attachment, Event
from fengqiao.triage.geo.coords import wgs84_to_gcj02
from tests.events.world import World
from tests.web.helpers import api_client
from tests.web.work.conftest import login_as, register

HTMX = {"HX-Request": "true"}
# Grid 0 of the test tree spans lon 121.30–121.32, lat 28.30–28.34; grid 1 lies east of it (same village).
INSIDE = (121.305, 28.32)
NEIGHBOUR = (121.33, 28.32)


def png(colour: bytes = b"\xff\x00\x00") -> bytes:
    """A real (tiny) PNG: the storage recognises files by their first bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    pixels = zlib.compress((b"\x00" + colour * 2) * 2)
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


@pytest.fixture
def client(db: Session, engine: Engine, world: World, tmp_path: Path) -> Iterator[TestClient]:
    with api_client(db, engine, data_dir=tmp_path) as test_client:
        yield test_client


def _token(html: str) -> str:
    found = re.search(r'name="token" value="([0-9a-f]{32})"', html)
    assert found, "the form has no one-time token"
    return found.group(1)


def _submit(
    client: TestClient, *, photos: list[tuple[str, bytes, str]] | None = None, **fields: str
) -> tuple[int, str, str]:
    form = client.get("/work/patrol")
    assert form.status_code == 200, form.text
    data = {"token": _token(form.text), "content": "文昌路12号门口堆放建筑垃圾，占用人行道。", **fields}
    files = [("photos", photo) for photo in photos or []]
    answer = client.post("/work/patrol", data=data, files=files or None, follow_redirects=False)
    return answer.status_code, answer.headers.get("location", ""), answer.text


def _event(db: Session, location: str) -> Event:
    found = re.fullmatch(r"/work/events/(\d+)", location)
    assert found, location
    event = db.get(Event, int(found.group(1)))
    assert event is not None
    return event


def _events(db: Session) -> int:
    return db.scalar(select(func.count(Event.id)).where(Event.channel == Channel.GRID_PATROL.value)) or 0


def test_a_point_inside_the_grid_registers_a_patrol_event_there_with_photos(
    client: TestClient, world: World, db: Session
) -> None:
    login_as(client, world, "grid_worker")
    status, location, _ = _submit(
        client,
        lon=str(INSIDE[0]),
        lat=str(INSIDE[1]),
        crs="wgs84",
        photos=[("现场1.png", png(), "image/png"), ("现场2.png", png(b"\x00\xff\x00"), "image/png")],
    )
    assert status == 303
    event = _event(db, location)
    assert event.channel == Channel.GRID_PATROL.value
    assert event.location_unit_id == world.grid.id
    assert event.location_path == world.grid.path
    assert event.registered_unit_id == world.grid.id
    assert event.owner_unit_id == world.village.id  # a grid's matters are dispatched by its village
    assert event.status == EventStatus.REGISTERED.value
    assert (event.lon, event.lat) == pytest.approx(INSIDE)
    assert event.title.startswith("网格巡查：文昌路12号")
    assert event.triage  # went through the triage pipeline
    stored = db.scalars(select(Attachment).where(Attachment.event_id == event.id)).all()
    assert sorted(a.filename for a in stored) == ["现场1.png", "现场2.png"]
    assert {a.content_type for a in stored} == {"image/png"}
    page = client.get(location)
    assert page.status_code == 200
    assert "网格巡查：文昌路12号" in page.text
    photos = client.get(f"{location}/photos", headers=HTMX).text
    assert "现场照片（2）" in photos
    assert all(f"/api/v1/attachments/{a.id}" in photos for a in stored)
    assert client.get(f"/api/v1/attachments/{stored[0].id}").content == png()


def test_a_gcj02_point_is_converted_before_placing(client: TestClient, world: World, db: Session) -> None:
    # This WGS84 point lies in the worker's grid, but its GCJ-02 form (what a Chinese map app shows) lies ~400 m
    # east, in the neighbouring grid: only a converted point lands right.
    wgs = (121.318, 28.32)
    gcj_lons, gcj_lats = wgs84_to_gcj02([wgs[0]], [wgs[1]])
    gcj = (float(gcj_lons[0]), float(gcj_lats[0]))
    assert gcj[0] > 121.32  # unconverted it would be in the neighbour's grid
    login_as(client, world, "grid_worker")
    status, location, text = _submit(client, lon=str(gcj[0]), lat=str(gcj[1]), crs="gcj02")
    assert status == 303, text
    event = _event(db, location)
    assert event.location_unit_id == world.grid.id
    assert event.lon == pytest.approx(wgs[0], abs=1e-6)
    assert event.lat == pytest.approx(wgs[1], abs=1e-6)

    # The same numbers claimed as WGS84 fall in the neighbour's grid: refused.
    status, _, text = _submit(client, lon=str(gcj[0]), lat=str(gcj[1]), crs="wgs84")
    assert status == 422
    assert "不在您负责的网格内" in text


def test_a_point_outside_the_workers_grids_is_refused_in_chinese(client: TestClient, world: World, db: Session) -> None:
    login_as(client, world, "grid_worker")
    before = _events(db)
    status, _, text = _submit(client, lon=str(NEIGHBOUR[0]), lat=str(NEIGHBOUR[1]), photos=[("a.png", png(), "")])
    assert status == 422
    assert world.tree.grids[1].name in text
    assert "不在您负责的网格内" in text
    assert "照片需重新选择" in text
    assert "文昌路12号门口堆放建筑垃圾" in text  # what was typed is kept
    status, _, text = _submit(client, lon="100.0", lat="20.0")
    assert status == 422
    assert "不在本县辖区内" in text
    status, _, text = _submit(client, lon="东经121度", lat="28.3")
    assert status == 422
    assert "经度格式无效" in text
    status, _, text = _submit(client, lon=str(INSIDE[0]), lat=str(INSIDE[1]), crs="bd09")
    assert status == 422
    assert "坐标系" in text
    assert _events(db) == before
    assert db.scalar(select(func.count(Attachment.id))) == 0


def test_without_a_location_the_chosen_grid_is_used(client: TestClient, world: World, db: Session) -> None:
    login_as(client, world, "grid_worker")
    status, location, _ = _submit(client, grid_code=world.grid.code, address="泽国镇文昌路12号", category="environment")
    assert status == 303
    event = _event(db, location)
    assert event.location_unit_id == world.grid.id
    assert event.lon is None
    assert event.lat is None
    assert event.address == "泽国镇文昌路12号"
    assert event.category == "environment"
    # Only the worker's own grid may be picked by hand.
    status, _, text = _submit(client, grid_code=world.other_grid.code)
    assert status == 422
    assert "请选择您负责的网格" in text


def test_photos_are_checked_by_their_bytes_and_nothing_is_registered_on_refusal(
    client: TestClient, world: World, db: Session
) -> None:
    login_as(client, world, "grid_worker")
    before = _events(db)
    status, _, text = _submit(client, photos=[("照片.jpg", b"MZ\x90\x00 not an image at all", "image/jpeg")])
    assert status == 422
    assert "不是照片" in text
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    status, _, text = _submit(client, photos=[("scan.pdf", pdf, "application/pdf")])
    assert status == 422
    assert "不是照片" in text
    status, _, text = _submit(client, photos=[(f"{i}.png", png(), "image/png") for i in range(10)])
    assert status == 422
    assert "最多上传9张" in text
    assert _events(db) == before
    assert db.scalar(select(func.count(Attachment.id))) == 0


def test_content_is_required_and_a_second_tap_does_not_register_twice(
    client: TestClient, world: World, db: Session
) -> None:
    login_as(client, world, "grid_worker")
    status, _, text = _submit(client, content="   ")
    assert status == 422
    assert "请填写巡查发现的情况" in text
    form = client.get("/work/patrol").text
    data = {"token": _token(form), "content": "河道漂浮垃圾", "grid_code": world.grid.code}
    first = client.post("/work/patrol", data=data, follow_redirects=False)
    again = client.post("/work/patrol", data=data, follow_redirects=False)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    assert _events(db) == 1


def test_only_grid_posts_may_patrol(client: TestClient, world: World) -> None:
    for name in ("town_dispatcher", "department_handler", "county"):
        login_as(client, world, name)
        page = client.get("/work/patrol")
        assert page.status_code == 403, name
        assert "仅网格员可以上报网格巡查" in page.text
        answer = client.post("/work/patrol", data={"content": "x"}, follow_redirects=False)
        assert answer.status_code == 403
    login_as(client, world, "part_timer")
    assert client.get("/work/patrol").status_code == 200
    client.cookies.clear()
    assert client.get("/work/patrol", follow_redirects=False).status_code == 303  # to the login page


def _dispatch_and_accept(world: World) -> Event:
    event = register(world)
    perform(
        session=world.session,
        viewer=world.viewer("town_dispatcher"),
        event_id=event.id,
        request=ActionRequest(Action.DISPATCH, expected_version=event.version, target_unit_code=world.grid.code),
    )
    perform(
        session=world.session,
        viewer=world.viewer("grid_worker"),
        event_id=event.id,
        request=ActionRequest(Action.ACCEPT, expected_version=event.version),
    )
    return event


def test_report_back_carries_its_photos_and_they_belong_to_the_report_back(
    client: TestClient, world: World, db: Session
) -> None:
    event = _dispatch_and_accept(world)
    login_as(client, world, "grid_worker")
    page = client.get(f"/work/events/{event.id}").text
    form = re.search(rf'<form method="post" action="/work/events/{event.id}/actions/report_back".*?</form>', page, re.S)
    assert form, "no report back form"
    assert 'enctype="multipart/form-data"' in form.group(0)
    assert 'hx-encoding="multipart/form-data"' in form.group(0)
    assert 'data-testid="action-report_back-photos"' in form.group(0)
    answer = client.post(
        f"/work/events/{event.id}/actions/report_back",
        data={"version": str(event.version), "note": "已清理完毕"},
        files=[
            ("photos", ("处置后.png", png(), "image/png")),
            ("photos", ("全景.png", png(b"\x00\xff\x00"), "image/png")),
        ],
        headers=HTMX,
    )
    assert answer.status_code == 200, answer.text
    assert "已反馈" in answer.text
    db.expire_all()
    report_back = db.scalars(select(Event).where(Event.id == event.id)).one().actions[-1]
    assert report_back.action == Action.REPORT_BACK.value
    stored = db.scalars(select(Attachment).where(Attachment.event_id == event.id)).all()
    assert [a.action_id for a in stored] == [report_back.id, report_back.id]


def test_a_refused_photo_refuses_the_report_back_with_it(client: TestClient, world: World, db: Session) -> None:
    event = _dispatch_and_accept(world)
    login_as(client, world, "grid_worker")
    answer = client.post(
        f"/work/events/{event.id}/actions/report_back",
        data={"version": str(event.version), "note": "已清理完毕"},
        files=[("photos", ("x.png", b"not a png", "image/png"))],
        headers=HTMX,
    )
    assert answer.status_code == 200  # htmx swaps only 2xx: the refusal is shown on the page
    assert "不是照片" in answer.text
    assert "照片需重新选择" in answer.text
    db.expire_all()
    assert db.scalars(select(Event).where(Event.id == event.id)).one().actions[-1].action == Action.ACCEPT.value
    assert db.scalar(select(func.count(Attachment.id)).where(Attachment.event_id == event.id)) == 0
    accept = client.post(
        f"/work/events/{event.id}/actions/accept",
        data={"version": "1"},
        files=[("photos", ("a.png", png(), "image/png"))],
        headers=HTMX,
    )
    assert "照片需重新选择" in accept.text


def test_photos_sent_on_their_own_keep_the_photos(client: TestClient, world: World, db: Session) -> None:
    event = _dispatch_and_accept(world)
    login_as(client, world, "grid_worker")
    answer = client.post(
        f"/work/events/{event.id}/photos", files=[("photos", ("处置后.png", png(), "image/png"))], headers=HTMX
    )
    assert answer.status_code == 200
    assert "已上传1张照片" in answer.text
    assert "<html" not in answer.text
    refused = client.post(
        f"/work/events/{event.id}/photos", files=[("photos", ("x.png", b"not a png", "image/png"))], headers=HTMX
    )
    assert refused.status_code == 200  # htmx swaps only 2xx: the refusal is shown in the card
    assert "不是照片" in refused.text
    plain = client.post(
        f"/work/events/{event.id}/photos", files=[("photos", ("再拍.png", png(), "image/png"))], follow_redirects=False
    )
    assert plain.status_code == 303
    assert db.scalar(select(func.count(Attachment.id)).where(Attachment.event_id == event.id)) == 2


def test_photos_of_an_event_out_of_sight_are_not_found(client: TestClient, world: World, db: Session) -> None:
    event = _dispatch_and_accept(world)
    login_as(client, world, "other_town_grid_worker")
    assert client.get(f"/work/events/{event.id}/photos").status_code == 404
    assert "未找到事件" in client.get(f"/work/events/{event.id}/photos", headers=HTMX).text  # into the flash area
    answer = client.post(f"/work/events/{event.id}/photos", files=[("photos", ("a.png", png(), "image/png"))])
    assert answer.status_code == 404
    assert "未找到事件" in answer.text
    assert db.scalar(select(func.count(Attachment.id))) == 0
