"""The monthly job stores last month's indices at a month's start; `fengqiao indices compute/show/config` on a
migrated database of the test's own (which also runs migration 0016)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from fengqiao.cli import app
from fengqiao.core.clock import overridden
from fengqiao.db import migrate
from fengqiao.indices import jobs
from fengqiao.indices.models import IndexScore
from fengqiao.jobs.models import Job
from tests import factories
from tests.events.world import World, make_world
from tests.indices.history import build_grid_work
from tests.reports.history import NOW


def test_the_monthly_job(world: World) -> None:
    build_grid_work(world)
    session = world.session
    armed = jobs.arm(session=session, now=NOW)
    # The run for December's start (00:30 on 1 December, Shanghai), and October caught up now.
    assert [(j.payload["month"], j.run_at) for j in armed] == [
        ("2026-11", datetime(2026, 11, 30, 16, 30, tzinfo=UTC)),
        ("2026-10", NOW),
    ]
    with overridden(lambda: NOW):
        jobs.monthly_job(session, armed[1])
    stored = session.scalar(select(func.count()).select_from(IndexScore).where(IndexScore.period == "2026-10"))
    assert stored == (1 + 2 + 4) + (3 + 8 + 4 + 2) + (8 + 4 + 2)
    # Stored: arming again does not catch up a second time.
    again = jobs.arm(session=session, now=NOW)
    assert [j.payload["month"] for j in again] == ["2026-11"]
    assert session.scalar(select(func.count()).select_from(Job).where(Job.kind == jobs.MONTHLY)) == 2


def test_cli(isolated_engine: Engine) -> None:
    migrate.upgrade(isolated_engine)
    url = isolated_engine.url.render_as_string(hide_password=False)
    with Session(isolated_engine) as session:
        factories.bind(session)
        world = make_world(session)
        build_grid_work(world)
        town = world.town.code
        session.commit()
    runner = CliRunner()
    with overridden(lambda: NOW):
        computed = runner.invoke(app, ["indices", "compute", "--month", "2026-10", "--database-url", url])
        assert computed.exit_code == 0, computed.output
        assert "2026年10月 指数已存档" in computed.output
        shown = runner.invoke(app, ["indices", "show", "--month", "2026-10", "--level", "town", "--database-url", url])
        assert shown.exit_code == 0, shown.output
        assert "泽国镇" in shown.output
        assert "存档" in shown.output
        drill = runner.invoke(
            app,
            ["indices", "show", "--month", "2026-10", "--level", "town", "--subject", town, "--database-url", url],
        )
        assert drill.exit_code == 0, drill.output
        assert "化解率" in drill.output
        assert "2/6" in drill.output
        future = runner.invoke(app, ["indices", "compute", "--month", "2027-01", "--database-url", url])
        assert future.exit_code == 1
        assert "尚未开始" in future.output
    printed = runner.invoke(app, ["indices", "config"])
    assert printed.exit_code == 0
    assert "[indices.governance]" in printed.output
