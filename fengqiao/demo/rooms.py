"""Rooms of one town's buildings (A3): estates as stair unit × floor × flat, other buildings a room or more per
floor; each with its standard address. Some rooms are let: upper floors of village houses (the owner keeps the
ground floor), flats in estates and rooms above shops, more where floating people are many."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from fengqiao.demo.addresses import room_address, room_number
from fengqiao.demo.buildings import TownBuildings
from fengqiao.demo.rng import Stage, stage_rng
from fengqiao.demo.shapes import ESTATE, SHOP, VILLAGE_HOUSE
from fengqiao.demo.territory import TownTerritory
from fengqiao.demo.towns import COUNTY_CODE

ROOM_COLUMNS = ("id", "county_code", "building_id", "unit_no", "floor", "room_no", "standard_address", "is_rental")


@dataclass
class TownRooms:
    first_id: int
    building: NDArray[np.int64]
    kind: NDArray[np.int64]
    floor: NDArray[np.int64]
    rental: NDArray[np.bool_]
    rows: list[tuple[object, ...]]

    def __len__(self) -> int:
        return len(self.building)

    @property
    def ids(self) -> NDArray[np.int64]:
        return self.first_id + np.arange(len(self.building))


def rental_probability(kind: NDArray[np.int64], floor: NDArray[np.int64], floating_share: float) -> NDArray[np.float64]:
    village_upper = (kind == VILLAGE_HOUSE) & (floor >= 2)
    probability = np.zeros(len(kind))
    probability[village_upper] = 0.08 + 0.6 * floating_share
    probability[kind == ESTATE] = 0.02 + 0.12 * floating_share
    probability[(kind == SHOP) & (floor >= 2)] = 0.2
    return probability


def generate_rooms(town: TownTerritory, buildings: TownBuildings, *, seed: int, first_id: int) -> TownRooms:
    rng = stage_rng(seed, Stage.ROOMS, town.plan.index)
    counts = buildings.rooms
    building = np.repeat(np.arange(len(counts)), counts)
    position = np.arange(len(building)) - np.repeat(np.cumsum(counts) - counts, counts)
    kind = buildings.kind[building]
    floors = buildings.floors[building]
    per_floor = np.maximum(buildings.per_floor[building], 1)
    per_unit = floors * per_floor
    estate = kind == ESTATE
    unit_no = np.where(estate, position // per_unit + 1, 0)
    floor = np.where(estate, (position % per_unit) // per_floor + 1, position % floors + 1)
    serial = np.where(estate, position % per_floor + 1, position // floors + 1)
    rental = rng.random(len(building)) < rental_probability(kind, floor, town.plan.spec.floating_share)

    building_ids = buildings.ids.tolist()
    addresses = buildings.addresses
    rows: list[tuple[object, ...]] = []
    columns = (building, unit_no, floor, serial, rental)
    for offset, (b, unit, fl, k, let) in enumerate(zip(*(c.tolist() for c in columns), strict=True)):
        number = room_number(fl, k)
        unit_or_none = unit or None
        address = room_address(addresses[b], number, unit_or_none)
        rows.append((first_id + offset, COUNTY_CODE, building_ids[b], unit_or_none, fl, number, address, let))
    return TownRooms(first_id, building, kind, floor, rental, rows)
