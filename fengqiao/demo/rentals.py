"""Rental housing (出租房) of one town: every let room gets its landlord — for village houses and rooms above shops
the registered family head living in the same building when there is one (the owner on the ground floor);
estate flats and buildings without a resident owner are let by some other local family head."""

from __future__ import annotations

import numpy as np

from fengqiao.demo.buildings import TownBuildings
from fengqiao.demo.population import TownResidents
from fengqiao.demo.rng import Stage, stage_rng
from fengqiao.demo.rooms import TownRooms
from fengqiao.demo.shapes import ESTATE, SHOP, VILLAGE_HOUSE
from fengqiao.demo.territory import TownTerritory
from fengqiao.demo.towns import COUNTY_CODE

RENTAL_COLUMNS = ("id", "county_code", "room_id", "landlord_id", "registered_on", "max_occupants", "monthly_rent")
_FIRST_REGISTRATION = np.datetime64("2016-01-01", "D")
_LAST_REGISTRATION = np.datetime64("2025-06-30", "D")
# Monthly rent ranges in yuan, by kind of building.
_RENT = {VILLAGE_HOUSE: (400, 1500), ESTATE: (1200, 3600), SHOP: (800, 2200)}


def generate_rentals(
    town: TownTerritory,
    buildings: TownBuildings,
    rooms: TownRooms,
    residents: TownResidents,
    *,
    seed: int,
    first_id: int,
) -> list[tuple[object, ...]]:
    rng = stage_rng(seed, Stage.RENTALS, town.plan.index)
    let = np.flatnonzero(rooms.rental)
    heads = np.flatnonzero(residents.registered & residents.head & (residents.age >= 22))
    if len(heads) == 0:
        heads = np.flatnonzero(residents.registered)
    if len(let) == 0 or len(heads) == 0:
        return []
    owner_of_building = np.full(len(buildings), -1)
    head_buildings = rooms.building[residents.room[heads]]
    # Assigning in reverse leaves the first head of each building in place.
    owner_of_building[head_buildings[::-1]] = heads[::-1]
    landlord = owner_of_building[rooms.building[let]]
    landlord[rooms.kind[let] == ESTATE] = -1
    absent = landlord < 0
    landlord[absent] = heads[rng.integers(0, len(heads), int(absent.sum()))]

    tenants = np.bincount(residents.room[~residents.registered], minlength=len(rooms))[let]
    max_occupants = np.maximum(tenants, rng.integers(2, 7, len(let)))
    rent = np.zeros(len(let), dtype=np.int64)
    kinds = rooms.kind[let]
    for kind, (low, high) in _RENT.items():
        where = kinds == kind
        rent[where] = rng.integers(low // 50, high // 50 + 1, int(where.sum())) * 50
    span = int((_LAST_REGISTRATION - _FIRST_REGISTRATION).astype(np.int64))
    registered_on = (_FIRST_REGISTRATION + rng.integers(0, span + 1, len(let)).astype("timedelta64[D]")).tolist()

    room_ids = (rooms.first_id + let).tolist()
    landlord_ids = (residents.first_id + landlord).tolist()
    return [
        (first_id + offset, COUNTY_CODE, room, owner, day, occupants, monthly)
        for offset, (room, owner, day, occupants, monthly) in enumerate(
            zip(room_ids, landlord_ids, registered_on, max_occupants.tolist(), rent.tolist(), strict=True)
        )
    ]
