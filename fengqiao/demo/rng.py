"""Random streams: one independent numpy generator per (stage, town, …), all derived from the user's seed.

Each stream is the SeedSequence child that ``SeedSequence(seed).spawn()`` would hand out, addressed by a fixed
spawn key instead of by the order children are asked for: changing how one stage draws never moves another."""

from __future__ import annotations

from enum import IntEnum

import numpy as np


class Stage(IntEnum):
    """Spawn keys. Never renumber: the numbers are part of what a seed means."""

    VILLAGE_TILING = 1
    GRID_TILING = 2
    UNIT_NAMES = 3
    UNIT_PHONES = 4
    STATIONS = 5
    DUTY = 6
    ROADS = 7
    BUILDINGS = 8
    ROOMS = 9
    RESIDENTS = 10
    RENTALS = 11
    ENTERPRISES = 12


def stage_rng(seed: int, stage: Stage, *keys: int) -> np.random.Generator:
    if seed < 0:
        raise ValueError("seed must be a non-negative integer")
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(int(stage), *keys)))
