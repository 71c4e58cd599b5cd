"""Residents of one town (A3): registered families in village houses and estate flats, floating families in
rented rooms, and factory workers sharing dormitory rooms — with ages, sexes, surnames passed from parent to
child, hometown region codes, unique ID numbers and mobiles."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from fengqiao.basedata.kinds import PopulationType
from fengqiao.demo.identity import order_sequences, resident_ids
from fengqiao.demo.names import draw_given_names, draw_surnames
from fengqiao.demo.phones import mobile_numbers
from fengqiao.demo.regions import draw_hometowns, hometown_region_codes, wenling_region_codes
from fengqiao.demo.rng import Stage, stage_rng
from fengqiao.demo.rooms import TownRooms
from fengqiao.demo.shapes import ESTATE, FACTORY, SHOP, VILLAGE_HOUSE, Distribution
from fengqiao.demo.territory import TownTerritory
from fengqiao.demo.towns import COUNTY_CODE

RESIDENT_COLUMNS = (
    "id", "county_code", "name", "id_number", "gender", "birth_date", "phone", "population_type", "room_id",
)  # fmt: skip
# Ages are counted at this day; every birth date lies before it.
REFERENCE_DAY = np.datetime64("2025-06-30", "D")
MAX_AGE = 99

REGISTERED_HOUSEHOLD = Distribution(((1, 0.12), (2, 0.25), (3, 0.28), (4, 0.20), (5, 0.10), (6, 0.05)))
FLOATING_HOUSEHOLD = Distribution(((1, 0.30), (2, 0.35), (3, 0.20), (4, 0.15)))
DORMITORY = Distribution(((2, 0.15), (3, 0.15), (4, 0.25), (6, 0.25), (8, 0.20)))

Ints = NDArray[np.int64]
Bools = NDArray[np.bool_]

_FAMILY, _DORMITORY = 0, 1


@dataclass
class TownResidents:
    first_id: int
    room: Ints
    registered: Bools
    household: Ints
    head: Bools
    age: Ints
    names: list[str]
    rows: list[tuple[object, ...]]

    def __len__(self) -> int:
        return len(self.room)

    @property
    def ids(self) -> Ints:
        return self.first_id + np.arange(len(self.room))


@dataclass
class _Households:
    room: Ints
    size: Ints
    registered: Bools
    kind: Ints

    @classmethod
    def concat(cls, parts: list[_Households]) -> _Households:
        return cls(*(np.concatenate([getattr(p, f) for p in parts]) for f in ("room", "size", "registered", "kind")))


def _weighted_order(rng: np.random.Generator, candidates: Ints, weights: NDArray[np.float64]) -> Ints:
    """``candidates`` in random order, heavier ones earlier (Efraimidis–Spirakis keys)."""
    keys = rng.random(len(candidates)) ** (1.0 / weights)
    return candidates[np.argsort(-keys, kind="stable")]


def _fill(
    rng: np.random.Generator, rooms: Ints, sizes: Distribution, target: int, *, registered: bool, kind: int
) -> _Households:
    """Households of ``sizes`` moving into ``rooms`` in order (again from the first when rooms run out) until
    exactly ``target`` people are housed."""
    if target == 0 or len(rooms) == 0:
        return _Households(*(np.empty(0, dtype=t) for t in (np.int64, np.int64, bool, np.int64)))
    drawn = sizes.draw(rng, int(target / sizes.mean() * 1.3) + 8)
    while drawn.sum() < target:
        drawn = np.concatenate((drawn, sizes.draw(rng, len(drawn))))
    cumulative = np.cumsum(drawn)
    count = int(np.searchsorted(cumulative, target)) + 1
    size = drawn[:count].copy()
    size[-1] -= int(cumulative[count - 1]) - target
    room = rooms[np.arange(count) % len(rooms)]
    return _Households(room, size, np.full(count, registered), np.full(count, kind))


def _households(town: TownTerritory, rooms: TownRooms, rng: np.random.Generator) -> _Households:
    plan = town.plan
    kind, floor, rental = rooms.kind, rooms.floor, rooms.rental
    homes = np.flatnonzero(~rental & ((kind == VILLAGE_HOUSE) | (kind == ESTATE) | ((kind == SHOP) & (floor >= 2))))
    # Village houses are nearly all lived in (the family on the ground floor); many estate flats stand empty.
    weights = np.where((kind[homes] == VILLAGE_HOUSE) & (floor[homes] == 1), 5.0, 1.0)
    weights[kind[homes] == SHOP] = 0.6
    registered = _fill(rng, _weighted_order(rng, homes, weights), REGISTERED_HOUSEHOLD, plan.registered,
                       registered=True, kind=_FAMILY)  # fmt: skip
    dormitories = rng.permutation(np.flatnonzero(kind == FACTORY))
    in_dormitories = round(plan.floating * min(0.45, 0.2 * plan.spec.industry)) if len(dormitories) else 0
    workers = _fill(rng, dormitories, DORMITORY, in_dormitories, registered=False, kind=_DORMITORY)
    lets = rng.permutation(np.flatnonzero(rental))
    if len(lets) == 0:
        lets = rng.permutation(homes)
    tenants = _fill(rng, lets, FLOATING_HOUSEHOLD, plan.floating - in_dormitories, registered=False, kind=_FAMILY)
    return _Households.concat([registered, tenants, workers])


def _members(rng: np.random.Generator, households: _Households) -> dict[str, NDArray[np.int64]]:
    """Per person: household index, rank in the household (0 = head, 1 = spouse, 2–3 children, 4 the head's
    parent, 5 a grandchild), age and sex."""
    count = len(households.size)
    household = np.repeat(np.arange(count), households.size)
    rank = np.arange(len(household)) - np.repeat(np.cumsum(households.size) - households.size, households.size)
    registered = households.registered[household]
    family = households.kind[household] == _FAMILY

    head_age = np.where(
        households.registered, rng.triangular(25, 48, 88, count), rng.triangular(19, 33, 60, count)
    ).astype(np.int64)
    head_female = rng.random(count) < np.where(households.registered, 0.28, 0.2)
    own_age = head_age[household]
    age = own_age.copy()
    female = rng.random(len(household)) < 0.5
    spouse = rank == 1
    age[spouse] = np.clip(own_age[spouse] + np.round(rng.normal(0, 3, spouse.sum())), 18, MAX_AGE)
    female[rank == 0] = head_female
    female[spouse] = ~head_female[household[spouse]]
    child = (rank == 2) | (rank == 3)
    age[child] = own_age[child] - rng.integers(22, 37, child.sum())
    elder = rank == 4
    age[elder] = own_age[elder] + rng.integers(22, 33, elder.sum())
    grandchild = (rank >= 5) | (elder & (age > MAX_AGE))
    age[grandchild] = own_age[grandchild] - rng.integers(46, 63, grandchild.sum())
    young = age < 0
    age[young] = rng.integers(0, 8, young.sum())
    # Dormitory workers are unrelated adults, mostly young men.
    workers = ~family
    age[workers] = rng.triangular(17, 27, 58, workers.sum()).astype(np.int64)
    female[workers] = rng.random(workers.sum()) < 0.35
    return {
        "household": household,
        "rank": rank,
        "age": np.clip(age, 0, MAX_AGE),
        "female": female,
        "registered": registered,
        "related": family,
    }


def _surnames(
    rng: np.random.Generator, people: dict[str, NDArray[np.int64]], households: _Households
) -> NDArray[np.str_]:
    """Children, parents and grandchildren share the family name (the husband's); spouses and dormitory workers
    keep their own."""
    household, rank = people["household"], people["rank"]
    local = people["registered"].astype(bool)
    own = np.where(
        local, draw_surnames(rng, len(household), local=True), draw_surnames(rng, len(household), local=False)
    )
    first_of = np.cumsum(households.size) - households.size
    head = own[first_of]
    spouse = np.where(households.size >= 2, own[np.minimum(first_of + 1, len(own) - 1)], head)
    head_female = people["female"][first_of].astype(bool)
    family_name = np.where(head_female & (households.size >= 2), spouse, head)
    kin = people["related"].astype(bool) & (rank >= 2)
    own[kin] = family_name[household[kin]]
    return own


def generate_residents(town: TownTerritory, rooms: TownRooms, *, seed: int, first_id: int) -> TownResidents:
    rng = stage_rng(seed, Stage.RESIDENTS, town.plan.index)
    households = _households(town, rooms, rng)
    people = _members(rng, households)
    age, female = people["age"], people["female"].astype(bool)
    registered = people["registered"].astype(bool)
    size = len(age)

    born = (REFERENCE_DAY - (age * 365 + rng.integers(1, 366, size)).astype("timedelta64[D]")).astype(np.int64)
    year = born.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    # Each floating family shares a hometown; dormitory workers each have their own.
    hometown = draw_hometowns(rng, len(households.size))[people["household"]]
    workers = ~people["related"].astype(bool)
    hometown[workers] = draw_hometowns(rng, int(workers.sum()))
    region = np.where(registered, wenling_region_codes(year), hometown_region_codes(hometown, year))
    sequence, born = order_sequences(region, born, female, town_index=town.plan.index)
    birth_dates = born.astype("datetime64[D]").tolist()
    year = born.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    id_numbers = resident_ids(region, birth_dates, female, sequence)

    surnames = _surnames(rng, people, households)
    names = np.char.add(surnames, draw_given_names(rng, female=female, birth_year=year)).tolist()
    has_phone = (age >= 16) & ((age < 80) | (rng.random(size) < 0.5))
    phones = np.where(has_phone, mobile_numbers(rng, size), "").tolist()

    room_ids = (rooms.first_id + households.room[people["household"]]).tolist()
    registered_type, floating_type = PopulationType.REGISTERED.value, PopulationType.FLOATING.value
    rows: list[tuple[object, ...]] = []
    for offset, (name, number, woman, birth, phone, local, room) in enumerate(
        zip(names, id_numbers, female.tolist(), birth_dates, phones, registered.tolist(), room_ids, strict=True)
    ):
        rows.append(
            (first_id + offset, COUNTY_CODE, name, number, "F" if woman else "M", birth, phone or None,
             registered_type if local else floating_type, room)
        )  # fmt: skip
    return TownResidents(
        first_id=first_id,
        room=households.room[people["household"]],
        registered=registered,
        household=people["household"],
        head=people["rank"] == 0,
        age=age,
        names=names,
        rows=rows,
    )
