"""The scoring, pure: raw values of the indicators → a 0–100 score per indicator (by its normalisation) → the
weighted score of every group and dimension → the index. No database: ``score_level`` takes the raw values of every
subject scored together (min-max needs the peers), so a test can check an index by hand.

Missing values: an indicator with nothing to measure (an empty denominator; not applicable at the level) has no
score and drops out — its siblings' weights are scaled up to fill its share — rather than counting as 0 (a claim the
data does not make) or as 100 (a reward for having nothing). A group with no scored child has no score either."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fengqiao.indices.config import IndexConfig, Linear, MinMax, Node, Normalise, Threshold
from fengqiao.indices.sources import Level


@dataclass(frozen=True)
class Raw:
    """What was measured: the value the normalisation reads, and where it came from (numerator / denominator)."""

    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"value": self.value, "numerator": self.numerator, "denominator": self.denominator, "note": self.note}

    @staticmethod
    def ratio(numerator: float, denominator: float, *, scale: float = 1.0, note: str = "") -> Raw:
        return Raw(numerator * scale / denominator if denominator else None, numerator, denominator, note)


NOTHING = Raw(None)


@dataclass
class NodeScore:
    code: str
    label: str
    weight: float  # as configured, relative to the siblings
    score: float | None = None  # 0–100
    share: float = 0.0  # of the parent, after the siblings without a score dropped out
    index_share: float = 0.0  # of the whole index (product of the shares down to here)
    contribution: float = 0.0  # points of the index score this node brings: index_share × score
    published: str = ""
    source: str | None = None
    direction: str | None = None
    method: str | None = None
    raw: Raw | None = None
    children: list[NodeScore] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "label": self.label,
            "weight": self.weight,
            "score": _round(self.score),
            "share": round(self.share, 6),
            "index_share": round(self.index_share, 6),
            "contribution": round(self.contribution, 2),
        }
        if self.published:
            out["published"] = self.published
        if self.source is not None:
            out |= {"source": self.source, "direction": self.direction, "method": self.method}
            out["raw"] = (self.raw or NOTHING).as_dict()
        if self.children:
            out["children"] = [c.as_dict() for c in self.children]
        return out


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def normalise(rule: Normalise, direction: str, value: float | None, peers: Iterable[float] = ()) -> float | None:
    """One raw value → 0–100 by ``rule``; ``peers`` (every value scored together, ``value`` included) for min-max."""
    if value is None:
        return None
    higher = direction == "higher"
    if isinstance(rule, Linear):
        share = (value - rule.floor) / (rule.target - rule.floor)
        return 100.0 * min(max(share, 0.0), 1.0)
    if isinstance(rule, MinMax):
        values = [*peers, value]
        low, high = min(values), max(values)
        if high == low:
            return 100.0
        return 100.0 * ((value - low) if higher else (high - value)) / (high - low)
    assert isinstance(rule, Threshold)
    for bound, score in rule.steps:
        if (value >= bound) if higher else (value <= bound):
            return float(score)
    return float(rule.otherwise)


def _applies(node: Node, index: IndexConfig, level: Level) -> bool:
    return level in (node.levels or index.levels)


def _build(
    code: str,
    node: Node,
    *,
    index: IndexConfig,
    level: Level,
    raws: Mapping[str, Raw],
    peers: Mapping[str, list[float]],
) -> NodeScore:
    out = NodeScore(code=code, label=node.label, weight=node.weight, published=node.published)
    if node.is_indicator:
        assert node.source is not None
        assert node.normalise is not None
        assert node.direction is not None
        out.source, out.direction, out.method = node.source, node.direction, node.normalise.method
        if _applies(node, index, level):
            out.raw = raws.get(node.source, NOTHING)
            out.score = normalise(node.normalise, node.direction, out.raw.value, peers.get(node.source, ()))
        return out
    out.children = [
        _build(c, child, index=index, level=level, raws=raws, peers=peers) for c, child in (node.nodes or {}).items()
    ]
    _weigh(out)
    return out


def _weigh(group: NodeScore) -> None:
    scored = [c for c in group.children if c.score is not None]
    total = sum(c.weight for c in scored)
    if not scored or total <= 0:
        group.score = None
        return
    for child in scored:
        child.share = child.weight / total
    group.score = sum(c.share * (c.score or 0.0) for c in scored)


def _spread(node: NodeScore, index_share: float) -> None:
    node.index_share = index_share if node.score is not None else 0.0
    node.contribution = node.index_share * (node.score or 0.0)
    for child in node.children:
        _spread(child, node.index_share * child.share)


def score_subject(
    index: IndexConfig, level: Level, raws: Mapping[str, Raw], peers: Mapping[str, list[float]] | None = None
) -> NodeScore:
    """The tree of scores of one subject; the root's ``score`` is the index (0–100, None when nothing measured)."""
    root = Node(label=index.label, weight=1, nodes=index.nodes)
    tree = _build("", root, index=index, level=level, raws=raws, peers=peers or {})
    _spread(tree, 1.0)
    tree.share = 1.0
    return tree


def score_level(index: IndexConfig, level: Level, raws: Mapping[str, Mapping[str, Raw]]) -> dict[str, NodeScore]:
    """Every subject of one level scored together: ``raws`` maps a subject key to its raw values by source."""
    peers: dict[str, list[float]] = {}
    for values in raws.values():
        for source, raw in values.items():
            if raw.value is not None:
                peers.setdefault(source, []).append(raw.value)
    return {key: score_subject(index, level, values, peers) for key, values in raws.items()}


def rank(scores: Mapping[str, float | None]) -> dict[str, int | None]:
    """Highest first, ties by key for a stable order; equal scores share a rank (1, 2, 2, 4); no score, no rank."""
    ordered = sorted(((s, k) for k, s in scores.items() if s is not None), key=lambda p: (-p[0], p[1]))
    out: dict[str, int | None] = dict.fromkeys(scores)
    previous: tuple[float, int] | None = None
    for i, (score, key) in enumerate(ordered):
        place = previous[1] if previous is not None and previous[0] == score else i + 1
        out[key] = place
        previous = (score, place)
    return out
