"""How much of everything each town gets at a given scale — pure arithmetic, no randomness and no geometry, so
the planned totals can be checked (and shown) without generating anything.

At scale 1.0 the county matches Wenling's published magnitudes (MISSION.md): ~900 villages and communities,
~2,200 grids, 52 joint-duty stations, 29.56万 buildings, 223万 rooms, ~140万 residents, ~3万 enterprises.
Below 1.0 the territorial tree shrinks with sqrt(scale) (floors: 3 villages a town, 1 grid a village) while base
data shrinks linearly, so small demo counties still have a recognisable map."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from fengqiao.basedata.kinds import BuildingKind
from fengqiao.demo.shapes import mean_rooms
from fengqiao.demo.towns import TOWNS, TownSpec

MIN_SCALE = 0.001
MAX_SCALE = 2.0

JOINT_STATIONS = 52
ENTERPRISES = 30_000
# Building kinds with county-wide targets at scale 1.0; village houses fill up to BUILDINGS, public buildings
# follow from the villages (every village has its committee building and a few more).
BUILDINGS = 295_600
COUNTY_BUILDINGS: Mapping[BuildingKind, int] = {
    BuildingKind.ESTATE: 29_800,
    BuildingKind.SHOP: 36_000,
    BuildingKind.FACTORY: 24_000,
}
GRIDS_PER_COMMUNITY = 5.0
GRIDS_PER_VILLAGE = 1.72
PUBLIC_PER_COMMUNITY = 2
PUBLIC_PER_VILLAGE = 3
TOWN_LANDMARKS = 6


@dataclass(frozen=True)
class TownPlan:
    index: int
    spec: TownSpec
    communities: int
    rural_villages: int
    grids: int
    joint_stations: int
    police_stations: int
    roads: int
    # Named public buildings per community / rural village (the committee building first).
    public_per_community: int
    public_per_village: int
    buildings: Mapping[BuildingKind, int]
    registered: int
    floating: int
    enterprises: int

    @property
    def villages(self) -> int:
        return self.communities + self.rural_villages

    @property
    def building_count(self) -> int:
        return sum(self.buildings.values())

    @property
    def expected_rooms(self) -> float:
        return sum(count * mean_rooms(kind) for kind, count in self.buildings.items())

    @property
    def residents(self) -> int:
        return self.registered + self.floating

    @property
    def landmarks(self) -> tuple[str, ...]:
        return town_landmarks(self.spec)


@dataclass(frozen=True)
class CountyPlan:
    scale: float
    towns: tuple[TownPlan, ...]

    def total(self, field: str) -> int:
        return sum(getattr(town, field) for town in self.towns)

    def buildings(self, kind: BuildingKind) -> int:
        return sum(town.buildings[kind] for town in self.towns)

    @property
    def expected_rooms(self) -> float:
        return sum(town.expected_rooms for town in self.towns)


def town_landmarks(spec: TownSpec) -> tuple[str, ...]:
    """The town's own named public buildings, seat first; police stations are added where they stand."""
    seat = f"{spec.name}办事处" if spec.is_subdistrict else f"{spec.name}人民政府"
    clinic = f"{spec.name}社区卫生服务中心" if spec.is_subdistrict else f"{spec.name}卫生院"
    own = (seat, f"{spec.name}中心小学", f"温岭市{spec.short_name}中学", clinic, f"{spec.short_name}农贸市场")
    return (*own, f"{spec.name}文化站", *spec.county_landmarks)


def police_station_names(spec: TownSpec, count: int) -> tuple[str, ...]:
    names = (f"{spec.short_name}派出所", f"{spec.police_split}派出所")
    return names[:count]


def apportion(total: int, weights: Sequence[float], *, minimum: int = 0) -> list[int]:
    """Largest-remainder split of ``total`` in proportion to ``weights``, each part at least ``minimum``."""
    base = [minimum] * len(weights)
    rest = total - minimum * len(weights)
    weight_sum = sum(weights)
    shares = [rest * w / weight_sum for w in weights]
    parts = [math.floor(s) for s in shares]
    order = sorted(range(len(weights)), key=lambda i: (parts[i] - shares[i], i))
    for i in order[: rest - sum(parts)]:
        parts[i] += 1
    return [b + p for b, p in zip(base, parts, strict=True)]


def _tree_factor(scale: float) -> float:
    return min(1.0, math.sqrt(scale))


def _villages(spec: TownSpec, scale: float) -> tuple[int, int]:
    factor = _tree_factor(scale)
    total = max(3, round(spec.villages * factor))
    communities = min(total, round(total * spec.communities / spec.villages))
    if spec.communities and communities == 0:
        communities = 1
    return communities, total - communities


def _public(spec: TownSpec, communities: int, rural: int, police: int, scale: float) -> tuple[int, int, int]:
    factor = _tree_factor(scale)
    per_community = 1 + round(PUBLIC_PER_COMMUNITY * factor)
    per_village = 1 + round(PUBLIC_PER_VILLAGE * factor)
    total = len(town_landmarks(spec)) + police + communities * per_community + rural * per_village
    return per_community, per_village, total


def _police(spec: TownSpec) -> int:
    return 2 if spec.police_split else 1


def _scale_one_buildings() -> list[dict[BuildingKind, int]]:
    """Per-town building counts at scale 1.0; village houses take what the other kinds leave of BUILDINGS."""
    weights = {
        BuildingKind.ESTATE: [t.population * t.urban for t in TOWNS],
        BuildingKind.SHOP: [t.population * (0.5 + t.urban) for t in TOWNS],
        BuildingKind.FACTORY: [t.population * t.industry for t in TOWNS],
    }
    per_kind = {kind: apportion(total, weights[kind]) for kind, total in COUNTY_BUILDINGS.items()}
    public = [_public(t, *_villages(t, 1.0), _police(t), 1.0)[2] for t in TOWNS]
    houses = BUILDINGS - sum(COUNTY_BUILDINGS.values()) - sum(public)
    per_kind[BuildingKind.VILLAGE_HOUSE] = apportion(houses, [t.population * (1.2 - t.urban) for t in TOWNS])
    per_kind[BuildingKind.PUBLIC] = public
    return [{kind: per_kind[kind][i] for kind in BuildingKind} for i in range(len(TOWNS))]


def plan_county(*, scale: float) -> CountyPlan:
    if not MIN_SCALE <= scale <= MAX_SCALE:
        raise ValueError(f"scale must be between {MIN_SCALE} and {MAX_SCALE}")
    factor = _tree_factor(scale)
    at_one = _scale_one_buildings()
    stations_at_one = apportion(JOINT_STATIONS, [t.villages for t in TOWNS], minimum=1)
    enterprises_at_one = apportion(ENTERPRISES, [b[BuildingKind.FACTORY] + 0.3 * b[BuildingKind.SHOP] for b in at_one])
    towns = []
    for index, spec in enumerate(TOWNS):
        communities, rural = _villages(spec, scale)
        police = _police(spec)
        per_community, per_village, public = _public(spec, communities, rural, police, scale)
        grids = round(
            communities * max(1.0, GRIDS_PER_COMMUNITY * factor) + rural * max(1.0, GRIDS_PER_VILLAGE * factor)
        )
        buildings = {kind: round(count * scale) for kind, count in at_one[index].items()}
        buildings[BuildingKind.PUBLIC] = public
        people = spec.population * 1000 * scale
        towns.append(
            TownPlan(
                index=index,
                spec=spec,
                communities=communities,
                rural_villages=rural,
                grids=grids,
                joint_stations=min(stations_at_one[index], communities + rural),
                police_stations=police,
                roads=max(4, round((12 + 30 * spec.urban + 8 * spec.industry) * factor)),
                public_per_community=per_community,
                public_per_village=per_village,
                buildings=buildings,
                registered=round(people * (1 - spec.floating_share)),
                floating=round(people * spec.floating_share),
                enterprises=round(enterprises_at_one[index] * scale),
            )
        )
    return CountyPlan(scale=scale, towns=tuple(towns))
