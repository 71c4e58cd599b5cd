"""The configuration file: the shipped one loads; mistakes an administrator may make are refused in Chinese, naming
the node."""

from __future__ import annotations

from pathlib import Path

import pytest

from fengqiao.indices.config import CONFIG_PATH, IndicesConfigError, default_config, load_config, parse_config
from fengqiao.indices.sources import SOURCES, Level

HEAD = '[indices.x]\nlabel = "测试"\nlevels = ["town"]\n[indices.x.nodes.d]\nlabel = "维度"\nweight = 1\n'


def _leaf(**fields: str) -> str:
    values = {
        "label": '"指标"',
        "weight": "1",
        "source": '"metric:resolution_rate"',
        "direction": '"higher"',
        "normalise": '{ method = "linear", floor = 0.5, target = 1.0 }',
    }
    values.update(fields)
    body = "\n".join(f"{k} = {v}" for k, v in values.items() if v)
    return f"{HEAD}[indices.x.nodes.d.nodes.i]\n{body}\n"


def test_the_shipped_configuration() -> None:
    config = default_config()
    assert list(config.indices) == ["governance", "grid_worker_health", "grid_team"]
    governance = config.index("governance")
    assert [n.label for n in governance.nodes.values()] == ["社会管理", "政社共治", "社会自治", "科技支撑"]
    assert governance.levels == (Level.COUNTY, Level.TOWN, Level.VILLAGE)
    health = config.index("grid_worker_health")
    assert Level.WORKER in health.levels
    for _, node in health.indicators():
        if Level.WORKER in (node.levels or health.levels):
            assert node.source is not None
            assert SOURCES[node.source].worker
    assert len(config.sha256) == 64
    assert load_config(CONFIG_PATH).sha256 == config.sha256


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (_leaf(source='"metric:happiness"'), "未知的数据来源“metric:happiness”"),
        (_leaf(direction='"lower"'), "direction = lower 时，linear 的 target 应小于 floor"),
        (_leaf(normalise='{ method = "linear", floor = 1.0, target = 1.0 }'), "floor 与 target 不能相等"),
        (_leaf(normalise='{ method = "zscore" }'), "method 取值无效"),
        (_leaf(direction=""), "须写明 direction"),
        (_leaf(weight="0"), "weight：应大于 0"),
        (_leaf(colour='"红"'), "colour：未知的配置项"),
        (
            _leaf(normalise='{ method = "threshold", steps = [[0.5, 60], [0.9, 100]] }'),
            "steps 应按取值从大到小排列",
        ),
        (_leaf(levels='["village"]'), "levels 中的 village 不是本指数的层级"),
        (HEAD, "既没有 source（指标），也没有 nodes（下级）"),
        ("[indices.x\n", "TOML 格式错误"),
    ],
)
def test_mistakes_are_refused_in_chinese(text: str, message: str) -> None:
    with pytest.raises(IndicesConfigError, match=message.replace("(", r"\(").replace(")", r"\)")) as caught:
        parse_config(text, path="indices.toml")
    assert str(caught.value).startswith("indices.toml：")


def test_worker_level_needs_sources_measurable_per_worker() -> None:
    text = _leaf().replace('levels = ["town"]', 'levels = ["worker", "grid"]')
    with pytest.raises(IndicesConfigError, match="不能按网格员个人计算"):
        parse_config(text)
    parse_config(text.replace("weight = 1\nsource", 'weight = 1\nlevels = ["grid"]\nsource'))


def test_a_file_that_cannot_be_read(tmp_path: Path) -> None:
    path = tmp_path / "indices.toml"
    path.write_text('[indices.x]\nlabel = "测试"\n', encoding="utf-8")
    with pytest.raises(IndicesConfigError, match="levels：缺少必填项"):
        load_config(path)
