"""Bulk loading of generated batches into the database, inside the caller's transaction.

SQLite: the Core ``insert()`` of the table, executed with the driver's executemany in 10,000-row chunks. Rows go
as tuples after each column type's own bind processor — the values Core itself would send, without its per-row
dictionary handling, which halves the cost. PostgreSQL: binary ``COPY`` through psycopg. Ids come with the rows;
on PostgreSQL each table's id sequence is moved past them afterwards so later ORM inserts do not collide."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from sqlalchemy import (
    Boolean,
    Connection,
    Date,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Table,
    insert,
    text,
)
from sqlalchemy.types import TypeDecorator, TypeEngine

from fengqiao.db.models import Base
from fengqiao.demo.records import Batch

CHUNK_ROWS = 10_000
# Page cache while loading: random-order index inserts (names, phones, ID numbers) need it far more than the
# default 2 MiB. Negative = KiB.
SQLITE_LOAD_CACHE_KIB = 262_144


class Loader(Protocol):
    def write(self, batch: Batch) -> None: ...

    def finish(self) -> None:
        """After the last batch, before commit."""

    def close(self) -> None:
        """Always, even after a failure: put the connection back as it was."""


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def _check_columns(table: Table, columns: Sequence[str]) -> None:
    unknown = set(columns) - set(table.columns.keys())
    if unknown:
        raise ValueError(f"{table.name} has no column {sorted(unknown)}")


class SqliteLoader:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        connection.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_LOAD_CACHE_KIB}")

    def write(self, batch: Batch) -> None:
        table = _table(batch.table)
        _check_columns(table, batch.columns)
        dialect = self.connection.dialect
        statement = insert(table).compile(dialect=dialect, column_keys=list(batch.columns))
        parameters = list(statement.positiontup or ())
        convert = _row_converter(
            [batch.columns.index(name) for name in parameters],
            [table.columns[name].type.dialect_impl(dialect).bind_processor(dialect) for name in parameters],
        )
        sql = str(statement)
        for start in range(0, len(batch.rows), CHUNK_ROWS):
            chunk = batch.rows[start : start + CHUNK_ROWS]
            self.connection.exec_driver_sql(sql, chunk if convert is None else [convert(row) for row in chunk])

    def finish(self) -> None:
        return None

    def close(self) -> None:
        self.connection.exec_driver_sql("PRAGMA cache_size=-2000")


def _row_converter(
    positions: list[int], processors: list[Callable[[Any], Any] | None]
) -> Callable[[tuple[Any, ...]], tuple[Any, ...]] | None:
    """Row → driver parameters: reordered to the statement's parameter order, each through its processor."""
    if positions == list(range(len(positions))) and not any(processors):
        return None
    steps = list(zip(positions, processors, strict=True))

    def convert(row: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(row[index] if process is None else process(row[index]) for index, process in steps)

    return convert


_PG_TYPES: tuple[tuple[type[TypeEngine[Any]], str], ...] = (
    (SmallInteger, "int2"),
    (Integer, "int4"),
    (Float, "float8"),
    (Boolean, "bool"),
    (Date, "date"),
    (String, "varchar"),
    (LargeBinary, "bytea"),
)


def _pg_type(column_type: TypeEngine[Any]) -> str:
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    if isinstance(column_type, DateTime):
        return "timestamptz" if column_type.timezone else "timestamp"
    for python_type, name in _PG_TYPES:
        if isinstance(column_type, python_type):
            return name
    raise TypeError(f"no COPY type for {column_type!r}")


class PostgresLoader:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.tables: list[str] = []

    def write(self, batch: Batch) -> None:
        table = _table(batch.table)
        _check_columns(table, batch.columns)
        if batch.table not in self.tables:
            self.tables.append(batch.table)
        if not batch.rows:
            return
        columns = [table.columns[name] for name in batch.columns]
        # Column types that are ours (TypeDecorator) convert in Python, as Core would before binding.
        decorators = [
            (index, column.type) for index, column in enumerate(columns) if isinstance(column.type, TypeDecorator)
        ]
        dialect = self.connection.dialect
        names = ", ".join(f'"{column.name}"' for column in columns)
        cursor = self.connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN (FORMAT BINARY)') as copy:
            copy.set_types([_pg_type(column.type) for column in columns])
            for row in batch.rows:
                if decorators:
                    values = list(row)
                    for index, decorator in decorators:
                        values[index] = decorator.process_bind_param(values[index], dialect)
                    row = tuple(values)
                copy.write_row(row)

    def close(self) -> None:
        return None

    def finish(self) -> None:
        for name in self.tables:
            self.connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f'COALESCE((SELECT MAX(id) FROM "{name}"), 0) + 1, false)'
                )
            )


def make_loader(connection: Connection) -> Loader:
    if connection.dialect.name == "sqlite":
        return SqliteLoader(connection)
    if connection.dialect.name == "postgresql":
        return PostgresLoader(connection)
    raise ValueError(f"no bulk loader for {connection.dialect.name}")
