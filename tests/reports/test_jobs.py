"""The worker's monthly bulletins: armed for 08:00 Shanghai on the 1st, issued for the county and every town, a
bulletin issued by hand left alone, and the next month armed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from fengqiao.config import get_settings
from fengqiao.files.storage import LocalFileStorage
from fengqiao.jobs.models import Job
from fengqiao.reports import jobs as bulletin_jobs
from fengqiao.reports import service
from fengqiao.reports.models import Bulletin
from fengqiao.reports.period import month
from tests.events.world import World
from tests.reports.history import NOW, build_history


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("FENGQIAO_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _armed(world: World) -> list[Job]:
    return list(
        world.session.scalars(select(Job).where(Job.kind == bulletin_jobs.MONTHLY_BULLETINS).order_by(Job.run_at))
    )


def test_armed_for_eight_in_the_morning_of_the_first(world: World) -> None:
    bulletin_jobs.arm_monthly_bulletins(world.session)
    bulletin_jobs.arm_monthly_bulletins(world.session)  # a second worker: still one job
    armed = _armed(world)
    assert len(armed) == 1
    job = armed[0]
    now_month = job.payload["month"]
    assert job.run_at.astimezone(UTC).hour == 0  # 08:00 Shanghai
    assert job.run_at.astimezone(UTC).day == 1
    assert job.dedupe_key == f"{bulletin_jobs.MONTHLY_BULLETINS}:{now_month}"


def test_the_month_is_issued_for_the_county_and_each_town(world: World, data_dir: Path) -> None:
    build_history(world)
    town0 = world.tree.towns[0]
    storage = LocalFileStorage(data_dir / "files")
    by_hand = service.issue(session=world.session, unit=town0, period=month(2026, 10), storage=storage, now=NOW)
    job = Job(kind=bulletin_jobs.MONTHLY_BULLETINS, payload={"month": "2026-10"}, run_at=NOW, county_code=None)
    world.session.add(job)
    world.session.flush()

    bulletin_jobs.monthly_bulletins_job(world.session, job)

    bulletins = world.session.scalars(select(Bulletin).where(Bulletin.period_key == "2026-10")).all()
    units = {b.unit_id: b for b in bulletins}
    expected = {world.tree.county.id, *(t.id for t in world.tree.towns)}
    assert set(units) == expected
    assert units[town0.id].generated_at == by_hand.bulletin.generated_at  # issued by hand: left as it was
    county = units[world.tree.county.id]
    assert county.doc_number == "温岭市社会治理中心〔2026〕1号"
    assert county.figures["registered"] == 9
    assert LocalFileStorage(data_dir / "files").get(county.pdf_key).startswith(b"%PDF-")
    # And the next month's run is armed.
    assert any(j.payload.get("month") != "2026-10" for j in _armed(world) if j is not job)


def test_last_month_is_not_issued_at_start_without_a_job(world: World) -> None:
    build_history(world)
    bulletin_jobs.arm(session=world.session)
    assert [j.run_at > datetime.now(UTC) for j in _armed(world)] == [True]
