"""WGS84 ↔ GCJ-02: published reference values, the size of the offset near Wenling, and round trips."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from fengqiao.triage.geo.coords import Crs, gcj02_to_wgs84, in_china, to_wgs84, wgs84_to_gcj02

# (wgs lon, wgs lat, gcj lon, gcj lat) from eviltransform's test suite; it uses a 6378137 m radius where the
# published formula (and we) use 6378245 m, which moves the answer by about a centimetre.
REFERENCE = [
    (121.5272106, 31.1774276, 121.531541859215, 31.17530398364597),  # Shanghai
    (113.912316, 22.543847, 113.9171764808363, 22.540796131694766),  # Shenzhen
    (116.377817, 39.911954, 116.38404722455657, 39.91334545536069),  # Beijing
]
M_PER_DEG_LAT = 110_574.0


def metres(d_lon: np.ndarray, d_lat: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return np.hypot(d_lon * 111_320.0 * np.cos(np.radians(lat)), d_lat * M_PER_DEG_LAT)


@pytest.mark.parametrize(("lon", "lat", "gcj_lon", "gcj_lat"), REFERENCE)
def test_forward_matches_published_values(lon: float, lat: float, gcj_lon: float, gcj_lat: float) -> None:
    x, y = wgs84_to_gcj02([lon], [lat])
    assert metres(x - gcj_lon, y - gcj_lat, np.array([lat]))[0] < 0.05


def test_offset_near_wenling_is_about_half_a_kilometre() -> None:
    lons = np.array([121.37, 121.42, 121.55, 121.25])  # 太平, 城东, 松门, 大溪
    lats = np.array([28.37, 28.38, 28.36, 28.45])
    x, y = wgs84_to_gcj02(lons, lats)
    shift = metres(x - lons, y - lats, lats)
    assert np.all((shift > 300) & (shift < 600)), shift
    # GCJ-02 moves points here east and south.
    assert np.all(x > lons)
    assert np.all(y < lats)


def test_round_trip_is_well_under_half_a_metre_across_china() -> None:
    rng = np.random.default_rng(7)
    lons, lats = rng.uniform(73.5, 135.0, 20_000), rng.uniform(18.0, 53.5, 20_000)
    back_lon, back_lat = gcj02_to_wgs84(*wgs84_to_gcj02(lons, lats))
    assert metres(back_lon - lons, back_lat - lats, lats).max() < 0.01


def test_outside_china_is_unchanged() -> None:
    lons, lats = np.array([2.35, -74.0, 139.7]), np.array([48.86, 40.7, 35.7])  # Paris, New York, Tokyo
    assert not in_china(lons, lats).any()
    assert np.array_equal(np.stack(wgs84_to_gcj02(lons, lats)), np.stack([lons, lats]))
    assert np.array_equal(np.stack(gcj02_to_wgs84(lons, lats)), np.stack([lons, lats]))


def test_to_wgs84_by_crs_and_quiet_on_non_finite_input() -> None:
    x, y = wgs84_to_gcj02([121.4], [28.4])
    assert np.allclose(to_wgs84(x, y, Crs.GCJ02), ([121.4], [28.4]), atol=1e-9)
    assert np.array_equal(np.stack(to_wgs84([121.4], [28.4], Crs.WGS84)), [[121.4], [28.4]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lon, lat = gcj02_to_wgs84([np.nan, np.inf, 121.4], [28.4, 28.4, np.nan])
    assert np.isnan(lon[0])
    assert np.isnan(lat[2])


def test_shapes_must_match() -> None:
    with pytest.raises(ValueError, match="shape"):
        wgs84_to_gcj02([121.0, 121.1], [28.0])
