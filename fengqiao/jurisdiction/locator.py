"""Point → grid, for one point or a whole batch, from an in-memory STRtree of the grid boundaries.

The tree is built once per process and database and rebuilt when the grids change (checked with one cheap query
per call), so intake never parses boundaries per event.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fengqiao.jurisdiction.kinds import UnitKind
from fengqiao.jurisdiction.models import Unit

NOT_FOUND = -1


@dataclass(frozen=True)
class GridLocator:
    unit_ids: NDArray[np.int64]
    tree: shapely.STRtree
    signature: tuple[int, int, float]

    @classmethod
    def build(cls, session: Session, signature: tuple[int, int, float]) -> GridLocator:
        rows = session.execute(
            select(Unit.id, Unit.boundary)
            .where(Unit.kind == UnitKind.GRID.value, Unit.boundary.is_not(None))
            .order_by(Unit.code)
        ).all()
        geometries = shapely.from_wkb([boundary for _, boundary in rows]) if rows else np.array([], dtype=object)
        return cls(
            unit_ids=np.array([unit_id for unit_id, _ in rows], dtype=np.int64),
            tree=shapely.STRtree(geometries),
            signature=signature,
        )

    def locate_many(self, lons: NDArray[np.float64], lats: NDArray[np.float64]) -> NDArray[np.int64]:
        """Grid unit id per point, ``NOT_FOUND`` outside every grid. A point on a shared edge goes to the grid with
        the lower code, so the answer is stable."""
        indices = self.locate_indices(lons, lats)
        return np.where(indices == NOT_FOUND, NOT_FOUND, self.unit_ids[indices])

    def locate_indices(self, lons: NDArray[np.float64], lats: NDArray[np.float64]) -> NDArray[np.int64]:
        """Index into ``unit_ids`` (code order) of each point's grid, ``NOT_FOUND`` outside every grid — for callers
        that keep per-grid tables aligned with the tree. Non-finite coordinates are outside every grid."""
        result = np.full(len(lons), NOT_FOUND, dtype=np.int64)
        if len(lons) == 0 or len(self.unit_ids) == 0:
            return result
        points = shapely.points(lons, lats)
        point_index, tree_index = self.tree.query(points, predicate="intersects")
        # Grids tile the county, so almost every point has one match and a plain scatter is right. A point on a
        # shared edge has several; those keep the lowest tree index (the tree is in code order), which is the
        # stable choice. Fancy assignment leaves the winner among repeated indices unspecified, hence minimum.at.
        result[point_index] = tree_index
        repeated = np.bincount(point_index, minlength=len(result))[point_index] > 1
        if repeated.any():
            np.minimum.at(result, point_index[repeated], tree_index[repeated])
        return result

    def locate(self, lon: float, lat: float) -> int | None:
        found = int(self.locate_many(np.array([lon]), np.array([lat]))[0])
        return None if found == NOT_FOUND else found


_cache: dict[str, GridLocator] = {}
_lock = threading.Lock()


def grid_locator(session: Session) -> GridLocator:
    """The locator for this session's database, rebuilt if grids were added, removed or replaced."""
    # Count, highest id and the sum of the boxes' corners: any added, removed or redrawn grid changes one of them.
    count, max_id, corners = session.execute(
        select(
            func.count(Unit.id),
            func.coalesce(func.max(Unit.id), 0),
            func.coalesce(func.sum(Unit.min_lon + Unit.max_lon + Unit.min_lat + Unit.max_lat), 0.0),
        ).where(Unit.kind == UnitKind.GRID.value)
    ).one()
    signature = (int(count), int(max_id), round(float(corners or 0.0), 6))
    key = str(session.get_bind().engine.url)
    cached = _cache.get(key)
    if cached is not None and cached.signature == signature:
        return cached
    with _lock:
        cached = _cache.get(key)
        if cached is None or cached.signature != signature:
            cached = GridLocator.build(session, signature)
            _cache[key] = cached
    return cached
