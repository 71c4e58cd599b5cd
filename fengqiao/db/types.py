"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Dialect, String
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware moment. PostgreSQL keeps the zone; SQLite stores UTC and we re-attach it on read."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store timezone-aware moments only")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def ordered_text(length: int) -> String:
    """Text compared by code point on every backend, so prefix ranges (``p <= x < p + '~'``) mean "starts with".

    SQLite compares by code point already; PostgreSQL databases created with a locale (zh_CN.UTF-8, en_US.UTF-8)
    would otherwise order by linguistic rules that ignore punctuation such as the "/" of jurisdiction paths.
    """
    return String(length).with_variant(String(length, collation="C"), "postgresql")
