"""A lookup raster in front of the grid STRtree: most points find their grid by two array look-ups.

The county's box is cut into small square cells (default 0.0002°, about 20 m). A cell that no grid boundary touches
lies wholly in one grid, or wholly outside every grid, so it stores that answer; a cell a boundary touches is "mixed"
and its points go to the exact tree query. With grids a few hundred metres across, only a few per cent of points land
in mixed cells, so a batch costs little more than the array arithmetic — several times faster than querying the tree
for every point, and with answers identical to it (points on an edge always take the exact path).

Building it: mark every cell a boundary segment touches (its end points' cells and both cells beside each place it
crosses a cell line, widened by a hair so that float rounding can only add cells); then, row by row, each run of
unmarked cells between marked ones lies in one face of the boundaries, so one tree query per run labels it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray

from fengqiao.jurisdiction.locator import NOT_FOUND, GridLocator

MIXED = -2
DEFAULT_CELL_DEG = 0.0002
# Keeps the raster under ~64 MB (int32) whatever the extent: a larger area gets larger cells.
_MAX_CELLS = 16_000_000
# Widening, in cells, of every boundary mark: far above float error, far below a cell.
_EPS = 1e-6


def _segments(geometries: NDArray[np.object_]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Start and end points (n × 2 each) of every ring segment of every polygon."""
    parts = shapely.get_parts(geometries)
    rings = shapely.get_rings(parts[shapely.get_type_id(parts) == shapely.GeometryType.POLYGON])
    coords, ring_index = shapely.get_coordinates(rings, return_index=True)
    same_ring = ring_index[:-1] == ring_index[1:]
    return coords[:-1][same_ring], coords[1:][same_ring]


def _crossings(a: NDArray[np.float64], b: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Where segments a→b (in cell units) cross the lines u = integer: (u, v) of each crossing."""
    du = b[:, 0] - a[:, 0]
    keep = du != 0
    a, b, du = a[keep], b[keep], du[keep]
    low = np.ceil(np.minimum(a[:, 0], b[:, 0]))
    high = np.floor(np.maximum(a[:, 0], b[:, 0]))
    counts = np.maximum(high - low + 1, 0).astype(np.int64)
    segment = np.repeat(np.arange(len(a)), counts)
    starts = np.cumsum(counts) - counts
    u = low[segment] + (np.arange(counts.sum()) - starts[segment])
    v = a[segment, 1] + (u - a[segment, 0]) * (b[segment, 1] - a[segment, 1]) / du[segment]
    return u, v


@dataclass(frozen=True)
class CellIndex:
    """``cells[row, col]``: the grid index (into the locator's ``unit_ids``) of a cell wholly inside one grid,
    ``NOT_FOUND`` for a cell outside every grid, ``MIXED`` where a boundary passes."""

    locator: GridLocator
    origin_lon: float
    origin_lat: float
    cell_deg: float
    cells: NDArray[np.int32]

    @property
    def mixed_share(self) -> float:
        return float(np.mean(self.cells == MIXED)) if self.cells.size else 0.0

    @classmethod
    def build(cls, locator: GridLocator, *, cell_deg: float = DEFAULT_CELL_DEG) -> CellIndex:
        geometries = np.asarray(locator.tree.geometries)
        if len(geometries) == 0:
            return cls(locator, 0.0, 0.0, cell_deg, np.full((0, 0), NOT_FOUND, dtype=np.int32))
        min_lon, min_lat, max_lon, max_lat = shapely.total_bounds(geometries).tolist()
        area = max((max_lon - min_lon) * (max_lat - min_lat), 0.0)
        cell_deg = max(cell_deg, float(np.sqrt(area / _MAX_CELLS)))
        # One spare cell on every side, so every boundary mark falls inside the raster.
        origin_lon, origin_lat = min_lon - cell_deg, min_lat - cell_deg
        n_cols = int(np.ceil((max_lon - origin_lon) / cell_deg)) + 2
        n_rows = int(np.ceil((max_lat - origin_lat) / cell_deg)) + 2
        marked = cls._boundary_cells(geometries, origin_lon, origin_lat, cell_deg, (n_rows, n_cols))
        cells = cls._label_runs(locator, marked, origin_lon, origin_lat, cell_deg)
        return cls(locator, origin_lon, origin_lat, cell_deg, cells)

    @staticmethod
    def _boundary_cells(
        geometries: NDArray[np.object_], origin_lon: float, origin_lat: float, cell_deg: float, shape: tuple[int, int]
    ) -> NDArray[np.bool_]:
        start, end = _segments(geometries)
        origin = np.array([origin_lon, origin_lat])
        a, b = (start - origin) / cell_deg, (end - origin) / cell_deg
        marked = np.zeros(shape, dtype=bool)
        n_rows, n_cols = shape

        def mark(cols: NDArray[np.float64], rows: NDArray[np.float64]) -> None:
            # Each coordinate widened both ways: a point on (or within float error of) a cell line marks both sides.
            for dc in (-_EPS, _EPS):
                for dr in (-_EPS, _EPS):
                    c = np.clip(np.floor(cols + dc).astype(np.int64), 0, n_cols - 1)
                    r = np.clip(np.floor(rows + dr).astype(np.int64), 0, n_rows - 1)
                    marked[r, c] = True

        mark(a[:, 0], a[:, 1])
        mark(b[:, 0], b[:, 1])
        u, v = _crossings(a, b)  # crossing a column line u = k: the cells on both sides, k-1 and k
        mark(u, v)
        mark(u - 1, v)
        v2, u2 = _crossings(a[:, ::-1], b[:, ::-1])  # crossing a row line, the same with axes swapped
        mark(u2, v2)
        mark(u2, v2 - 1)
        return marked

    @staticmethod
    def _label_runs(
        locator: GridLocator, marked: NDArray[np.bool_], origin_lon: float, origin_lat: float, cell_deg: float
    ) -> NDArray[np.int32]:
        n_cols = marked.shape[1]
        flat = marked.ravel()
        previous_marked = np.empty_like(flat)
        previous_marked[0] = True
        previous_marked[1:] = flat[:-1]
        previous_marked[::n_cols] = True  # each row starts a new run
        starts = ~flat & previous_marked
        run_of_cell = np.cumsum(starts) - 1
        first_cells = np.flatnonzero(starts)
        rows, cols = np.divmod(first_cells, n_cols)
        run_grid = locator.locate_indices(origin_lon + (cols + 0.5) * cell_deg, origin_lat + (rows + 0.5) * cell_deg)
        cells = np.full(flat.shape, MIXED, dtype=np.int32)
        free = ~flat
        cells[free] = run_grid[run_of_cell[free]]
        return cells.reshape(marked.shape)

    def locate_indices(self, lons: NDArray[np.float64], lats: NDArray[np.float64]) -> NDArray[np.int64]:
        """The same answers as ``GridLocator.locate_indices``: the raster where it is sure, the tree elsewhere."""
        n_rows, n_cols = self.cells.shape
        result = np.full(len(lons), NOT_FOUND, dtype=np.int64)
        if len(lons) == 0 or self.cells.size == 0:
            return result
        with np.errstate(invalid="ignore"):
            col = np.floor((lons - self.origin_lon) / self.cell_deg)
            row = np.floor((lats - self.origin_lat) / self.cell_deg)
            # NaN compares false, so non-finite points stay NOT_FOUND; the raster covers every grid, so points
            # beyond it are outside every grid.
            within = (col >= 0) & (col < n_cols) & (row >= 0) & (row < n_rows)
        hits = np.flatnonzero(within)
        answer = self.cells[row[hits].astype(np.int64), col[hits].astype(np.int64)].astype(np.int64)
        result[hits] = answer
        unsure = hits[answer == MIXED]
        if len(unsure):
            result[unsure] = self.locator.locate_indices(lons[unsure], lats[unsure])
        return result
