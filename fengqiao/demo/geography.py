"""Geometry of the generator: points sampled inside polygons, and Voronoi partitions of a parent polygon into
children that tile it exactly (every child is a Voronoi cell clipped to the parent, so cells share edges)."""

from __future__ import annotations

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import MultiPoint, MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

Points = NDArray[np.float64]


def polygonal(geometry: BaseGeometry) -> BaseGeometry:
    """Drop the points and lines an overlay may leave where cells only touch the parent's boundary."""
    if isinstance(geometry, Polygon | MultiPolygon):
        return geometry
    parts = [part for part in shapely.get_parts(geometry) if isinstance(part, Polygon) and not part.is_empty]
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def sample_points(
    polygon: BaseGeometry, count: int, rng: np.random.Generator, *, decimals: int | None = None
) -> Points:
    """``count`` points uniformly inside ``polygon`` (strictly inside, after rounding to ``decimals``)."""
    if count == 0:
        return np.empty((0, 2))
    shapely.prepare(polygon)
    min_x, min_y, max_x, max_y = polygon.bounds
    acceptance = max(polygon.area / ((max_x - min_x) * (max_y - min_y)), 0.02)
    found: list[Points] = []
    missing = count
    while missing > 0:
        batch = int(missing / acceptance * 1.25) + 16
        xy = np.column_stack((rng.uniform(min_x, max_x, batch), rng.uniform(min_y, max_y, batch)))
        if decimals is not None:
            xy = np.round(xy, decimals)
        inside = xy[shapely.contains_xy(polygon, xy[:, 0], xy[:, 1])][:missing]
        found.append(inside)
        missing -= len(inside)
    return np.concatenate(found)


def sample_points_near(
    polygon: BaseGeometry,
    centres: Points,
    spread: float,
    rng: np.random.Generator,
    *,
    decimals: int | None = None,
    max_rounds: int = 12,
) -> Points:
    """One point near each centre (normal with ``spread`` degrees), inside ``polygon``; points that keep falling
    outside (a centre close to a narrow edge) are finally drawn uniformly from the polygon."""
    shapely.prepare(polygon)
    result = np.empty_like(centres)
    pending = np.arange(len(centres))
    for _ in range(max_rounds):
        if pending.size == 0:
            return result
        xy = centres[pending] + rng.normal(0.0, spread, (pending.size, 2))
        if decimals is not None:
            xy = np.round(xy, decimals)
        inside = shapely.contains_xy(polygon, xy[:, 0], xy[:, 1])
        result[pending[inside]] = xy[inside]
        pending = pending[~inside]
    if pending.size:
        result[pending] = sample_points(polygon, pending.size, rng, decimals=decimals)
    return result


def voronoi_cells(parent: BaseGeometry, points: Points) -> list[BaseGeometry]:
    """The Voronoi cell of each point (in input order), clipped to ``parent``."""
    if len(points) == 1:
        return [parent]
    diagram = shapely.voronoi_polygons(MultiPoint(points), extend_to=parent, ordered=True)
    cells = shapely.intersection(np.array(diagram.geoms), parent)
    return [polygonal(cell) for cell in cells]


def _inside_centres(parent: BaseGeometry, cells: list[BaseGeometry]) -> Points:
    centroids = shapely.centroid(np.array(cells))
    inside = shapely.contains(parent, centroids)
    fixed = np.where(inside, centroids, shapely.point_on_surface(np.array(cells)))
    return shapely.get_coordinates(fixed)


def lloyd_partition(
    parent: BaseGeometry, count: int, rng: np.random.Generator, *, rounds: int
) -> tuple[Points, list[BaseGeometry]]:
    """Split ``parent`` into ``count`` cells: random seeds, moved ``rounds`` times to their cell's centroid so
    cells come out compact and of similar size. Returns the final seeds and their cells."""
    points = sample_points(parent, count, rng)
    if count == 1:
        return points, [parent]
    cells = voronoi_cells(parent, points)
    for _ in range(rounds):
        points = _inside_centres(parent, cells)
        cells = voronoi_cells(parent, points)
    return points, cells
