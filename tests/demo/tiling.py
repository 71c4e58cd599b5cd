"""Checks that a set of polygons tiles its parent: equal area, no overlaps, no gaps."""

from __future__ import annotations

import numpy as np
import shapely
from shapely import STRtree
from shapely.geometry.base import BaseGeometry

RELATIVE_TOLERANCE = 1e-9


def tiling_errors(parent: BaseGeometry, children: list[BaseGeometry]) -> dict[str, float]:
    """Relative area errors: |Σ children − parent|, the largest pairwise overlap, and the symmetric difference
    between the union of the children and the parent."""
    pieces = np.array(children, dtype=object)
    tree = STRtree(pieces)
    left, right = tree.query(pieces, predicate="intersects")
    pairs = left < right
    overlaps = shapely.area(shapely.intersection(pieces[left[pairs]], pieces[right[pairs]]))
    union = shapely.union_all(pieces)
    return {
        "area": abs(float(shapely.area(pieces).sum()) - parent.area) / parent.area,
        "overlap": float(overlaps.max(initial=0.0)) / parent.area,
        "gap": union.symmetric_difference(parent).area / parent.area,
    }


def assert_tiles(parent: BaseGeometry, children: list[BaseGeometry], *, label: str) -> None:
    errors = tiling_errors(parent, children)
    assert all(value < RELATIVE_TOLERANCE for value in errors.values()), (label, errors)
    assert all(not child.is_empty and child.is_valid for child in children), label
