"""The territorial tree (A1): county outline → 16 town cells → villages and communities → grids, each level a
Voronoi partition of its parent, with real town names and codes and generated village and grid names."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from shapely.geometry.base import BaseGeometry

from fengqiao.demo import placenames
from fengqiao.demo.departments import DEPARTMENTS, department_code
from fengqiao.demo.geography import lloyd_partition, voronoi_cells
from fengqiao.demo.outline import county_outline
from fengqiao.demo.phones import landline_numbers
from fengqiao.demo.plan import GRIDS_PER_COMMUNITY, GRIDS_PER_VILLAGE, CountyPlan, TownPlan
from fengqiao.demo.rng import Stage, stage_rng
from fengqiao.demo.towns import COUNTY_CODE, COUNTY_NAME
from fengqiao.jurisdiction.kinds import UnitKind, UnitVariant

VILLAGE_LLOYD_ROUNDS = 4
GRID_LLOYD_ROUNDS = 3
FIRST_COMMUNITY_SERIAL = 1
FIRST_VILLAGE_SERIAL = 200


@dataclass(eq=False)
class UnitDraft:
    """A unit before it is a row: parents and overlays are objects until ids are assigned."""

    code: str
    name: str
    kind: UnitKind
    level: int
    parent: UnitDraft | None = None
    variant: UnitVariant | None = None
    geometry: BaseGeometry | None = None
    phone: str | None = None
    joint_station: UnitDraft | None = None
    police_station: UnitDraft | None = None
    children: list[UnitDraft] = field(default_factory=list)
    id: int = 0

    @property
    def path(self) -> str:
        return f"{self.parent.path if self.parent else ''}{self.code}/"

    @property
    def stem(self) -> str:
        """塘下村 → 塘下, 锦屏社区 → 锦屏."""
        return self.name.removesuffix("社区").removesuffix("村")

    def add_child(self, child: UnitDraft) -> UnitDraft:
        self.children.append(child)
        return child


@dataclass(eq=False)
class TownTerritory:
    plan: TownPlan
    unit: UnitDraft
    # The town seat's position; communities cluster around it.
    centre: tuple[float, float]
    villages: list[UnitDraft]
    joint_stations: list[UnitDraft] = field(default_factory=list)
    police_stations: list[UnitDraft] = field(default_factory=list)

    @property
    def grids(self) -> list[UnitDraft]:
        return [grid for village in self.villages for grid in village.children]


@dataclass(eq=False)
class Territory:
    county: UnitDraft
    towns: list[TownTerritory]
    departments: list[UnitDraft]

    def units(self) -> list[UnitDraft]:
        """Every unit, parents and stations before the villages that point at them."""
        return [
            self.county,
            *(town.unit for town in self.towns),
            *self.departments,
            *(station for town in self.towns for station in town.police_stations),
            *(station for town in self.towns for station in town.joint_stations),
            *(village for town in self.towns for village in town.villages),
            *(grid for town in self.towns for grid in town.grids),
        ]

    def assign_ids(self, first_id: int) -> None:
        for offset, unit in enumerate(self.units()):
            unit.id = first_id + offset


def build_tree(*, plan: CountyPlan, seed: int) -> Territory:
    """County, towns, villages and grids (stations are added by ``stations.add_stations``)."""
    county = UnitDraft(COUNTY_CODE, COUNTY_NAME, UnitKind.COUNTY, 0, geometry=county_outline())
    assert county.geometry is not None
    seats = np.array([(town.spec.lon, town.spec.lat) for town in plan.towns])
    cells = voronoi_cells(county.geometry, seats)
    towns = [_build_town(county, town_plan, cell, seed=seed) for town_plan, cell in zip(plan.towns, cells, strict=True)]
    departments = [
        county.add_child(UnitDraft(department_code(COUNTY_CODE, serial), name, UnitKind.DEPARTMENT, 1, county))
        for serial, name in enumerate(DEPARTMENTS, start=1)
    ]
    return Territory(county=county, towns=towns, departments=departments)


def _build_town(county: UnitDraft, plan: TownPlan, cell: BaseGeometry, *, seed: int) -> TownTerritory:
    spec = plan.spec
    town = county.add_child(UnitDraft(spec.code, spec.name, UnitKind.TOWN, 1, county, spec.variant, cell))
    territory = TownTerritory(plan=plan, unit=town, centre=(spec.lon, spec.lat), villages=[])
    points, village_cells = lloyd_partition(
        cell, plan.villages, stage_rng(seed, Stage.VILLAGE_TILING, plan.index), rounds=VILLAGE_LLOYD_ROUNDS
    )
    community_order, village_order = _order_villages(points, territory.centre, plan.communities)
    community_stems, village_stems = _village_stems(plan, seed=seed)
    for serial, (index, stem) in enumerate(zip(community_order, community_stems, strict=True)):
        code = f"{spec.code}{FIRST_COMMUNITY_SERIAL + serial:03d}"
        variant = UnitVariant.COMMUNITY
        village = UnitDraft(code, f"{stem}社区", UnitKind.VILLAGE, 2, town, variant, village_cells[index])
        territory.villages.append(town.add_child(village))
    for serial, (index, stem) in enumerate(zip(village_order, village_stems, strict=True)):
        code = f"{spec.code}{FIRST_VILLAGE_SERIAL + serial:03d}"
        variant = UnitVariant.RURAL_VILLAGE
        village = UnitDraft(code, f"{stem}村", UnitKind.VILLAGE, 2, town, variant, village_cells[index])
        territory.villages.append(town.add_child(village))
    _build_grids(territory, seed=seed)
    return territory


def _order_villages(points: np.ndarray, centre: tuple[float, float], communities: int) -> tuple[list[int], list[int]]:
    """Communities are the cells nearest the town seat, numbered outwards; villages are numbered clockwise
    from north around the seat, so neighbouring codes are neighbours on the map."""
    dx, dy = points[:, 0] - centre[0], points[:, 1] - centre[1]
    by_distance = np.argsort(np.hypot(dx, dy), kind="stable")
    community_order = [int(i) for i in by_distance[:communities]]
    rural = by_distance[communities:]
    bearing = np.mod(np.arctan2(dx[rural], dy[rural]), 2 * math.pi)
    village_order = [int(rural[i]) for i in np.argsort(bearing, kind="stable")]
    return community_order, village_order


def _village_stems(plan: TownPlan, *, seed: int) -> tuple[list[str], list[str]]:
    rng = stage_rng(seed, Stage.UNIT_NAMES, plan.index)
    taken: set[str] = set()
    local = plan.spec.place_names
    if plan.spec.is_subdistrict:
        communities = placenames.community_stems(rng, plan.communities, taken=taken, seeds=local)
        villages = placenames.village_stems(rng, plan.rural_villages, taken=taken, seeds=local)
    else:
        villages = placenames.village_stems(rng, plan.rural_villages, taken=taken, seeds=local)
        communities = placenames.community_stems(rng, plan.communities, taken=taken, seeds=local)
    return communities, villages


def _build_grids(territory: TownTerritory, *, seed: int) -> None:
    rng = stage_rng(seed, Stage.GRID_TILING, territory.plan.index)
    villages = territory.villages
    weights = np.array(
        [GRIDS_PER_COMMUNITY - 1 if v.variant is UnitVariant.COMMUNITY else GRIDS_PER_VILLAGE - 1 for v in villages]
    )
    extra = max(0, territory.plan.grids - len(villages))
    counts = 1 + rng.multinomial(extra, weights / weights.sum())
    for village, count in zip(villages, counts.tolist(), strict=True):
        assert village.geometry is not None
        points, cells = lloyd_partition(village.geometry, count, rng, rounds=GRID_LLOYD_ROUNDS)
        # North to south, then west to east: the way grid maps are usually numbered.
        order = np.lexsort((points[:, 0], -points[:, 1]))
        for serial, index in enumerate(order.tolist(), start=1):
            grid = UnitDraft(
                f"{village.code}{serial:03d}",
                placenames.grid_name(village.name, serial),
                UnitKind.GRID,
                3,
                village,
                geometry=cells[index],
            )
            village.add_child(grid)


def assign_phones(territory: Territory, *, seed: int) -> None:
    """Landlines for every staffed office: towns' command rooms, villages' committees, stations, departments."""
    rng = stage_rng(seed, Stage.UNIT_PHONES)
    offices = [unit for unit in territory.units() if unit.kind is not UnitKind.GRID]
    for unit, phone in zip(offices, landline_numbers(rng, len(offices)), strict=True):
        unit.phone = phone
