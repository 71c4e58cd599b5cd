"""A deterministic sample of standard addresses with their ids: the input of `fengqiao address export`, the tests'
ground truth and the benchmark's queries."""

from __future__ import annotations

import random
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, func, select

from fengqiao.basedata.models import Building, Room

# Most addresses people give are of homes: four rooms for every building in the sample.
ROOM_SHARE = 0.8
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class StandardAddress:
    address: str
    building_id: int
    room_id: int | None

    def as_dict(self) -> dict[str, object]:
        return {"address": self.address, "building_id": self.building_id, "room_id": self.room_id}


def sample_standard_addresses(*, engine: Engine, count: int, seed: int) -> list[StandardAddress]:
    """``count`` distinct addresses (rooms and buildings, ROOM_SHARE of them rooms), the same for the same seed
    and tables. Ids are drawn between the smallest and largest id, so nothing reads a whole table."""
    rng = random.Random(seed)
    rooms = round(count * ROOM_SHARE)
    with engine.connect() as connection:
        room_rows = _draw(connection, Room, rooms, rng)
        building_rows = _draw(connection, Building, count - len(room_rows), rng)
    picked = [StandardAddress(address, building, room) for room, building, address in room_rows]
    picked += [StandardAddress(address, building, None) for building, _, address in building_rows]
    rng.shuffle(picked)
    return picked


def _draw(
    connection: Connection, table: type[Room] | type[Building], count: int, rng: random.Random
) -> list[tuple[int, int, str]]:
    """(id, building id, standard address) of ``count`` rows drawn at random ids (gaps are drawn again)."""
    if count <= 0:
        return []
    total, low, high = connection.execute(select(func.count(), func.min(table.id), func.max(table.id))).one()
    if not total:
        return []
    wanted = min(count, total)
    building_column = Room.building_id if table is Room else Building.id
    found: dict[int, tuple[int, int, str]] = {}
    tried: set[int] = set()
    span = high - low + 1
    while len(found) < wanted and len(tried) < span:
        ids = [i for i in (rng.randint(low, high) for _ in range(wanted - len(found))) if i not in tried]
        tried.update(ids)
        for start in range(0, len(ids), _CHUNK):
            chunk = sorted(set(ids[start : start + _CHUNK]))
            rows = connection.execute(
                select(table.id, building_column, table.standard_address).where(table.id.in_(chunk))
            )
            for row in rows:
                found[row[0]] = (row[0], row[1], row[2])
    # In the order the ids were drawn would depend on the chunking; sorted by id it depends on the seed alone.
    return [found[i] for i in sorted(found)][:wanted]
