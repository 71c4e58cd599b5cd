"""WGS84 ↔ GCJ-02 ("Mars" coordinates), vectorised over numpy arrays.

Phones report WGS84 from GNSS, but Chinese map apps (AutoNavi/Gaode, Tencent, Google Maps in China) hand out GCJ-02,
the obfuscated datum required by the 2002 national mapping rules; we store WGS84, so map-picked points are shifted
back before routing. Near Wenling the two differ by about half a kilometre — enough to land in the wrong grid.

Source of the formula: the public reconstruction of the GCJ-02 offset first published in the on4wp7 project
(``on4wp7.codeplex.com``, changeset 21483) and in ``emq/src/Algorithm/Coords/Converter.java``, as collected in
googollee/eviltransform (https://github.com/googollee/eviltransform, BSD-2-Clause) and wandergis/coordtransform.
It uses the Krasovsky 1940 ellipsoid (a = 6378245 m, e² = 0.00669342162296594323) and applies no offset outside a
rough box around China. The forward transform is closed-form; the inverse has none, so it is found by fixed-point
iteration (``gcj02_to_wgs84``), as eviltransform's ``gcj2wgs_exact`` does, to well under 0.5 m.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

# Krasovsky 1940, as in the published formula (eviltransform uses WGS84's 6378137 m; the difference is ~1 cm).
_A = 6378245.0
_EE = 0.00669342162296594323

# The formula's own notion of "China": outside this box GCJ-02 equals WGS84.
CHINA_MIN_LON, CHINA_MAX_LON = 72.004, 137.8347
CHINA_MIN_LAT, CHINA_MAX_LAT = 0.8293, 55.8271

# The inverse stops when a step moves every point by less than this (1e-10° ≈ 0.01 mm); a handful of steps do.
_INVERSE_TOLERANCE_DEG = 1e-10
_INVERSE_MAX_STEPS = 20


class Crs(StrEnum):
    """Coordinate reference systems a client may send."""

    WGS84 = "wgs84"
    GCJ02 = "gcj02"


def in_china(lons: ArrayLike, lats: ArrayLike) -> NDArray[np.bool_]:
    """Whether the formula offsets each point (inside its rough box around China)."""
    x, y = np.asarray(lons, dtype=np.float64), np.asarray(lats, dtype=np.float64)
    return (x >= CHINA_MIN_LON) & (x <= CHINA_MAX_LON) & (y >= CHINA_MIN_LAT) & (y <= CHINA_MAX_LAT)


def _offset(lons: FloatArray, lats: FloatArray) -> tuple[FloatArray, FloatArray]:
    """(Δlon, Δlat) in degrees that GCJ-02 adds to a WGS84 point, before the out-of-China rule."""
    # Non-finite input gives NaN out; callers validate coordinates, so numpy's warnings would only be noise.
    with np.errstate(invalid="ignore"):
        return _offset_unchecked(lons, lats)


def _offset_unchecked(lons: FloatArray, lats: FloatArray) -> tuple[FloatArray, FloatArray]:
    x = lons - 105.0
    y = lats - 35.0
    x_pi = x * np.pi
    y_pi = y * np.pi
    shared = 20.0 * np.sin(6.0 * x_pi) + 20.0 * np.sin(2.0 * x_pi)
    d_lat = shared + 20.0 * np.sin(y_pi) + 40.0 * np.sin(y_pi / 3.0)
    d_lat += 160.0 * np.sin(y_pi / 12.0) + 320.0 * np.sin(y_pi / 30.0)
    d_lon = shared + 20.0 * np.sin(x_pi) + 40.0 * np.sin(x_pi / 3.0)
    d_lon += 150.0 * np.sin(x_pi / 12.0) + 300.0 * np.sin(x_pi / 30.0)
    root_abs_x = np.sqrt(np.abs(x))
    d_lat = d_lat * (2.0 / 3.0) - 100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * root_abs_x
    d_lon = d_lon * (2.0 / 3.0) + 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * root_abs_x
    # The raw values are metres-ish on the ellipsoid; convert to degrees at this latitude.
    rad_lat = lats / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    d_lon = (d_lon * 180.0) / (_A / sqrt_magic * np.cos(rad_lat) * np.pi)
    return d_lon, d_lat


def _as_arrays(lons: ArrayLike, lats: ArrayLike) -> tuple[FloatArray, FloatArray]:
    x = np.asarray(lons, dtype=np.float64)
    y = np.asarray(lats, dtype=np.float64)
    if x.shape != y.shape:
        raise ValueError(f"lons and lats differ in shape: {x.shape} vs {y.shape}")
    return x, y


def wgs84_to_gcj02(lons: ArrayLike, lats: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """GCJ-02 (lons, lats) of WGS84 points; points outside China are returned unchanged."""
    x, y = _as_arrays(lons, lats)
    d_lon, d_lat = _offset(x, y)
    inside = in_china(x, y)
    return np.where(inside, x + d_lon, x), np.where(inside, y + d_lat, y)


def gcj02_to_wgs84(lons: ArrayLike, lats: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """WGS84 (lons, lats) of GCJ-02 points, by iteration: a round trip agrees to far better than 0.5 m in China.

    The offset changes slowly (its derivative is ~1e-5 per degree), so ``w ← w − (forward(w) − g)`` contracts by
    that factor each step; starting from ``g − offset(g)`` two or three steps reach the tolerance.
    """
    g_lon, g_lat = _as_arrays(lons, lats)
    inside = in_china(g_lon, g_lat)
    d_lon, d_lat = _offset(g_lon, g_lat)
    w_lon, w_lat = g_lon - d_lon, g_lat - d_lat
    for _ in range(_INVERSE_MAX_STEPS):
        d_lon, d_lat = _offset(w_lon, w_lat)
        step_lon = g_lon - (w_lon + d_lon)
        step_lat = g_lat - (w_lat + d_lat)
        w_lon, w_lat = w_lon + step_lon, w_lat + step_lat
        # A NaN step (from NaN input) compares false, so it cannot keep the loop going.
        if not (np.any(np.abs(step_lon) > _INVERSE_TOLERANCE_DEG) or np.any(np.abs(step_lat) > _INVERSE_TOLERANCE_DEG)):
            break
    # Outside China the forward transform is the identity; whether a point counts as inside is decided on the
    # GCJ-02 input, which differs from deciding on the answer only within ~1 km of the box's edge, far from China.
    return np.where(inside, w_lon, g_lon), np.where(inside, w_lat, g_lat)


def to_wgs84(lons: ArrayLike, lats: ArrayLike, crs: Crs) -> tuple[FloatArray, FloatArray]:
    """Points in ``crs`` as WGS84, the datum our boundaries are stored in."""
    if crs is Crs.GCJ02:
        return gcj02_to_wgs84(lons, lats)
    return _as_arrays(lons, lats)
