"""Boundaries: WGS84 polygons stored as WKB, with the derived columns (centroid, bbox, area) kept beside them."""

from __future__ import annotations

import math
from typing import Any

import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

# Kilometres per degree near Wenling's latitude; good to well under 1 % for county-sized areas.
_KM_PER_DEG_LAT = 110.574
_KM_PER_DEG_LON_AT_EQUATOR = 111.320


def km_per_degree(lat: float) -> tuple[float, float]:
    """(km per degree of longitude, km per degree of latitude) at ``lat``."""
    return _KM_PER_DEG_LON_AT_EQUATOR * math.cos(math.radians(lat)), _KM_PER_DEG_LAT


def area_km2(geometry: BaseGeometry) -> float:
    if geometry.is_empty:
        return 0.0
    kx, ky = km_per_degree(geometry.centroid.y)
    return float(geometry.area * kx * ky)


def boundary_columns(geometry: BaseGeometry) -> dict[str, Any]:
    """The ``Unit`` columns that describe a boundary."""
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    centroid = geometry.representative_point() if not geometry.centroid.within(geometry) else geometry.centroid
    return {
        "boundary": shapely.to_wkb(geometry),
        "centroid_lon": round(centroid.x, 6),
        "centroid_lat": round(centroid.y, 6),
        "min_lon": min_lon,
        "min_lat": min_lat,
        "max_lon": max_lon,
        "max_lat": max_lat,
        "area_km2": round(area_km2(geometry), 4),
    }


def load_boundary(wkb: bytes | None) -> BaseGeometry | None:
    return None if wkb is None else shapely.from_wkb(wkb)


def to_geojson_geometry(geometry: BaseGeometry, *, precision: int = 6) -> dict[str, Any]:
    """GeoJSON geometry with coordinates rounded to ``precision`` decimals (6 ≈ 0.1 m)."""
    return mapping(shapely.set_precision(geometry, 10**-precision))
