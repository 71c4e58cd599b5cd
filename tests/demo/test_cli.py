from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from typer.testing import CliRunner

from fengqiao.cli import app
from fengqiao.config import get_settings


@pytest.fixture
def configured_database(database_factory: Callable[[], str], monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = database_factory()
    monkeypatch.setenv("FENGQIAO_DATABASE_URL", url)
    monkeypatch.setenv("FENGQIAO_DEMO_SCALE", "0.001")
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_demo_seed_then_refuse_then_ensure(configured_database: str) -> None:
    runner = CliRunner()
    seeded = runner.invoke(app, ["demo", "seed", "--scale", "0.001", "--seed", "9"])
    assert seeded.exit_code == 0, seeded.output
    assert "户室 rooms" in seeded.output
    refused = runner.invoke(app, ["demo", "seed", "--scale", "0.001"])
    assert refused.exit_code == 1
    assert "--replace" in refused.output
    ensured = runner.invoke(app, ["demo", "ensure"])
    assert ensured.exit_code == 0
    assert "跳过" in ensured.output


def test_demo_seed_rejects_a_scale_out_of_range(configured_database: str) -> None:
    result = CliRunner().invoke(app, ["demo", "seed", "--scale", "9"])
    assert result.exit_code != 0


def test_bench_seed_prints_rates_beside_the_orm_baseline(database_factory: Callable[[], str]) -> None:
    result = CliRunner().invoke(
        app, ["bench", "seed", "--scale", "0.001", "--database-url", database_factory(), "--baseline-rows", "200"]
    )
    assert result.exit_code == 0, result.output
    assert "基线" in result.output
    assert "倍数" in result.output
