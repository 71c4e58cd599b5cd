"""Inbox, event list and event detail as the staff see them: scoped, masked, in Chinese."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from fengqiao.audit.models import AuditEntry
from fengqiao.events.actions import ActionRequest, perform
from fengqiao.events.kinds import Channel
from fengqiao.events.lifecycle import Action
from fengqiao.events.models import Event
from tests.events.world import World
from tests.web.work.conftest import login_as, register


def _dispatch(world: World, event: Event, unit_code: str) -> Event:
    request = ActionRequest(action=Action.DISPATCH, expected_version=event.version, target_unit_code=unit_code)
    return perform(session=world.session, viewer=world.viewer("town_dispatcher"), event_id=event.id, request=request)


def test_inbox_shows_a_dispatched_event_to_the_grid_worker(client: TestClient, world: World) -> None:
    event = _dispatch(world, register(world, title="楼道堆放杂物"), world.grid.code)
    login_as(client, world, "grid_worker")
    page = client.get("/work")
    assert page.status_code == 200
    assert "我的待办" in page.text
    assert "待签收" in page.text
    assert "楼道堆放杂物" in page.text
    assert event.dispute_code in page.text
    assert "light-green" in page.text  # a fresh deadline
    assert f'href="/work/events/{event.id}"' in page.text
    login_as(client, world, "other_grid_worker")
    assert "楼道堆放杂物" not in client.get("/work").text


def test_inbox_puts_overdue_first_with_a_red_light(client: TestClient, world: World) -> None:
    fine = _dispatch(world, register(world, title="按时的事"), world.grid.code)
    late = _dispatch(world, register(world, title="超期的事"), world.grid.code)
    late.is_overdue = True
    world.session.flush()
    login_as(client, world, "grid_worker")
    page = client.get("/work").text
    assert page.index("超期的事") < page.index("按时的事")
    assert "item-red" in page
    assert fine.dispute_code in page


def test_list_filters_narrow_the_results(client: TestClient, world: World) -> None:
    register(world, title="窗口登记的漏水纠纷")
    register(world, title="热线反映的噪音扰民", channel=Channel.HOTLINE_12345)
    dispatched = _dispatch(world, register(world, title="已交办的占道经营"), world.grid.code)
    login_as(client, world, "town_dispatcher")
    everything = client.get("/work/events")
    assert "共 <strong>3</strong> 件" in everything.text
    by_channel = client.get("/work/events", params={"channel": "hotline_12345"})
    assert "共 <strong>1</strong> 件" in by_channel.text
    assert "热线反映的噪音扰民" in by_channel.text
    assert "窗口登记的漏水纠纷" not in by_channel.text
    by_status = client.get("/work/events", params={"status": "dispatched"}, headers={"HX-Request": "true"})
    assert "<html" not in by_status.text  # htmx gets the table alone
    assert f'href="/work/events/{dispatched.id}"' in by_status.text
    assert "共 <strong>1</strong> 件" in by_status.text
    by_text = client.get("/work/events", params={"q": "噪音", "status": "open"})
    assert "共 <strong>1</strong> 件" in by_text.text
    bad = client.get("/work/events", params={"q": "100%"})
    assert bad.status_code == 200
    assert "检索词不能包含" in bad.text
    bad_date = client.get("/work/events", params={"date_from": "2026-13-40"})
    assert "开始日期应为日期" in bad_date.text


def test_list_paginates(client: TestClient, world: World) -> None:
    for n in range(23):
        register(world, title=f"第{n}件事")
    login_as(client, world, "town_dispatcher")
    first = client.get("/work/events").text
    assert "第 1 / 2 页" in first
    assert "下一页" in first
    second = client.get("/work/events", params={"page": 2}).text
    assert "第 2 / 2 页" in second
    assert second.count('href="/work/events/') == 3


def test_detail_masks_the_phone_and_unmask_shows_it_with_an_audit_entry(client: TestClient, world: World) -> None:
    event = register(world)
    login_as(client, world, "town_dispatcher")
    page = client.get(f"/work/events/{event.id}")
    assert page.status_code == 200
    assert "139****1234" in page.text
    assert "13905761234" not in page.text
    assert "138****2345" in page.text
    assert "查看完整信息" in page.text
    unmasked = client.post(f"/work/events/{event.id}/unmask", headers={"HX-Request": "true"})
    assert unmasked.status_code == 200
    assert "13905761234" in unmasked.text
    assert "13857612345" in unmasked.text
    assert "已记入审计日志" in unmasked.text
    entries = world.session.scalars(
        select(AuditEntry).where(AuditEntry.entity_type == "event", AuditEntry.entity_id == event.id)
    ).all()
    assert [(e.action, e.actor_id) for e in entries] == [("unmask", world.staff["town_dispatcher"].id)]


def test_detail_shows_the_triage_suggestion(client: TestClient, world: World) -> None:
    event = register(world)
    event.triage = {
        "category": "no_such_category",
        "confidence": 0.87,
        "risk": "medium",
        "reasons": ["文本提到“漏水”"],
        "suggestion": {
            "primary": world.grid.code,
            "level": "grid",
            "joint": None,
            "co_handlers": [],
            "auto": False,
            "reasons": ["风险等级“中”，按规则由网格办理"],
        },
    }
    world.session.flush()
    login_as(client, world, "town_dispatcher")
    page = client.get(f"/work/events/{event.id}").text
    assert "智能分拨建议" in page
    assert "87%" in page
    assert "文本提到“漏水”" in page
    assert "风险等级“中”，按规则由网格办理" in page
    assert world.grid.name in page
    assert 'optgroup label="分拨建议"' in page  # the picker offers the suggestion first


def test_a_grid_worker_cannot_open_another_grids_event(client: TestClient, world: World) -> None:
    event = register(world, grid_code=world.other_grid.code)
    login_as(client, world, "grid_worker")
    page = client.get(f"/work/events/{event.id}")
    assert page.status_code == 404
    assert "未找到事件" in page.text
    assert "<html" in page.text
    assert not page.headers["content-type"].startswith("application/json")
    assert client.post(f"/work/events/{event.id}/unmask").status_code == 404


def test_without_unmask_permission_no_button_and_a_chinese_refusal(client: TestClient, world: World) -> None:
    event = register(world)
    login_as(client, world, "part_timer")
    page = client.get(f"/work/events/{event.id}").text
    assert "139****1234" in page
    assert "查看完整信息" not in page
    answer = client.post(f"/work/events/{event.id}/unmask", headers={"HX-Request": "true"})
    assert answer.status_code == 200  # htmx swaps only 2xx: the refusal goes to the flash area
    assert answer.headers["HX-Retarget"] == "#flash"
    assert "您的岗位没有此项权限" in answer.text
    assert "13905761234" not in answer.text
