from __future__ import annotations

from sqlalchemy import Engine

from fengqiao.demo.digest import DigestSink, database_digests
from fengqiao.demo.pipeline import generate_county
from tests.conftest import SEEDED_SCALE, SEEDED_SEED


def _digests(*, scale: float, seed: int) -> dict[str, str]:
    sink = DigestSink()
    generate_county(scale=scale, seed=seed, sink=sink)
    return sink.table_digests()


def test_same_seed_same_county_different_seed_different_county() -> None:
    first = _digests(scale=0.005, seed=42)
    assert _digests(scale=0.005, seed=42) == first
    other = _digests(scale=0.005, seed=43)
    assert all(other[table] != first[table] for table in first), other


def test_the_database_holds_exactly_the_generated_rows(seeded_engine: Engine) -> None:
    """The bulk loader (executemany on SQLite, COPY on PostgreSQL) writes the rows unchanged."""
    assert database_digests(seeded_engine) == _digests(scale=SEEDED_SCALE, seed=SEEDED_SEED)
