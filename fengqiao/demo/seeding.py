"""Seeding a database with the demo county: migrate, refuse to overwrite (unless told to replace), generate
and bulk-load everything in one transaction — a failed seed leaves the database as it was."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, Table, func, select, text

from fengqiao.core.errors import Conflict
from fengqiao.db import migrate
from fengqiao.db.models import Base
from fengqiao.demo import devices as demo_devices
from fengqiao.demo.loader import make_loader
from fengqiao.demo.records import TABLES
from fengqiao.jurisdiction.models import Unit

if TYPE_CHECKING:
    from fengqiao.demo.pipeline import Listener, SeedReport


class DemoCountyExists(Conflict):
    code = "demo_county_exists"


def unit_count(engine: Engine) -> int:
    with engine.connect() as connection:
        return _unit_count(connection)


def _unit_count(connection: Connection) -> int:
    return int(connection.execute(select(func.count()).select_from(Unit)).scalar_one())


def tables_to_clear() -> list[Table]:
    """The demo's tables and every table that refers to them, directly or not — children first."""
    doomed = {Base.metadata.tables[name] for name in TABLES}
    grown = True
    while grown:
        referring = {
            table
            for table in Base.metadata.tables.values()
            if table not in doomed and any(fk.column.table in doomed for fk in table.foreign_keys)
        }
        doomed |= referring
        grown = bool(referring)
    return [table for table in reversed(Base.metadata.sorted_tables) if table in doomed]


def clear_demo_data(connection: Connection) -> None:
    tables = tables_to_clear()
    if connection.dialect.name == "postgresql":
        connection.execute(text("TRUNCATE " + ", ".join(f'"{table.name}"' for table in tables)))
        return
    for table in tables:
        connection.execute(table.delete())


def seed_demo_county(
    *, engine: Engine, scale: float, seed: int, replace: bool = False, listener: Listener | None = None
) -> SeedReport:
    """Generate the demo county into ``engine``'s database; raises ``DemoCountyExists`` if it has units and
    ``replace`` is false. With ``replace``, the base data (and whatever refers to it) is deleted first."""
    from fengqiao.demo.pipeline import generate_county

    migrate.upgrade(engine)
    with engine.connect() as connection, connection.begin():
        if _unit_count(connection):
            if not replace:
                raise DemoCountyExists("数据库中已有行政区划数据；如需重新生成请使用 --replace（将删除现有基础数据）")
            clear_demo_data(connection)
        loader = make_loader(connection)
        try:
            report = generate_county(scale=scale, seed=seed, sink=loader, listener=listener)
            loader.finish()
            demo_devices.seed_into(connection, scale=scale, seed=seed)
        finally:
            loader.close()
    return report


def ensure_demo_county(
    *, engine: Engine, scale: float, seed: int, listener: Listener | None = None
) -> SeedReport | None:
    """Seed only an empty database; a database with units is left alone (and this returns at once)."""
    migrate.upgrade(engine)
    if unit_count(engine):
        demo_devices.ensure_demo_devices(engine=engine, scale=scale, seed=seed)
        return None
    return seed_demo_county(engine=engine, scale=scale, seed=seed, listener=listener)
