"""The in-memory address index, built from the buildings and rooms tables and cached to a file.

Layout (all compact, all loaded from one ``.npz`` without pickle):
- streets (roads and villages) per town, as normalised names;
- buildings keyed by street id << 32 | house number << 8 | block number (0 outside estates);
- rooms keyed by building id << 24 | unit << 16 | room number, sorted, for a binary search — a dictionary of
  2.2 M rooms would cost ten times the memory and seconds to rebuild on every load;
- estates (town, name) → their gate (street, number), landmarks (Building.name) → building;
- each building's grid code.
"""

from __future__ import annotations

import hashlib
import time
from array import array
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Connection, Engine, func, select

from fengqiao.basedata.models import Building, Room
from fengqiao.jurisdiction.models import Unit
from fengqiao.triage.address.parse import normalize_name

# Bumped whenever the layout changes, so an old cache is never read as a new one.
FORMAT_VERSION = 1
_ROOM_LIMIT = 1 << 16
_UNIT_LIMIT = 1 << 8
_BATCH = 50_000


def building_key(street: int, number: int, block: int) -> int:
    return (street << 32) | (number << 8) | block


def room_key(building_id: int, unit: int, room: int) -> int:
    return (building_id << 24) | (unit << 16) | room


@dataclass
class AddressIndex:
    """What the matcher looks addresses up in. Build with :func:`build_index` or :func:`load_or_build`."""

    towns: list[str]
    street_names: list[str]
    street_towns: NDArray[np.int32]
    building_keys: NDArray[np.int64]
    building_key_ids: NDArray[np.int64]
    building_ids: NDArray[np.int64]
    building_grids: NDArray[np.int32]
    grid_codes: list[str]
    room_keys: NDArray[np.int64]
    room_ids: NDArray[np.int64]
    estate_names: list[str]
    estate_towns: NDArray[np.int32]
    estate_gates: NDArray[np.int64]
    landmark_names: list[str]
    landmark_towns: NDArray[np.int32]
    landmark_ids: NDArray[np.int64]
    # Derived on load: dictionaries for the lookups made on every query.
    street_by_town: list[dict[str, int]] = field(init=False)
    streets_by_name: dict[str, list[int]] = field(init=False)
    buildings: dict[int, int] = field(init=False)
    estates_by_town: list[dict[str, int]] = field(init=False)
    estates_by_name: dict[str, list[int]] = field(init=False)
    landmarks: dict[str, int] = field(init=False)
    grids: dict[int, int] = field(init=False)
    # The same room keys and ids as plain machine-integer arrays: bisect on them costs a fraction of a
    # numpy.searchsorted call on a single value.
    _room_key_list: array[int] = field(init=False)
    _room_id_list: array[int] = field(init=False)

    def __post_init__(self) -> None:
        self._room_key_list = array("q", self.room_keys.astype(np.int64).tobytes())
        self._room_id_list = array("q", self.room_ids.astype(np.int64).tobytes())
        self.grids = dict(zip(self.building_ids.tolist(), self.building_grids.tolist(), strict=True))
        self.street_by_town = [{} for _ in self.towns]
        self.streets_by_name = defaultdict(list)
        for street, (name, town) in enumerate(zip(self.street_names, self.street_towns.tolist(), strict=True)):
            self.street_by_town[town][name] = street
            self.streets_by_name[name].append(street)
        self.buildings = dict(zip(self.building_keys.tolist(), self.building_key_ids.tolist(), strict=True))
        self.estates_by_town = [{} for _ in self.towns]
        self.estates_by_name = defaultdict(list)
        for estate, (name, town) in enumerate(zip(self.estate_names, self.estate_towns.tolist(), strict=True)):
            self.estates_by_town[town][name] = estate
            self.estates_by_name[name].append(estate)
        self.landmarks = {}
        for name, building in zip(self.landmark_names, self.landmark_ids.tolist(), strict=True):
            self.landmarks.setdefault(name, building)

    @property
    def room_count(self) -> int:
        return len(self.room_ids)

    @property
    def building_count(self) -> int:
        return len(self.building_ids)

    def grid_code(self, building_id: int) -> str | None:
        grid = self.grids.get(building_id)
        return self.grid_codes[grid] if grid is not None else None

    def room_id(self, building_id: int, unit: int | None, room: str) -> int | None:
        """The room, or None. Rooms of buildings without stair units are keyed with unit 0."""
        if not room.isdigit() or int(room) >= _ROOM_LIMIT or (unit or 0) >= _UNIT_LIMIT:
            return None
        number = int(room)
        keys = self._room_key_list
        key = room_key(building_id, unit or 0, number)
        at = bisect_left(keys, key)
        if at < len(keys) and keys[at] == key:
            return self._room_id_list[at]
        if unit is not None:
            return None
        # No unit given for a building that has units: the room number must then be unique in the building.
        low = bisect_left(keys, room_key(building_id, 0, 0))
        high = bisect_left(keys, room_key(building_id + 1, 0, 0), low)
        hits = [at for at in range(low, high) if keys[at] & (_ROOM_LIMIT - 1) == number]
        return self._room_id_list[hits[0]] if len(hits) == 1 else None

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial.npz")
        arrays: dict[str, NDArray[np.generic]] = {name: getattr(self, name) for name in _ARRAYS}
        arrays.update({name: np.array(getattr(self, name), dtype=np.str_) for name in _TEXTS})
        np.savez(partial, allow_pickle=False, **arrays)
        partial.replace(path)  # readers never see half a file

    @classmethod
    def load(cls, path: Path) -> AddressIndex:
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: data[name] for name in _ARRAYS}
            texts = {name: data[name].tolist() for name in _TEXTS}
        return cls(**arrays, **texts)


_ARRAYS = (
    "street_towns", "building_keys", "building_key_ids", "building_ids", "building_grids", "room_keys", "room_ids",
    "estate_towns", "estate_gates", "landmark_towns", "landmark_ids",
)  # fmt: skip
_TEXTS = ("towns", "street_names", "grid_codes", "estate_names", "landmark_names")


def table_signature(*, engine: Engine) -> str:
    """Row counts and largest ids of the tables the index reads: they change whenever the base data is reseeded
    or edited by inserts and deletes. (An in-place UPDATE of an address is not seen; `--rebuild` covers it.)"""
    parts: list[str] = [f"v{FORMAT_VERSION}", engine.dialect.name]
    with engine.connect() as connection:
        for table in (Building, Room, Unit):
            count, largest = connection.execute(select(func.count(), func.max(table.id))).one()
            parts.append(f"{table.__tablename__}:{count}:{largest}")
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:16]


def _town_of(address: str, road: str, number: int, estate: str | None, block: int | None) -> str:
    """The town is what the standard address has before its street (泽国镇文昌路88号… → 泽国镇)."""
    tail = f"{road}{number}号" + (f"{estate}{block}幢" if estate is not None else "")
    return address[: len(address) - len(tail)] if address.endswith(tail) else ""


def build_index(*, engine: Engine) -> AddressIndex:
    """Stream the tables with Core selects (no ORM objects) into the index."""
    towns: dict[str, int] = {}
    streets: dict[tuple[int, str], int] = {}
    estates: dict[tuple[int, str], int] = {}
    estate_gates: list[int] = []
    landmarks: list[tuple[str, int, int]] = []
    keys: list[int] = []
    key_ids: list[int] = []
    ids: list[int] = []
    grid_ids: list[int] = []
    with engine.connect() as connection:
        grid_codes_by_id = dict(connection.execute(select(Unit.id, Unit.code)).all())
        result = connection.execution_options(stream_results=True, yield_per=_BATCH).execute(
            select(
                Building.id, Building.grid_id, Building.road, Building.house_number, Building.estate,
                Building.building_no, Building.name, Building.standard_address,
            ).order_by(Building.id)
        )  # fmt: skip
        # Roads and estates repeat over thousands of buildings: normalise each name once.
        normalized: dict[str, str] = {}
        for building, grid, road, number, estate, block, name, address in result:
            town = towns.setdefault(_town_of(address, road, number, estate, block), len(towns))
            road_name = normalized.get(road) or normalized.setdefault(road, normalize_name(road))
            street = streets.setdefault((town, road_name), len(streets))
            ids.append(building)
            grid_ids.append(grid)
            keys.append(building_key(street, number, block or 0))
            key_ids.append(building)
            if estate is not None:
                estate_name = normalized.get(estate) or normalized.setdefault(estate, normalize_name(estate))
                estate_id = estates.setdefault((town, estate_name), len(estates))
                if estate_id == len(estate_gates):
                    estate_gates.append(building_key(street, number, 0))
            if name:
                landmarks.append((normalize_name(name), town, building))
        room_keys, room_ids = _room_arrays(connection)
    grid_list = sorted(set(grid_ids))
    grid_position = {grid: at for at, grid in enumerate(grid_list)}
    building_ids = np.array(ids, dtype=np.int64)
    order = np.argsort(building_ids, kind="stable")
    return AddressIndex(
        towns=list(towns),
        street_names=[name for _, name in streets],
        street_towns=np.array([town for town, _ in streets], dtype=np.int32),
        building_keys=np.array(keys, dtype=np.int64),
        building_key_ids=np.array(key_ids, dtype=np.int64),
        building_ids=building_ids[order],
        building_grids=np.array([grid_position[g] for g in grid_ids], dtype=np.int32)[order],
        grid_codes=[str(grid_codes_by_id.get(g, "")) for g in grid_list],
        room_keys=room_keys,
        room_ids=room_ids,
        estate_names=[name for _, name in estates],
        estate_towns=np.array([town for town, _ in estates], dtype=np.int32),
        estate_gates=np.array(estate_gates, dtype=np.int64),
        landmark_names=[name for name, _, _ in landmarks],
        landmark_towns=np.array([town for _, town, _ in landmarks], dtype=np.int32),
        landmark_ids=np.array([building for _, _, building in landmarks], dtype=np.int64),
    )


def _room_arrays(connection: Connection) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    chunks_keys: list[NDArray[np.int64]] = []
    chunks_ids: list[NDArray[np.int64]] = []
    result = connection.execution_options(stream_results=True, yield_per=_BATCH).execute(
        select(Room.id, Room.building_id, Room.unit_no, Room.room_no)
    )
    for partition in result.partitions():
        room_ids, buildings, units, numbers = zip(*partition, strict=True)
        # Room numbers that are not small integers (none in the demo) cannot be keyed and are left out.
        rooms = np.array([int(n) if n.isdigit() and len(n) < 6 else -1 for n in numbers], dtype=np.int64)
        unit_array = np.array([u or 0 for u in units], dtype=np.int64)
        keep = (rooms >= 0) & (rooms < _ROOM_LIMIT) & (unit_array < _UNIT_LIMIT)
        building_array = np.array(buildings, dtype=np.int64)
        chunks_keys.append(((building_array << 24) | (unit_array << 16) | rooms)[keep])
        chunks_ids.append(np.array(room_ids, dtype=np.int64)[keep])
    if not chunks_keys:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    keys = np.concatenate(chunks_keys)
    order = np.argsort(keys, kind="stable")
    return keys[order], np.concatenate(chunks_ids)[order]


@dataclass(frozen=True)
class IndexTiming:
    """How the index was obtained: ``source`` is "cache" or "built"."""

    source: str
    seconds: float
    path: Path


def cache_path(*, engine: Engine, cache_dir: Path) -> Path:
    return cache_dir / f"address-index-{table_signature(engine=engine)}.npz"


def load_or_build(*, engine: Engine, cache_dir: Path, rebuild: bool = False) -> tuple[AddressIndex, IndexTiming]:
    """The cached index for the tables as they are now, else a fresh build written to the cache."""
    started = time.perf_counter()
    path = cache_path(engine=engine, cache_dir=cache_dir)
    if path.exists() and not rebuild:
        try:
            index = AddressIndex.load(path)
            return index, IndexTiming("cache", time.perf_counter() - started, path)
        except (OSError, ValueError, KeyError):
            pass  # a damaged cache is rebuilt below
    index = build_index(engine=engine)
    index.save(path)
    return index, IndexTiming("built", time.perf_counter() - started, path)


def default_cache_dir() -> Path:
    from fengqiao.config import get_settings

    return get_settings().data_dir / "cache"
