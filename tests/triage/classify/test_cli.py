from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from fengqiao.cli import app
from fengqiao.config import get_settings
from fengqiao.db import migrate


@pytest.fixture
def configured(isolated_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """Point the commands at a migrated database of the test's own."""
    migrate.upgrade(isolated_engine)
    monkeypatch.setenv("FENGQIAO_DATABASE_URL", isolated_engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    yield isolated_engine
    get_settings.cache_clear()


def test_classify_reads_json_lines_and_never_crashes_on_bad_ones(configured: Engine) -> None:
    lines = [
        json.dumps({"text": "邻居家装修把我家墙震裂了，扬言要砍人"}, ensure_ascii=False),
        "not json",
        json.dumps({"content": "no text"}),
        json.dumps({"text": "   "}),
        "",
        json.dumps(["text"]),
        json.dumps({"text": "工地包工头拖欠二十多名农民工工资"}, ensure_ascii=False),
    ]
    result = CliRunner().invoke(app, ["classify"], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row["line"] for row in out] == [1, 2, 3, 4, 6, 7]
    assert out[0]["category"] == "neighbour"
    assert out[0]["risk"] == "high"
    assert {"subcategory", "confidence", "reasons"} <= set(out[0])
    assert all("error" in row for row in out[1:5])
    assert out[5]["category"] == "labour"
    assert out[5]["risk"] == "high"


def test_model_train_versions_rollback_and_evaluate(configured: Engine) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["model", "versions"])
    assert result.exit_code == 0
    assert "尚无训练版本" in result.stdout

    result = runner.invoke(app, ["model", "rollback"])
    assert result.exit_code == 1

    result = runner.invoke(app, ["model", "evaluate"])
    assert result.exit_code == 0, result.output
    assert "内置种子模型" in result.stdout
    assert "high-risk recall" in result.stdout
    assert "labour" in result.stdout


def test_model_train_stores_an_active_version_the_commands_then_use(configured: Engine) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["model", "train", "--note", "测试"])
    assert result.exit_code == 0, result.output
    assert "版本 1 已启用" in result.stdout

    result = runner.invoke(app, ["model", "versions"])
    assert result.exit_code == 0
    assert "测试" in result.stdout

    result = runner.invoke(app, ["classify"], input=json.dumps({"text": "楼上漏水"}, ensure_ascii=False) + "\n")
    assert json.loads(result.stdout)["model_version"] == 1

    assert runner.invoke(app, ["model", "rollback", "--to", "1"]).exit_code == 0
    assert runner.invoke(app, ["model", "rollback"]).exit_code == 1
