"""Matching a free-text address against the index: parse, then dictionary look-ups; rapidfuzz only to correct a
road or village name among those of the parsed town (the whole county when no town is given), confirmed by the
house number existing on the corrected street. Whole-string fuzzy scores handle numbers badly (PERFORMANCE.md)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import NamedTuple

from rapidfuzz import fuzz, process
from sqlalchemy import Engine

from fengqiao.triage.address.index import AddressIndex, IndexTiming, building_key, default_cache_dir, load_or_build
from fengqiao.triage.address.parse import AddressParts, parse_address

# fuzz.ratio of a three-character road with one character wrong is 66.7; two characters wrong falls below.
STREET_CUTOFF = 60.0
LANDMARK_CUTOFF = 75.0
_FUZZY_LIMIT = 8
_FUZZY_LIMIT_COUNTY = 24
# How much confidence each doubt costs.
_NO_TOWN = 0.97
_AMBIGUOUS = 0.6
_ROOM_NOT_FOUND = 0.85
_ROAD_ONLY = 0.5


class MatchLevel(StrEnum):
    ROOM = "room"
    BUILDING = "building"
    ROAD = "road"
    NONE = "none"


class AddressMatch(NamedTuple):
    """The answer for one address. ``score`` is a confidence in [0, 1]; 1 = every part found exactly. A named
    tuple, the cheapest record to create once per query."""

    building_id: int | None
    room_id: int | None
    grid_code: str | None
    score: float
    level: MatchLevel
    parts: AddressParts

    def as_dict(self) -> dict[str, object]:
        return {
            "building_id": self.building_id,
            "room_id": self.room_id,
            "grid_code": self.grid_code,
            "score": round(self.score, 3),
            "level": self.level.value,
            "parts": self.parts.as_dict(),
        }


class AddressMatcher:
    """Matches addresses against one :class:`AddressIndex`; cheap to call from a loop (no I/O, no allocation of
    anything bigger than the answer)."""

    def __init__(self, index: AddressIndex) -> None:
        self.index = index
        self.towns = tuple(index.towns)
        self._town_ids = {name: at for at, name in enumerate(index.towns)}
        self._town_streets: list[list[str]] = [list(streets) for streets in index.street_by_town]
        self._town_street_ids: list[list[int]] = [list(streets.values()) for streets in index.street_by_town]
        self._all_street_ids = list(range(len(index.street_names)))
        self._landmarks_by_town: list[list[tuple[str, int]]] = [[] for _ in index.towns]
        for name, town, building in zip(
            index.landmark_names, index.landmark_towns.tolist(), index.landmark_ids.tolist(), strict=True
        ):
            self._landmarks_by_town[town].append((name, building))
        self._all_landmarks = [item for items in self._landmarks_by_town for item in items]

    def match(self, raw: str) -> AddressMatch:
        parts = parse_address(raw, towns=self.towns)
        town = self._town_ids.get(parts.town) if parts.town is not None else None
        confidence = 1.0 if town is not None else _NO_TOWN
        if parts.landmark is not None:
            found = self._landmark(parts, town)
            if found is not None:
                building, weight = found
                return self._answer(parts, building, None, confidence * weight, MatchLevel.BUILDING)
        if parts.street is None:
            return self._none(parts)
        exact = self._exact_streets(parts.street, town)
        # A street named exactly is worth a road-level answer even when its number is unknown; a corrected one
        # only when it has the number (otherwise the correction is a guess).
        road_weight = max((weight for _, weight in exact), default=0.0)
        for candidates in (exact, None):
            if candidates is None:
                candidates = self._fuzzy_streets(parts.street, town, exclude={street for street, _ in exact})
            hits: list[tuple[float, int, int]] = []
            for street, weight in candidates:
                on_street, street_has_number = self._building_on(street, parts)
                if on_street is not None:
                    hits.append((weight, on_street, street))
                elif street_has_number:
                    road_weight = max(road_weight, weight)
            if hits:
                if len(hits) > 1:
                    hits = [(w + self._agreement(street, b, parts), b, street) for w, b, street in hits]
                weight, building, _ = max(hits)
                return self._with_room(parts, building, confidence * min(weight, 1.0))
        estate = self._estate_building(parts, town)
        if estate is not None:
            building, weight = estate
            return self._with_room(parts, building, confidence * weight)
        if road_weight:
            return self._answer(parts, None, None, confidence * road_weight * _ROAD_ONLY, MatchLevel.ROAD)
        return self._none(parts)

    def _exact_streets(self, name: str, town: int | None) -> list[tuple[int, float]]:
        """Streets of exactly this name: in the town, or anywhere (each less sure when several towns have one)."""
        index = self.index
        if town is not None:
            exact = index.street_by_town[town].get(name)
            return [(exact, 1.0)] if exact is not None else []
        same = index.streets_by_name.get(name, [])
        return [(street, 1.0 if len(same) == 1 else _AMBIGUOUS) for street in same]

    def _fuzzy_streets(self, name: str, town: int | None, *, exclude: set[int]) -> list[tuple[int, float]]:
        """rapidfuzz corrections among the town's streets (the county's when no town is given), best first."""
        if town is not None:
            names, ids, limit = self._town_streets[town], self._town_street_ids[town], _FUZZY_LIMIT
        else:
            names, ids, limit = self.index.street_names, self._all_street_ids, _FUZZY_LIMIT_COUNTY
        found = process.extract(name, names, scorer=fuzz.ratio, limit=limit, score_cutoff=STREET_CUTOFF)
        return [(ids[at], 0.5 + score / 200) for _, score, at in found if ids[at] not in exclude]

    def _agreement(self, street: int, building: int, parts: AddressParts) -> float:
        """A small bonus, to choose among streets that all have the number: the estate's name agrees, the room
        exists. Never enough to lift a fuzzy street above an exact one."""
        index = self.index
        bonus = 0.0
        if parts.estate is not None and parts.number is not None:
            town = int(index.street_towns[street])
            estate = index.estates_by_town[town].get(parts.estate)
            if estate is not None and index.estate_gates[estate] == building_key(street, parts.number, 0):
                bonus += 0.002
        if parts.room is not None and index.room_id(building, parts.unit, parts.room) is not None:
            bonus += 0.001
        return bonus

    def _building_on(self, street: int, parts: AddressParts) -> tuple[int | None, bool]:
        """(building, whether the street and number exist) for a street candidate."""
        if parts.number is None:
            return None, False
        buildings = self.index.buildings
        found = buildings.get(building_key(street, parts.number, parts.building or 0))
        if found is not None:
            return found, True
        # 88号3幢 written without its estate block, or a block given to a single building: the number alone
        # (or block 1) tells whether the street at least has that number.
        gate = buildings.get(building_key(street, parts.number, 0)) or buildings.get(
            building_key(street, parts.number, 1)
        )
        return None, gate is not None

    def _estate_building(self, parts: AddressParts, town: int | None) -> tuple[int, float] | None:
        """An address by estate name without its road (锦绣花园3幢2单元302室)."""
        name = parts.estate or parts.street
        block = parts.building if parts.building is not None else parts.number
        if name is None or block is None:
            return None
        index = self.index
        if town is not None:
            estate = index.estates_by_town[town].get(name)
            estates = [estate] if estate is not None else []
        else:
            estates = index.estates_by_name.get(name, [])
        for estate in estates:
            building = index.buildings.get(int(index.estate_gates[estate]) | block)
            if building is not None:
                return building, 1.0 if len(estates) == 1 else _AMBIGUOUS
        return None

    def _landmark(self, parts: AddressParts, town: int | None) -> tuple[int, float] | None:
        index = self.index
        for text in (parts.text, parts.landmark):
            if text and text in index.landmarks:
                return index.landmarks[text], 1.0
        assert parts.landmark is not None
        choices = self._landmarks_by_town[town] if town is not None else self._all_landmarks
        best = process.extractOne(
            parts.landmark, [name for name, _ in choices], scorer=fuzz.ratio, score_cutoff=LANDMARK_CUTOFF
        )
        if best is None:
            return None
        return choices[best[2]][1], best[1] / 100

    def _with_room(self, parts: AddressParts, building: int, confidence: float) -> AddressMatch:
        if parts.room is None:
            return self._answer(parts, building, None, confidence, MatchLevel.BUILDING)
        room = self.index.room_id(building, parts.unit, parts.room)
        if room is None:
            return self._answer(parts, building, None, confidence * _ROOM_NOT_FOUND, MatchLevel.BUILDING)
        return self._answer(parts, building, room, confidence, MatchLevel.ROOM)

    def _answer(
        self, parts: AddressParts, building: int | None, room: int | None, score: float, level: MatchLevel
    ) -> AddressMatch:
        grid = self.index.grid_code(building) if building is not None else None
        return AddressMatch(building, room, grid, score, level, parts)

    @staticmethod
    def _none(parts: AddressParts) -> AddressMatch:
        return AddressMatch(None, None, None, 0.0, MatchLevel.NONE, parts)


def load_matcher(
    *, engine: Engine, cache_dir: Path | None = None, rebuild: bool = False
) -> tuple[AddressMatcher, IndexTiming]:
    """A matcher over the base data of ``engine``: the cached index when the tables have not changed since it was
    written (under <data_dir>/cache unless told otherwise), else a fresh build written to the cache."""
    index, timing = load_or_build(engine=engine, cache_dir=cache_dir or default_cache_dir(), rebuild=rebuild)
    return AddressMatcher(index), timing
