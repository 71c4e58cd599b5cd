"""Prefix search over standard addresses: normalisation of what people type, index ranges instead of LIKE."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from fengqiao.basedata.models import Building
from fengqiao.basedata.service import normalize_address_prefix, prefix_successor, starts_with
from tests import factories
from tests.web.helpers import County, api_client, centre_staff, error_of, made, populate

ESTATE = "泽国镇文昌路88号锦绣花园3幢"


@pytest.fixture
def county(db: Session) -> County:
    return populate(db)


@pytest.fixture
def client(db: Session, engine: Engine, county: County) -> Iterator[TestClient]:
    with api_client(db, engine, as_staff=centre_staff(db, county)) as test_client:
        yield test_client


def test_prefix_finds_the_building_then_its_rooms(client: TestClient, county: County) -> None:
    body = client.get("/api/v1/addresses", params={"prefix": "泽国镇文昌路88号"}).json()
    assert body["prefix"] == "泽国镇文昌路88号"
    assert body["has_more"] is False
    assert [(m["kind"], m["standard_address"]) for m in body["items"]] == [
        ("building", ESTATE),
        ("room", f"{ESTATE}1单元101室"),
        ("room", f"{ESTATE}2单元301室"),
        ("room", f"{ESTATE}2单元302室"),
    ]
    assert {m["building_id"] for m in body["items"]} == {county.estate_building.id}
    assert body["items"][0]["id"] == county.estate_building.id


@pytest.mark.parametrize(
    "typed",
    [
        "浙江省台州市温岭市泽国镇文昌路88号锦绣花园3幢2单元",
        "温岭市泽国镇文昌路88号锦绣花园3幢2单元",
        " 温岭市 泽国镇文昌路 88号锦绣花园3幢 2单元 ",
        "温岭市泽国镇文昌路８８号锦绣花园３幢２单元",  # full-width digits from a Chinese input method
        "泽国镇文昌路88号锦绣花园3幢2单元",
    ],
)
def test_prefix_with_and_without_the_county_prefix(client: TestClient, typed: str) -> None:
    body = client.get("/api/v1/addresses", params={"prefix": typed}).json()
    assert body["prefix"] == f"{ESTATE}2单元"
    assert [m["standard_address"] for m in body["items"]] == [f"{ESTATE}2单元301室", f"{ESTATE}2单元302室"]


def test_limit_and_has_more(client: TestClient) -> None:
    body = client.get("/api/v1/addresses", params={"prefix": "泽国镇", "limit": 2}).json()
    assert len(body["items"]) == 2
    assert body["has_more"] is True
    assert body["items"][0]["kind"] == "building"


def test_no_match_is_an_empty_list(client: TestClient) -> None:
    body = client.get("/api/v1/addresses", params={"prefix": "松门镇"}).json()
    assert body == {"prefix": "松门镇", "has_more": False, "items": []}


def test_like_wildcards_are_plain_characters(client: TestClient) -> None:
    assert client.get("/api/v1/addresses", params={"prefix": "泽国%"}).json()["items"] == []
    assert client.get("/api/v1/addresses", params={"prefix": "泽_镇"}).json()["items"] == []


@pytest.mark.parametrize("typed", ["", " ", "泽", "温岭市", "浙江省台州市温岭市 泽"])
def test_too_short_prefix_is_422(client: TestClient, typed: str) -> None:
    response = client.get("/api/v1/addresses", params={"prefix": typed})
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "address_prefix_too_short"
    assert "地址前缀过短" in error["message"]


def test_missing_or_oversized_parameters_are_422(client: TestClient) -> None:
    missing = client.get("/api/v1/addresses")
    assert missing.status_code == 422
    assert error_of(missing)["message"] == "请求参数有误：prefix 为必填项"
    too_long = client.get("/api/v1/addresses", params={"prefix": "泽" * 129})
    assert "prefix 不能超过 128 个字符" in error_of(too_long)["message"]
    bad_limit = client.get("/api/v1/addresses", params={"prefix": "泽国镇", "limit": 101})
    assert "limit 不能大于 100" in error_of(bad_limit)["message"]


def test_normalize_address_prefix() -> None:
    assert normalize_address_prefix("浙江省 台州市　温岭市泽国镇") == "泽国镇"  # ideographic space too
    assert normalize_address_prefix("温峤镇") == "温峤镇"  # a town whose name starts like the county's
    assert normalize_address_prefix("温岭市温岭市") == "温岭市"  # only one county prefix is removed


def test_prefix_successor() -> None:
    assert prefix_successor("泽国") == "泽图"  # 国 U+56FD, 图 U+56FE
    assert prefix_successor("a\U0010ffff") == "b"
    assert prefix_successor("\ud7ff") == "\ue000"
    with pytest.raises(ValueError, match="non-empty"):
        prefix_successor("")


def test_range_includes_characters_beyond_the_bmp(db: Session) -> None:
    # Rare characters of place names (e.g. 𡐓, U+21413) sort above U+FFFF; a "p || U+FFFF" bound would miss them.
    tree = factories.make_tree(db)
    rare = made(Building, factories.BuildingFactory(grid_id=tree.grids[0].id, standard_address="泽国镇𡐓村1号"))
    plain = made(Building, factories.BuildingFactory(grid_id=tree.grids[0].id, standard_address="泽国镇下村1号"))
    factories.BuildingFactory(grid_id=tree.grids[0].id, standard_address="泽图镇1号")
    found = db.scalars(
        select(Building.id).where(starts_with(Building.standard_address, "泽国镇")).order_by(Building.id)
    )
    assert list(found) == [rare.id, plain.id]
