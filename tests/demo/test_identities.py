from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from fengqiao.basedata.identifiers import make_resident_id, validate_resident_id, wenling_region_code
from fengqiao.demo.identity import ORDER_BLOCK, order_sequences
from fengqiao.demo.regions import FIRST_BIRTH_YEAR, HOMETOWNS, LAST_BIRTH_YEAR, Hometown, wenling_region_codes


@pytest.mark.parametrize("hometown", HOMETOWNS, ids=lambda h: h.name)
def test_every_hometown_code_is_valid_for_every_birth_year_it_is_used_for(hometown: Hometown) -> None:
    covered: list[int] = []
    for code, _ in hometown.codes:
        for year in hometown.years(code):
            covered.append(year)
            for day in (date(year, 1, 1), date(year, 12, 31)):
                validate_resident_id(make_resident_id(region_code=code, birth_date=day, sequence=7, female=True))
    assert covered == list(range(FIRST_BIRTH_YEAR, LAST_BIRTH_YEAR + 1))


def test_vectorised_wenling_codes_agree_with_the_helper() -> None:
    years = np.arange(1920, 2026)
    assert wenling_region_codes(years).tolist() == [int(wenling_region_code(int(y))) for y in years]


def test_order_sequences_are_unique_per_region_day_and_sex_and_stay_in_the_towns_block() -> None:
    rng = np.random.default_rng(0)
    size = 20_000
    region = rng.choice([331081, 522422], size)
    days = rng.integers(7000, 7010, size)  # crowd ten days so blocks overflow
    female = rng.random(size) < 0.5
    sequence, moved = order_sequences(region, days, female, town_index=3)
    keys = list(zip(region.tolist(), moved.tolist(), female.tolist(), sequence.tolist(), strict=True))
    assert len(set(keys)) == size
    assert sequence.min() >= 3 * ORDER_BLOCK
    assert sequence.max() < 4 * ORDER_BLOCK
    assert (moved >= days).all()
