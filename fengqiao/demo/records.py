"""What the generator hands to a sink: batches of plain row tuples for one table, ids already assigned."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

# The demo's tables in the order they are filled, parents first.
TABLES = ("units", "staff", "duty_assignments", "buildings", "rooms", "residents", "rentals", "enterprises")
# Rows carry a fixed creation moment rather than the clock's, so one seed always yields the same rows.
DEMO_CREATED_AT = datetime(2025, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Batch:
    table: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]

    def __len__(self) -> int:
        return len(self.rows)


class RowSink(Protocol):
    """Where generated rows go: a database loader, a digest, a counter."""

    def write(self, batch: Batch) -> None: ...


class IdCounter:
    """Explicit ids, handed out in generation order so children can name their parents without a round trip."""

    def __init__(self) -> None:
        self._next: dict[str, int] = {}

    def take(self, table: str, count: int) -> int:
        """Reserve ``count`` ids for ``table`` and return the first."""
        first = self._next.get(table, 1)
        self._next[table] = first + count
        return first
