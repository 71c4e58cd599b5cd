"""Telephone numbers: 11-digit mobiles with real carrier prefixes, and Wenling landlines (0576-8…)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

_MOBILE_PREFIXES = np.array(
    [f"13{d}" for d in range(10)]
    + ["150", "151", "152", "153", "155", "156", "157", "158", "159", "166", "173", "175", "176", "177", "178"]
    + [f"18{d}" for d in range(10)]
    + ["191", "198", "199"]
)
# 13x and 15x numbers are the oldest and most widespread; 18x next; the rest are newer ranges.
_MOBILE_WEIGHTS = np.array([3.0] * 10 + [2.0] * 9 + [0.6] * 6 + [1.5] * 10 + [0.5] * 3)
assert len(_MOBILE_WEIGHTS) == len(_MOBILE_PREFIXES)
_LANDLINE_EXCHANGES = np.array(["81", "86", "89"])


def mobile_numbers(rng: np.random.Generator, size: int) -> NDArray[np.str_]:
    prefixes = _MOBILE_PREFIXES[rng.choice(len(_MOBILE_PREFIXES), size=size, p=_MOBILE_WEIGHTS / _MOBILE_WEIGHTS.sum())]
    subscribers = np.char.zfill(rng.integers(0, 100_000_000, size).astype(str), 8)
    return np.char.add(prefixes, subscribers)


def unique_mobile_numbers(rng: np.random.Generator, size: int, *, taken: set[str]) -> list[str]:
    """Mobiles never handed out before (staff accounts are looked up by phone)."""
    numbers: list[str] = []
    while len(numbers) < size:
        for number in mobile_numbers(rng, size - len(numbers)).tolist():
            if number not in taken:
                taken.add(number)
                numbers.append(number)
    return numbers


def landline_numbers(rng: np.random.Generator, size: int) -> list[str]:
    exchanges = _LANDLINE_EXCHANGES[rng.integers(0, len(_LANDLINE_EXCHANGES), size)]
    lines = np.char.zfill(rng.integers(0, 1_000_000, size).astype(str), 6)
    return [f"0576-{e}{line}" for e, line in zip(exchanges.tolist(), lines.tolist(), strict=True)]
