"""Citizen pages over HTTP: the report form behind a place code, its guard, the receipt, progress, the QR sheet."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from fengqiao.accounts.api import SESSION_COOKIE
from fengqiao.citizen import guard, places
from fengqiao.events.dispute_code import display
from fengqiao.events.kinds import Channel
from fengqiao.events.models import Attachment, Event
from fengqiao.web.ratelimit import RateLimiter
from tests.citizen.test_service import NOISE, PNG, close_event
from tests.events.world import World, make_world
from tests.web.helpers import api_client


@pytest.fixture
def world(db: Session) -> World:
    return make_world(db)


@pytest.fixture
def client(db: Session, engine: Engine, world: World, tmp_path: Path) -> Iterator[TestClient]:
    with api_client(db, engine, data_dir=tmp_path) as test_client:
        yield test_client


@pytest.fixture
def token(world: World) -> str:
    return places.code_for(session=world.session, grid=world.grid).token


def _form_token(client: TestClient, token: str, *, age: float = 30) -> str:
    """A form token as the page issued it ``age`` seconds ago (a person took that long to fill it in)."""
    secret = guard.load_secret(client.app.state.settings.data_dir)  # type: ignore[attr-defined]
    return guard.issue_form_token(secret=secret, place_token=token, now=time.time() - age)


def _post(
    client: TestClient,
    token: str,
    *,
    form_token: str | None = None,
    files: list[tuple[str, tuple[str, bytes, str]]] | None = None,
    **fields: str,
) -> httpx.Response:
    data = {"content": NOISE, "phone": "13905761234", "name": "", "website": "", **fields}
    data["form_token"] = form_token if form_token is not None else _form_token(client, token)
    return client.post(f"/q/{token}", data=data, files=files or [("photos", ("", b"", "application/octet-stream"))])


def _events(world: World) -> list[Event]:
    return list(world.session.scalars(select(Event).where(Event.channel == Channel.CITIZEN_QR.value)))


def _testid(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}"[^>]*>([^<]*)<', html)
    assert match, f"no {testid} in page"
    return match.group(1).strip()


def test_the_form_names_the_place_and_labels_every_field(client: TestClient, world: World, token: str) -> None:
    page = client.get(f"/q/{token}")
    assert page.status_code == 200
    assert _testid(page.text, "place-name") == world.grid.name
    for field_id, label in [("content", "反映内容"), ("photos", "现场照片"), ("phone", "联系电话"), ("name", "称呼")]:
        assert re.search(rf'<label for="{field_id}">{label}', page.text), field_id
    assert 'accept="image/*" multiple' in page.text
    assert ">提交反映</button>" in page.text


def test_an_unknown_code_is_a_chinese_404_page(client: TestClient) -> None:
    for path in ("/q/UnknownToken123", "/q/bad!token"):
        page = client.get(path)
        assert page.status_code in (404, 422)
        assert "text/html" in page.headers["content-type"]
        assert "请" in page.text


def test_a_report_answers_with_its_dispute_code_qr_and_progress_link(
    client: TestClient, world: World, token: str
) -> None:
    page = _post(client, token)
    assert page.status_code == 200, page.text
    html = page.text
    [event] = _events(world)
    shown = display(event.dispute_code)
    assert _testid(html, "dispute-code") == shown
    assert "<svg" in html
    assert f'href="http://testserver/progress?code={shown}"' in html
    assert event.location_unit_id == world.grid.id
    assert 'data-testid="query-pin"' not in html
    again = client.post(
        f"/q/{token}", data={"content": NOISE, "phone": "13905761234", "form_token": _form_token(client, token)}
    )
    assert _testid(again.text, "dispute-code") == shown
    assert 'data-testid="duplicate-note"' in again.text
    assert len(_events(world)) == 1


def test_the_honeypot_refuses_and_keeps_what_was_typed(client: TestClient, world: World, token: str) -> None:
    page = _post(client, token, website="http://spam.example.com", content="这是机器人填写的内容而已")
    assert page.status_code == 422
    assert "提交未通过校验" in _testid(page.text, "report-error")
    assert "这是机器人填写的内容而已</textarea>" in page.text
    assert _events(world) == []


def test_a_form_sent_too_fast_is_refused_then_accepted_on_the_second_click(
    client: TestClient, world: World, token: str
) -> None:
    fresh = re.search(r'name="form_token" value="([^"]+)"', client.get(f"/q/{token}").text)
    assert fresh
    page = _post(client, token, form_token=fresh.group(1))
    assert page.status_code == 422
    assert "提交太快了" in page.text
    assert f"{NOISE}</textarea>" in page.text
    assert _events(world) == []
    for bad in ("", "123.abc.def"):
        assert _post(client, token, form_token=bad).status_code == 422
    assert _post(client, token).status_code == 200


def test_a_client_over_the_rate_limit_is_refused_in_chinese(client: TestClient, world: World, token: str) -> None:
    client.app.state.rate_limiters["citizen_report"] = RateLimiter(limit=1, window_seconds=600)  # type: ignore[attr-defined]
    assert _post(client, token).status_code == 200
    refused = _post(client, token, content=NOISE + "第二次")
    assert refused.status_code == 429
    assert "提交过于频繁" in _testid(refused.text, "report-error")
    assert len(_events(world)) == 1


def test_photos_are_checked_by_their_bytes(client: TestClient, world: World, token: str) -> None:
    fake = _post(client, token, files=[("photos", ("现场.jpg", b"MZ\x90\x00 an executable", "image/jpeg"))])
    assert fake.status_code == 422
    assert "不是照片" in fake.text
    assert _events(world) == []
    ok = _post(client, token, files=[("photos", ("a.png", PNG, "image/png")), ("photos", ("b.png", PNG, "image/png"))])
    assert ok.status_code == 200
    [event] = _events(world)
    attachments = world.session.scalars(select(Attachment).where(Attachment.event_id == event.id)).all()
    assert sorted(a.filename for a in attachments) == ["a.png", "b.png"]


def test_progress_by_code_and_last_four(client: TestClient, world: World, token: str) -> None:
    _post(client, token)
    [event] = _events(world)
    shown = display(event.dispute_code)
    form = client.get(f"/progress?code={shown}")
    assert f'value="{shown}"' in form.text
    assert '<label for="last4">手机号后四位</label>' in form.text
    wrong = client.post("/progress", data={"code": shown, "last4": "0000"})
    assert wrong.status_code == 404
    assert "未找到该解纷码" in _testid(wrong.text, "progress-error")
    right = client.post("/progress", data={"code": shown.lower(), "last4": "1234"})
    assert right.status_code == 200
    assert _testid(right.text, "progress-status") == "已受理"
    close_event_after_dispatch(world, event)
    done = client.post("/progress", data={"code": shown, "last4": "1234"})
    assert _testid(done.text, "progress-status") == "已办结"


def close_event_after_dispatch(world: World, event: Event) -> None:
    from tests.citizen.test_service import _run_auto_dispatch

    _run_auto_dispatch(world.session, event.id)
    close_event(world, event)


def test_without_a_phone_the_receipt_gives_a_query_code(client: TestClient, world: World, token: str) -> None:
    page = _post(client, token, phone="")
    pin = _testid(page.text, "query-pin")
    shown = _testid(page.text, "dispute-code")
    found = client.post("/progress", data={"code": shown, "last4": pin})
    assert _testid(found.text, "progress-status") == "已受理"


def test_the_page_and_the_api_share_one_progress_limiter(client: TestClient, world: World, token: str) -> None:
    client.app.state.rate_limiters["progress"] = RateLimiter(limit=2, window_seconds=600)  # type: ignore[attr-defined]
    assert (
        client.get("/api/v1/public/progress", params={"code": "WL-0000-0000-0", "phone_last4": "1234"}).status_code
        == 404
    )
    assert client.post("/progress", data={"code": "WL-0000-0000-0", "last4": "1234"}).status_code == 404
    limited = client.post("/progress", data={"code": "WL-0000-0000-0", "last4": "1234"})
    assert limited.status_code == 429
    assert "查询过于频繁" in _testid(limited.text, "progress-error")


def test_staff_download_a_qr_sheet_within_their_jurisdiction(client: TestClient, world: World) -> None:
    anonymous = client.get(f"/work/qr-sheet.pdf?unit={world.town.code}", follow_redirects=False)
    assert anonymous.status_code == 303
    client.cookies.set(SESSION_COOKIE, world.token("town_dispatcher"))
    sheet = client.get(f"/work/qr-sheet.pdf?unit={world.town.code}&kind=grid")
    assert sheet.status_code == 200
    assert sheet.headers["content-type"] == "application/pdf"
    town_grids = [g for g in world.tree.grids if g.path.startswith(world.town.path)]
    assert sheet.content.count(b"/URI (http://testserver/q/") == len(town_grids) == 4
    client.cookies.set(SESSION_COOKIE, world.token("grid_worker"))
    outside = client.get(f"/work/qr-sheet.pdf?unit={world.town.code}&kind=grid")
    assert outside.status_code == 404
    assert "未找到" in outside.text


def test_staff_find_the_print_form_for_their_own_units(client: TestClient, world: World) -> None:
    client.cookies.set(SESSION_COOKIE, world.token("village_head"))
    page = client.get("/work/qr-codes")
    assert page.status_code == 200
    assert f'value="{world.village.code}"' in page.text
    assert 'action="/work/qr-sheet.pdf"' in page.text
    assert "下载共治码PDF</button>" in page.text
