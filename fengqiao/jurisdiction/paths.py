"""Jurisdiction paths ("331081/331081100/…/"): "under this unit" is a prefix match, written index-friendly."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_
from sqlalchemy.orm import InstrumentedAttribute

# Paths hold digits, capital letters and "/": every character sorts below "~", so [p, p + "~") is the prefix range.
_AFTER_ANY_PATH_CHAR = "~"


def under_path(column: InstrumentedAttribute[str], path: str) -> ColumnElement[bool]:
    """``column`` starts with ``path`` — as a range, which both SQLite and PostgreSQL answer from a b-tree index."""
    return and_(column >= path, column < path + _AFTER_ANY_PATH_CHAR)
