"""The front-desk registration page: the form, its Chinese validation, address suggestions and duplicate hints."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from fengqiao.basedata.identifiers import make_resident_id
from fengqiao.basedata.models import Building, Room
from fengqiao.events.dispute_code import display
from fengqiao.events.kinds import Channel, EventStatus, PartyRole
from fengqiao.events.models import Event
from tests import factories
from tests.events.world import World
from tests.web.work.conftest import login_as, register

ID_NUMBER = make_resident_id(region_code="331081", birth_date=date(1996, 5, 17), sequence=21, female=True)
CONTENT = "楼上卫生间漏水渗到楼下客厅，多次协商未果，请求调解。"


def _form(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "intake_type": "mediation",
        "title": "楼上漏水纠纷",
        "content": CONTENT,
        "category": "",
        "is_dispute": "1",
        "address": "",
        "building_id": "",
        "room_id": "",
        "lon": "",
        "lat": "",
        "occurred_at": "",
        "involved_count": "",
        "party_role": ["reporter", "respondent"],
        "party_name": ["陈海燕", "林国强"],
        "party_id_number": [ID_NUMBER, ""],
        "party_phone": ["13905761234", "13857612345"],
    }
    values.update(changes)
    return values


@pytest.fixture
def building(world: World) -> Building:
    made = factories.BuildingFactory(
        grid_id=world.grid.id,
        road="文昌路",
        house_number=88,
        estate="锦绣花园",
        building_no=3,
        standard_address="泽国镇文昌路88号锦绣花园3幢",
    )
    assert isinstance(made, Building)
    factories.RoomFactory(
        building_id=made.id, unit_no=2, floor=3, room_no="302", standard_address=f"{made.standard_address}2单元302室"
    )
    world.session.flush()
    return made


def test_the_form_shows_every_field_with_a_label(client: TestClient, world: World) -> None:
    login_as(client, world, "town_dispatcher")
    page = client.get("/work/register")
    assert page.status_code == 200
    for label in (
        "受理类型",
        "事项标题",
        "事项内容",
        "事项分类",
        "当事人身份",
        "姓名",
        "身份证号",
        "联系电话",
        "事发地址",
    ):
        assert label in page.text
    for intake_type in ("咨询", "调解", "仲裁", "诉讼", "申诉求决", "投诉举报", "意见建议", "法律服务"):
        assert f">{intake_type}</option>" in page.text
    assert 'data-testid="register-submit"' in page.text
    assert "添加当事人" in page.text
    assert "/static/app/places.css" in page.text


def test_registering_redirects_to_the_new_event(client: TestClient, world: World, building: Building) -> None:
    login_as(client, world, "town_dispatcher")
    room = world.session.scalars(select(Room).where(Room.building_id == building.id)).one()
    response = client.post(
        "/work/register",
        data=_form(address=room.standard_address, building_id=str(building.id), room_id=str(room.id)),
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    match = re.fullmatch(r"/work/events/(\d+)", response.headers["location"])
    assert match
    event = world.session.get(Event, int(match.group(1)))
    assert event is not None
    assert event.channel == Channel.FRONT_DESK.value
    assert event.intake_type == "mediation"
    assert event.status == EventStatus.REGISTERED.value
    assert event.building_id == building.id
    assert event.room_id == room.id
    assert event.location_path == world.grid.path
    assert event.reporter_name == "陈海燕"
    assert event.reporter_phone == "13905761234"
    assert event.created_by_id == world.staff["town_dispatcher"].id
    assert [(p.role, p.name, p.id_number) for p in event.parties] == [
        (PartyRole.REPORTER.value, "陈海燕", ID_NUMBER),
        (PartyRole.RESPONDENT.value, "林国强", None),
    ]
    assert event.triage is not None  # the same triage pipeline as the API
    detail = client.get(response.headers["location"])
    assert event.dispute_code in detail.text


def test_a_chosen_category_is_kept(client: TestClient, world: World) -> None:
    login_as(client, world, "town_dispatcher")
    response = client.post("/work/register", data=_form(category="labour"), follow_redirects=False)
    assert response.status_code == 303
    event = world.session.get(Event, int(response.headers["location"].rsplit("/", 1)[1]))
    assert event is not None
    assert event.category == "labour"


def _error_of(page_text: str, key: str) -> str:
    found = re.search(rf'id="err-{key}" role="alert">([^<]*)<', page_text)
    assert found, f"no error for {key}"
    return found.group(1)


@pytest.mark.parametrize(
    ("changes", "key", "message"),
    [
        ({"party_id_number": ["33108119960517002X", ""]}, "party_0_id_number", "身份证号码“33108119960517002X”无效"),
        ({"party_id_number": ["12345", ""]}, "party_0_id_number", "应为18位"),
        ({"party_phone": ["1390576", "13857612345"]}, "party_0_phone", "电话号码“1390576”格式不正确"),
        ({"party_phone": ["13905761234", "abc"]}, "party_1_phone", "电话号码“abc”格式不正确"),
        ({"party_phone": ["", ""]}, "party_0_phone", "请填写联系电话"),
        ({"content": "   "}, "content", "请填写事项内容"),
        ({"title": ""}, "title", "请填写事项标题"),
        ({"intake_type": "lottery"}, "intake_type", "请选择受理类型"),
        ({"party_name": ["", "林国强"]}, "party_0_name", "请填写姓名"),
        ({"involved_count": "0"}, "involved_count", "涉及人数应为1至100000之间的整数"),
        ({"lon": "121.3", "lat": ""}, "point", "地图位置不正确"),
        ({"occurred_at": "2099-01-01T10:00"}, "occurred_at", "事发时间不能晚于现在"),
        ({"category": "astrology"}, "category", "请从列表中选择事项分类"),
    ],
)
def test_each_mistake_is_shown_next_to_its_field_and_the_values_stay(
    client: TestClient, world: World, changes: dict[str, Any], key: str, message: str
) -> None:
    login_as(client, world, "town_dispatcher")
    before = world.session.scalar(select(Event.id).order_by(Event.id.desc()).limit(1))
    page = client.post("/work/register", data=_form(**changes), follow_redirects=False)
    assert page.status_code == 422
    assert message in _error_of(page.text, key)
    assert "登记未成功" in page.text
    # What was typed is still there.
    assert "林国强" in page.text
    if "content" not in changes:
        assert CONTENT in page.text
    assert world.session.scalar(select(Event.id).order_by(Event.id.desc()).limit(1)) == before


def test_a_building_outside_the_territory_is_refused(client: TestClient, world: World) -> None:
    elsewhere = factories.BuildingFactory(grid_id=world.other_town_grid.id, standard_address="大溪镇大溪路5号")
    assert isinstance(elsewhere, Building)
    login_as(client, world, "grid_worker")
    page = client.post("/work/register", data=_form(building_id=str(elsewhere.id), address="大溪镇大溪路5号"))
    assert page.status_code == 422
    assert "不在您的辖区内" in _error_of(page.text, "address")


def test_staff_without_the_register_permission_get_the_chinese_403(client: TestClient, world: World) -> None:
    login_as(client, world, "department_handler")
    page = client.get("/work/register")
    assert page.status_code == 403
    assert "没有权限" in page.text
    assert client.post("/work/register", data=_form()).status_code == 403


def test_without_login_the_form_redirects_to_login(client: TestClient) -> None:
    response = client.get("/work/register", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


def test_add_party_returns_one_more_block(client: TestClient, world: World) -> None:
    login_as(client, world, "town_dispatcher")
    block = client.get("/work/register/party", params={"index": 2}, headers={"HX-Request": "true"})
    assert block.status_code == 200
    assert 'id="party-2-name"' in block.text
    assert 'name="party_name"' in block.text
    assert "当事人3" in block.text
    assert "删除此当事人" in block.text


def test_address_suggestions_come_from_the_standard_addresses(
    client: TestClient, world: World, building: Building
) -> None:
    login_as(client, world, "grid_worker")
    answer = client.get("/work/register/address", params={"address": "泽国镇文昌路88号"})
    assert answer.status_code == 200
    suggestions = re.findall(r'data-testid="address-suggestion"', answer.text)
    assert len(suggestions) == 2  # the building and its room
    assert "泽国镇文昌路88号锦绣花园3幢" in answer.text
    assert "2单元302室" in answer.text
    assert f"building_id={building.id}" in answer.text
    # Another grid's worker is not offered this grid's addresses.
    login_as(client, world, "other_town_grid_worker")
    elsewhere = client.get("/work/register/address", params={"address": "泽国镇文昌路88号"})
    assert "address-suggestion" not in elsewhere.text
    assert "未找到匹配的标准地址" in elsewhere.text
    # One character is not enough to search.
    assert client.get("/work/register/address", params={"address": "泽"}).text.strip() == ""


def test_picking_a_suggestion_fills_the_address_block(client: TestClient, world: World, building: Building) -> None:
    room = world.session.scalars(select(Room).where(Room.building_id == building.id)).one()
    login_as(client, world, "grid_worker")
    block = client.get("/work/register/address/pick", params={"building_id": building.id, "room_id": room.id})
    assert block.status_code == 200
    assert block.headers["HX-Trigger"] == "address-picked"
    assert f'value="{room.standard_address}"' in block.text
    assert f'name="building_id" id="building_id" value="{building.id}"' in block.text
    assert f'name="room_id" id="room_id" value="{room.id}"' in block.text
    assert world.grid.name in block.text
    login_as(client, world, "other_town_grid_worker")
    refused = client.get("/work/register/address/pick", params={"building_id": building.id})
    assert "未找到" in refused.text


def test_duplicate_hints_name_their_reasons(client: TestClient, world: World, building: Building) -> None:
    same_phone = register(world, title="漏水的旧登记")  # reporter phone 13905761234, party phone 13857612345
    login_as(client, world, "town_dispatcher")
    hints = client.post(
        "/work/register/hints",
        data=_form(party_phone=["13905761234", ""], party_id_number=["", ""]),
        headers={"HX-Request": "true"},
    )
    assert hints.status_code == 200
    assert hints.text.count('data-testid="duplicate-hint"') == 1
    assert "同一联系电话" in hints.text
    assert same_phone.dispute_code in hints.text
    assert f'href="/work/events/{same_phone.id}"' in hints.text
    assert "智能建议分类" in hints.text
    nothing = client.post(
        "/work/register/hints",
        data=_form(party_phone=["13800000000"], party_id_number=[""], title="", content=""),
    )
    assert "duplicate-hint" not in nothing.text
    assert "未发现相似事项" in nothing.text


def test_duplicate_hints_of_a_sensitive_event_keep_its_title_hidden(client: TestClient, world: World) -> None:
    register(world, title="家暴求助", is_sensitive=True)
    login_as(client, world, "town_dispatcher")
    hints = client.post("/work/register/hints", data=_form(party_phone=["13905761234"], party_id_number=[""]))
    assert "同一联系电话" in hints.text
    assert "家暴求助" not in hints.text
    assert "涉敏事项" in hints.text


def test_the_receipt_shows_the_dispute_code_and_its_qr(client: TestClient, world: World) -> None:
    login_as(client, world, "town_dispatcher")
    response = client.post("/work/register", data=_form(), follow_redirects=False)
    event_id = int(response.headers["location"].rsplit("/", 1)[1])
    event = world.session.get(Event, event_id)
    assert event is not None
    receipt = client.get(f"/work/register/{event_id}/receipt")
    assert receipt.status_code == 200
    assert "受理回执" in receipt.text
    assert display(event.dispute_code) in receipt.text
    assert f'src="/api/v1/events/{event_id}/dispute-code.svg"' in receipt.text
    qr = client.get(f"/api/v1/events/{event_id}/dispute-code.svg")
    assert qr.status_code == 200
    assert qr.headers["content-type"].startswith("image/svg+xml")
    login_as(client, world, "other_town_grid_worker")
    assert client.get(f"/work/register/{event_id}/receipt").status_code == 404
