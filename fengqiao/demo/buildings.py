"""Buildings of one town (A3): estates (clusters of tower blocks sharing a road number), village houses, shops,
factories and named public buildings, each at a point inside its grid, with its standard address."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
import shapely
from numpy.typing import NDArray

from fengqiao.basedata.kinds import BuildingKind
from fengqiao.demo import placenames, shapes
from fengqiao.demo.addresses import building_address
from fengqiao.demo.geography import sample_points, sample_points_near
from fengqiao.demo.numbering import assign_streets, estate_block_numbers
from fengqiao.demo.plan import police_station_names
from fengqiao.demo.rng import Stage, stage_rng
from fengqiao.demo.roads import build_roads
from fengqiao.demo.shapes import ESTATE, KINDS, PUBLIC, draw_sizes
from fengqiao.demo.territory import TownTerritory, UnitDraft
from fengqiao.demo.towns import COUNTY_CODE
from fengqiao.jurisdiction.kinds import UnitVariant

BUILDING_COLUMNS = (
    "id", "county_code", "grid_id", "kind", "road", "house_number", "estate", "building_no", "name",
    "standard_address", "floors", "lon", "lat",
)  # fmt: skip
_T = TypeVar("_T")
COORDINATE_DECIMALS = 6
# How strongly each kind prefers grids of communities (first) or of rural villages (second).
_AFFINITY: dict[BuildingKind, tuple[float, float]] = {
    BuildingKind.ESTATE: (1.0, 0.08),
    BuildingKind.VILLAGE_HOUSE: (0.12, 1.0),
    BuildingKind.SHOP: (1.0, 0.35),
    BuildingKind.FACTORY: (0.3, 1.0),
}
# Tower blocks of one estate stand within a hundred metres or so of its centre.
_ESTATE_SPREAD = 0.0006
_VILLAGE_PUBLIC = ("村委会", "文化礼堂", "居家养老服务照料中心", "卫生室", "幼儿园", "老年活动中心")
_COMMUNITY_PUBLIC = ("党群服务中心", "卫生服务站", "居家养老服务中心", "幼儿园", "文化家园")


@dataclass
class _Placement:
    """Buildings placed so far, in chunks."""

    kind: list[NDArray[np.int64]] = field(default_factory=list)
    grid: list[NDArray[np.int64]] = field(default_factory=list)
    xy: list[NDArray[np.float64]] = field(default_factory=list)
    estate: list[NDArray[np.int64]] = field(default_factory=list)
    names: list[str | None] = field(default_factory=list)
    estate_centres: list[NDArray[np.float64]] = field(default_factory=list)

    def add(self, kind: int, grid: int, xy: NDArray[np.float64], *, estate: NDArray[np.int64] | None = None) -> None:
        self.kind.append(np.full(len(xy), kind))
        self.grid.append(np.full(len(xy), grid))
        self.xy.append(xy)
        self.estate.append(np.full(len(xy), -1) if estate is None else estate)
        self.names.extend([None] * len(xy))


@dataclass
class TownBuildings:
    first_id: int
    kind: NDArray[np.int64]
    grid: NDArray[np.int64]
    xy: NDArray[np.float64]
    estate: NDArray[np.int64]
    floors: NDArray[np.int64]
    units: NDArray[np.int64]
    per_floor: NDArray[np.int64]
    rooms: NDArray[np.int64]
    addresses: list[str]
    rows: list[tuple[object, ...]]

    def __len__(self) -> int:
        return len(self.kind)

    @property
    def ids(self) -> NDArray[np.int64]:
        return self.first_id + np.arange(len(self.kind))


def generate_buildings(town: TownTerritory, *, seed: int, first_id: int) -> TownBuildings:
    index = town.plan.index
    rng = stage_rng(seed, Stage.BUILDINGS, index)
    roads = build_roads(town, town.plan.roads, stage_rng(seed, Stage.ROADS, index))
    placed = _Placement()
    _place_estates(town, rng, placed)
    for scattered in (BuildingKind.VILLAGE_HOUSE, BuildingKind.SHOP, BuildingKind.FACTORY):
        _place_scattered(town, scattered, rng, placed)
    _place_public(town, rng, placed)

    kind = np.concatenate(placed.kind)
    grid = np.concatenate(placed.grid)
    xy = np.concatenate(placed.xy)
    estate = np.concatenate(placed.estate)
    names = np.array(placed.names, dtype=object)
    # Ids follow the map: grid by grid, then by kind, estates' blocks together.
    order = np.lexsort((xy[:, 0], -xy[:, 1], estate, kind, grid))
    kind, grid, xy, estate, names = kind[order], grid[order], xy[order], estate[order], names[order]
    centres = np.concatenate(placed.estate_centres) if placed.estate_centres else np.empty((0, 2))

    roads_of, numbers = assign_streets(town, roads, rng, kind=kind, grid=grid, xy=xy, estate=estate, centres=centres)
    estate_names = placenames.estate_names(rng, len(centres), taken=set())
    building_no = estate_block_numbers(estate)
    floors, units, per_floor, rooms = draw_sizes(rng, kind, estate, len(centres))

    grid_ids = [g.id for g in town.grids]
    town_name = town.unit.name
    addresses: list[str] = []
    rows: list[tuple[object, ...]] = []
    columns = (kind, grid, xy, estate, names, numbers, building_no, floors)
    for offset, (k, g, (lon, lat), e, name, number, no, fl) in enumerate(
        zip(*(c.tolist() for c in columns), strict=True)
    ):
        road = roads_of[offset]
        estate_name = estate_names[e] if e >= 0 else None
        block = no if e >= 0 else None
        address = building_address(town_name, road, number, estate_name, block)
        addresses.append(address)
        rows.append(
            (first_id + offset, COUNTY_CODE, grid_ids[g], KINDS[k].value, road, number, estate_name, block, name,
             address, fl, lon, lat)
        )  # fmt: skip
    return TownBuildings(first_id, kind, grid, xy, estate, floors, units, per_floor, rooms, addresses, rows)


def _grid_weights(town: TownTerritory, kind: BuildingKind) -> NDArray[np.float64]:
    community, rural = _AFFINITY[kind]
    grids = town.grids
    affinity = np.array([community if _is_community_grid(g) else rural for g in grids])
    # Bigger grids hold more buildings, though not in proportion (the countryside is emptier).
    area = shapely.area(np.array([g.geometry for g in grids]))
    weights = affinity * np.sqrt(area)
    return weights / weights.sum()


def _is_community_grid(grid: UnitDraft) -> bool:
    return grid.parent is not None and grid.parent.variant is UnitVariant.COMMUNITY


def _place_estates(town: TownTerritory, rng: np.random.Generator, placed: _Placement) -> None:
    counts = rng.multinomial(town.plan.buildings[BuildingKind.ESTATE], _grid_weights(town, BuildingKind.ESTATE))
    estate_serial = 0
    for grid_index, count in enumerate(counts.tolist()):
        if count == 0:
            continue
        sizes = _estate_sizes(rng, count)
        polygon = town.grids[grid_index].geometry
        centres = sample_points(polygon, len(sizes), rng)
        members = np.repeat(np.arange(len(sizes)), sizes)
        xy = sample_points_near(polygon, centres[members], _ESTATE_SPREAD, rng, decimals=COORDINATE_DECIMALS)
        placed.add(ESTATE, grid_index, xy, estate=estate_serial + members)
        placed.estate_centres.append(centres)
        estate_serial += len(sizes)


def _estate_sizes(rng: np.random.Generator, count: int) -> NDArray[np.int64]:
    sizes = shapes.ESTATE_SIZE.draw(rng, count)
    cumulative = np.cumsum(sizes)
    last = int(np.searchsorted(cumulative, count))
    sizes = sizes[: last + 1].copy()
    sizes[-1] -= int(cumulative[last]) - count
    return sizes


def _place_scattered(town: TownTerritory, kind: BuildingKind, rng: np.random.Generator, placed: _Placement) -> None:
    counts = rng.multinomial(town.plan.buildings[kind], _grid_weights(town, kind))
    for grid_index, count in enumerate(counts.tolist()):
        if count:
            polygon = town.grids[grid_index].geometry
            placed.add(KINDS.index(kind), grid_index, sample_points(polygon, count, rng, decimals=COORDINATE_DECIMALS))


def _place_public(town: TownTerritory, rng: np.random.Generator, placed: _Placement) -> None:
    """Named buildings: every village's committee and services, the town's landmarks around the seat (in the
    community nearest it), and each police station's office in one of the villages it serves."""
    grid_index = {id(grid): i for i, grid in enumerate(town.grids)}
    named: list[tuple[str, int]] = []
    for village in town.villages:
        community = village.variant is UnitVariant.COMMUNITY
        templates = _COMMUNITY_PUBLIC if community else _VILLAGE_PUBLIC
        count = town.plan.public_per_community if community else town.plan.public_per_village
        for template in templates[:count]:
            named.append((f"{village.name}{template}", grid_index[id(_pick(rng, village.children))]))
    seat_village = town.villages[0]
    for landmark in town.plan.landmarks:
        named.append((landmark, grid_index[id(_pick(rng, seat_village.children))]))
    stations = police_station_names(town.plan.spec, len(town.police_stations))
    for station, name in zip(town.police_stations, stations, strict=True):
        served = [v for v in town.villages if v.police_station is station]
        named.append((name, grid_index[id(_pick(rng, _pick(rng, served).children))]))
    for name, grid in named:
        xy = sample_points(town.grids[grid].geometry, 1, rng, decimals=COORDINATE_DECIMALS)
        placed.add(PUBLIC, grid, xy)
        placed.names[-1] = name


def _pick(rng: np.random.Generator, items: list[_T]) -> _T:
    return items[int(rng.integers(len(items)))]
