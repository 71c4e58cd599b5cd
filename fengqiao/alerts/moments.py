"""Moments on the hot path of intake, converted by us rather than per value by SQLAlchemy's type machinery.

Reading 1,000 groups × 6 timestamps through ``UTCDateTime`` (a regex parse on SQLite, then a time-zone fix) cost more
than the query itself; the same values read as text and parsed with ``datetime.fromisoformat`` (C) cost a tenth.
Writing is the mirror image. The stored form is exactly what ``UTCDateTime`` stores — on SQLite UTC text in
SQLAlchemy's DATETIME format, on PostgreSQL a timestamptz — so every other reader sees the same values.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

# On SQLite, UTCDateTime stores UTC text in SQLAlchemy's DATETIME format "%Y-%m-%d %H:%M:%S.%f"
# (sqlalchemy.dialects.sqlite.DATETIME); ``to_sqlite`` below writes exactly that.


def read(value: Any) -> datetime | None:
    """A timestamp as the driver returns it (text on SQLite, a datetime on PostgreSQL), as an aware UTC datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    moment: datetime = value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def writer(session: Session) -> Callable[[datetime | None], Any]:
    """How to pass an aware datetime straight to this database's driver (statements sent with ``exec_driver_sql``)."""
    if session.get_bind().dialect.name == "sqlite":
        # Per writer (one batch's statement): a batch repeats few distinct moments — its server time, the due
        # moments derived from it, the devices' clocks — so each is converted once.
        done: dict[datetime, str] = {}

        def to_sqlite(moment: datetime | None) -> Any:
            if moment is None:
                return None
            text = done.get(moment)
            if text is None:
                # isoformat is several times faster than strftime and gives the same text with these arguments.
                text = done[moment] = moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
            return text

        return to_sqlite

    def to_driver(moment: datetime | None) -> Any:
        return None if moment is None else moment.astimezone(UTC)

    return to_driver
