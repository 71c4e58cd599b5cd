"""The indices' configuration (``indices.toml`` beside this module) as a validated model.

An index is a tree: dimensions → (any depth of) groups → indicators. Every node has a ``weight`` relative to its
siblings; an indicator names what it measures (``source``), which way is better (``direction``) and how its raw
value becomes 0–100 (``normalise``). Errors name the file, the node's path and what is wrong, in Chinese, so an
administrator editing weights or targets can fix the file without reading code."""

from __future__ import annotations

import hashlib
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from fengqiao.indices.sources import SOURCES, Level

CONFIG_PATH = Path(__file__).with_name("indices.toml")


class IndicesConfigError(Exception):
    """The configuration file cannot be read or does not fit the schema (message in Chinese)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Linear(_Strict):
    """``floor`` scores 0, ``target`` scores 100, straight in between, clamped outside. For "lower is better" the
    floor is the larger (worse) value."""

    method: Literal["linear"]
    floor: float
    target: float


class MinMax(_Strict):
    """Relative to the peers scored together (the same level of the county): the worst scores 0, the best 100."""

    method: Literal["minmax"]


class Threshold(_Strict):
    """Steps ``[[value, score], …]`` from the best: the first step reached gives its score, else ``otherwise``."""

    method: Literal["threshold"]
    steps: list[tuple[float, float]] = Field(min_length=1)
    otherwise: float = Field(default=0.0, ge=0, le=100)

    @model_validator(mode="after")
    def _scores_in_range(self) -> Threshold:
        for _, score in self.steps:
            if not 0 <= score <= 100:
                raise ValueError(f"阈值得分 {score:g} 应在 0–100 之间")
        return self


Normalise = Annotated[Linear | MinMax | Threshold, Field(discriminator="method")]


class Node(_Strict):
    label: str = Field(min_length=1, max_length=40)
    weight: float = Field(gt=0, le=1000)
    published: str = ""  # the published index's indicator this stands for (documentation)
    note: str = ""
    # An indicator:
    source: str | None = None
    direction: Literal["higher", "lower"] | None = None
    normalise: Normalise | None = None
    levels: tuple[Level, ...] | None = None  # the levels it applies to (default: all of the index's)
    # A group:
    nodes: dict[str, Node] | None = None

    @property
    def is_indicator(self) -> bool:
        return self.source is not None

    @model_validator(mode="after")
    def _indicator_or_group(self) -> Node:
        if self.source is None:
            if not self.nodes:
                raise ValueError("既没有 source（指标），也没有 nodes（下级），二者须有其一")
            if self.direction or self.normalise or self.levels:
                raise ValueError("direction、normalise、levels 只用于指标（有 source 的节点）")
            return self
        if self.nodes:
            raise ValueError("指标（有 source）不能再有下级 nodes")
        if self.source not in SOURCES:
            raise ValueError(f"未知的数据来源“{self.source}”，可选：{'、'.join(SOURCES)}")
        if self.direction is None:
            raise ValueError("指标须写明 direction（higher 越高越好 / lower 越低越好）")
        if self.normalise is None:
            raise ValueError("指标须写明 normalise（linear / minmax / threshold）")
        rule = self.normalise
        if isinstance(rule, Linear):
            if rule.floor == rule.target:
                raise ValueError("linear 的 floor 与 target 不能相等")
            if (self.direction == "higher") != (rule.target > rule.floor):
                side = "大于" if self.direction == "higher" else "小于"
                raise ValueError(f"direction = {self.direction} 时，linear 的 target 应{side} floor")
        if isinstance(rule, Threshold):
            values = [v for v, _ in rule.steps]
            expected = sorted(values, reverse=self.direction == "higher")
            if values != expected:
                order = "从大到小" if self.direction == "higher" else "从小到大"
                raise ValueError(f"threshold 的 steps 应按取值{order}排列（从最好的一档起）")
        return self

    def walk(self, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Node]]:
        out: list[tuple[tuple[str, ...], Node]] = []
        for code, child in (self.nodes or {}).items():
            out.append(((*path, code), child))
            out.extend(child.walk((*path, code)))
        return out


class IndexConfig(_Strict):
    label: str = Field(min_length=1, max_length=40)
    short: str = Field(default="", max_length=12)
    description: str = ""
    levels: tuple[Level, ...] = Field(min_length=1)
    nodes: dict[str, Node] = Field(min_length=1)

    @model_validator(mode="after")
    def _levels_measurable(self) -> IndexConfig:
        for path, node in self.indicators():
            applies = node.levels or self.levels
            stray = [lv for lv in applies if lv not in self.levels]
            if stray:
                raise ValueError(f"{'.'.join(path)}: levels 中的 {'、'.join(stray)} 不是本指数的层级")
            if Level.WORKER in applies and node.source and not SOURCES[node.source].worker:
                raise ValueError(
                    f"{'.'.join(path)}: 数据来源“{node.source}”不能按网格员个人计算，请用 levels 排除 worker"
                )
        return self

    def indicators(self) -> list[tuple[tuple[str, ...], Node]]:
        root = Node(label=self.label, weight=1, nodes=self.nodes)
        return [(path, node) for path, node in root.walk() if node.is_indicator]

    def sources_at(self, level: Level) -> list[str]:
        return sorted({n.source for _, n in self.indicators() if n.source and level in (n.levels or self.levels)})


class IndicesConfig(_Strict):
    indices: dict[str, IndexConfig] = Field(min_length=1)
    sha256: str = ""  # of the file's text: stored with every score, so a score says which configuration made it

    def index(self, code: str) -> IndexConfig:
        return self.indices[code]


_MESSAGES = {
    "missing": "缺少必填项",
    "extra_forbidden": "未知的配置项（拼写错误？）",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "应不小于 {ge}",
    "less_than_equal": "应不大于 {le}",
    "too_short": "不能为空",
    "too_long": "过长",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "string_type": "应为文字",
    "literal_error": "取值无效，可选：{expected}",
    "enum": "取值无效，可选：{expected}",
    "union_tag_invalid": "method 取值无效，可选：linear、minmax、threshold",
    "union_tag_not_found": "缺少 method（linear、minmax、threshold）",
}


def describe(path: Path | str, exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"]) or "(根)"
        if error["type"] == "value_error":
            text = str(error.get("ctx", {}).get("error", error["msg"]))
        else:
            template = _MESSAGES.get(error["type"])
            try:
                text = template.format(**error.get("ctx", {})) if template else error["msg"]
            except (KeyError, IndexError):
                text = template or error["msg"]
        problems.append(f"{where}：{text}")
    return f"{path}：{'；'.join(problems)}"


def parse_config(text: str, *, path: Path | str = "indices.toml") -> IndicesConfig:
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise IndicesConfigError(f"{path}：TOML 格式错误：{exc}") from exc
    data["sha256"] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    try:
        return IndicesConfig.model_validate(data)
    except ValidationError as exc:
        raise IndicesConfigError(describe(path, exc)) from exc


def load_config(path: Path) -> IndicesConfig:
    return parse_config(path.read_text(encoding="utf-8"), path=path)


@lru_cache(maxsize=1)
def default_config() -> IndicesConfig:
    return load_config(CONFIG_PATH)
