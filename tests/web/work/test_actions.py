"""Acting on an event through the HTML action forms: the closed loop, conflicts and refusals shown in Chinese."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from fengqiao.events.models import Event
from tests.events.world import World
from tests.web.work.conftest import login_as, register

HTMX = {"HX-Request": "true"}


def _version(html: str) -> str:
    found = re.search(r'name="version" value="(\d+)"', html)
    assert found, "no action form on the page"
    return found.group(1)


def _act(client: TestClient, event: Event, action: str, **fields: str) -> str:
    page = client.get(f"/work/events/{event.id}").text
    assert f"/actions/{action}" in page, f"{action} is not offered"
    answer = client.post(
        f"/work/events/{event.id}/actions/{action}", data={"version": _version(page), **fields}, headers=HTMX
    )
    assert answer.status_code == 200, answer.text
    assert "alert-error" not in answer.text, answer.text
    return answer.text


def _timeline(html: str) -> list[str]:
    return re.findall(r'<span class="tl-action">([^<]+)</span>', html)


def test_the_closed_loop_through_the_html_forms(client: TestClient, world: World) -> None:
    event = register(world)
    login_as(client, world, "town_dispatcher")
    page = client.get(f"/work/events/{event.id}").text
    assert world.grid.name in page  # the unit picker offers the event's own grid
    html = _act(client, event, "dispatch", target_unit_code=world.grid.code)
    assert "已流转交办" in html
    assert "<html" not in html  # htmx gets the detail alone
    assert _timeline(html) == ["受理登记", "流转交办"]

    login_as(client, world, "grid_worker")
    _act(client, event, "accept")
    assert "/actions/accept" not in client.get(f"/work/events/{event.id}").text  # accepted already
    html = _act(client, event, "report_back", note="已修复防水层，双方和解")
    assert _timeline(html) == ["受理登记", "流转交办", "签收", "反馈"]
    assert "已修复防水层，双方和解" in html

    login_as(client, world, "town_dispatcher")
    _act(client, event, "review_pass")
    html = _act(client, event, "close")
    assert "已办结" in html
    assert _timeline(html) == ["受理登记", "流转交办", "签收", "反馈", "审核通过", "销号办结"]
    page = client.get(f"/work/events/{event.id}").text
    assert _timeline(page) == _timeline(html)
    assert "town_dispatcher姓名" in page
    assert "grid_worker姓名" in page


def test_without_htmx_a_success_redirects_to_the_detail(client: TestClient, world: World) -> None:
    event = register(world)
    login_as(client, world, "town_dispatcher")
    answer = client.post(
        f"/work/events/{event.id}/actions/dispatch",
        data={"version": str(event.version), "other_unit_code": world.grid.code},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/work/events/{event.id}"


def test_a_stale_version_shows_the_chinese_conflict_message(client: TestClient, world: World) -> None:
    event = register(world)
    login_as(client, world, "town_dispatcher")
    stale = _version(client.get(f"/work/events/{event.id}").text)
    _act(client, event, "dispatch", target_unit_code=world.grid.code)
    again = client.post(
        f"/work/events/{event.id}/actions/recall", data={"version": stale, "note": "派错了"}, headers=HTMX
    )
    assert again.status_code == 200
    assert "事件已被他人更新" in again.text
    assert "请刷新后重试" in again.text
    plain = client.post(f"/work/events/{event.id}/actions/recall", data={"version": stale})
    assert plain.status_code == 409
    assert "事件已被他人更新" in plain.text
    assert "<html" in plain.text
    assert _timeline(plain.text) == ["受理登记", "流转交办"]  # nothing was recorded


def test_refusals_are_shown_in_chinese_never_a_server_error(client: TestClient, world: World) -> None:
    event = register(world)
    login_as(client, world, "town_dispatcher")
    version = _version(client.get(f"/work/events/{event.id}").text)
    cases = [
        ("void", {"version": version}, "请填写说明或原因"),
        ("dispatch", {"version": version}, "请选择承办单位"),
        ("dispatch", {"version": version, "other_unit_code": "331081999"}, "未找到单位"),
        ("close", {"version": version}, "不能销号办结"),
        ("accept", {"version": "abc"}, "页面已过期"),
        ("callback", {"version": version, "satisfaction": "nonsense"}, "满意度的取值无效"),
    ]
    for action, data, message in cases:
        answer = client.post(f"/work/events/{event.id}/actions/{action}", data=data, headers=HTMX)
        assert answer.status_code == 200, (action, answer.text)
        assert message in answer.text, (action, message)
        assert "alert-error" in answer.text
    unknown = client.post(f"/work/events/{event.id}/actions/deadline_warning", data={"version": version})
    assert unknown.status_code == 404
    assert "没有这项操作" in unknown.text
    login_as(client, world, "grid_worker")
    forbidden = client.post(f"/work/events/{event.id}/actions/dispatch", data={"version": version})
    assert forbidden.status_code == 403
    assert "无权流转交办" in forbidden.text
    assert "/actions/" not in client.get(f"/work/events/{event.id}").text  # no forms offered to them
