"""A fingerprint of a demo county: SHA-256 over every generated row, computed either while generating (a sink)
or by reading the tables back — equal fingerprints mean identical rows."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, select

from fengqiao.db.models import Base
from fengqiao.demo.buildings import BUILDING_COLUMNS
from fengqiao.demo.county import UNIT_COLUMNS
from fengqiao.demo.enterprises import ENTERPRISE_COLUMNS
from fengqiao.demo.population import RESIDENT_COLUMNS
from fengqiao.demo.records import TABLES, Batch
from fengqiao.demo.rentals import RENTAL_COLUMNS
from fengqiao.demo.rooms import ROOM_COLUMNS
from fengqiao.demo.roster import ASSIGNMENT_COLUMNS, STAFF_COLUMNS

GENERATED_COLUMNS: dict[str, tuple[str, ...]] = {
    "units": UNIT_COLUMNS,
    "staff": STAFF_COLUMNS,
    "duty_assignments": ASSIGNMENT_COLUMNS,
    "buildings": BUILDING_COLUMNS,
    "rooms": ROOM_COLUMNS,
    "residents": RESIDENT_COLUMNS,
    "rentals": RENTAL_COLUMNS,
    "enterprises": ENTERPRISE_COLUMNS,
}


def _encode(value: Any) -> str:
    match value:
        case None:
            return "∅"
        case bool():
            return "1" if value else "0"
        case bytes() | memoryview():
            return bytes(value).hex()
        case datetime():
            return value.isoformat()
        case date():
            return value.isoformat()
        case float():
            return repr(value)
        case _:
            return str(value)


def _row_bytes(row: tuple[Any, ...]) -> bytes:
    return ("\x1f".join(_encode(value) for value in row) + "\x1e").encode()


class DigestSink:
    """A sink that only hashes: same seed, same digest — without a database."""

    def __init__(self) -> None:
        self._hashes = {table: hashlib.sha256() for table in TABLES}

    def write(self, batch: Batch) -> None:
        if batch.columns != GENERATED_COLUMNS[batch.table]:
            raise ValueError(f"unexpected columns for {batch.table}")
        digest = self._hashes[batch.table]
        for row in batch.rows:
            digest.update(_row_bytes(row))

    def table_digests(self) -> dict[str, str]:
        return {table: digest.hexdigest() for table, digest in self._hashes.items()}


def database_digests(engine: Engine) -> dict[str, str]:
    """The same digests, read back from the database in id order."""
    digests = {}
    with engine.connect() as connection:
        for name in TABLES:
            table = Base.metadata.tables[name]
            columns = [table.columns[column] for column in GENERATED_COLUMNS[name]]
            digest = hashlib.sha256()
            result = connection.execution_options(yield_per=20_000).execute(select(*columns).order_by(table.c.id))
            for row in result:
                digest.update(_row_bytes(tuple(row)))
            digests[name] = digest.hexdigest()
    return digests
