"""Test databases: one per test session (and per xdist worker), migrated from empty; each test runs inside a
transaction that is rolled back. Set FENGQIAO_TEST_DATABASE_URL to a PostgreSQL URL to run on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from fengqiao.db import migrate
from fengqiao.db.engine import make_engine
from tests import factories

TEST_DATABASE_URL = os.environ.get("FENGQIAO_TEST_DATABASE_URL", "")


def _create_postgres_database(base_url: str, name: str) -> str:
    url = make_url(base_url).set(drivername="postgresql+psycopg")
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def _drop_postgres_database(base_url: str, name: str) -> None:
    url = make_url(base_url).set(drivername="postgresql+psycopg")
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def database_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[], str]]:
    """Makes empty databases of the backend under test and removes them at the end of the session."""
    created: list[str] = []

    def create() -> str:
        name = f"fengqiao_test_{uuid.uuid4().hex[:12]}"
        if TEST_DATABASE_URL.startswith("postgresql"):
            created.append(name)
            return _create_postgres_database(TEST_DATABASE_URL, name)
        path = Path(tmp_path_factory.mktemp("db")) / f"{name}.db"
        return f"sqlite:///{path}"

    yield create
    for name in created:
        _drop_postgres_database(TEST_DATABASE_URL, name)


@pytest.fixture(scope="session")
def engine(database_factory: Callable[[], str]) -> Iterator[Engine]:
    """The shared test database, migrated to head through Alembic (so every test also exercises migrations)."""
    db_engine = make_engine(database_factory())
    migrate.upgrade(db_engine)
    yield db_engine
    db_engine.dispose()


@pytest.fixture
def isolated_engine(database_factory: Callable[[], str]) -> Iterator[Engine]:
    """A database of the test's own, not yet migrated — for migration, concurrency and crash tests."""
    db_engine = make_engine(database_factory())
    yield db_engine
    db_engine.dispose()


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A session inside a transaction rolled back after the test; commits inside become savepoints."""
    connection = engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    factories.bind(session)
    try:
        yield session
    finally:
        factories.bind(None)
        session.close()
        if transaction.is_active:
            transaction.rollback()
        connection.close()


# The demo county most tests can read: seeded once per session (and xdist worker) into a database of its own.
SEEDED_SCALE = 0.01
SEEDED_SEED = 20231


@pytest.fixture(scope="session")
def seeded_engine(database_factory: Callable[[], str]) -> Iterator[Engine]:
    """A migrated database holding the demo county at SEEDED_SCALE (seed SEEDED_SEED). Read it; do not write."""
    from fengqiao.demo.seeding import seed_demo_county

    db_engine = make_engine(database_factory())
    seed_demo_county(engine=db_engine, scale=SEEDED_SCALE, seed=SEEDED_SEED)
    yield db_engine
    db_engine.dispose()
