from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, inspect, select
from sqlalchemy.orm import Session

from fengqiao.db import migrate
from fengqiao.db.models import Base
from fengqiao.duty.models import Staff


def test_upgrade_from_empty_creates_every_model_table(isolated_engine: Engine) -> None:
    migrate.upgrade(isolated_engine)
    tables = set(inspect(isolated_engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert migrate.current_revision(isolated_engine) == migrate.head_revision(isolated_engine)


def test_downgrade_to_base_removes_tables_and_upgrade_again_works(isolated_engine: Engine) -> None:
    migrate.upgrade(isolated_engine)
    migrate.downgrade(isolated_engine, "base")
    remaining = set(inspect(isolated_engine).get_table_names()) - {"alembic_version"}
    assert remaining == set()
    assert migrate.current_revision(isolated_engine) is None
    migrate.upgrade(isolated_engine)
    assert set(Base.metadata.tables) <= set(inspect(isolated_engine).get_table_names())


def test_models_and_migrations_agree(engine: Engine) -> None:
    """A model change without a migration would show up here as a non-empty autogenerate diff."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_times_are_stored_timezone_aware(db: Session) -> None:
    moment = datetime(2026, 10, 1, 8, 30, tzinfo=timezone(timedelta(hours=8)))
    staff = Staff(county_code="331081", username="tz-check", full_name="时区", created_at=moment)
    db.add(staff)
    db.flush()
    db.expire_all()
    stored = db.scalars(select(Staff.created_at).where(Staff.username == "tz-check")).one()
    assert stored.tzinfo is not None
    assert stored == moment
    assert stored.astimezone(UTC).hour == 0


def test_naive_datetimes_are_refused(db: Session) -> None:
    db.add(Staff(county_code="331081", username="naive", full_name="无时区", created_at=datetime(2026, 1, 1)))
    with pytest.raises(Exception, match="naive"):
        db.flush()
