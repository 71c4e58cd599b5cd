"""Each town's roads and house numbering. Roads are straight lines through the town, mostly along two
perpendicular directions like a real street grid; a building is addressed on its nearest road, and numbers rise
along the road in the order buildings stand on it."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely import STRtree
from shapely.geometry import LineString

from fengqiao.demo import placenames
from fengqiao.demo.geography import sample_points, sample_points_near
from fengqiao.demo.territory import TownTerritory

# Most buildings are numbered next to the previous one; some skip a number or two (a gate, a vacant plot).
_NUMBER_STEPS = np.array([1, 2, 3])
_NUMBER_STEP_WEIGHTS = np.array([0.62, 0.28, 0.10])


@dataclass(frozen=True)
class RoadNetwork:
    names: list[str]
    lines: NDArray[np.object_]

    def nearest(self, xy: NDArray[np.float64]) -> NDArray[np.int64]:
        points = shapely.points(xy)
        _, road = STRtree(self.lines).query_nearest(points, all_matches=False)
        return np.asarray(road, dtype=np.int64)

    def positions(self, roads: NDArray[np.int64], xy: NDArray[np.float64]) -> NDArray[np.float64]:
        """Distance of each point's projection along its road."""
        return np.asarray(shapely.line_locate_point(self.lines[roads], shapely.points(xy)), dtype=np.float64)


def build_roads(town: TownTerritory, count: int, rng: np.random.Generator) -> RoadNetwork:
    assert town.unit.geometry is not None
    cell = town.unit.geometry
    min_x, min_y, max_x, max_y = cell.bounds
    half_length = math.hypot(max_x - min_x, max_y - min_y)
    # Half the roads run through the busy centre around the seat, the rest anywhere in the town.
    near_seat = count // 2
    through = np.vstack(
        (
            sample_points_near(cell, np.repeat([town.centre], near_seat, axis=0), half_length / 8, rng),
            sample_points(cell, count - near_seat, rng),
        )
    )
    main_direction = rng.uniform(0, math.pi / 2)
    angles = main_direction + rng.integers(0, 2, count) * math.pi / 2 + rng.normal(0, 0.12, count)
    dx, dy = np.cos(angles) * half_length, np.sin(angles) * half_length
    lines = np.array(
        [LineString([(x - ex, y - ey), (x + ex, y + ey)]) for (x, y), ex, ey in zip(through, dx, dy, strict=True)],
        dtype=object,
    )
    local = (town.plan.spec.short_name, *town.plan.spec.place_names[:3])
    names = placenames.road_names(rng, count, local_stems=local, taken=set())
    return RoadNetwork(names=names, lines=lines)


def house_numbers(
    streets: NDArray[np.int64], positions: NDArray[np.float64], rng: np.random.Generator
) -> NDArray[np.int64]:
    """Numbers increasing with ``positions`` within each street (road or village), each street starting at 1."""
    if len(streets) == 0:
        return np.empty(0, dtype=np.int64)
    order = np.lexsort((positions, streets))
    steps = _NUMBER_STEPS[rng.choice(len(_NUMBER_STEPS), size=len(order), p=_NUMBER_STEP_WEIGHTS)]
    sorted_streets = streets[order]
    starts = np.flatnonzero(np.r_[True, sorted_streets[1:] != sorted_streets[:-1]])
    steps[starts] = 1
    running = np.cumsum(steps)
    before_street = np.repeat(running[starts] - 1, np.diff(np.r_[starts, len(order)]))
    numbers = np.empty(len(order), dtype=np.int64)
    numbers[order] = running - before_street
    return numbers
