"""WAL checkpoints from a thread of their own: the writer's connections never checkpoint inside a commit, and what
they commit still reaches the database file."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, text

from fengqiao.db.checkpoints import Checkpointer
from fengqiao.db.engine import make_engine


def _wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


def _write_pages(engine: Engine, rows: int) -> None:
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS filler (id INTEGER PRIMARY KEY, body TEXT)"))
        connection.execute(
            text("INSERT INTO filler (body) VALUES (:body)"), [{"body": f"{n:08d}" * 120} for n in range(rows)]
        )


def _autocheckpoint(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one())


def test_commits_wake_the_checkpoint_thread_and_reach_the_database_file(tmp_path: Path) -> None:
    path = tmp_path / "wal.db"
    engine = make_engine(f"sqlite:///{path}")
    checkpointer = Checkpointer(engine)
    assert Checkpointer.applies(engine)
    checkpointer.start(wake_on_commit=True)
    try:
        assert _autocheckpoint(engine) == 0  # no commit of this engine checkpoints by itself
        _write_pages(engine, 1)
        _wait_for(lambda: checkpointer.runs >= 1)
        before = path.stat().st_size
        runs = checkpointer.runs
        _write_pages(engine, 4_000)  # about 4 MB, far past the automatic checkpoint's 1,000 pages
        _wait_for(lambda: checkpointer.runs > runs and path.stat().st_size > before + 3_000_000)
    finally:
        checkpointer.stop()
    engine.dispose()
    assert _autocheckpoint(engine) == 1000  # connections opened after stop() checkpoint as usual again
    engine.dispose()


def test_without_the_thread_the_same_commits_stay_in_the_wal(tmp_path: Path) -> None:
    """The control: with automatic checkpoints off and no thread, the file does not grow — so the test above
    measures the thread's work."""
    path = tmp_path / "wal.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_autocheckpoint=0")
        connection.exec_driver_sql("CREATE TABLE filler (id INTEGER PRIMARY KEY, body TEXT)")
        connection.commit()
        before = path.stat().st_size
        connection.execute(
            text("INSERT INTO filler (body) VALUES (:body)"), [{"body": f"{n:08d}" * 120} for n in range(4_000)]
        )
        connection.commit()
        assert path.stat().st_size < before + 1_000_000
        assert Path(f"{path}-wal").stat().st_size > 3_000_000
    engine.dispose()


def test_the_server_checkpoints_its_own_sqlite_file(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from fengqiao.config import Settings
    from fengqiao.db import migrate
    from fengqiao.web.app import create_app

    url = f"sqlite:///{tmp_path / 'served.db'}"
    migrate.upgrade(make_engine(url))
    app = create_app(settings=Settings(database_url=url))
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        assert _autocheckpoint(app.state.engine) == 0
    assert _autocheckpoint(app.state.engine) == 1000
