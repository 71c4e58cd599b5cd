"""`fengqiao address export` and `match` through the CLI: exported addresses come back to their own ids."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from fengqiao.cli import app
from fengqiao.config import get_settings


@pytest.fixture
def configured(seeded_engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Engine]:
    """Point the commands at the seeded database, with the index cache in a folder of the test's own."""
    monkeypatch.setenv("FENGQIAO_DATABASE_URL", seeded_engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("FENGQIAO_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield seeded_engine
    get_settings.cache_clear()


def test_exported_addresses_match_back_to_their_own_ids(configured: Engine, tmp_path: Path) -> None:
    runner = CliRunner()
    exported = runner.invoke(app, ["address", "export", "--sample", "60", "--seed", "3"])
    assert exported.exit_code == 0, exported.output
    records = [json.loads(line) for line in exported.stdout.splitlines()]
    assert len(records) == 60
    assert records == [json.loads(line) for line in runner.invoke(
        app, ["address", "export", "--sample", "60", "--seed", "3"]
    ).stdout.splitlines()]  # fmt: skip
    assert any(r["room_id"] is None for r in records)
    assert any(r["room_id"] is not None for r in records)

    matched = runner.invoke(app, ["address", "match"], input="\n".join(json.dumps(r) for r in records) + "\n")
    assert matched.exit_code == 0, matched.output
    answers = [json.loads(line) for line in matched.stdout.splitlines()]
    assert [(a["building_id"], a["room_id"]) for a in answers] == [(r["building_id"], r["room_id"]) for r in records]
    assert all(a["score"] == 1.0 and a["grid_code"] for a in answers)
    assert list((tmp_path / "cache").glob("address-index-*.npz"))


def test_bad_lines_get_an_error_line_not_a_crash(configured: Engine) -> None:
    lines = ['{"address": "大溪镇塘下村12号"}', "not json", '{"addr": 1}', '{"address": ""}', "[1, 2]",
             '{"address": "' + "长" * 400 + '"}', "", '{"address": "火星基地", "id": "A-7"}']  # fmt: skip
    result = CliRunner().invoke(app, ["address", "match"], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a.get("error") for a in answers] == [
        None, "invalid_json", "missing_address", "empty_address", "missing_address", "address_too_long", None,
    ]  # fmt: skip
    assert all("error" not in a or a["message"] for a in answers)
    assert [a["line"] for a in answers] == [1, 2, 3, 4, 5, 6, 8]
    assert (answers[-1]["id"], answers[-1]["level"], answers[-1]["building_id"]) == ("A-7", "none", None)


def test_the_benchmark_runs_on_a_seeded_database(seeded_engine: Engine) -> None:
    url = seeded_engine.url.render_as_string(hide_password=False)
    args = ["bench", "address", "--queries", "300", "--baseline-queries", "3", "--database-url", url]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "reused" in result.output
    assert "building top-1" in result.output
