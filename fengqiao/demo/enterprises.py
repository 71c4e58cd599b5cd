"""Enterprises of one town (A3): the town's own trades (pumps in 大溪, shoes in 城西, tools in 温峤…) plus
everyday ones, in factories or shop fronts, with valid unified social credit codes and a local legal
representative."""

from __future__ import annotations

import numpy as np

from fengqiao.basedata.identifiers import make_credit_code
from fengqiao.demo.buildings import TownBuildings
from fengqiao.demo.industries import GENERAL_INDUSTRIES, INDUSTRIES, TRADE_NAME_CHARACTERS, Industry
from fengqiao.demo.names import person_names
from fengqiao.demo.phones import landline_numbers, mobile_numbers
from fengqiao.demo.population import TownResidents
from fengqiao.demo.rng import Stage, stage_rng
from fengqiao.demo.shapes import FACTORY, SHOP
from fengqiao.demo.territory import TownTerritory
from fengqiao.demo.towns import COUNTY_CODE

ENTERPRISE_COLUMNS = (
    "id", "county_code", "name", "credit_code", "legal_representative", "phone", "industry", "employee_count",
    "building_id", "registered_on",
)  # fmt: skip
# Characters a credit code may use (GB 32100 leaves out I, O, S, V and Z).
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# Since 2016 new organisation codes are "MA" + 6 characters; older ones are 8 digits.
NEW_CODES_FROM = 2016
_FIRST_REGISTRATION = np.datetime64("1995-01-01", "D")
_LAST_REGISTRATION = np.datetime64("2025-06-30", "D")
_OWN_TRADES_SHARE = 0.75
_SMALL_BUSINESS_SHARE = 0.35


def generate_enterprises(
    town: TownTerritory, buildings: TownBuildings, residents: TownResidents, *, seed: int, first_id: int
) -> list[tuple[object, ...]]:
    plan = town.plan
    count = plan.enterprises
    if count == 0:
        return []
    rng = stage_rng(seed, Stage.ENTERPRISES, plan.index)
    industries = _draw_industries(rng, plan.spec.industries, count)
    factories, shops = np.flatnonzero(buildings.kind == FACTORY), np.flatnonzero(buildings.kind == SHOP)
    anywhere = np.arange(len(buildings))
    owners = _owner_names(rng, residents, count)
    day_span = int((_LAST_REGISTRATION - _FIRST_REGISTRATION).astype(np.int64))
    # Firms registered recently outnumber old ones.
    days = (rng.random(count) ** 0.7 * day_span).astype(np.int64)
    registered_on = (_FIRST_REGISTRATION + days.astype("timedelta64[D]")).tolist()
    phones = [*landline_numbers(rng, count)]
    mobiles = mobile_numbers(rng, count).tolist()
    taken_names: set[str] = set()
    taken_bodies: set[str] = set()
    rows: list[tuple[object, ...]] = []
    for offset, industry in enumerate(industries):
        small = not industry.manufacturing and bool(industry.shop_words) and rng.random() < _SMALL_BUSINESS_SHARE
        places = factories if industry.manufacturing else shops
        places = places if len(places) else anywhere
        building = int(places[rng.integers(len(places))])
        name = _unique_name(rng, town, industry, small=small, taken=taken_names)
        body = _org_body(rng, plan.index, registered_on[offset].year, taken=taken_bodies)
        code = make_credit_code(region_code=COUNTY_CODE, org_body=body, org_type="2" if small else "1")
        employees = _employees(rng, industry, small=small)
        phone = phones[offset] if rng.random() < 0.55 else mobiles[offset]
        rows.append(
            (first_id + offset, COUNTY_CODE, name, code, owners[offset], phone, industry.name, employees,
             buildings.first_id + building, registered_on[offset])
        )  # fmt: skip
    return rows


def _draw_industries(rng: np.random.Generator, own: tuple[str, ...], count: int) -> list[Industry]:
    own_weights = np.arange(len(own), 0, -1, dtype=float)
    own_pick = rng.choice(len(own), size=count, p=own_weights / own_weights.sum())
    general_pick = rng.integers(0, len(GENERAL_INDUSTRIES), count)
    from_own = rng.random(count) < _OWN_TRADES_SHARE
    return [
        INDUSTRIES[own[o] if mine else GENERAL_INDUSTRIES[g]]
        for o, g, mine in zip(own_pick.tolist(), general_pick.tolist(), from_own.tolist(), strict=True)
    ]


def _owner_names(rng: np.random.Generator, residents: TownResidents, count: int) -> list[str]:
    """Legal representatives are local adults; a town too small to have any borrows generated names."""
    adults = np.flatnonzero(residents.registered & (residents.age >= 25) & (residents.age <= 70))
    if len(adults):
        return [residents.names[i] for i in adults[rng.integers(0, len(adults), count)].tolist()]
    return person_names(rng, female=rng.random(count) < 0.3, birth_year=rng.integers(1960, 1995, count), local=True)


def _trade_name(rng: np.random.Generator) -> str:
    first, second = rng.choice(len(TRADE_NAME_CHARACTERS), size=2, replace=False).tolist()
    return TRADE_NAME_CHARACTERS[first] + TRADE_NAME_CHARACTERS[second]


def _unique_name(
    rng: np.random.Generator, town: TownTerritory, industry: Industry, *, small: bool, taken: set[str]
) -> str:
    short = town.plan.spec.short_name
    while True:
        trade = _trade_name(rng)
        if small:
            name = f"温岭市{short}{trade}{industry.shop_words[int(rng.integers(len(industry.shop_words)))]}"
        else:
            word = industry.company_words[int(rng.integers(len(industry.company_words)))]
            form = rng.random()
            if form < 0.68:
                name = f"温岭市{trade}{word}有限公司"
            elif form < 0.80:
                name = f"浙江{trade}{word}{'股份' if rng.random() < 0.3 else ''}有限公司"
            elif form < 0.88:
                name = f"台州{trade}{word}有限公司"
            else:
                name = f"温岭市{short}{trade}{word}厂"
        if name not in taken:
            taken.add(name)
            return name


def _org_body(rng: np.random.Generator, town_index: int, year: int, *, taken: set[str]) -> str:
    """An organisation code body unique in the county: the town's index is part of it, the rest is drawn."""
    while True:
        if year >= NEW_CODES_FROM:
            tail = "".join(CREDIT_CODE_ALPHABET[i] for i in rng.integers(0, len(CREDIT_CODE_ALPHABET), 5).tolist())
            body = f"MA{CREDIT_CODE_ALPHABET[town_index]}{tail}"
        else:
            body = f"7{town_index:02d}{int(rng.integers(0, 100_000)):05d}"
        if body not in taken:
            taken.add(body)
            return body


def _employees(rng: np.random.Generator, industry: Industry, *, small: bool) -> int:
    if small:
        return int(rng.integers(1, 7))
    if industry.manufacturing:
        return int(np.clip(rng.lognormal(3.0, 1.0), 3, 3000))
    return int(rng.integers(3, 61))
