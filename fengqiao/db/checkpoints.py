"""WAL checkpoints off the write path of a long-running SQLite writer (the alert subscriber, the server).

SQLite checkpoints automatically inside the ``COMMIT`` that pushes the WAL past 1,000 pages: under a burst of writes
that is almost every batch, and the copy back into the database file plus its fsync made a batch's commit cost
three to four times its writes (about 60 of 80 ms). Such a process's own connections therefore do not checkpoint
(``wal_autocheckpoint=0``), and a thread on a connection of its own runs ``PRAGMA wal_checkpoint(PASSIVE)`` — which
never blocks writers or readers — while the next batch is being written; SQLite releases the GIL for it, so it runs
beside the writing thread on the other core. Short-lived processes (commands, tests) keep automatic checkpoints.
"""

from __future__ import annotations

import sqlite3
import threading
from typing import Any

from sqlalchemy import Engine, event

from fengqiao.core.logging import get_logger

_INTERVAL = 0.25  # seconds between checkpoints while commits arrive; a burst's WAL stays a few megabytes


class Checkpointer:
    """``start()`` before the engine's first connection, ``stop()`` at the end (a last checkpoint)."""

    def __init__(self, engine: Engine) -> None:
        self._path = engine.url.database
        self._engine = engine
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._log = get_logger("fengqiao.db.checkpoints")
        self.runs = 0

    @staticmethod
    def applies(engine: Engine | None) -> bool:
        return (
            engine is not None
            and engine.dialect.name == "sqlite"
            and bool(engine.url.database)
            and engine.url.database != ":memory:"
        )

    def start(self, *, wake_on_commit: bool = False) -> None:
        """``wake_on_commit``: every commit on the engine wakes the thread (otherwise call :meth:`committed`)."""
        event.listen(self._engine, "connect", _no_auto_checkpoint)
        if wake_on_commit:
            event.listen(self._engine, "commit", self._on_commit)
        self._engine.dispose()  # connections opened before now would still checkpoint by themselves
        self._thread = threading.Thread(target=self._main, name="sqlite-checkpoint", daemon=True)
        self._thread.start()

    def committed(self) -> None:
        """A batch committed: the WAL grew."""
        self._wake.set()

    def _on_commit(self, _connection: Any) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        if event.contains(self._engine, "connect", _no_auto_checkpoint):
            event.remove(self._engine, "connect", _no_auto_checkpoint)
        if event.contains(self._engine, "commit", self._on_commit):
            event.remove(self._engine, "commit", self._on_commit)

    def _main(self) -> None:
        assert self._path is not None
        connection = sqlite3.connect(self._path, timeout=30, check_same_thread=False, isolation_level=None)
        try:
            while True:
                self._wake.wait()
                stopping = self._stop.is_set()
                self._wake.clear()
                try:
                    connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                    self.runs += 1
                except sqlite3.Error as exc:  # busy or locked: the next round catches up
                    self._log.warning("db.checkpoint_failed", error=str(exc))
                if stopping:
                    return
                self._stop.wait(_INTERVAL)
        finally:
            connection.close()


def _no_auto_checkpoint(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA wal_autocheckpoint=0")
    cursor.close()
