"""Unique resident ID numbers. An ID's 3-digit order code tells apart people of one region, birth date and sex;
real order codes are handed out by police station, so each town owns its own block of order codes and two towns
can never collide. Inside a town, people sharing (region, date, sex) are numbered; the rare ones beyond the
block's size are moved to the next day."""

from __future__ import annotations

from datetime import date

import numpy as np
from numpy.typing import NDArray

from fengqiao.basedata.identifiers import make_resident_id

# make_resident_id takes sequences 0..499; 16 towns × 31 fit.
ORDER_BLOCK = 31
_DAY_OFFSET = 100_000  # keeps days since 1970 positive for births back to 1700


def order_sequences(
    region_codes: NDArray[np.int64], birth_days: NDArray[np.int64], female: NDArray[np.bool_], *, town_index: int
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """(sequence per person, birth day per person — shifted where a day's block was full)."""
    days = birth_days.copy()
    while True:
        keys = ((region_codes * 1_000_000) + (days + _DAY_OFFSET)) * 2 + female
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
        group_sizes = np.diff(np.r_[starts, len(keys)])
        ranks_sorted = np.arange(len(keys)) - np.repeat(starts, group_sizes)
        ranks = np.empty_like(ranks_sorted)
        ranks[order] = ranks_sorted
        overflow = ranks >= ORDER_BLOCK
        if not overflow.any():
            return town_index * ORDER_BLOCK + ranks, days
        days[overflow] += 1


def resident_ids(
    region_codes: NDArray[np.int64], birth_dates: list[date], female: NDArray[np.bool_], sequences: NDArray[np.int64]
) -> list[str]:
    return [
        make_resident_id(region_code=str(region), birth_date=born, sequence=sequence, female=is_female)
        for region, born, sequence, is_female in zip(
            region_codes.tolist(), birth_dates, sequences.tolist(), female.tolist(), strict=True
        )
    ]
