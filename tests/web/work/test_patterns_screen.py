"""The patterns screens: list, detail with the events, decisions with the stale-page refusal, permission and scope."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import select

from fengqiao.basedata.identifiers import make_resident_id
from fengqiao.events import intake
from fengqiao.events.kinds import Channel, PartyRole
from fengqiao.warnings.jobs import analyse
from fengqiao.warnings.models import Pattern
from tests.events.world import World
from tests.web.work.conftest import login_as

LIN = make_resident_id(region_code="331081", birth_date=date(1996, 5, 17), sequence=21, female=False)


def _pattern(world: World) -> Pattern:
    for text in ("林国强占用楼道堆放建材", "林国强家装修噪音扰民", "林国强拖欠邻居借款不还"):
        new = intake.NewEvent(
            channel=Channel.FRONT_DESK,
            title=text,
            content=text,
            unit_code=world.grid.code,
            parties=[intake.NewParty(role=PartyRole.RESPONDENT, name="林国强", id_number=LIN)],
        )
        event = intake.register(session=world.session, new=new, registering_unit=world.town).event
        analyse(session=world.session, event_ids=[event.id])
    return world.session.scalars(select(Pattern)).one()


def test_list_detail_and_confirm(client: TestClient, world: World) -> None:
    pattern = _pattern(world)
    login_as(client, world, "town_dispatcher")
    listing = client.get("/work/patterns").text
    assert 'data-testid="pattern-row"' in listing
    assert "一人多事" in listing
    assert "林国强" in listing
    page = client.get(f"/work/patterns/{pattern.id}").text
    assert page.count('data-testid="pattern-event"') == 3
    assert "90天内涉及3起事件" in page

    answer = client.post(
        f"/work/patterns/{pattern.id}/decision",
        data={"status": "confirmed", "version": str(pattern.version), "note": "列入重点关注"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    page = client.get(f"/work/patterns/{pattern.id}").text
    assert "已确认" in page
    assert "列入重点关注" in page

    stale = client.post(
        f"/work/patterns/{pattern.id}/decision", data={"status": "dismissed", "version": "1"}, follow_redirects=False
    )
    assert stale.status_code == 422
    assert "已被他人更新" in stale.text


def test_refusals_are_chinese_pages(client: TestClient, world: World) -> None:
    pattern = _pattern(world)
    login_as(client, world, "grid_worker")
    assert client.get(f"/work/patterns/{pattern.id}").status_code == 200  # the worker's own grid
    refused = client.post(
        f"/work/patterns/{pattern.id}/decision", data={"status": "confirmed", "version": str(pattern.version)}
    )
    assert refused.status_code == 403
    assert "不能研判线索" in refused.text
    login_as(client, world, "other_town_dispatcher")
    outside = client.get(f"/work/patterns/{pattern.id}")
    assert outside.status_code == 404
    assert "未找到研判线索" in outside.text
    assert "林国强" not in client.get("/work/patterns").text
