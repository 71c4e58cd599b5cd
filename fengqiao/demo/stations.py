"""Joint-duty stations (联勤工作站) and police stations (派出所): each serves a compact group of one town's
villages, found by k-means over village centres; its boundary is the union of its villages."""

from __future__ import annotations

import math

import numpy as np
import shapely
from numpy.typing import NDArray

from fengqiao.demo.plan import police_station_names
from fengqiao.demo.rng import Stage, stage_rng
from fengqiao.demo.territory import Territory, TownTerritory, UnitDraft
from fengqiao.demo.towns import COUNTY_CODE
from fengqiao.jurisdiction.kinds import UnitKind

KMEANS_ITERATIONS = 30


def add_stations(territory: Territory, *, seed: int) -> None:
    joint_serial = police_serial = 1
    for town in territory.towns:
        rng = stage_rng(seed, Stage.STATIONS, town.plan.index)
        centres = _village_centres(town)
        for members in _groups(centres, town.plan.joint_stations, rng):
            central = town.villages[_most_central(centres, members)]
            name = f"{town.unit.name}{central.stem}联勤工作站"
            station = _station(town, UnitKind.JOINT_STATION, f"{COUNTY_CODE}JS{joint_serial:02d}", name)
            _serve(station, [town.villages[i] for i in members])
            town.joint_stations.append(station)
            joint_serial += 1
        groups = _groups(centres, town.plan.police_stations, rng)
        # The station covering the town seat carries the town's name; a second one is named after its area.
        seat = int(np.argmin(np.hypot(*(centres - np.array(_scaled(town.centre))).T)))
        groups.sort(key=lambda members: seat not in members)
        for members, name in zip(groups, police_station_names(town.plan.spec, len(groups)), strict=True):
            station = _station(town, UnitKind.POLICE_STATION, f"{COUNTY_CODE}PS{police_serial:02d}", name)
            _serve(station, [town.villages[i] for i in members])
            town.police_stations.append(station)
            police_serial += 1


def _station(town: TownTerritory, kind: UnitKind, code: str, name: str) -> UnitDraft:
    # Stations hang under their town so "everything in this town" (a path prefix) includes them.
    return town.unit.add_child(UnitDraft(code, name, kind, 2, town.unit))


def _serve(station: UnitDraft, villages: list[UnitDraft]) -> None:
    station.geometry = shapely.union_all([village.geometry for village in villages])
    for village in villages:
        if station.kind is UnitKind.JOINT_STATION:
            village.joint_station = station
        else:
            village.police_station = station


def _scaled(point: tuple[float, float]) -> tuple[float, float]:
    # Degrees of longitude are shorter than degrees of latitude here; distances should be in kilometres' shape.
    return point[0] * math.cos(math.radians(28.4)), point[1]


def _village_centres(town: TownTerritory) -> NDArray[np.float64]:
    points = [village.geometry.representative_point() for village in town.villages if village.geometry is not None]
    return np.array([_scaled((p.x, p.y)) for p in points])


def _most_central(centres: NDArray[np.float64], members: list[int]) -> int:
    group = centres[members]
    return members[int(np.argmin(np.hypot(*(group - group.mean(axis=0)).T)))]


def _groups(points: NDArray[np.float64], count: int, rng: np.random.Generator) -> list[list[int]]:
    """``count`` non-empty groups of point indexes, ordered by their lowest index (village code order)."""
    labels = kmeans(points, count, rng)
    groups = [np.flatnonzero(labels == label).tolist() for label in range(count)]
    return sorted(groups, key=min)


def kmeans(points: NDArray[np.float64], count: int, rng: np.random.Generator) -> NDArray[np.int64]:
    """Labels 0..count-1, every label used (k-means++ start, Lloyd iterations, empty clusters refilled)."""
    size = len(points)
    if count >= size:
        return np.arange(size)
    centres = points[[int(rng.integers(size))]]
    for _ in range(1, count):
        nearest = ((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2).min(axis=1)
        centres = np.vstack((centres, points[int(rng.choice(size, p=nearest / nearest.sum()))]))
    labels = np.zeros(size, dtype=np.int64)
    for _ in range(KMEANS_ITERATIONS):
        distances = ((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
        labels = distances.argmin(axis=1)
        for empty in np.setdiff1d(np.arange(count), labels):
            sizes = np.bincount(labels, minlength=count)
            spare = np.flatnonzero(sizes[labels] > 1)
            labels[spare[np.argmax(distances[spare, labels[spare]])]] = empty
        centres = np.array([points[labels == label].mean(axis=0) for label in range(count)])
    return labels
