"""Which street each building is numbered on, and its number. In towns, buildings are numbered on the nearest
road (an estate's blocks share the number of the estate's gate); in rural villages, houses and the committee's
buildings are numbered on the village itself (大溪镇塘下村12号), along the village's main axis."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from fengqiao.demo.roads import RoadNetwork, house_numbers
from fengqiao.demo.shapes import ESTATE, PUBLIC, VILLAGE_HOUSE
from fengqiao.demo.territory import TownTerritory
from fengqiao.jurisdiction.kinds import UnitVariant


def assign_streets(
    town: TownTerritory,
    roads: RoadNetwork,
    rng: np.random.Generator,
    *,
    kind: NDArray[np.int64],
    grid: NDArray[np.int64],
    xy: NDArray[np.float64],
    estate: NDArray[np.int64],
    centres: NDArray[np.float64],
) -> tuple[list[str], NDArray[np.int64]]:
    """(street name, house number) per building; the street is a road or, for village addressing, the village."""
    village_index = {id(village): i for i, village in enumerate(town.villages)}
    grid_village = np.array([village_index[id(g.parent)] for g in town.grids])
    rural = np.array([v.variant is UnitVariant.RURAL_VILLAGE for v in town.villages])
    on_village = rural[grid_village[grid]] & np.isin(kind, (VILLAGE_HOUSE, PUBLIC))
    in_estate = kind == ESTATE
    on_road = ~on_village & ~in_estate

    street = np.empty(len(kind), dtype=object)
    numbers = np.zeros(len(kind), dtype=np.int64)

    # Roads: one numbering per road over estates' gates and single buildings together.
    site_xy = np.vstack((centres, xy[on_road]))
    site_road = roads.nearest(site_xy) if len(site_xy) else np.empty(0, dtype=np.int64)
    site_numbers = house_numbers(site_road, roads.positions(site_road, site_xy), rng)
    estate_road, single_road = site_road[: len(centres)], site_road[len(centres) :]
    road_names = np.array(roads.names, dtype=object)
    street[in_estate] = road_names[estate_road[estate[in_estate]]]
    numbers[in_estate] = site_numbers[: len(centres)][estate[in_estate]]
    street[on_road] = road_names[single_road]
    numbers[on_road] = site_numbers[len(centres) :]

    # Villages: numbered along a direction of their own.
    villages = grid_village[grid[on_village]]
    bearing = rng.uniform(0, np.pi, len(town.villages))[villages]
    along = xy[on_village, 0] * np.cos(bearing) + xy[on_village, 1] * np.sin(bearing)
    numbers[on_village] = house_numbers(villages, along, rng)
    village_names = np.array([v.name for v in town.villages], dtype=object)
    street[on_village] = village_names[villages]
    return street.tolist(), numbers


def estate_block_numbers(estate: NDArray[np.int64]) -> NDArray[np.int64]:
    """1, 2, 3… within each estate, in the order its blocks come (buildings are sorted estate by estate);
    0 for buildings outside estates."""
    numbers = np.zeros(len(estate), dtype=np.int64)
    where = np.flatnonzero(estate >= 0)
    if where.size == 0:
        return numbers
    members = estate[where]
    order = np.argsort(members, kind="stable")
    sorted_members = members[order]
    starts = np.flatnonzero(np.r_[True, sorted_members[1:] != sorted_members[:-1]])
    ranks = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    numbered = np.empty(len(order), dtype=np.int64)
    numbered[order] = ranks + 1
    numbers[where] = numbered
    return numbers
