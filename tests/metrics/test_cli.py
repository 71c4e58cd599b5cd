"""`fengqiao metrics refresh | check | rebuild` on a database of the test's own."""

from __future__ import annotations

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from fengqiao.cli import app
from fengqiao.db import migrate
from fengqiao.metrics.models import MetricDirty, MetricFact
from tests import factories
from tests.events.world import make_world
from tests.metrics.ledger import build_ledger


def test_refresh_check_rebuild(isolated_engine: Engine) -> None:
    migrate.upgrade(isolated_engine)
    url = isolated_engine.url.render_as_string(hide_password=False)
    with Session(isolated_engine) as session:
        factories.bind(session)
        build_ledger(make_world(session))
        session.commit()
    runner = CliRunner()

    refreshed = runner.invoke(app, ["metrics", "refresh", "--database-url", url])
    assert refreshed.exit_code == 0, refreshed.output
    assert "folded 10 events" in refreshed.output
    assert runner.invoke(app, ["metrics", "check", "--database-url", url]).exit_code == 0

    with Session(isolated_engine) as session:
        session.execute(update(MetricFact).where(MetricFact.part == 0).values(flags=0))
        session.commit()
    broken = runner.invoke(app, ["metrics", "check", "--database-url", url])
    assert broken.exit_code == 1
    assert "differences" in broken.output

    rebuilt = runner.invoke(app, ["metrics", "rebuild", "--database-url", url, "--county", "331081"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "rebuilt from 10 events" in rebuilt.output
    assert runner.invoke(app, ["metrics", "check", "--database-url", url]).exit_code == 0
    with Session(isolated_engine) as session:
        assert session.scalar(select(func.count()).select_from(MetricDirty)) == 0
