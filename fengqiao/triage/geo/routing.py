"""Point → (grid, village, town, joint-duty station, police station), vectorised.

The grid comes from the jurisdiction's ``GridLocator`` (an STRtree of grid boundaries), behind a lookup raster
(``raster.CellIndex``) that answers most points without the tree, as an index into the locator's grids;
a ``RouteTable`` built once beside it holds, per grid index, the unit ids of everything the grid belongs to or is
served by, so routing a batch is one tree query and five array look-ups — no per-point Python, no per-point SQL.
Names and codes are not cached here: callers resolve the few distinct ids they need, so a renamed unit shows at once.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sqlalchemy import BigInteger, cast, func, select
from sqlalchemy.orm import Session

from fengqiao.jurisdiction.kinds import UnitKind
from fengqiao.jurisdiction.locator import NOT_FOUND, GridLocator, grid_locator
from fengqiao.jurisdiction.models import Unit
from fengqiao.triage.geo.coords import Crs, to_wgs84
from fengqiao.triage.geo.raster import CellIndex

IdArray = NDArray[np.int64]

# Kinds whose rows decide the table: a grid's ancestors and the station overlays on villages (or grids).
_STRUCTURE_KINDS = (UnitKind.TOWN.value, UnitKind.VILLAGE.value, UnitKind.GRID.value)

# Below this many points a batch is not split across threads: the hand-off costs more than it saves.
_MIN_POINTS_PER_WORKER = 50_000


@dataclass(frozen=True)
class RoutedPoints:
    """Per input point: the WGS84 coordinates used, the grid index (``NOT_FOUND`` outside the county) and the unit
    ids of grid, village, town, joint station and police station (``NOT_FOUND`` where absent)."""

    lons: NDArray[np.float64]
    lats: NDArray[np.float64]
    grid_index: IdArray
    grid_ids: IdArray
    village_ids: IdArray
    town_ids: IdArray
    joint_station_ids: IdArray
    police_station_ids: IdArray

    @property
    def found(self) -> NDArray[np.bool_]:
        return self.grid_index != NOT_FOUND

    def unit_ids(self) -> set[int]:
        """Every unit id named in the answer, to resolve codes and names in one query."""
        columns = (self.grid_ids, self.village_ids, self.town_ids, self.joint_station_ids, self.police_station_ids)
        ids = np.unique(np.concatenate(columns)) if len(self.grid_ids) else np.array([], dtype=np.int64)
        return {int(i) for i in ids if i != NOT_FOUND}


def _with_sentinel(values: list[int]) -> IdArray:
    # One extra NOT_FOUND at the end: indexing with NOT_FOUND (-1) then reads it, so points outside every grid
    # need no mask when the columns are gathered.
    return np.array([*values, NOT_FOUND], dtype=np.int64)


@dataclass(frozen=True)
class RouteTable:
    """Columns aligned with ``locator.unit_ids`` (plus a trailing ``NOT_FOUND``): what each grid routes to."""

    locator: GridLocator
    cells: CellIndex
    grid_ids: IdArray
    village_ids: IdArray
    town_ids: IdArray
    joint_station_ids: IdArray
    police_station_ids: IdArray
    signature: tuple[object, ...]

    @classmethod
    def build(cls, session: Session, locator: GridLocator, signature: tuple[object, ...]) -> RouteTable:
        rows = session.execute(
            select(Unit.id, Unit.kind, Unit.parent_id, Unit.joint_station_id, Unit.police_station_id).where(
                Unit.kind.in_(_STRUCTURE_KINDS)
            )
        ).all()
        by_id = {row.id: row for row in rows}

        def ancestor(unit_id: int, kind: UnitKind) -> int:
            # Walk up by parent rather than trusting a fixed depth, so a grid hung directly under a town still works.
            row = by_id.get(unit_id)
            while row is not None and row.kind != kind.value:
                row = by_id.get(row.parent_id) if row.parent_id is not None else None
            return NOT_FOUND if row is None else int(row.id)

        villages, towns, joints, polices = [], [], [], []
        for grid_id in locator.unit_ids.tolist():
            village = ancestor(grid_id, UnitKind.VILLAGE)
            grid = by_id.get(grid_id)
            # A grid's own station assignment, if it has one, overrides its village's (as in the unit detail page).
            own = grid is not None and (grid.joint_station_id is not None or grid.police_station_id is not None)
            served_by = grid if own else by_id.get(village)
            villages.append(village)
            towns.append(ancestor(grid_id, UnitKind.TOWN))
            joints.append(
                NOT_FOUND if served_by is None or served_by.joint_station_id is None else served_by.joint_station_id
            )
            polices.append(
                NOT_FOUND if served_by is None or served_by.police_station_id is None else served_by.police_station_id
            )
        return cls(
            locator=locator,
            cells=CellIndex.build(locator),
            grid_ids=_with_sentinel(locator.unit_ids.tolist()),
            village_ids=_with_sentinel(villages),
            town_ids=_with_sentinel(towns),
            joint_station_ids=_with_sentinel(joints),
            police_station_ids=_with_sentinel(polices),
            signature=signature,
        )

    @property
    def grid_count(self) -> int:
        return len(self.grid_ids) - 1

    def index_of_grid(self, grid_id: int) -> int:
        """The table row of a grid unit id, ``NOT_FOUND`` if the grid has no boundary (so is not in the tree)."""
        found = np.flatnonzero(self.grid_ids[:-1] == grid_id)
        return int(found[0]) if len(found) else NOT_FOUND

    def grid_indices(self, lons: ArrayLike, lats: ArrayLike, *, workers: int = 1) -> IdArray:
        """Grid index per WGS84 point, ``NOT_FOUND`` outside every grid; ``workers`` > 1 splits the batch over threads
        (worth it only if the tree query releases the GIL — ``fengqiao bench route`` measures it)."""
        x = np.asarray(lons, dtype=np.float64)
        y = np.asarray(lats, dtype=np.float64)
        workers = max(1, min(workers, len(x) // _MIN_POINTS_PER_WORKER))
        if workers == 1:
            return self.cells.locate_indices(x, y)
        bounds = np.linspace(0, len(x), workers + 1).astype(np.int64)
        chunks = list(zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True))

        def locate(chunk: tuple[int, int]) -> IdArray:
            start, stop = chunk
            return self.cells.locate_indices(x[start:stop], y[start:stop])

        with ThreadPoolExecutor(max_workers=workers) as pool:
            return np.concatenate(list(pool.map(locate, chunks)))

    def gather(self, lons: NDArray[np.float64], lats: NDArray[np.float64], grid_index: IdArray) -> RoutedPoints:
        """The routes of points whose grid indices are known."""
        return RoutedPoints(
            lons=lons,
            lats=lats,
            grid_index=grid_index,
            grid_ids=self.grid_ids[grid_index],
            village_ids=self.village_ids[grid_index],
            town_ids=self.town_ids[grid_index],
            joint_station_ids=self.joint_station_ids[grid_index],
            police_station_ids=self.police_station_ids[grid_index],
        )

    def route(self, lons: ArrayLike, lats: ArrayLike, *, crs: Crs = Crs.WGS84, workers: int = 1) -> RoutedPoints:
        """Route a batch of points given in ``crs``; non-finite points are outside every grid."""
        x, y = to_wgs84(lons, lats, crs)
        return self.gather(x, y, self.grid_indices(x, y, workers=workers))


_cache: dict[str, RouteTable] = {}
_lock = threading.Lock()


def _structure_signature(session: Session) -> tuple[object, ...]:
    """Changes when a town, village or grid is added, removed, moved to another parent or given other stations.

    Weighting by id makes swapping two villages' stations visible too (a plain sum would not change)."""
    big_id = cast(Unit.id, BigInteger)
    row = session.execute(
        select(
            func.count(Unit.id),
            func.coalesce(func.max(Unit.id), 0),
            func.coalesce(func.sum(big_id * func.coalesce(Unit.parent_id, 0)), 0),
            func.coalesce(func.sum(big_id * func.coalesce(Unit.joint_station_id, 0)), 0),
            func.coalesce(func.sum(big_id * func.coalesce(Unit.police_station_id, 0)), 0),
        ).where(Unit.kind.in_(_STRUCTURE_KINDS))
    ).one()
    return tuple(int(value) for value in row)


def route_table(session: Session) -> RouteTable:
    """The route table for this session's database, rebuilt when the grids or the tree above them change."""
    locator = grid_locator(session)
    signature = (locator.signature, _structure_signature(session))
    key = str(session.get_bind().engine.url)
    cached = _cache.get(key)
    if cached is not None and cached.signature == signature and cached.locator is locator:
        return cached
    with _lock:
        cached = _cache.get(key)
        if cached is None or cached.signature != signature or cached.locator is not locator:
            cached = RouteTable.build(session, locator, signature)
            _cache[key] = cached
    return cached
