"""Matching against the seeded demo county (a real database through the seeded_engine fixture)."""

from __future__ import annotations

import random
from pathlib import Path

from sqlalchemy import Engine, select

from fengqiao.basedata.models import Building, Room
from fengqiao.jurisdiction.models import Unit
from fengqiao.triage.address.index import AddressIndex, build_index, load_or_build
from fengqiao.triage.address.match import AddressMatcher, MatchLevel
from fengqiao.triage.address.sample import sample_standard_addresses
from fengqiao.triage.address.variants import noisy_variant

VARIANTS = 500


def test_exact_standard_addresses_match_their_rooms_with_full_confidence(
    seeded_engine: Engine, matcher: AddressMatcher
) -> None:
    with seeded_engine.connect() as connection:
        rooms = connection.execute(
            select(Room.id, Room.building_id, Room.standard_address).order_by(Room.id).limit(300)
        ).all()
        grid_code = connection.execute(
            select(Unit.code).join(Building, Building.grid_id == Unit.id).where(Building.id == rooms[0].building_id)
        ).scalar_one()
    for room_id, building_id, address in rooms:
        found = matcher.match(address)
        assert (found.room_id, found.building_id, found.level, found.score) == (room_id, building_id, "room", 1.0)
    assert matcher.match(rooms[0].standard_address).grid_code == grid_code


def test_building_addresses_match_at_building_level(seeded_engine: Engine, matcher: AddressMatcher) -> None:
    with seeded_engine.connect() as connection:
        buildings = connection.execute(select(Building.id, Building.standard_address).limit(300)).all()
    for building_id, address in buildings:
        found = matcher.match(address)
        assert (found.building_id, found.room_id, found.level, found.score) == (building_id, None, "building", 1.0)


def test_noisy_variants_match_the_right_building(seeded_engine: Engine, matcher: AddressMatcher) -> None:
    truth = sample_standard_addresses(engine=seeded_engine, count=VARIANTS, seed=5)
    rng = random.Random(5)
    queries = [(noisy_variant(item.address, rng=rng, towns=matcher.towns), item) for item in truth]
    buildings = sum(matcher.match(text).building_id == item.building_id for text, item in queries)
    rooms = [(text, item) for text, item in queries if item.room_id is not None]
    room_hits = sum(matcher.match(text).room_id == item.room_id for text, item in rooms)
    assert len(queries) == VARIANTS
    assert buildings / VARIANTS >= 0.95
    assert room_hits / len(rooms) >= 0.93


def _estate_building(engine: Engine) -> tuple[int, str, str, int, str]:
    with engine.connect() as connection:
        row = connection.execute(
            select(Building.id, Building.standard_address, Building.road, Building.house_number, Building.estate)
            .where(Building.estate.is_not(None), Building.road.like("%路"))
            .order_by(Building.id)
            .limit(1)
        ).one()
    return row.id, row.standard_address, row.road, row.house_number, row.estate


def test_a_road_typo_is_corrected_among_the_roads_of_the_town(seeded_engine: Engine, matcher: AddressMatcher) -> None:
    building_id, address, road, _, _ = _estate_building(seeded_engine)
    # A character no road name uses, in place of the first character of the road.
    typo = address.replace(road, "鑫" + road[1:], 1)
    found = matcher.match(typo)
    assert found.building_id == building_id
    assert found.level == MatchLevel.BUILDING
    assert 0.5 < found.score < 1.0


def test_an_estate_without_its_road_is_found(seeded_engine: Engine, matcher: AddressMatcher) -> None:
    building_id, address, road, number, estate = _estate_building(seeded_engine)
    town = address.split(road)[0]
    block = address.removeprefix(f"{town}{road}{number}号{estate}")
    assert matcher.match(f"{town}{estate}{block}").building_id == building_id


def test_landmarks_the_base_data_names_are_found(seeded_engine: Engine, matcher: AddressMatcher) -> None:
    with seeded_engine.connect() as connection:
        named = connection.execute(
            select(Building.id, Building.name).where(Building.name.like("%村委会")).order_by(Building.id).limit(5)
        ).all()
    assert named
    for building_id, name in named:
        found = matcher.match(f"温岭市{name}")
        assert (found.building_id, found.level) == (building_id, "building")
        assert matcher.match(f"{name}旁边").building_id == building_id  # fuzzy: extra words around the name


def test_unknown_addresses_match_nothing(matcher: AddressMatcher) -> None:
    for text in ("北京市朝阳区建国门外大街1号", "", "！！！", "123", "火星基地"):
        found = matcher.match(text)
        assert (found.level, found.building_id, found.room_id, found.score) == ("none", None, None, 0.0), text


def test_a_known_road_with_an_unknown_number_is_road_level(seeded_engine: Engine, matcher: AddressMatcher) -> None:
    _, address, road, _, _ = _estate_building(seeded_engine)
    town = address.split(road)[0]
    found = matcher.match(f"{town}{road}9999号")
    assert (found.level, found.building_id) == ("road", None)
    assert 0 < found.score <= 0.5


def test_an_empty_county_matches_nothing(engine: Engine) -> None:
    empty = AddressMatcher(build_index(engine=engine))
    assert (empty.index.building_count, empty.index.room_count) == (0, 0)
    assert empty.match("泽国镇文昌路88号锦绣花园3幢2单元302室").level == "none"
    assert empty.match("温岭市第一人民医院").level == "none"


def test_the_index_is_cached_and_loaded_back(
    seeded_engine: Engine, address_index: AddressIndex, tmp_path: Path
) -> None:
    built, first = load_or_build(engine=seeded_engine, cache_dir=tmp_path)
    loaded, second = load_or_build(engine=seeded_engine, cache_dir=tmp_path)
    assert (first.source, second.source) == ("built", "cache")
    assert first.path == second.path
    assert second.path.exists()
    assert loaded.room_count == built.room_count == address_index.room_count
    assert loaded.buildings == address_index.buildings
    assert list(loaded.room_keys) == list(address_index.room_keys)
    address = "大溪镇塘下村12号"
    assert AddressMatcher(loaded).match(address) == AddressMatcher(built).match(address)
