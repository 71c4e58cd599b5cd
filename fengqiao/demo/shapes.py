"""How big buildings are: floors, stair units and rooms per floor by kind, as (value, probability) tables.
The planner uses their means; the building generator draws from them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from fengqiao.basedata.kinds import BuildingKind

Table = tuple[tuple[int, float], ...]
Ints = NDArray[np.int64]

# Kinds are handled as small integers in arrays: their index here.
KINDS: tuple[BuildingKind, ...] = tuple(BuildingKind)
ESTATE, VILLAGE_HOUSE, SHOP, FACTORY, PUBLIC = (KINDS.index(kind) for kind in BuildingKind)


@dataclass(frozen=True)
class Distribution:
    table: Table

    def mean(self) -> float:
        total = sum(p for _, p in self.table)
        return sum(v * p for v, p in self.table) / total

    def draw(self, rng: np.random.Generator, size: int) -> NDArray[np.int64]:
        values = np.array([v for v, _ in self.table], dtype=np.int64)
        weights = np.array([p for _, p in self.table], dtype=float)
        return values[rng.choice(len(values), size=size, p=weights / weights.sum())]


# Estates: walk-ups of 5–6 floors, mid-rise of 11, towers of 18 and 26; two flats a floor is the usual.
ESTATE_UNITS = Distribution(((1, 0.30), (2, 0.45), (3, 0.20), (4, 0.05)))
ESTATE_FLOORS = Distribution(((5, 0.25), (6, 0.30), (11, 0.20), (18, 0.15), (26, 0.10)))
ESTATE_ROOMS_PER_FLOOR = Distribution(((2, 0.68), (3, 0.20), (4, 0.12)))
ESTATE_SIZE = Distribution(((2, 0.10), (4, 0.20), (6, 0.25), (8, 0.20), (12, 0.15), (18, 0.10)))

# Other kinds: rooms first, then floors, never fewer floors than a one-room-per-floor house needs.
ROOMS: dict[BuildingKind, Distribution] = {
    BuildingKind.VILLAGE_HOUSE: Distribution(((1, 0.22), (2, 0.30), (3, 0.26), (4, 0.22))),
    BuildingKind.SHOP: Distribution(((1, 0.30), (2, 0.40), (3, 0.30))),
    BuildingKind.FACTORY: Distribution(((2, 0.15), (3, 0.15), (4, 0.20), (5, 0.15), (6, 0.15), (8, 0.20))),
    BuildingKind.PUBLIC: Distribution(((2, 0.25), (3, 0.25), (4, 0.25), (6, 0.25))),
}
FLOORS: dict[BuildingKind, Distribution] = {
    BuildingKind.VILLAGE_HOUSE: Distribution(((2, 0.20), (3, 0.40), (4, 0.30), (5, 0.10))),
    BuildingKind.SHOP: Distribution(((1, 0.30), (2, 0.40), (3, 0.30))),
    BuildingKind.FACTORY: Distribution(((1, 0.25), (2, 0.25), (3, 0.25), (4, 0.15), (5, 0.10))),
    BuildingKind.PUBLIC: Distribution(((2, 0.30), (3, 0.30), (4, 0.25), (5, 0.15))),
}


def mean_rooms(kind: BuildingKind) -> float:
    if kind is BuildingKind.ESTATE:
        return ESTATE_UNITS.mean() * ESTATE_FLOORS.mean() * ESTATE_ROOMS_PER_FLOOR.mean()
    return ROOMS[kind].mean()


def draw_sizes(rng: np.random.Generator, kind: Ints, estate: Ints, estates: int) -> tuple[Ints, Ints, Ints, Ints]:
    """(floors, stair units, rooms per floor, rooms) per building. Blocks of one estate share their height and
    floor plan; other buildings get one room per floor up to their height (village houses, shops), or rooms
    spread over their floors (factories' dormitories and offices, public buildings)."""
    size = len(kind)
    floors = np.zeros(size, dtype=np.int64)
    units = np.zeros(size, dtype=np.int64)
    per_floor = np.zeros(size, dtype=np.int64)
    rooms = np.zeros(size, dtype=np.int64)
    blocks = kind == ESTATE
    estate_floors = ESTATE_FLOORS.draw(rng, estates)
    estate_per_floor = ESTATE_ROOMS_PER_FLOOR.draw(rng, estates)
    floors[blocks] = estate_floors[estate[blocks]]
    per_floor[blocks] = estate_per_floor[estate[blocks]]
    units[blocks] = ESTATE_UNITS.draw(rng, int(blocks.sum()))
    rooms[blocks] = units[blocks] * floors[blocks] * per_floor[blocks]
    for kind_index, kind_value in enumerate(KINDS):
        where = np.flatnonzero(kind == kind_index)
        if kind_value is BuildingKind.ESTATE or where.size == 0:
            continue
        rooms[where] = ROOMS[kind_value].draw(rng, where.size)
        floors[where] = FLOORS[kind_value].draw(rng, where.size)
        if kind_value in (BuildingKind.VILLAGE_HOUSE, BuildingKind.SHOP):
            floors[where] = np.maximum(floors[where], rooms[where])
    return floors, units, per_floor, rooms
