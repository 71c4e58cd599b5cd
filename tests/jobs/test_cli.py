from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from fengqiao.cli import app
from fengqiao.config import get_settings
from fengqiao.core.clock import utcnow
from fengqiao.jobs import auditor, leases
from fengqiao.jobs.models import JobStatus, WorkerLease
from fengqiao.jobs.worker import SQLITE_LEASE_NAME
from tests.jobs.conftest import ScheduleFn, load_job, probe


@pytest.fixture
def configured(jobs_db: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """Point the command at the test database."""
    monkeypatch.setenv("FENGQIAO_DATABASE_URL", jobs_db.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    yield jobs_db
    get_settings.cache_clear()


def test_worker_once_runs_due_jobs_and_prints_a_summary(
    configured: Engine, schedule_job: ScheduleFn, sessions: sessionmaker[Session]
) -> None:
    due = schedule_job()
    future = schedule_job(run_at=utcnow() + timedelta(hours=1))

    result = CliRunner().invoke(app, ["worker", "--once", "--batch-size", "5", "--audit-interval", "0"])

    assert result.exit_code == 0, result.output
    assert "完成 / done" in result.stdout
    assert probe.calls == {due: 1}
    assert load_job(sessions, due).status == JobStatus.DONE
    assert load_job(sessions, future).status == JobStatus.PENDING


def test_worker_refuses_clearly_when_another_holds_the_sqlite_file(
    configured: Engine, schedule_job: ScheduleFn, sessions: sessionmaker[Session]
) -> None:
    if configured.dialect.name != "sqlite":
        pytest.skip("only SQLite keeps one worker")
    job_id = schedule_job()
    held = leases.acquire(sessions, name=SQLITE_LEASE_NAME, holder="other", ttl=timedelta(minutes=1), now=utcnow())
    assert held is None

    result = CliRunner().invoke(app, ["worker", "--once"])

    assert result.exit_code == 1
    assert "另一个后台任务进程（other）" in result.stderr
    assert load_job(sessions, job_id).status == JobStatus.PENDING


def test_worker_help_is_bilingual() -> None:
    result = CliRunner().invoke(app, ["worker", "--help"])
    assert result.exit_code == 0
    assert "后台任务进程" in result.stdout
    assert "Run background jobs" in result.stdout
    assert "--poll-interval" in result.stdout


def test_the_worker_process_runs_timers_and_stops_on_sigterm(
    jobs_db: Engine, schedule_job: ScheduleFn, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    """The real command in its own process: it picks up a timer that comes due while it runs, and SIGTERM ends it
    cleanly (exit 0, SQLite lease given back)."""
    environment = {**os.environ, "FENGQIAO_DATABASE_URL": jobs_db.url.render_as_string(hide_password=False)}
    command = [sys.executable, "-m", "fengqiao", "worker", "--poll-interval", "0.1", "--audit-interval", "0"]
    # The probe handler lives in the tests, so the process is given a kind it knows: the auditor's.
    with sessions() as session, session.begin():
        job_id = auditor.ensure_scheduled(session=session, interval=timedelta(seconds=1)).id
    process = subprocess.Popen(command, env=environment, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        # Generous: the process imports the worker's handlers first, which on a loaded 2-core machine takes a while.
        deadline = time.monotonic() + 60
        while load_job(sessions, job_id).status != JobStatus.DONE:
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the worker did not run the timer"
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, stderr.decode()
    assert "worker.stopping" in stderr.decode()
    with sessions() as session:
        assert session.scalars(select(WorkerLease)).all() == []
